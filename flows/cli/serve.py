"""``sanad serve``: run the Prefect deployments of every flow in this process."""

import typer

from flows.cli.common import friendly_errors


def serve(limit: int = typer.Option(4, "--limit", min=1, help="Flow runs at once in this process.")) -> None:
    """Serve verify-article, verify-batch, ingest-evidence (hourly) and reverify-claims (nightly).

    Needs a Prefect server (PREFECT_API_URL, e.g. from `prefect server start`).
    """
    from flows import runtime
    from flows.served import serve_all

    with friendly_errors(), runtime.prefect_errors():
        serve_all(limit=limit)
