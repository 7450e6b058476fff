"""Kill a child process at a chosen point of a write: the shared half of the crash-safety tests.

A child module (``tests.support.*_crash_child``) prints ``READY``, then ``PAUSED {stage}`` where it was
told to stop (or runs on, for a random kill), and ``DONE`` if it finishes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kill_child(module: str, target: Path, stage: str, when: float) -> list[str]:
    """Run ``module`` on ``target`` until it pauses at ``stage`` (or, for stage "random", for ``when`` seconds),
    SIGKILL it, and return what it printed."""
    args = [target, "none", "0"] if stage == "random" else [target, stage, str(when)]
    child = subprocess.Popen(
        [sys.executable, "-m", module, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    lines = [child.stdout.readline().strip()]
    assert lines == ["READY"]
    if stage == "random":
        time.sleep(when)
    else:
        lines.append(child.stdout.readline().strip())
        assert lines[-1] == f"PAUSED {stage}", lines
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    lines += child.stdout.read().split()
    assert child.returncode == -signal.SIGKILL or (stage == "random" and lines[-1] == "DONE")
    return lines
