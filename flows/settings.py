"""Orchestration settings: feeds, schedules and concurrency of the flows (``SANAD_*`` environment variables).

They live beside the flows because only orchestration reads them; ``verify.settings.Settings`` holds what
the domain code needs. Both read the same environment, each ignoring the other's variables.
"""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FlowSettings(BaseSettings):
    """How the flows are scheduled and spread (cron in the server's timezone, UTC by default)."""

    model_config = SettingsConfigDict(env_prefix="SANAD_", frozen=True, extra="ignore")

    feeds: list[str] = Field(default_factory=list)  # RSS/Atom feeds of the desk's sources, polled by ingest-evidence
    ingest_cron: str = "0 * * * *"  # hourly
    reverify_cron: str = "30 2 * * *"  # nightly
    batch_concurrency: int = 2  # articles verified at once by verify-batch
    dask_address: str | None = None  # a Dask scheduler (tcp://host:8786): ingest-evidence embeds on its workers
    dask_shard_documents: int = 500  # documents per embedding task sent to the Dask workers
    # a caller waits this long for a warm worker's answer, then does the work itself (bounds a task a worker
    # received and never started: one killed in that instant leaves it queued)
    worker_timeout_s: float = 900.0
