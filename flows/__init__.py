"""Sanad's Prefect flows, deployments' entry points and the ``sanad`` command line."""

import os

# Sanad runs offline: Prefect's telemetry heartbeat cannot reach its servers, and on the temporary
# server that `sanad demo` starts it failed loudly on a busy SQLite database. A user's own setting wins.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The temporary server of `sanad demo` took over Prefect's 20 s to start on a busy machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# A run that waits for a database held by another process says so in its own log (the UI), not only on
# the worker's console.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "evidence_store")
