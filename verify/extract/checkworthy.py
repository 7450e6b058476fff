"""Check-worthiness scoring behind a small Protocol.

The shipped scorer is a small head (logistic regression or a one-hidden-layer MLP, in NumPy) over
the multilingual-e5-small ``query`` embedding of a sentence plus its cheap cues
(``verify.extract.features``). Its weights, trained by ``sanad train checkworthy``, live in
``verify/models/checkworthy/head.npz``, and beside it a head of its own for each language that
scores better alone (``head_en.npz``: English); models load lazily, once per process.
"""

import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from evidence_store.embedding.embedder import Embedder, load_embedder
from evidence_store.errors import InvalidInput
from evidence_store.text.language import detect_language
from verify.extract.features import FEATURE_NAMES, feature_matrix, scoring_text
from verify.settings import Settings

SHIPPED_HEAD = Path(__file__).resolve().parents[1] / "models" / "checkworthy" / "head.npz"
Inputs = Literal["embedding+cues", "cues"]


@runtime_checkable
class CheckworthinessScorer(Protocol):
    """Scores sentences in [0, 1]: how much each is worth checking."""

    name: str

    def warm_up(self) -> None:
        """Load the model the scores need, if any."""
        ...

    def __call__(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray: ...


class CheckworthyHead:
    """Standardised inputs, ReLU hidden layers, a sigmoid output; plain NumPy arrays."""

    def __init__(
        self,
        inputs: Inputs,
        embedding_model: str | None,
        mean: np.ndarray,
        scale: np.ndarray,
        layers: Sequence[tuple[np.ndarray, np.ndarray]],
    ) -> None:
        self.inputs = inputs
        self.embedding_model = embedding_model
        self.mean = mean.astype(np.float32)
        self.scale = scale.astype(np.float32)
        self.layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in layers]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """P(check-worthy) for each row of ``x``."""
        h = (x.astype(np.float32) - self.mean) / self.scale
        for index, (weights, bias) in enumerate(self.layers):
            h = h @ weights + bias
            if index < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return (1.0 / (1.0 + np.exp(-np.clip(h[:, 0], -30, 30)))).astype(np.float64)

    def save(self, path: Path) -> None:
        """Write the head as one small .npz (float16 weights)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"w{i}": w.astype(np.float16) for i, (w, _) in enumerate(self.layers)}
        arrays |= {f"b{i}": b.astype(np.float16) for i, (_, b) in enumerate(self.layers)}
        np.savez_compressed(
            path,
            inputs=np.array(self.inputs),
            embedding_model=np.array(self.embedding_model or ""),
            features=np.array(FEATURE_NAMES),
            mean=self.mean,
            scale=self.scale,
            **arrays,
        )

    @classmethod
    def load(cls, path: Path) -> "CheckworthyHead":
        """Read a head written by ``save``; refuses one built for other cue features."""
        if not path.exists():
            raise FileNotFoundError(f"{path}: no check-worthiness model (train one with 'sanad train checkworthy')")
        with np.load(path) as stored:
            if tuple(stored["features"].tolist()) != FEATURE_NAMES:
                raise InvalidInput(f"{path}: trained on other cue features; retrain with 'sanad train checkworthy'")
            depth = sum(1 for key in stored.files if key.startswith("w"))
            return cls(
                inputs=str(stored["inputs"]),  # type: ignore[arg-type]
                embedding_model=str(stored["embedding_model"]) or None,
                mean=stored["mean"],
                scale=stored["scale"],
                layers=[(stored[f"w{i}"], stored[f"b{i}"]) for i in range(depth)],
            )


def language_head_path(path: Path, language: str) -> Path:
    """Where the head for ``language`` lives beside the shared head at ``path``."""
    return path.with_name(f"{path.stem}_{language}{path.suffix}")


class CheckworthyHeads:
    """A shared head, and heads of their own for some languages; all take the same inputs."""

    def __init__(self, shared: CheckworthyHead, by_language: Mapping[str, CheckworthyHead] | None = None) -> None:
        self.shared = shared
        self.by_language = dict(by_language or {})
        for language, head in self.by_language.items():
            if (head.inputs, head.embedding_model) != (shared.inputs, shared.embedding_model):
                raise InvalidInput(f"the {language} check-worthiness head takes other inputs than the shared one")
        self.inputs = shared.inputs
        self.embedding_model = shared.embedding_model

    def for_language(self, language: str | None) -> CheckworthyHead:
        """The head that scores sentences in ``language``."""
        return self.by_language.get(language or "", self.shared)

    def predict(self, x: np.ndarray, languages: Sequence[str | None]) -> np.ndarray:
        """P(check-worthy) of each row of ``x``, by the head of that row's language."""
        scores = np.zeros(len(x))
        for language in set(languages):
            rows = np.array([row_language == language for row_language in languages])
            scores[rows] = self.for_language(language).predict(x[rows])
        return scores

    def save(self, path: Path) -> None:
        """The shared head at ``path``, each language's head beside it (``head_en.npz``)."""
        self.shared.save(path)
        for language, head in self.by_language.items():
            head.save(language_head_path(path, language))

    @classmethod
    def load(cls, path: Path) -> "CheckworthyHeads":
        """The shared head at ``path`` and every language head saved beside it."""
        shared = CheckworthyHead.load(path)
        by_language = {}
        for found in sorted(path.parent.glob(language_head_path(path, "*").name)):
            language = found.stem.removeprefix(f"{path.stem}_")
            if re.fullmatch("[a-z]{2,3}", language):
                by_language[language] = CheckworthyHead.load(found)
        return cls(shared, by_language)


class HeadScorer:
    """Check-worthiness heads over e5 embeddings and cues (or cues alone)."""

    def __init__(self, heads: CheckworthyHeads, embedder: Embedder | None = None, name: str = "checkworthy-head"):
        if (heads.inputs == "embedding+cues") != (embedder is not None):
            raise InvalidInput(f"a check-worthiness head on {heads.inputs} needs an embedder exactly when it embeds")
        self.heads = heads
        self.embedder = embedder
        self.name = name

    def warm_up(self) -> None:
        """Load the embedder the heads read (nothing for cues alone)."""
        if self.embedder is not None:
            self.embedder.warm_up()

    def inputs(self, texts: Sequence[str]) -> np.ndarray:
        """The heads' input rows for ``texts``."""
        cues = feature_matrix(texts)
        if self.embedder is None:
            return cues
        vectors = self.embedder.embed([scoring_text(text) for text in texts], role="query")
        return np.hstack([vectors, cues])

    def __call__(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
        """P(check-worthy) of each text; ``languages`` (detected when not given) picks each text's head."""
        if not texts:
            return np.zeros(0)
        if languages is None:
            languages = [detect_language(text) for text in texts] if self.heads.by_language else [None] * len(texts)
        if len(languages) != len(texts):
            raise InvalidInput("one language per text, or none at all")
        return self.heads.predict(self.inputs(texts), languages)


_scorers: dict[tuple[str, str, str], HeadScorer] = {}
_lock = threading.Lock()


def load_scorer(settings: Settings) -> HeadScorer:
    """The process-wide scorer of ``settings.checkworthy_model`` (default: the shipped heads)."""
    path = (settings.checkworthy_model or SHIPPED_HEAD).resolve()
    key = (str(path), str(settings.home.resolve()), settings.embedding_device)
    with _lock:
        if key not in _scorers:
            heads = CheckworthyHeads.load(path)
            embedder = None
            if heads.inputs == "embedding+cues":
                # The heads only make sense on the embeddings they were trained on, whatever the store uses.
                embedder = load_embedder(settings.model_copy(update={"embedding_model": heads.embedding_model}))
            _scorers[key] = HeadScorer(heads, embedder, name=f"checkworthy-head:{path.name}")
        return _scorers[key]
