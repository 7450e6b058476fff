"""``sanad train``: train Sanad's own models from the shared third-party data."""

import time
from pathlib import Path

import typer

from flows.cli.common import console, fail, friendly_errors, safe
from verify.settings import Settings

train_app = typer.Typer(help="Train models on the labelled data in ../shared/data.", no_args_is_help=True)

_DEFAULT_DATA = Path("../shared/data")


@train_app.command("stance")
def stance(
    data: Path = typer.Option(_DEFAULT_DATA, "--data", help="Folder of the shared claims_*/nli_* JSONL files."),
    out: Path | None = typer.Option(None, "--out", help="Model folder to write (default: verify/models/stance)."),
    epochs: int = typer.Option(3, "--epochs", min=1, max=20),
    seed: int = typer.Option(13, "--seed"),
    threads: int = typer.Option(
        1, "--threads", min=1, help="torch CPU threads (1 is much faster than 2 on a busy 2-core machine)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=16, help="Train on the first N pairs only (a pilot run)."),
    reported: int = typer.Option(
        0, "--reported", min=0, help="Reported-speech pairs (denials, confirmations) to add to the mix."
    ),
    calibrate_only: bool = typer.Option(
        False, "--calibrate-only", help="Keep the trained model in --out; only fit its verdict calibration again."
    ),
) -> None:
    """Train the stance cross-encoder (seeded), then fit verdict calibration on the dev claims."""
    from evidence_store.embedding.embedder import ensure_default_model
    from verify.model_versions import SHIPPED_STANCE_DIR
    from verify.training.calibrate import calibrate_model
    from verify.training.stance import TrainSettings, train_stance

    if not (data / "claims_ans_ar_train.jsonl").exists():
        raise fail(f"no training data in {data} (expected claims_ans_ar_train.jsonl and the other shared files)")
    target = out or SHIPPED_STANCE_DIR
    if calibrate_only and not (target / "stance.json").is_file():
        raise fail(f"--calibrate-only: no trained stance model in {target}")
    settings = Settings()
    started = time.monotonic()
    with friendly_errors():
        base = ensure_default_model(settings)
        train = TrainSettings(epochs=epochs, seed=seed, threads=threads, limit=limit, reported_pairs=reported)
        log = lambda m: console.print(safe(m))  # noqa: E731
        if not calibrate_only:
            train_stance(data, base, target, settings, train, log=log)
        report = calibrate_model(data, target, settings, log=log)
    console.print(safe(report))
    console.print(safe(f"done in {(time.monotonic() - started) / 60:.1f} min; model in {target}"))


@train_app.command("checkworthy")
def checkworthy(
    data: Path = typer.Option(_DEFAULT_DATA, "--data", help="Folder of the shared checkworthy_*.jsonl files."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Shared head to write (default: verify/models/checkworthy/head.npz); language heads go beside it.",
    ),
    seed: int = typer.Option(13, "--seed"),
    features_only: bool = typer.Option(False, "--features-only", help="Train the cues-only baseline (no embeddings)."),
) -> None:
    """Train the check-worthiness heads on the train splits (seeded), then score them on the held-out benchmarks.

    Embeddings of the data are cached under SANAD_HOME/cache/checkworthy, so a rerun takes seconds.
    """
    from evidence_store.embedding.embedder import load_embedder
    from evidence_store.settings import DEFAULT_EMBEDDING_MODEL
    from verify.extract.checkworthy import SHIPPED_HEAD
    from verify.training.checkworthy import TrainConfig, evaluate_heads, train_heads

    if not (data / "checkworthy_ct24_en_train.jsonl").exists():
        raise fail(f"no training data in {data} (expected checkworthy_ct24_en_train.jsonl and the other shared files)")
    settings = Settings()
    target = out or SHIPPED_HEAD
    cache = settings.home / "cache" / "checkworthy"
    started = time.monotonic()
    with friendly_errors():
        embedder = (
            None
            if features_only
            else load_embedder(settings.model_copy(update={"embedding_model": DEFAULT_EMBEDDING_MODEL}))
        )
        config = TrainConfig(seed=seed, inputs="cues" if features_only else "embedding+cues")
        heads = train_heads(data, config, embedder, cache, log=lambda m: console.print(safe(m)))
        heads.save(target)
        results = evaluate_heads(heads, data, embedder, cache)
    for result in results:
        cut = f" (threshold {result.threshold:.3f} from dev)" if result.threshold is not None else ""
        console.print(safe(f"{result.benchmark}: {result.value:.3f}{cut}"))
    languages = ", ".join(sorted(heads.by_language)) or "none"
    minutes = (time.monotonic() - started) / 60
    console.print(
        safe(f"done in {minutes:.1f} min; shared head in {target}, heads of their own beside it: {languages}")
    )
