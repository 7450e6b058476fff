"""The hostile run: every attack of issue 22 through the real ``sanad`` command, one process each.

A hostile web server on 127.0.0.1 (dripping headers, stacked gzip, unusable charsets, huge unclosed
JSON-LD) and hostile files at the documented limits. Each case records its exit status, whether a
traceback reached the terminal, its wall time (killed at 120 s) and its peak resident memory beyond
that of a benign run of the same command (the loaded models).
"""

import contextlib
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bench.report import table

BIN = Path(sys.executable).parent
MODELS = Path(__file__).resolve().parents[1] / ".sanad" / "models"
KILL_AFTER_S = 120
TIME_LIMIT_S = 60
MEMORY_LIMIT_MIB = 1024


class Outcome(BaseModel):
    """One hostile case as run."""

    model_config = ConfigDict(frozen=True)

    case: str
    status: int | None  # None: killed at KILL_AFTER_S
    traceback: bool
    control_bytes: bool  # an ESC or other C0/C1 control reached the terminal
    seconds: float
    peak_mib: float  # the process's peak resident memory
    beyond_mib: float  # and how far above the benign run of the same command
    message: str  # the run's telling lines (errors, skipped records, leftovers, what was added)


# --- the hostile web server -------------------------------------------------------------------------


def _gzip_bomb(layers: int, size: int) -> bytes:
    """``size`` zero bytes gzipped ``layers`` times, compressed as they stream (never held whole)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    block, parts = bytes(2**20), []
    for _ in range(size // len(block)):
        parts.append(inner.compress(block))
    parts.append(inner.flush())
    body = b"".join(parts)
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    return body


def _respond(conn: socket.socket, head: str, body: bytes) -> None:
    conn.sendall(f"HTTP/1.1 200 OK\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
    conn.sendall(body)


def _drip(conn: socket.socket, stop: threading.Event) -> None:
    """Header bytes at one a second, for ever."""
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
        if stop.wait(1.0):
            return
        conn.sendall(bytes([byte]))


PAGE = (
    "<html><head><title>t</title></head>"
    "<body><p>Cham Wings flew to Benghazi in 2020, the ministry said.</p></body></html>"
)


def _routes(bomb: bytes, ldjson: bytes) -> dict[str, Callable[[socket.socket, threading.Event], None]]:
    html = "Content-Type: text/html; charset={}\r\n"
    return {
        "/drip": _drip,
        "/gzip-gzip": lambda c, _: _respond(c, "Content-Type: text/html\r\nContent-Encoding: gzip, gzip\r\n", bomb),
        "/charset-undefined": lambda c, _: _respond(c, html.format("undefined"), PAGE.encode()),
        "/charset-idna": lambda c, _: _respond(c, html.format("idna"), PAGE.encode()),
        "/meta-undefined": lambda c, _: _respond(
            c, "Content-Type: text/html\r\n", PAGE.replace("<head>", '<head><meta charset="undefined">').encode()
        ),
        "/ldjson": lambda c, _: _respond(c, "Content-Type: text/html\r\n", ldjson),
    }


class HostileServer:
    """A raw-socket HTTP server on 127.0.0.1 serving the routes above, one thread per connection."""

    def __init__(self) -> None:
        self.routes = _routes(_gzip_bomb(2, 2**30), ldjson_page(4_200_000).encode())
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536).decode("latin-1")
            path = request.split(" ")[1] if request.count(" ") >= 2 else "/"
            route = self.routes.get(path)
            with contextlib.suppress(OSError):
                route(conn, self.stop) if route else _respond(conn, "Content-Type: text/html\r\n", PAGE.encode())

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


# --- hostile files ----------------------------------------------------------------------------------


def ldjson_page(size: int) -> str:
    """A page of unclosed ``<script type="application/ld+json">`` tags."""
    tag = '<script type="application/ld+json">{"@type": "ClaimReview", '
    return "<html><body>" + tag * (size // len(tag))


def files(folder: Path) -> dict[str, Path]:
    """Write the hostile files; returns them by name."""
    made = {
        "ldjson.html": ldjson_page(4_200_000),
        "tags.html": "<html><body>" + "<b>" * 1_800_000,
        "attributes.html": '<html><body><p x="' + 'a="b" ' * 580_000 + '">text</p>',
        "one_line.txt": ("Cham Wings flew to Benghazi in 2020, the ministry said. " * 52_000)[:2_900_000],
        "benign.txt": "Cham Wings flew to Benghazi in March 2020, the ministry said in a statement on Monday.\n",
        "notes[/x].txt": "Cham Wings flew to Benghazi in March 2020, the ministry said.\n",
        "empty.txt": "",
        "nul.txt": "\x00" * 1000,
    }
    row = {"title": "Flights", "publisher": "Example", "url": "https://example.org/a", "published": "2024-01-02"}
    made["duplicate_ids.jsonl"] = "\n".join(
        json.dumps({**row, "id": "same-id", "text": f"Cham Wings flew to Benghazi on flight {n}."}) for n in (1, 2)
    )
    made["escapes.jsonl"] = json.dumps(
        {**row, "id": "esc", "title": "\x1b]0;owned\x07Title", "text": "Cham Wings \x1b[2J\x1b[5mflew to Benghazi."}
    )
    review = {
        "@type": "ClaimReview",
        "url": "https://factcheck.example.org/r1",
        "claimReviewed": "Cham Wings flew fighters",
        "reviewRating": {"@type": "Rating", "ratingValue": 0, "alternateName": "False"},
    }
    paths = {name: folder / name for name in made}
    (folder / "notes[").mkdir()  # so that the path reads notes[/x].txt
    for name, text in made.items():
        paths[name].write_text(text, encoding="utf-8")
    paths["huge_int_claimreview.json"] = folder / "huge_int_claimreview.json"
    with paths["huge_int_claimreview.json"].open("w") as out:
        out.write(json.dumps(review).replace('"ratingValue": 0', '"ratingValue": ' + "9" * 5000))
    paths["big.txt"] = folder / "big.txt"
    with paths["big.txt"].open("wb") as out:
        out.truncate(50 * 2**20)  # 50 MiB, sparse
    paths["fifo"] = folder / "fifo"
    os.mkfifo(paths["fifo"])
    return paths


# --- running a case ---------------------------------------------------------------------------------


def _run(argv: list[str], env: dict[str, str]) -> tuple[int | None, str, float, float]:
    """(exit status or None if killed, output, seconds, peak MiB) of one ``sanad`` process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [str(BIN / "sanad"), *argv], stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        timer = threading.Timer(KILL_AFTER_S, process.kill)
        timer.start()
        _, wait_status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    status = None if process.returncode == -9 else process.returncode
    return status, text, time.perf_counter() - started, usage.ru_maxrss / 1024


_TELLING = ("error:", "skipped", "leftovers", "warning", "added", "imported", "ok:", "supported")


def _outcome(case: str, argv: list[str], env: dict[str, str], baseline_mib: float) -> Outcome:
    print(f"[hostile] {case}", flush=True)
    status, text, seconds, peak = _run(argv, env)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if line.startswith(_TELLING)] or lines[-1:]
    controls = any((ord(ch) < 32 and ch not in "\n\t\r") or 0x7F <= ord(ch) < 0xA0 for ch in text)
    return Outcome(
        case=case,
        status=status,
        traceback="Traceback (most recent call last)" in text,
        control_bytes=controls,
        seconds=seconds,
        peak_mib=peak,
        beyond_mib=max(0.0, peak - baseline_mib),
        message=" / ".join(telling[-2:])[:160],
    )


def _tampered_backup(home: Path, env: dict[str, str], folder: Path) -> dict[str, Path]:
    """An evidence backup, then copies of it with a list manifest and with a file's entry deleted."""
    good = folder / "backup"
    subprocess.run([str(BIN / "sanad"), "evidence", "export", str(good)], env=env, check=True, capture_output=True)
    variants = {}
    for name, change in {
        "manifest is a list": lambda m: [m],
        "file entry deleted": lambda m: {**m, "files": dict(list(m["files"].items())[1:])},
        "no 'files'": lambda m: {k: v for k, v in m.items() if k != "files"},
    }.items():
        copy = folder / name.replace(" ", "_").replace("'", "")
        shutil.copytree(good, copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps(change(manifest)))
        variants[name] = copy
    return variants


def cases(server: HostileServer, paths: dict[str, Path], llm_url: str) -> list[tuple[str, list[str], dict]]:
    """(case, argv, extra environment) of every hostile case."""
    url = server.url
    llm = {"SANAD_STANCE_BACKEND": "llm", "SANAD_LLM_BASE_URL": llm_url, "SANAD_LLM_MODEL": "m"}
    return [
        ("1 headers dripped at 1 byte/s", ["claims", "extract", f"{url}/drip"], {}),
        ("2 4.2 MB unclosed JSON-LD page (URL)", ["evidence", "add", f"{url}/ldjson"], {}),
        ("2 4.2 MB unclosed JSON-LD page (file)", ["evidence", "add", str(paths["ldjson.html"])], {}),
        ("3 gzip, gzip around 1 GiB", ["claims", "extract", f"{url}/gzip-gzip"], {}),
        ("4 charset=undefined", ["claims", "extract", f"{url}/charset-undefined"], {}),
        ("4 charset=idna (evidence add)", ["evidence", "add", f"{url}/charset-idna"], {}),
        ('4 <meta charset="undefined">', ["claims", "extract", f"{url}/meta-undefined"], {}),
        ("5 the same id twice in one batch", ["evidence", "add", str(paths["duplicate_ids.jsonl"])], {}),
        ("6 claims extract '[/x]'", ["claims", "extract", "[/x]"], {}),
        ("6 report --article '[/x]'", ["report", "--article", "[/x]"], {}),
        ("6 review '[/x]'", ["review", "[/x]", "--verdict", "supported", "--note", "[/x]"], {}),
        ("6 file notes[/x].txt", ["evidence", "add", str(paths["notes[/x].txt"])], {}),
        ("6 [fd00:ec2::254] in a message", ["claims", "extract", "http://[fd00:ec2::254]/"], {}),
        ("7 escapes ingested", ["evidence", "add", str(paths["escapes.jsonl"])], {}),
        ("7 escapes searched", ["evidence", "search", "Cham Wings Benghazi"], {}),
        ("7 escapes listed", ["evidence", "list"], {}),
        ("8 a 50 MiB article", ["demo", "--article", str(paths["big.txt"])], {}),
        ("9 2.9 MB one-line article", ["claims", "extract", str(paths["one_line.txt"])], {}),
        ("9 5.4 MB page of tags", ["evidence", "add", str(paths["tags.html"])], {}),
        ("9 3.5 MB of attributes", ["evidence", "add", str(paths["attributes.html"])], {}),
        ("11 unreachable LLM backend", ["demo", "--article", str(paths["benign.txt"])], llm),
        ("11 empty article", ["demo", "--article", str(paths["empty.txt"])], {}),
        ("11 NUL article", ["demo", "--article", str(paths["nul.txt"])], {}),
        ("12 ClaimReview with a 5,000-digit integer", ["evidence", "add", str(paths["huge_int_claimreview.json"])], {}),
        ("12 a FIFO", ["evidence", "add", str(paths["fifo"])], {}),
        ("12 [::1]", ["claims", "extract", "http://[::1]/"], {}),
    ]


def run() -> str:
    """Run every case; the table and the totals against the issue's bars."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        home.mkdir()
        (home / "models").symlink_to(MODELS)
        env = {
            **os.environ,
            "SANAD_HOME": str(home),
            "SANAD_FETCH_ALLOWED_NETWORKS": '["127.0.0.1/32"]',
            "HF_HUB_OFFLINE": "1",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
        paths = files(folder)
        server = HostileServer()
        closed = socket.create_server(("127.0.0.1", 0))
        llm_url = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
        closed.close()
        try:
            _, _, _, extract_base = _run(["claims", "extract", str(paths["benign.txt"])], env)
            _, _, _, add_base = _run(["evidence", "add", str(paths["benign.txt"])], env)
            _, _, _, demo_base = _run(["demo", "--article", str(paths["benign.txt"])], env)
            baselines = {"claims": extract_base, "demo": demo_base}
            outcomes = []
            for case, argv, extra in cases(server, paths, llm_url):
                baseline = baselines.get(argv[0], add_base)
                outcomes.append(_outcome(case, argv, {**env, **extra}, baseline))
            for name, backup in _tampered_backup(home, env, folder).items():
                argv = ["evidence", "import", str(backup), "--store", str(folder / f"restored-{backup.name}")]
                outcomes.append(_outcome(f"10 backup: {name}", argv, env, add_base))
            partial = home / "evidence" / "evidence.duckdb.pre-checkpoint.partial"
            partial.write_bytes(b"half")
            outcomes.append(_outcome("12 leftover .pre-checkpoint.partial", ["evidence", "check"], env, add_base))
        finally:
            server.close()
    return _report(outcomes, baselines | {"evidence": add_base})


def _report(outcomes: list[Outcome], baselines: dict[str, float]) -> str:
    rows = [
        (
            o.case,
            "killed" if o.status is None else o.status,
            "**yes**" if o.traceback else "no",
            "**yes**" if o.control_bytes else "no",
            f"{o.seconds:.1f}",
            f"{o.peak_mib:.0f}",
            f"{o.beyond_mib:.0f}",
            o.message.replace("|", "\\|"),
        )
        for o in outcomes
    ]
    tracebacks = sum(o.traceback for o in outcomes)
    slow = sum(o.status is None or o.seconds > TIME_LIMIT_S for o in outcomes)
    heavy = sum(o.beyond_mib > MEMORY_LIMIT_MIB for o in outcomes)
    header = (
        "case (issue 22 item)",
        "exit",
        "traceback",
        "control bytes out",
        "s",
        "peak MiB",
        "MiB beyond a benign run",
        "what it said",
    )
    return (
        "### Hostile run (`python -m bench hostile`)\n\n"
        f"{len(outcomes)} hostile inputs, each through the real `sanad` command against a hostile server on "
        f"127.0.0.1 or a hostile file. **{tracebacks} tracebacks, {slow} runs over {TIME_LIMIT_S} s, "
        f"{heavy} over {MEMORY_LIMIT_MIB} MiB** beyond the models (benign runs of the same command peak at "
        + ", ".join(f"{mib:.0f} MiB (`sanad {command}`)" for command, mib in baselines.items())
        + ").\n\n"
        + table(header, rows)
    )
