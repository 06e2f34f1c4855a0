"""Memory of the training state: what every accelerator must hold before activations.

Mixed-precision Adam keeps 16 bytes per parameter (Rajbhandari et al. 2020), 17 with an fp8
copy of the weights; sharded over every accelerator (ZeRO-3) and set against the HBM left
after a reserve, that gives the fewest accelerators on which any parallel layout can exist.
The step-time model (:mod:`scaling.parallelism`) reads the same constants for its memory
step.

References
----------
Rajbhandari et al. (2020), "ZeRO: Memory Optimizations Toward Training Trillion Parameter
Models", arXiv:1910.02054, Sec. 3.1.
"""

from __future__ import annotations

import math

import numpy as np

from scaling._validation import as_float_array, check_choice, elementwise, like, scalar
from scaling.catalog import PRECISIONS
from scaling.hardware import as_accelerator
from scaling.errors import InfeasibleRunError
from scaling.model_shape import as_model_shape, is_derived, shape_from_params

__all__ = [
    "ADAM_BYTES_PER_PARAM",
    "MODEL_SIZE_RTOL",
    "ROUND_OFF_RTOL",
    "check_active_within_total",
    "check_matches_model",
    "check_state_fits",
    "resolve_run_model",
    "state_shortfall",
    "OPTIMIZERS",
    "OPTIMIZER_STATE_BYTES_PER_PARAM",
    "TRAINING_STATE_BYTES_PER_PARAM",
    "FP8_WEIGHT_COPY_BYTES",
    "MEMORY_RESERVE_FRACTION",
    "accelerators_for_memory",
    "min_accelerators_for_state",
    "training_state_bytes",
]


#: Bytes per parameter of mixed-precision Adam training state: 2 (16-bit weights) + 2 (16-bit
#: gradients) + 12 (fp32 master weights, momentum, variance), Rajbhandari et al. (2020),
#: arXiv:1910.02054, Sec. 3.1 ("16 Psi").
ADAM_BYTES_PER_PARAM = {"weights": 2.0, "gradients": 2.0, "optimizer": 12.0}

#: Their sum, 16 bytes per parameter: the training state's default per-parameter memory.
TRAINING_STATE_BYTES_PER_PARAM = sum(ADAM_BYTES_PER_PARAM.values())

#: Optimizer states per parameter by optimizer [bytes]: Adam keeps an fp32 master copy, momentum
#: and variance (12, Rajbhandari et al. 2020, Sec. 3.1); Lion keeps the master copy and one
#: momentum (8: "Lion only keeps track of the momentum", Chen et al. 2023, "Symbolic Discovery
#: of Optimization Algorithms", arXiv:2302.06675, Sec. 2; MosaicML's MPT recipes train with
#: its decoupled variant, llm-foundry ``scripts/train/yamls/pretrain/mpt-*.yaml``).
OPTIMIZER_STATE_BYTES_PER_PARAM = {"adam": 12.0, "lion": 8.0}

#: Optimizers the step-time model knows (the keys of :data:`OPTIMIZER_STATE_BYTES_PER_PARAM`).
OPTIMIZERS = tuple(OPTIMIZER_STATE_BYTES_PER_PARAM)


#: Extra bytes per parameter when training in fp8: a 1-byte fp8 copy of the weights used by the
#: fp8 matmuls (NVIDIA Transformer Engine keeps bf16/fp32 masters plus fp8 casts; DeepSeek-V3,
#: arXiv:2412.19437, Sec. 3.3, keeps master weights and gradients in higher precision).
FP8_WEIGHT_COPY_BYTES = 1.0


#: Fraction of HBM held back from the training state for the CUDA/XLA context, communication
#: buffers, workspaces and allocator fragmentation. Assumption (not a measured figure): TPU
#: v5p reports 95 of 96 GiB usable to frameworks (Cloud TPU v5p docs) before any framework
#: overhead; GPU frameworks typically lose several GB more.
MEMORY_RESERVE_FRACTION = 0.10


def training_state_bytes(n_params, precision: str = "bf16"):
    """Bytes of mixed-precision Adam training state (weights, gradients, optimizer states).

    Parameters
    ----------
    n_params : float or array_like or Series
        Parameters [count].
    precision : {"bf16", "fp8"}
        fp8 training keeps an extra 1-byte fp8 copy of the weights.

    Returns
    -------
    float or ndarray or Series
        Training state [bytes], activations excluded.

    Notes
    -----
    .. math:: M = (2 + 2 + 12)\\, N \\; (+ N \\text{ for fp8})

    (Rajbhandari et al. 2020, arXiv:1910.02054, Sec. 3.1: 16 bytes per parameter).
    """
    check_choice("precision", precision, PRECISIONS)
    n = as_float_array("n_params", n_params)
    per = TRAINING_STATE_BYTES_PER_PARAM + (FP8_WEIGHT_COPY_BYTES if precision == "fp8"
                                            else 0.0)
    return like(n * per, n_params)


def min_accelerators_for_state(model, accelerator, *, precision: str = "bf16") -> int:
    """Fewest accelerators whose memory holds a model's training state, fully sharded.

    Parameters
    ----------
    model : ModelShape or str or float
        A shape, a published model's name, or a parameter count.
    accelerator : Accelerator or str
        The chip (catalog name accepted).
    precision : {"bf16", "fp8"}
        Training precision.

    Returns
    -------
    int
        ``ceil(training state / usable memory per accelerator)``, with the state sharded over
        every accelerator (ZeRO-3) and :data:`MEMORY_RESERVE_FRACTION` of each HBM held back.
        Activations need more; this is the floor below which no plan exists.

    Examples
    --------
    >>> min_accelerators_for_state(1e14, "GB200")
    9558
    """
    acc = as_accelerator(accelerator)
    check_choice("precision", precision, PRECISIONS)
    n = scalar("n_params", model) if isinstance(model, (int, float, np.integer, np.floating)) \
        and not isinstance(model, (bool, np.bool_)) else as_model_shape(model).n_params
    per_param = float(training_state_bytes(1.0, precision))
    usable = acc.memory_bytes * (1.0 - MEMORY_RESERVE_FRACTION)
    return int(math.ceil(accelerators_for_memory(float(n), usable, per_param)))


@elementwise
def accelerators_for_memory(n_params, memory_bytes,
                            bytes_per_param=TRAINING_STATE_BYTES_PER_PARAM):
    """Accelerators whose memory holds the sharded training state (not rounded).

    Parameters
    ----------
    n_params : numeric
        Model parameters N. [count]
    memory_bytes : numeric
        Memory of one accelerator M. [byte]
    bytes_per_param : numeric
        Training-state bytes per parameter b; default
        :data:`TRAINING_STATE_BYTES_PER_PARAM` (16, mixed-precision Adam). [byte]

    Returns
    -------
    n_accelerators : numeric
        n = N b / M, a lower bound: activations and buffers need more. [count]
    """
    n = as_float_array("n_params", n_params)
    m = as_float_array("memory_bytes", memory_bytes)
    b = as_float_array("bytes_per_param", bytes_per_param)
    return like(n * b / m, n_params, memory_bytes, bytes_per_param)


# --------------------------------------------------------------------------------------------
# the model of one run: a named shape, its size, an MoE's active parameters
# --------------------------------------------------------------------------------------------

#: Relative round-off below which two parameter counts are the same [fraction].
ROUND_OFF_RTOL = 1e-12

#: Relative difference within which ``n_params`` matches a named model's parameter count:
#: 10%, since published counts are rounded and count differently than a configuration does
#: (Gopher's "280B" is 259B in its published configuration, 8% apart; ``data/model_configs.csv``
#: ``n_params_reported``), while a different model is off by multiples.
MODEL_SIZE_RTOL = 0.10


def check_matches_model(n_params, shape) -> None:
    """Refuse a total parameter count that contradicts a named model (beyond
    :data:`MODEL_SIZE_RTOL`): the checkpoint would be one model's and the step time another's."""
    size = np.ravel(as_float_array("n_params", n_params))
    if not np.allclose(size, shape.n_params, rtol=MODEL_SIZE_RTOL):
        raise ValueError(
            f"n_params={size[0]:.4g} contradicts the model {shape.name or 'given'!r} "
            f"({shape.n_params:.4g} parameters"
            + (f", {shape.n_active_params:.4g} active" if shape.is_moe else "")
            + "): the checkpoint would be one model's and the step time another's; give "
            f"n_params={shape.n_params:.4g} (the total) or leave it out")


def check_active_within_total(n_active_params, n_params, shape=None):
    """The active parameters of a mixture of experts as floats, refused where they exceed the
    total or contradict a named model's active count.

    Returns
    -------
    ndarray
        ``n_active_params`` broadcast against ``n_params`` [count].
    """
    size = np.asarray(as_float_array("n_params", n_params), dtype=float)
    active = np.broadcast_to(as_float_array("n_active_params", n_active_params),
                             size.shape).astype(float)
    over = active > size * (1 + ROUND_OFF_RTOL)
    if over.any():
        k = int(np.argmax(over.ravel()))
        raise ValueError(f"n_active_params ({active.ravel()[k]:.4g}) must not exceed n_params "
                         f"({size.ravel()[k]:.4g}): a mixture of experts activates a part of "
                         "its parameters per token")
    if shape is not None and not np.allclose(active, shape.n_active_params,
                                             rtol=MODEL_SIZE_RTOL):
        raise ValueError(f"n_active_params={active.ravel()[0]:.4g} contradicts the model "
                         f"{shape.name!r} ({shape.n_active_params:.4g} active)")
    return active


def resolve_run_model(model, n_params, n_active_params):
    """The step-time model's shape and the total parameters of one run, contradictions refused.

    Parameters
    ----------
    model : ModelShape or str or None
    n_params : float or array_like or None
        Total parameters [count].
    n_active_params : float or None
        Parameters active per token of a mixture of experts [count].

    Returns
    -------
    (ModelShape or None, ndarray or None)
        A dense stand-in of the active parameters when an MoE is given by its counts.

    Raises
    ------
    ValueError
        A named model of another size (:func:`check_matches_model`), more active than total
        parameters or an active count unlike the named model's
        (:func:`check_active_within_total`).
    """
    shape = None if model is None else as_model_shape(model)
    if shape is not None and n_params is None:
        n_params = float(shape.n_params)
    size = None if n_params is None else as_float_array("n_params", n_params)
    if n_active_params is None:
        if shape is not None and size is not None:
            check_matches_model(size, shape)
        return shape, size
    active = scalar("n_active_params", n_active_params)
    if size is None:
        raise ValueError("n_active_params needs n_params, the total parameter count of the "
                         "mixture of experts (its checkpoint and memory), or a model")
    # a dense shape derived for the active parameters (the backtest passes one at the run's
    # sequence length) stands in for an MoE given by its counts; a named model does not
    stand_in = (shape is not None and is_derived(shape) and math.isclose(
        shape.n_params, active, rel_tol=MODEL_SIZE_RTOL))
    if shape is not None and not stand_in:
        check_matches_model(size, shape)
    check_active_within_total(active, size, None if shape is None or stand_in else shape)
    if shape is not None:
        return shape, size
    return shape_from_params(active), size


def state_shortfall(n_params, accelerator, n_accelerators, *, precision: str = "bf16"):
    """Accelerators each total parameter count's training state needs (fully sharded), and
    where they exceed those given.

    Returns
    -------
    (ndarray of int, ndarray of bool, list of str)
        The counts needed, the sizes short of accelerators, and why, in words, for each
        short size.
    """
    acc = as_accelerator(accelerator)
    sizes = np.ravel(as_float_array("n_params", n_params))
    needed = np.array([min_accelerators_for_state(float(n), acc, precision=precision)
                       for n in sizes])
    given = float(np.min(n_accelerators))
    short = needed > given
    why = [f"the training state of {n:.3g} parameters (total, every expert) needs at least "
           f"{k:,} {acc.name} fully sharded (ZeRO-3); {given:,.0f} given"
           for n, k in zip(sizes[short], needed[short])]
    return needed, short, why


def check_state_fits(n_params, accelerator, n_accelerators, *, precision: str = "bf16") -> None:
    """Refuse a mixture of experts whose training state (all its parameters, fully sharded)
    does not fit the accelerators given: its step time is modelled on a dense stand-in of the
    active parameters, which alone would not see the total's memory.

    Raises
    ------
    InfeasibleRunError
        Naming the fewest accelerators that hold the state (:func:`state_shortfall`).
    """
    _, short, why = state_shortfall(n_params, accelerator, n_accelerators, precision=precision)
    if short.any():
        raise InfeasibleRunError(why[0])
