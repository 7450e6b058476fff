"""Talking to a real Prefect server and ``sanad serve`` from the end-to-end tests: the ``sanad`` executable,
polling until something is ready, and Prefect API calls that retry as Prefect's own client does."""

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

SANAD = Path(sys.executable).with_name("sanad")


def wait_for(predicate, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {process.returncode}")
        try:
            result = predicate()
            if result:
                return result
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(1)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def api_json(method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
    """The JSON body of one Prefect API call, asserted to have status ``expect`` (the body is shown if not).

    A 5xx or 429 answer or a dropped connection is retried, up to 5 tries 1-8 s apart, as Prefect's own
    client does (``PREFECT_CLIENT_MAX_RETRIES``), since a server busy with four flow runs on SQLite is
    what a user's client would retry too. A failure then shows the status and body: twice the
    concurrency test failed with only ``KeyError: 'id'`` from a body nobody saw.
    """
    for attempt in range(5):
        last_try = attempt == 4
        try:
            response = httpx.request(method, url, timeout=10, **kwargs)
        except httpx.TransportError:
            if last_try:
                raise
        else:
            if last_try or (response.status_code < 500 and response.status_code != 429):
                break
        time.sleep(2**attempt)
    assert response.status_code == expect, f"{method} {url}: {response.status_code}: {response.text[:500]}"
    return response.json()
