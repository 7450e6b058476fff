"""Reports: the DuckDB record of runs, claims, verdicts (append-only) and reviews, and its exports."""

from verify.reports.store import ReportStore
from verify.reports.types import (
    ArticleInfo,
    ReportFilter,
    ReportRow,
    ReportsError,
    Review,
    RunRecord,
    StoredVerdict,
    VerdictChange,
)

__all__ = [
    "ArticleInfo",
    "ReportFilter",
    "ReportRow",
    "ReportStore",
    "ReportsError",
    "Review",
    "RunRecord",
    "StoredVerdict",
    "VerdictChange",
]
