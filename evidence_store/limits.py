"""The limits on one document, so ingest can report a document the store would refuse as one
bad record instead of failing the whole batch."""

from evidence_store.chunking import chunk_text
from evidence_store.settings import StoreSettings
from evidence_store.text.control import strip_controls
from evidence_store.text.normalize import strip_invisible


def clean_document_text(text: str) -> str:
    """The text the store keeps: invisible marks and control characters (but newline and tab) removed."""
    return strip_controls(strip_invisible(text))


def text_problem(cleaned: str, settings: StoreSettings) -> str | None:
    """Why the store refuses a document whose cleaned text is ``cleaned`` (before chunking it)."""
    if not any(ch.isalnum() for ch in cleaned):
        return "document has no text"
    if len(cleaned) > settings.max_document_chars:
        return (
            f"document has {len(cleaned):,} characters, over the limit of "
            f"{settings.max_document_chars:,} (SANAD_MAX_DOCUMENT_CHARS)"
        )
    return None


def document_problem(text: str, settings: StoreSettings) -> str | None:
    """Why the store would refuse a document with ``text``; ``None`` when it would take it."""
    cleaned = clean_document_text(text)
    problem = text_problem(cleaned, settings)
    if problem:
        return problem
    passages = len(chunk_text(cleaned, settings.chunk_max_chars, settings.chunk_overlap_sentences))
    return passages_problem(passages, settings)


def passages_problem(passages: int, settings: StoreSettings) -> str | None:
    """Why a document of ``passages`` passages is refused; ``None`` when it is within the limit."""
    if passages > settings.max_passages_per_document:
        return (
            f"document has {passages:,} passages, over the limit of "
            f"{settings.max_passages_per_document:,} (SANAD_MAX_PASSAGES_PER_DOCUMENT)"
        )
    return None
