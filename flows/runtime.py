"""Resources loaded once per process and shared by the flow runs in it.

Models and stores are never passed to tasks as arguments (Prefect would hash or
pickle them); tasks call these accessors instead.
"""

import threading
from collections.abc import Callable
from logging import Logger

from evidence_store.store import EvidenceStore
from flows.settings import FlowSettings
from verify.reports.store import ReportStore
from verify.settings import Settings

_lock = threading.Lock()
_resources: dict[str, object] = {}


def settings() -> Settings:
    """The process's settings, read from the environment once."""
    with _lock:
        if "settings" not in _resources:
            _resources["settings"] = Settings()
        return _resources["settings"]  # type: ignore[return-value]


def flow_settings() -> FlowSettings:
    """The process's orchestration settings (feeds, schedules, concurrency), read once."""
    with _lock:
        if "flow_settings" not in _resources:
            _resources["flow_settings"] = FlowSettings()
        return _resources["flow_settings"]  # type: ignore[return-value]


def evidence_store() -> EvidenceStore:
    """The evidence store of ``SANAD_HOME`` (its indexes reload when another process writes)."""
    current = settings()
    with _lock:
        if "store" not in _resources:
            _resources["store"] = EvidenceStore.open(None, current)
        return _resources["store"]  # type: ignore[return-value]


def reports() -> ReportStore:
    """The reports database of ``SANAD_HOME`` (short write transactions, retried when locked)."""
    current = settings()
    with _lock:
        if "reports" not in _resources:
            _resources["reports"] = ReportStore(current.reports_db)
        return _resources["reports"]  # type: ignore[return-value]


def reset() -> None:
    """Forget loaded resources (tests that switch ``SANAD_HOME``)."""
    with _lock:
        for resource in _resources.values():
            close = getattr(resource, "close", None)
            if callable(close):
                close()
        _resources.clear()


def progress_logger(logger: Logger, label: str, steps: int = 10) -> Callable[[int, int], None]:
    """An ``on_progress(done, total)`` that logs a running count about ``steps`` times."""
    last = {"step": -1}

    def update(done: int, total: int) -> None:
        step = (done * steps) // max(total, 1)
        if step != last["step"] or done == total:
            last["step"] = step
            logger.info("%s: %d/%d", label, done, total)

    return update
