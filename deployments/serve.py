"""Serve every Sanad flow from one process (no work pool): ``sanad serve`` or ``python -m deployments.serve``.

``ingest-evidence`` polls the configured feeds (SANAD_FEEDS) on SANAD_INGEST_CRON (hourly by
default) and ``reverify-claims`` re-scores stale claims on SANAD_REVERIFY_CRON (nightly); the list
of deployments is ``flows.served``.
"""

from flows.served import serve_all

if __name__ == "__main__":
    serve_all()
