"""One entry point for every source kind: URL, folder, JSONL, CSV, ClaimReview JSON, or a single text/HTML file.

Given ``roots`` (the ingest-evidence flow passes ``ingest_roots``), a file is read only when its real path,
symlinks and ``..`` resolved, lies inside one of them; the command line passes none and reads any path.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evidence_store.ingest.claimreview import claim_reviews_in_html, read_claim_review_file, record_documents
from evidence_store.ingest.feeds import ItemOutcome, poll_feed
from evidence_store.ingest.fetch import FetchError, fetch_url
from evidence_store.ingest.files import folder_files, read_file, special_file
from evidence_store.ingest.html import NoArticleText, TooManyNodes, html_to_document
from evidence_store.ingest.records import IngestIssue, IngestRejected, OnError
from evidence_store.ingest.tabular import read_csv, read_jsonl
from evidence_store.limits import document_problem
from evidence_store.settings import StoreSettings
from evidence_store.store import EvidenceStore
from evidence_store.types import AddReport, DocumentInput


class Loaded(BaseModel):
    """Documents parsed from some sources, and the records that could not be."""

    model_config = ConfigDict(frozen=True)

    documents: tuple[DocumentInput, ...]
    issues: tuple[IngestIssue, ...]


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_url(url: str, settings: StoreSettings) -> Iterator[DocumentInput | IngestIssue]:
    """Fetch a page: its ClaimReview fact-checks if it has any, else its article (HTML) or text."""
    try:
        page = fetch_url(url, settings)
    except FetchError as exc:
        yield IngestIssue(source=url, line=None, message=str(exc).removeprefix(f"{url}: "))
        return
    if page.content_type in ("text/html", "application/xhtml+xml"):
        fact_checks = claim_reviews_in_html(page.text, page.final_url)
        if fact_checks:
            yield from (doc.updated(fetched_at=page.fetched_at) for doc in fact_checks)
            return
        try:
            yield html_to_document(page.text, url=page.final_url, fetched_at=page.fetched_at)
        except TooManyNodes as exc:
            yield IngestIssue(source=url, line=None, message=exc.reason)
        except NoArticleText:
            yield IngestIssue(source=url, line=None, message="no article text in the page")
    elif page.content_type in ("text/plain", "text/markdown") and page.text.strip():
        yield DocumentInput(text=page.text, url=page.final_url, fetched_at=page.fetched_at)
    else:
        yield IngestIssue(source=url, line=None, message=f"{page.content_type} is not an article page")


def ingest_roots(settings: StoreSettings) -> tuple[Path, ...]:
    """The folders a flow may read files from, resolved: ``SANAD_INGEST_ROOTS``, else ``SANAD_HOME/inbox``."""
    return tuple(root.resolve() for root in settings.ingest_roots or [settings.home / "inbox"])


def outside_roots(path: Path, roots: Sequence[Path]) -> IngestIssue | None:
    """An issue when the real path of ``path`` (symlinks and ``..`` resolved) is inside none of ``roots``."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return IngestIssue(source=str(path), line=None, message="unresolvable path (a symlink loop?)")
    if any(real.is_relative_to(root) for root in roots):
        return None
    shown = ", ".join(str(root) for root in roots)
    message = f"outside the allowed ingest folders (SANAD_INGEST_ROOTS: {shown})"
    return IngestIssue(source=str(path), line=None, message=message)


def read_source(
    source: str, settings: StoreSettings, roots: Sequence[Path] | None = None
) -> Iterator[DocumentInput | IngestIssue]:
    """Documents (or issues) from one source, chosen by its form; given ``roots``, only files inside them."""
    if is_url(source):
        yield from read_url(source, settings)
        return
    path = Path(source)
    refused = outside_roots(path, roots) if roots is not None else None
    if refused is not None:
        yield refused
    elif not path.exists():
        yield IngestIssue(source=source, line=None, message="no such file or folder")
    elif problem := special_file(path):  # a FIFO would block the open below
        yield IngestIssue(source=source, line=None, message=problem)
    elif path.is_dir():
        for file in folder_files(path):
            refused = outside_roots(file, roots) if roots is not None else None
            yield refused or read_file(file, settings.max_record_bytes)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from read_jsonl(path, settings.max_record_bytes, record_documents)
    elif path.suffix.lower() == ".csv":
        yield from read_csv(path, settings.max_record_bytes)
    elif path.suffix.lower() in (".json", ".jsonld"):
        yield from read_claim_review_file(path, settings.max_record_bytes)
    else:
        yield read_file(path, settings.max_record_bytes)


def within_limits(
    items: Iterable[DocumentInput | IngestIssue], source: str, settings: StoreSettings
) -> Iterator[DocumentInput | IngestIssue]:
    """``items`` with each document the store would refuse (empty, too long) turned into an issue."""
    for item in items:
        problem = document_problem(item.text, settings) if isinstance(item, DocumentInput) else None
        if problem is None:
            yield item
        else:
            where = f"{source} ({item.external_id or item.url or item.title or 'untitled'})"
            yield IngestIssue(source=where, line=None, message=problem)


def load_sources(
    sources: Iterable[str], settings: StoreSettings, on_error: OnError = "skip", roots: Sequence[Path] | None = None
) -> Loaded:
    """Parse every source (files only inside ``roots`` when given); in ``reject`` mode any bad record raises
    ``IngestRejected``."""
    documents: list[DocumentInput] = []
    issues: list[IngestIssue] = []
    for source in sources:
        for item in within_limits(read_source(source, settings, roots), source, settings):
            (issues if isinstance(item, IngestIssue) else documents).append(item)
    if issues and on_error == "reject":
        raise IngestRejected(issues)
    return Loaded(documents=tuple(documents), issues=tuple(issues))


def load_jsonl_corpus(path: Path) -> tuple[list[DocumentInput], Sequence[IngestIssue]]:
    """A JSONL corpus (such as ``shared/data/retrieval_*_corpus.jsonl``) and its bad lines; a fact-check line
    (ClaimReview, see ``claimreview``) gives a fact-check document per review."""
    documents: list[DocumentInput] = []
    issues: list[IngestIssue] = []
    for item in read_jsonl(path, read_record=record_documents):
        (issues if isinstance(item, IngestIssue) else documents).append(item)
    return documents, issues


# A feed item that failed this many polls in a row is not tried again.
MAX_FEED_ATTEMPTS = 3


class FeedIngest(BaseModel):
    """One feed polled into a store: items seen, new items, documents added, problems."""

    model_config = ConfigDict(frozen=True)

    feed_url: str
    items: int
    new_items: int
    added: AddReport
    issues: tuple[IngestIssue, ...]


def _limited(outcome: ItemOutcome, settings: StoreSettings) -> ItemOutcome:
    """``outcome`` with the documents the store would refuse moved to its issues."""
    checked = list(within_limits(outcome.documents, outcome.key, settings))
    return ItemOutcome(
        key=outcome.key,
        documents=tuple(item for item in checked if isinstance(item, DocumentInput)),
        issues=(*outcome.issues, *(item for item in checked if isinstance(item, IngestIssue))),
    )


def ingest_feed(
    store: EvidenceStore,
    feed_url: str,
    settings: StoreSettings,
    on_progress: Callable[[int, int], None] | None = None,
) -> FeedIngest:
    """Poll ``feed_url`` and add its new items to ``store``; an item is never ingested twice."""
    state = store.db.feed_items(feed_url)
    seen = {key for key, (status, attempts) in state.items() if status == "ingested" or attempts >= MAX_FEED_ATTEMPTS}
    poll = poll_feed(feed_url, seen, settings, lambda url: list(read_url(url, settings)))
    poll = poll.model_copy(update={"outcomes": tuple(_limited(outcome, settings) for outcome in poll.outcomes)})
    documents = [doc for outcome in poll.outcomes for doc in outcome.documents]
    added = store.add(documents, on_progress=on_progress) if documents else AddReport()
    store.db.record_feed_items(
        feed_url,
        [
            (
                outcome.key,
                "ingested" if outcome.documents else "failed",
                "; ".join(issue.message for issue in outcome.issues) or None,
            )
            for outcome in poll.outcomes
        ],
        datetime.now(UTC),
    )
    issues = [*poll.issues, *(issue for outcome in poll.outcomes for issue in outcome.issues)]
    return FeedIngest(
        feed_url=feed_url, items=poll.items, new_items=len(poll.outcomes), added=added, issues=tuple(issues)
    )
