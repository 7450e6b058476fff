"""One entry point for every source kind: URL, folder, JSONL, CSV, or a single text/HTML file."""

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evidence_store.ingest.fetch import FetchError, fetch_url
from evidence_store.ingest.files import read_file, read_folder
from evidence_store.ingest.html import NoArticleText, html_to_document
from evidence_store.ingest.records import IngestIssue, IngestRejected, OnError
from evidence_store.ingest.tabular import read_csv, read_jsonl
from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput


class Loaded(BaseModel):
    """Documents parsed from some sources, and the records that could not be."""

    model_config = ConfigDict(frozen=True)

    documents: tuple[DocumentInput, ...]
    issues: tuple[IngestIssue, ...]


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_url(url: str, settings: StoreSettings) -> DocumentInput | IngestIssue:
    """Fetch a page and extract its article (HTML) or take its text (plain text)."""
    try:
        page = fetch_url(url, settings)
    except FetchError as exc:
        return IngestIssue(source=url, line=None, message=str(exc).removeprefix(f"{url}: "))
    if page.content_type in ("text/html", "application/xhtml+xml"):
        try:
            return html_to_document(page.text, url=page.final_url, fetched_at=page.fetched_at)
        except NoArticleText:
            return IngestIssue(source=url, line=None, message="no article text in the page")
    if page.content_type in ("text/plain", "text/markdown") and page.text.strip():
        return DocumentInput(text=page.text, url=page.final_url, fetched_at=page.fetched_at)
    return IngestIssue(source=url, line=None, message=f"{page.content_type} is not an article page")


def read_source(source: str, settings: StoreSettings) -> Iterator[DocumentInput | IngestIssue]:
    """Documents (or issues) from one source, chosen by its form."""
    if is_url(source):
        yield read_url(source, settings)
        return
    path = Path(source)
    if not path.exists():
        yield IngestIssue(source=source, line=None, message="no such file or folder")
    elif path.is_dir():
        yield from read_folder(path)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from read_jsonl(path)
    elif path.suffix.lower() == ".csv":
        yield from read_csv(path)
    else:
        yield read_file(path)


def load_sources(sources: Iterable[str], settings: StoreSettings, on_error: OnError = "skip") -> Loaded:
    """Parse every source; in ``reject`` mode any bad record raises ``IngestRejected``."""
    documents: list[DocumentInput] = []
    issues: list[IngestIssue] = []
    for source in sources:
        for item in read_source(source, settings):
            (issues if isinstance(item, IngestIssue) else documents).append(item)
    if issues and on_error == "reject":
        raise IngestRejected(issues)
    return Loaded(documents=tuple(documents), issues=tuple(issues))


def load_jsonl_corpus(path: Path) -> tuple[list[DocumentInput], Sequence[IngestIssue]]:
    """A JSONL corpus (such as ``shared/data/retrieval_*_corpus.jsonl``) and its bad lines."""
    documents: list[DocumentInput] = []
    issues: list[IngestIssue] = []
    for item in read_jsonl(path):
        (issues if isinstance(item, IngestIssue) else documents).append(item)
    return documents, issues
