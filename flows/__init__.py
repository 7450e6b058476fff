"""Sanad's Prefect flows, deployments' entry points and the ``sanad`` command line."""

import os

# Sanad runs offline: Prefect's telemetry heartbeat cannot reach its servers, and on the temporary
# server that `sanad demo` starts it failed loudly on a busy SQLite database. A user's own setting wins.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
