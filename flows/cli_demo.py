"""``sanad demo``: the main job on the sample article."""

from pathlib import Path

import typer
from rich.table import Table

from evidence_store.demo import DEMO_CORPUS
from evidence_store.ingest.sources import load_jsonl_corpus
from evidence_store.text.sentences import split_sentences
from flows.cli_common import console, fail, friendly_errors, progress_bar
from flows.cli_evidence import open_store, snippet
from verify.settings import Settings

MIN_SENTENCE_CHARS = 60  # shorter lines are headings, banners and link lines


def demo(
    article: Path = typer.Option(..., "--article", help="Article text file (the sample is in ../shared/samples)."),
    k: int = typer.Option(3, "--k", min=1, max=20, help="Passages to show per sentence."),
) -> None:
    """Ingest the demo evidence corpus and show what it retrieves for the article's sentences."""
    settings = Settings()
    with friendly_errors():
        if not article.is_file():
            raise fail(f"{article}: no such article file")
        text = article.read_text(encoding="utf-8")
        documents, issues = load_jsonl_corpus(DEMO_CORPUS)
        if issues:
            raise fail(f"demo corpus has bad lines: {issues[0]}")
        with open_store(None, settings) as store:
            with progress_bar("embedding demo corpus") as update:
                report = store.add(documents, on_progress=update)
            console.print(
                f"demo corpus: {len(report.added)} new document(s), {len(report.duplicates)} already stored; "
                f"store {store.path}"
            )
            sentences = [text[s.start : s.end] for s in split_sentences(text) if s.end - s.start >= MIN_SENTENCE_CHARS]
            results = store.search_many(sentences, k=k)
    for number, (sentence, hits) in enumerate(zip(sentences, results, strict=True), start=1):
        table = Table(title=f"[{number}] {snippet(sentence, 150)}", title_justify="left", show_header=True)
        table.add_column("#", justify="right")
        table.add_column("dense", justify="right")
        table.add_column("lang")
        table.add_column("publisher", max_width=28)
        table.add_column("date", no_wrap=True)
        table.add_column("evidence", overflow="fold")
        for hit in hits:
            passage = hit.passage
            table.add_row(
                str(hit.rank),
                "" if hit.dense_score is None else f"{hit.dense_score:.3f}",
                passage.language or "",
                passage.publisher or "",
                passage.published_at.date().isoformat() if passage.published_at else "",
                snippet(passage.text, 140),
            )
        console.print(table)
