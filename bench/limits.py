"""Worst-case inputs at the documented size limits: seconds and peak memory of each, in a fresh process.

Each case runs as ``python -m bench.limits <case>`` (so its peak RSS is its own, model included) under a
time limit; ``run()`` gathers them into the BENCHMARKS.md section.
"""

import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import table

LIMIT_S = 600  # a case still running after this is reported as over it
ARTICLE_CHARS = 3_000_000  # SANAD_MAX_ARTICLE_CHARS
SPLIT_CHARS = 2_900_000
LD_JSON_BYTES = 4_200_000  # under SANAD_FETCH_MAX_BYTES
TAGS_BYTES = 5_400_000  # under SANAD_MAX_RECORD_BYTES
ATTRIBUTES_BYTES = 3_500_000


def one_line_text(chars: int) -> str:
    """Distinct English and Arabic news sentences on a single line, ``chars`` characters long."""
    sentences = []
    total = 0
    index = 0
    while total < chars:
        if index % 2:
            sentence = f"وقال المتحدث باسم الوزارة إن {index} شاحنة عبرت الحدود يوم الاثنين قرب المدينة."
        else:
            sentence = f"The ministry said that {index} trucks crossed the border on Monday near the city."
        sentences.append(sentence)
        total += len(sentence) + 1
        index += 1
    return " ".join(sentences)[:chars]


def unclosed_ld_json_page(size: int) -> str:
    """A page of ``<script type="application/ld+json">`` tags, none of them closed."""
    tag = '<script type="application/ld+json">{'
    return "<html><body>" + tag * (size // len(tag))


def tags_page(size: int) -> str:
    """A page of bare paragraph tags."""
    return "<html><body>" + "<p>" * (size // 3) + "</body></html>"


def attributes_page(size: int) -> str:
    """A page whose one element carries ``size`` bytes of attributes."""
    attributes = " ".join(f'a{index}="v"' for index in range(size // 10))
    return f"<html><body><div {attributes}><p>{one_line_text(2000)}</p></div></body></html>"


Work = Callable[[], object]


def _split() -> Work:
    from evidence_store.text.sentences import split_sentences

    text = one_line_text(SPLIT_CHARS)
    return lambda: split_sentences(text)


def _article() -> Work:
    from verify.extract.checkworthy import load_scorer
    from verify.extract.claims import extract_claims
    from verify.extract.intake import article_from_text
    from verify.settings import Settings

    settings = Settings()
    load_scorer(settings).warm_up()
    text = one_line_text(ARTICLE_CHARS)
    return lambda: extract_claims(article_from_text(text, settings), settings)


def _ld_json() -> Work:
    from evidence_store.ingest.claimreview import claim_reviews_in_html

    page = unclosed_ld_json_page(LD_JSON_BYTES)
    return lambda: claim_reviews_in_html(page)


def _evidence_file(page: str) -> Work:
    """``sanad evidence add page.html``'s reading: the file to documents (or issues), limits checked."""
    from evidence_store.ingest.sources import load_sources
    from evidence_store.settings import StoreSettings

    folder = tempfile.mkdtemp(prefix="sanad-bench-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "page.html"
    path.write_text(page, encoding="utf-8")
    return lambda: load_sources([str(path)], StoreSettings())


CASES: dict[str, tuple[str, Callable[[], Work]]] = {
    "split": (f"split_sentences, one line of {SPLIT_CHARS / 1e6:.1f} MB", _split),
    "article": (f"claim extraction with scoring, a one-line {ARTICLE_CHARS / 1e6:.1f} MB article", _article),
    "ld-json": (f"ClaimReview scan, {LD_JSON_BYTES / 1e6:.1f} MB of unclosed ld+json tags", _ld_json),
    "tags": (f"evidence add, a {TAGS_BYTES / 1e6:.1f} MB page of tags", lambda: _evidence_file(tags_page(TAGS_BYTES))),
    "attributes": (
        f"evidence add, a page with {ATTRIBUTES_BYTES / 1e6:.1f} MB of attributes",
        lambda: _evidence_file(attributes_page(ATTRIBUTES_BYTES)),
    ),
}


def measure(name: str) -> dict[str, float]:
    """Seconds of case ``name`` (its input built beforehand is not timed) and the process's peak RSS."""
    work = CASES[name][1]()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run_case(name: str) -> tuple[str, str]:
    """(seconds, peak MiB) of one case in a fresh process, or an 'over the limit' note."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.limits", name],
            capture_output=True,
            text=True,
            timeout=LIMIT_S,
            env=os.environ,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return f"over {LIMIT_S}", "-"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return f"{result['seconds']:.1f}", f"{result['peak_mib']:.0f}"


def run() -> str:
    rows = [[description, *_run_case(name)] for name, (description, _) in CASES.items()]
    return (
        "## Worst cases at the size limits\n\n"
        "Hostile inputs at the documented limits, each in a fresh process: wall seconds of the work "
        "(building the input not included) and the process's peak RSS (imports and, for claim "
        "extraction, the e5 model included).\n\n" + table(["worst case", "seconds", "peak MiB"], rows)
    )


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
