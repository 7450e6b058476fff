"""The application's settings: the evidence store's plus verification and reports."""

from pathlib import Path

from evidence_store.settings import StoreSettings


class Settings(StoreSettings):
    """Everything Sanad reads from ``SANAD_*`` environment variables (data under ``SANAD_HOME``)."""

    max_article_chars: int = 3_000_000

    @property
    def reports_db(self) -> Path:
        """DuckDB file of runs, claims, verdicts and reviews."""
        return self.home / "reports.duckdb"
