"""``sanad evidence``: add, search, inspect and remove evidence."""

import time
from pathlib import Path

import typer
from rich.table import Table

from evidence_store.backup import export_store, import_store
from evidence_store.check import StoreCheck, check_store, repair_store
from evidence_store.ingest.records import OnError
from evidence_store.ingest.sources import load_sources
from evidence_store.replica import replicate_store
from evidence_store.settings import IndexType
from evidence_store.store import EvidenceStore
from evidence_store.text.clip import one_line
from evidence_store.types import SearchHit, SearchMode
from flows.cli.common import add_row, console, err_console, fail, friendly_errors, progress_bar, safe
from verify.settings import Settings

evidence_app = typer.Typer(
    help="Manage the evidence store (prior reporting to check claims against).", no_args_is_help=True
)

StoreOption = typer.Option(None, "--store", help="Store folder (default: SANAD_HOME/evidence).")


def open_store(store: Path | None, settings: Settings | None = None) -> EvidenceStore:
    """The evidence store at ``store`` (or the default one)."""
    settings = settings or Settings()
    return EvidenceStore.open(store, settings)


def snippet(text: str, width: int = 110) -> str:
    """One line of at most ``width`` characters."""
    return one_line(text, width)


def hits_table(hits: list[SearchHit], title: str) -> Table:
    """Search hits as a readable table: rank, scores, publisher, date, snippet."""
    table = Table(title=safe(title), title_justify="left", show_lines=False)
    for name, justify in (("#", "right"), ("fused", "right"), ("dense", "right"), ("bm25", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    table.add_column("publisher", max_width=24)
    table.add_column("date", no_wrap=True)
    table.add_column("passage", overflow="fold")
    for hit in hits:
        passage = hit.passage
        add_row(
            table,
            str(hit.rank),
            f"{hit.fused_score:.4f}",
            "" if hit.dense_score is None else f"{hit.dense_score:.3f}",
            "" if hit.lexical_score is None else f"{hit.lexical_score:.2f}",
            passage.publisher or "",
            passage.published_at.date().isoformat() if passage.published_at else "",
            snippet(passage.text),
        )
    return table


@evidence_app.command("add")
def add(
    sources: list[str] = typer.Argument(..., help="Files (.jsonl, .csv, .txt, .md, .html), folders or URLs."),
    on_error: OnError = typer.Option("skip", "--on-error", help="skip: add the good records; reject: add nothing."),
    store: Path | None = StoreOption,
) -> None:
    """Add documents to the evidence store (duplicates by content are skipped)."""
    settings = Settings()
    with friendly_errors():
        loaded = load_sources(sources, settings, on_error=on_error)
        for issue in loaded.issues:
            err_console.print(safe(("skipped", "yellow"), f" {issue}"))
        if not loaded.documents:
            raise fail("no documents to add")
        with open_store(store, settings) as evidence, progress_bar("embedding passages") as update:
            report = evidence.add(loaded.documents, on_progress=update)
            stats = evidence.stats()
    console.print(
        f"added {len(report.added)} document(s), replaced {len(report.replaced)}, "
        f"skipped {len(report.duplicates)} duplicate(s), {report.passages_added} new passage(s); "
        f"store now holds {stats.documents} documents, {stats.passages} passages"
    )


def search_hits(query: str, k: int, mode: SearchMode, language: str | None, store: Path | None) -> list[SearchHit]:
    """The hits for ``query``: from a warm worker when one serves the default store's searches (models already
    loaded), else from the store opened here."""
    if store is None:
        from flows.warm import search_on_worker

        found = search_on_worker([query], k, mode, language)
        if found is not None:
            return found[0]
    with open_store(store) as evidence:
        return evidence.search(query, k=k, mode=mode, language=language)


@evidence_app.command("search")
def search(
    query: str = typer.Argument(..., help="Text to find evidence for (any language)."),
    k: int = typer.Option(10, "--k", min=1, max=1000, help="How many passages to show."),
    lang: str | None = typer.Option(None, "--lang", help="Only passages in this language (ar, en, ...)."),
    mode: SearchMode = typer.Option("hybrid", "--mode", help="dense, bm25 or hybrid (both, fused by RRF)."),
    store: Path | None = StoreOption,
) -> None:
    """Show the passages that best match QUERY."""
    with friendly_errors():
        hits = search_hits(query, k, mode, lang, store)
    if not hits:
        console.print("no matching passages")
        return
    console.print(hits_table(hits, f"{mode} search: {snippet(query, 80)}"))


@evidence_app.command("stats")
def stats(store: Path | None = StoreOption) -> None:
    """Counts of documents and passages by language and publisher."""
    with friendly_errors(), open_store(store) as evidence:
        summary = evidence.stats()
    table = Table(title=safe(f"evidence store {summary.path}"), title_justify="left", show_header=False)
    add_row(table, "model", f"{summary.model} ({summary.dimension}-d)")
    add_row(table, "index", summary.index_type)
    add_row(table, "documents", str(summary.documents))
    add_row(table, "passages", str(summary.passages))
    add_row(table, "languages", ", ".join(f"{k}: {v}" for k, v in summary.languages.items()) or "-")
    add_row(table, "publishers", ", ".join(f"{k}: {v}" for k, v in summary.publishers.items()) or "-")
    console.print(table)


@evidence_app.command("list")
def list_documents(store: Path | None = StoreOption) -> None:
    """The stored documents with their provenance."""
    with friendly_errors(), open_store(store) as evidence:
        documents = evidence.documents()
    table = Table(title=f"{len(documents)} documents", title_justify="left")
    for column in ("id", "publisher", "date", "lang", "passages", "title / url"):
        table.add_column(column, overflow="fold")
    for doc in documents:
        add_row(
            table,
            doc.doc_id,
            doc.publisher or "",
            doc.published_at.date().isoformat() if doc.published_at else "",
            doc.language or "",
            str(doc.passage_count),
            snippet(doc.title or doc.url or "", 70),
        )
    console.print(table)


@evidence_app.command("remove")
def remove(
    doc_ids: list[str] = typer.Argument(..., help="Ids of the documents to delete."),
    store: Path | None = StoreOption,
) -> None:
    """Delete documents and their passages from the store and its indexes."""
    with friendly_errors(), open_store(store) as evidence:
        removed = evidence.remove(doc_ids)
    missing = [doc_id for doc_id in doc_ids if doc_id not in removed]
    if removed:
        console.print(safe(f"removed {len(removed)} document(s): {', '.join(removed)}"))
    if missing:
        raise fail(f"no such document(s): {', '.join(missing)}")


@evidence_app.command("rebuild")
def rebuild(
    index_type: IndexType | None = typer.Option(
        None,
        "--index-type",
        help="flat (exact), hnsw, ivf or ivfpq, kept by the store from now on; auto: by size (SANAD_INDEX_TYPE).",
    ),
    store: Path | None = StoreOption,
) -> None:
    """Rebuild the FAISS and BM25 indexes from DuckDB alone (training IVF centroids when needed)."""
    with friendly_errors(), open_store(store) as evidence:
        started = time.perf_counter()
        evidence.rebuild_indexes(index_type)
        summary = evidence.stats()
    console.print(
        f"rebuilt {summary.index_type} and BM25 indexes over {summary.passages} passages "
        f"in {time.perf_counter() - started:.1f}s",
        highlight=False,
    )


@evidence_app.command("compact")
def compact(store: Path | None = StoreOption) -> None:
    """Merge the index segments that adds leave into one (run it on a schedule, e.g. nightly)."""
    with friendly_errors(), open_store(store) as evidence:
        started = time.perf_counter()
        before = evidence.compact()
        summary = evidence.stats()
    console.print(
        f"compacted {before} segment(s) into one: {summary.index_type} and BM25 over {summary.passages} passages "
        f"in {time.perf_counter() - started:.1f}s",
        highlight=False,
    )


def _print_check(found: StoreCheck) -> None:
    console.print(
        safe(
            f"evidence store {found.path}: {found.documents} documents, {found.passages} passages, "
            f"generation {found.generation}, model {found.model}"
        )
    )
    for problem in found.database_problems:
        err_console.print(safe(("database:", "red"), f" {problem}"))
    for problem in found.index_problems:
        err_console.print(safe(("index:", "yellow"), f" {problem}"))
    if found.leftovers:
        console.print(safe(f"leftovers of an interrupted write: {', '.join(found.leftovers)}"))
    if found.ok:
        console.print("ok: DuckDB, the FAISS and BM25 indexes and the manifest agree")


@evidence_app.command("check")
def check(
    repair: bool = typer.Option(
        False, "--repair", help="Rebuild the FAISS and BM25 indexes from DuckDB if they disagree with it."
    ),
    store: Path | None = StoreOption,
) -> None:
    """Verify that DuckDB, the FAISS and BM25 indexes and the manifest agree (run it after a crash)."""
    settings = Settings()
    path = store or settings.store_dir
    with friendly_errors():
        found = check_store(path, settings)
        _print_check(found)
        if repair and (not found.ok or found.leftovers):
            rebuilt = bool(found.index_problems)
            found = repair_store(path, settings)
            if found.ok:
                console.print("repaired: " + ("indexes rebuilt from DuckDB" if rebuilt else "leftovers removed"))
            else:
                _print_check(found)
    if not found.ok:
        hint = "" if repair or found.database_problems else "; `sanad evidence check --repair` rebuilds the indexes"
        raise fail(f"the store has problems{hint}")


@evidence_app.command("export")
def export(
    target: Path = typer.Argument(..., help="New folder for the backup (Parquet files and manifest.json)."),
    store: Path | None = StoreOption,
) -> None:
    """Back up the store: documents, passages with embeddings, feed state, and a manifest with checksums."""
    settings = Settings()
    with friendly_errors():
        backup = export_store(store or settings.store_dir, target, settings.backup_key)
    console.print(
        safe(
            f"exported {backup.documents} documents, {backup.passages} passages and {backup.feed_items} feed "
            f"items ({backup.model}, {backup.dimension}-d) to {backup.path}"
        )
    )


@evidence_app.command("import")
def import_(
    source: Path = typer.Argument(..., help="A folder written by `sanad evidence export`."),
    store: Path | None = StoreOption,
) -> None:
    """Restore a backup into a new (or empty) store folder and rebuild its indexes."""
    settings = Settings()
    with friendly_errors():
        backup = import_store(source, store or settings.store_dir, settings, key=settings.backup_key)
    console.print(
        safe(
            f"imported {backup.documents} documents, {backup.passages} passages and {backup.feed_items} feed "
            f"items into {backup.path}"
        )
    )


@evidence_app.command("replicate")
def replicate(
    replica: Path = typer.Argument(..., help="The replica: a link this command makes and flips to each new copy."),
    store: Path | None = StoreOption,
) -> None:
    """Copy the store to a read replica (for warm workers on other machines), replacing the replica's older copy."""
    settings = Settings()
    with friendly_errors():
        generation = replicate_store(store or settings.store_dir, replica, settings, settings.backup_key)
    console.print(safe(f"replica {replica} is at generation {generation}"))
