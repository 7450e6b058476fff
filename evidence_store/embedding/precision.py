"""Whether matrix products may run in bfloat16 on this CPU."""

from evidence_store.settings import Precision


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated and slow."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # a torch without these probes
        return False


def use_bf16(precision: Precision, device: str = "cpu") -> bool:
    """True for "bf16", and for "auto" on a CPU with native bf16; the weights themselves stay fp32."""
    if precision == "bf16":
        return True
    return precision == "auto" and device == "cpu" and native_bf16()
