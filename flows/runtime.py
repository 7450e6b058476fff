"""Resources loaded once per process and shared by the flow runs in it, and how runs fail.

Models and stores are never passed to tasks as arguments (Prefect would hash or
pickle them); tasks call these accessors instead.

An expected failure (a ``SanadError``: bad input, a refused address, an unreachable backend) ends a run
Failed with its one-line message, logged without a stack, in flow run logs as on the command line; any
other exception is a bug and keeps its traceback.
"""

import contextlib
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from logging import Logger
from typing import Any

from prefect.states import Failed, State

from evidence_store.errors import InvalidInput, SanadError
from evidence_store.store import EvidenceStore
from flows.settings import FlowSettings
from verify.model_versions import ModelVersions, model_versions
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


def models() -> ModelVersions:
    """The models this process's settings name, their files digested once (what a warm worker must match)."""
    current = settings()
    with _lock:
        if "models" not in _resources:
            _resources["models"] = model_versions(current)
        return _resources["models"]  # type: ignore[return-value]


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


class PrefectUnavailable(SanadError, RuntimeError):
    """The Prefect API could not be reached, or the temporary server did not start in time."""


_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


@contextlib.contextmanager
def prefect_errors() -> Iterator[None]:
    """Turn the temporary Prefect server's failed start (a bare ``RuntimeError``) into a ``PrefectUnavailable``."""
    try:
        yield
    except RuntimeError as exc:
        if "ephemeral Prefect API server" not in str(exc):
            raise
        from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        raise PrefectUnavailable(
            f"the temporary Prefect server did not start within "
            f"{PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()} s ({_STARTUP_TIMEOUT}); allow it longer, "
            "or set PREFECT_API_URL to a running server"
        ) from None


def start_prefect_api() -> None:
    """Reach the Prefect API now, starting the temporary server when ``PREFECT_API_URL`` is unset (fail early)."""
    from prefect.client.orchestration import get_client

    with prefect_errors(), get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
        if problem is not None:
            raise PrefectUnavailable(f"the Prefect API at {client.api_url} does not answer ({type(problem).__name__})")


def fails_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a flow's function (under ``@flow``): a ``SanadError`` ends the run in a Failed state whose
    message is the error's, with no stack logged. The caller of the flow still gets the error raised."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except SanadError as exc:
                return _failed(exc)

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SanadError as exc:
            return _failed(exc)

    return run


def _failed(exc: SanadError) -> State:
    return Failed(message=str(exc), data=exc)


def retry_unless_invalid(task: object, task_run: object, state: State) -> bool:
    """A task's ``retry_condition_fn``: input Sanad cannot use fails at once; other failures (network) retry."""
    return not isinstance(state.data, InvalidInput)


class _NoStackForExpectedFailures(logging.Filter):
    """Prefect logs a failed task with ``exc_info``; for a ``SanadError`` the message says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], SanadError):
            record.exc_info = None
            record.exc_text = None
        return True


def _install_log_filter() -> None:
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        run_logger = logging.getLogger(name)
        if not any(isinstance(existing, _NoStackForExpectedFailures) for existing in run_logger.filters):
            run_logger.addFilter(_NoStackForExpectedFailures())


_install_log_filter()
