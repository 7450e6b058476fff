"""Documents to rows ready for the store: chunked, language-tagged, tokenised and embedded.

Pure (no store state), so any process with the model can do it: the store itself, or the
workers of a distributed ingest whose rows one writer then commits.
"""

from collections.abc import Sequence

from evidence_store.chunking import chunk_text
from evidence_store.db import DocumentRow
from evidence_store.embedding.embedder import Embedder, ProgressCallback
from evidence_store.errors import InvalidInput
from evidence_store.limits import passages_problem
from evidence_store.settings import StoreSettings
from evidence_store.text.language import detect_language
from evidence_store.text.tokenize import tokenize
from evidence_store.types import DocumentInput

# (cleaned document, content hash, document id), as planned by ``EvidenceStore.plan``
PreparedDocument = tuple[DocumentInput, str, str]


def prepare_rows(
    documents: Sequence[PreparedDocument],
    settings: StoreSettings,
    embedder: Embedder,
    on_progress: ProgressCallback | None = None,
) -> list[DocumentRow]:
    """One ``DocumentRow`` per document, its passages embedded in one batch."""
    chunked = []
    for doc, digest, doc_id in documents:
        chunks = chunk_text(doc.text, settings.chunk_max_chars, settings.chunk_overlap_sentences)
        problem = passages_problem(len(chunks), settings)
        if problem:
            raise InvalidInput(f"{doc_id}: {problem}")
        language = doc.language or detect_language(doc.text)
        chunked.append((doc, digest, doc_id, chunks, language))
    texts = [chunk.text for *_, chunks, _ in chunked for chunk in chunks]
    vectors = embedder.embed(texts, "passage", on_progress=on_progress)
    rows, offset = [], 0
    for doc, digest, doc_id, chunks, language in chunked:
        passages = [(chunk.text, chunk.start, chunk.end, language, " ".join(tokenize(chunk.text))) for chunk in chunks]
        rows.append(
            DocumentRow(
                doc_id=doc_id,
                url=doc.url,
                title=doc.title,
                publisher=doc.publisher,
                published_at=doc.published_at,
                language=language,
                content_hash=digest,
                fetched_at=doc.fetched_at,
                raw_text=doc.text,
                claim_reviewed=doc.claim_reviewed,
                rating=doc.rating,
                passages=passages,
                embeddings=vectors[offset : offset + len(chunks)],
            )
        )
        offset += len(chunks)
    return rows
