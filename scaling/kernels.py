"""Fused attention kernels: the fraction of the dense bf16 peak each reaches.

The step-time model (:mod:`scaling.parallelism`) times the attention scores of fused kernels
(FlashAttention) at ``score FLOP / (bf16 peak x efficiency)``. The efficiency depends on the
kernel and on the accelerator generation it runs on: FlashAttention-2, written for Ampere,
reaches 50-73% of an A100's peak but only 35% of an H100's; FlashAttention-3 uses Hopper's
asynchronous tensor cores and reaches 1.5-2x that. A benchmark measured with an older kernel
is therefore slower at long context than today's stacks, for a reason the model can name.

References
----------
Dao (2023), "FlashAttention-2: Faster Attention with Better Parallelism and Work
Partitioning", arXiv:2307.08691.
Shah et al. (2024), "FlashAttention-3: Fast and Accurate Attention with Asynchrony and
Low-precision", arXiv:2407.08608.
"""

from __future__ import annotations

import math

from scaling._validation import check_choice

__all__ = [
    "attention_kernel_efficiency",
    "ATTENTION_EFFICIENCY_RATIO",
    "ATTENTION_KERNELS",
    "ATTENTION_KERNEL_EFFICIENCY",
]

#: Efficiency of fused attention kernels relative to the matmul efficiency. FlashAttention-2
#: reaches 50-73% of A100 peak forward + backward (Dao 2023, arXiv:2307.08691, abstract);
#: FlashAttention-3 about 75% of H100 peak forward and less backward (Shah et al. 2024,
#: arXiv:2407.08608), below the 80-90% of large GEMMs: 0.75 taken (assumption informed by
#: those reports, not fitted).
ATTENTION_EFFICIENCY_RATIO = 0.75

#: Fused attention kernels by name. "default" is the package's generic assumption on any
#: accelerator (:data:`ATTENTION_EFFICIENCY_RATIO` x the matmul efficiency, 0.49 of the bf16
#: peak: below FlashAttention-3 on Hopper and FlashAttention-2 on Ampere, above
#: FlashAttention-2 on Hopper);
#: "flash2", "flash3" (FlashAttention-2 and -3) and "triton" (the 2022 Triton FlashAttention,
#: MosaicML llm-foundry's ``attn_impl: triton``, its benchmarking default until April 2024)
#: name a published kernel, at :data:`ATTENTION_KERNEL_EFFICIENCY`.
ATTENTION_KERNELS = ("default", "flash2", "flash3", "triton")

#: FlashAttention-2 on A100: "50-73% of the theoretical maximum FLOPs/s" (Dao 2023,
#: arXiv:2307.08691, abstract); the geometric middle of the range. Each figure below is read
#: for forward and backward alike, a simplification: the papers' peaks are the forward pass's,
#: and their backward passes reach somewhat less.
_FLASH2_AMPERE = math.sqrt(0.50 * 0.73)
#: FlashAttention-2 on H100: "only 35% utilization" (Shah et al. 2024, arXiv:2407.08608,
#: abstract).
_FLASH2_HOPPER = 0.35
#: FlashAttention-3 over FlashAttention-2 on H100: "1.5-2.0x" (Shah et al. 2024, abstract);
#: geometric middle.
_FLASH3_SPEEDUP = math.sqrt(1.5 * 2.0)
#: FlashAttention-2 over the Triton FlashAttention on A100: "1.3-2.5x" (Dao 2023, Sec. 4.1);
#: geometric middle. Taken for Hopper as well (reconstruction: neither kernel uses Hopper's
#: asynchronous tensor-core instructions, so both keep their Ampere-era ratio).
_TRITON_SLOWDOWN = math.sqrt(1.3 * 2.5)

#: Fraction of the dense bf16 peak that a named fused attention kernel reaches, forward and
#: backward, by (kernel, accelerator generation of ``data/accelerators.csv``). Each value is
#: read from the kernels' papers above, none fitted to a training benchmark.
ATTENTION_KERNEL_EFFICIENCY = {
    ("flash2", "ampere"): _FLASH2_AMPERE,
    ("flash2", "hopper"): _FLASH2_HOPPER,
    ("flash3", "hopper"): _FLASH2_HOPPER * _FLASH3_SPEEDUP,
    ("triton", "ampere"): _FLASH2_AMPERE / _TRITON_SLOWDOWN,
    ("triton", "hopper"): _FLASH2_HOPPER / _TRITON_SLOWDOWN,
}


def attention_kernel_efficiency(kernel: str, generation: str, matmul_efficiency: float) -> float:
    """Fraction of the dense bf16 peak that fused attention reaches, forward and backward.

    Parameters
    ----------
    kernel : {"default", "flash2", "flash3", "triton"}
        :data:`ATTENTION_KERNELS`.
    generation : str
        The accelerator's generation (``Accelerator.generation``, e.g. ``"hopper"``).
    matmul_efficiency : float
        The run's matmul efficiency (fraction), which "default" scales.

    Returns
    -------
    float
        ``ATTENTION_EFFICIENCY_RATIO * matmul_efficiency`` for "default", else
        :data:`ATTENTION_KERNEL_EFFICIENCY` of (kernel, generation).

    Raises
    ------
    ValueError
        An unknown kernel, or a published kernel on a generation it has no measurement for.
    """
    check_choice("attention_kernel", kernel, ATTENTION_KERNELS)
    if kernel == "default":
        return ATTENTION_EFFICIENCY_RATIO * float(matmul_efficiency)
    try:
        return float(ATTENTION_KERNEL_EFFICIENCY[(kernel, generation)])
    except KeyError:
        known = sorted(g for k, g in ATTENTION_KERNEL_EFFICIENCY if k == kernel)
        raise ValueError(
            f"attention_kernel={kernel!r} has no published efficiency on {generation} "
            f"accelerators (known: {', '.join(known)}); use attention_kernel='default'"
        ) from None
