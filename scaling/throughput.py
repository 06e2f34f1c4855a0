"""The throughput stage: how a run's model FLOP utilisation (MFU) is set, resolved once.

Where the chain gets its MFU
----------------------------
:func:`throughput_model` is the one place the choice is made, for one machine under one set
of assumptions (as pvlib's ``ModelChain`` binds its ``dc_model`` once). In order:

1. ``Assumptions(mfu=...)``: a constant, the explicit override (source ``"assumptions"``);
2. the cluster's own ``mfu`` when it has one (``"cluster"``);
3. ``Assumptions(mfu_model="generation_default")``: the accelerator generation's documented
   constant (``data/mfu_defaults.csv``; ``"generation_default"``);
4. ``Assumptions(mfu_model="step_time")`` (default): the step-time model. For the run's model
   (a :class:`~scaling.model_shape.ModelShape`, a published configuration's name, or a shape
   derived from ``n_params``; for an unknown size the compute-optimal size of the compute under
   :data:`scaling.laws.DEFAULT_LAW`), the accelerator and count, the cluster's scale-out
   bandwidth, the global batch of the batch-size law for the run's compute
   (``Assumptions(batch_size_law=...)``, default DeepSeek LLM's,
   :func:`scaling.batch_size.global_batch_tokens`; ``Assumptions(global_batch_tokens=...)``
   overrides it) and the precision, :func:`scaling.plan_search.plan_parallelism` finds the
   fastest layout that fits in memory (:class:`~scaling.errors.InfeasibleRunError` naming the
   minimum accelerator count when none does).

The resulting :class:`ThroughputModel` answers every run on that machine
(:meth:`ThroughputModel.evaluate`) with a :class:`Throughput`: the one object the chain's
stages, :class:`~scaling.chain.RunEstimate` and :class:`~scaling.clusters.Cluster` read.

One MFU formula
---------------
Every MFU here is :func:`scaling.hardware.model_flop_utilisation` of the model FLOP rate
:math:`6 N_{active} \\dot D` (:data:`scaling.laws.FLOP_PER_PARAM_PER_TOKEN` per active
parameter per token) against the dense peak of the run's precision, every accelerator given
counted (idle ones included). ``step_mfu`` is that of one step of the layout; the chain's
``mfu`` is the whole run's, the step's times the whole-run efficiency (``Assumptions.run_efficiency``, :mod:`scaling.efficiency`;
:data:`RUN_EFFICIENCY` is the default preset's):

.. math:: \\mathrm{MFU} = \\eta_{run}\\,\\frac{6 N_{active}\\,\\dot D}{n\\,P_{peak}}

Searches are cached on their exact inputs (:func:`clear_cache` forgets them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scaling import laws
from scaling.errors import InfeasibleRunError
from scaling.hardware import _model_flop_utilisation
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN
from scaling.model_shape import MIN_DERIVED_PARAMS, as_model_shape, shape_from_params
from scaling.batch_size import DEFAULT_BATCH_SIZE_LAW, global_batch_tokens
from scaling.plan_checks import check_run_batch
from scaling.layout_grid import DEFAULT_LAYOUT_SEARCH
from scaling.plan_search import plan_parallelism
from scaling.efficiency import DEFAULT_RUN_EFFICIENCY, resolve_run_efficiency

__all__ = [
    "MFU_MODELS",
    "RUN_EFFICIENCY",
    "SOURCES",
    "Throughput",
    "ThroughputModel",
    "clear_cache",
    "of_step_time",
    "throughput_model",
    "throughput_source",
]

#: How the chain sets MFU when neither ``Assumptions.mfu`` nor the cluster's ``mfu`` is set:
#: ``"step_time"`` (default), the step-time model of :mod:`scaling.parallelism` for the run's
#: model, machine and batch; ``"generation_default"``, the accelerator generation's constant
#: from ``data/mfu_defaults.csv`` (published large runs per generation, else Epoch AI's 0.375
#: imputation).
MFU_MODELS = ("step_time", "generation_default")

#: Where a :class:`Throughput`'s MFU came from, in the order :func:`throughput_model` tries.
SOURCES = ("assumptions", "cluster", "generation_default", "step_time")


# --------------------------------------------------------------------------------------------
# the result every stage reads
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Throughput:
    """The MFU of one or more runs on one machine, and where it came from (immutable).

    Attributes
    ----------
    source : str
        One of :data:`SOURCES`.
    mfu : float or ndarray
        Whole-run MFU the chain uses, broadcast like the inputs. [fraction]
    step_mfu : float or ndarray
        MFU of one training step of the layout, in the same convention (NaN for constant
        sources). [fraction]
    n_accelerators_used : float or ndarray
        Accelerators the layout occupies (the count given for constant sources). [count]
    replica_size : float or ndarray
        Accelerators per data-parallel replica, tp x pp x cp x ep (NaN without a layout).
        [count]
    step_times : tuple of StepTime
        One per distinct run (empty for constant sources), in the order first met.
    index : ndarray or None
        For each element of the broadcast inputs, its position in ``step_times`` (-1 where no
        layout fits, with ``on_infeasible="nan"``); None for constant sources.
    infeasible : tuple of str
        Why no layout fits, one message per infeasible run (``on_infeasible="nan"``).
    notes : tuple of str
        What the chain chose beyond the layout, in words (fewer accelerators than given,
        :func:`scaling.fewer.fewer_if_faster`).
    n_accelerators : float or ndarray or None
        The accelerators given when it was evaluated [count], the count ``mfu`` is measured
        against (None: not recorded).
    """

    source: str
    mfu: object
    step_mfu: object
    n_accelerators_used: object
    replica_size: object
    step_times: tuple = ()
    index: object = None
    infeasible: tuple = ()
    notes: tuple = ()
    n_accelerators: object = None

    @property
    def feasible(self):
        """True where a layout fits (always True for constant sources)."""
        if self.index is None:
            return True
        return np.asarray(self.index) >= 0

    @property
    def step_time(self):
        """The :class:`~scaling.plan_search.StepTime` of a single run; a tuple (one per
        element) for array inputs; None for constant sources."""
        if self.index is None:
            return None
        if np.ndim(self.index) == 0:
            k = int(self.index)
            return self.step_times[k] if k >= 0 else None
        return tuple(self.step_times[int(k)] if k >= 0 else None
                     for k in np.ravel(self.index))

    def held(self, shape) -> Throughput:
        """This throughput's numbers broadcast to ``shape``, its layouts kept: held while the
        count or the compute of the runs moves (the solver, Monte Carlo scenarios)."""
        def spread(value):
            return np.broadcast_to(np.asarray(value, dtype=float), shape)

        return Throughput(source=self.source, mfu=spread(self.mfu),
                          step_mfu=spread(self.step_mfu),
                          n_accelerators_used=spread(self.n_accelerators_used),
                          replica_size=spread(self.replica_size), step_times=self.step_times,
                          index=None if self.index is None else np.broadcast_to(self.index,
                                                                                shape),
                          infeasible=self.infeasible, notes=self.notes,
                          n_accelerators=None if self.n_accelerators is None
                          else spread(self.n_accelerators))

    def element(self, k: int, shape) -> Throughput:
        """Element ``k`` (flat position in the broadcast ``shape``) alone, its layouts kept:
        one run of a held or array throughput (the solver's answer, one run of a sweep)."""
        def pick(value):
            return float(np.broadcast_to(np.asarray(value, dtype=float), shape).flat[k])

        return Throughput(
            source=self.source, mfu=pick(self.mfu), step_mfu=pick(self.step_mfu),
            n_accelerators_used=pick(self.n_accelerators_used),
            replica_size=pick(self.replica_size), step_times=self.step_times,
            index=None if self.index is None else np.array(
                np.broadcast_to(self.index, shape).flat[k]),
            infeasible=self.infeasible, notes=self.notes,
            n_accelerators=None if self.n_accelerators is None else pick(self.n_accelerators))

    @property
    def limit(self) -> str:
        """What limits utilisation, in words ("" for constant sources; one phrase per distinct
        limit, joined by " | ", for array inputs)."""
        found = [] if self.index is None else [
            self.step_times[int(k)].limit for k in np.ravel(self.index) if k >= 0]
        return " | ".join(dict.fromkeys(found + list(self.notes)))


# --------------------------------------------------------------------------------------------
# the choice, made once
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class ThroughputModel:
    """How MFU is set for runs on one machine under one set of assumptions (immutable).

    Built by :func:`throughput_model`; :meth:`evaluate` answers any run on the machine.

    Attributes
    ----------
    source : str
        One of :data:`SOURCES`.
    mfu : float or None
        The constant MFU of a constant source; None for ``"step_time"``. [fraction]
    accelerator : Accelerator
    precision : str
        Numeric format whose dense peak the MFU is measured against.
    scale_out_bandwidth_byte_per_s : float or None
        The machine's scale-out bandwidth per accelerator (None: the accelerator's). [byte/s]
    global_batch_tokens : float or None
        Tokens per optimizer step (None: ``batch_size_law`` of each run's compute). [tokens]
    batch_size_law : str or callable
        The batch-size law when ``global_batch_tokens`` is None
        (:data:`scaling.batch_size.BATCH_SIZE_LAWS`).
    layout_gap : float or None
        ``Assumptions.layout_gap`` (None: the plan search's default).
    layout_search : str
        ``Assumptions.layout_search``: how far the plan search may split a run
        (:data:`scaling.layout_grid.LAYOUT_SEARCHES`).
    run_efficiency : float
        Whole-run efficiency applied to the step-time MFU [fraction]; 1 for constant sources
        (their MFU is already a whole run's). :func:`throughput_model` resolves
        ``Assumptions.run_efficiency`` (:func:`scaling.efficiency.resolve_run_efficiency`).
    """

    source: str
    mfu: float | None
    accelerator: object
    precision: str = "bf16"
    scale_out_bandwidth_byte_per_s: float | None = None
    global_batch_tokens: float | None = None
    run_efficiency: float = 1.0
    batch_size_law: object = DEFAULT_BATCH_SIZE_LAW
    layout_gap: float | None = None
    layout_search: str = DEFAULT_LAYOUT_SEARCH

    @property
    def constant(self) -> bool:
        """True when every run on the machine has the same MFU (no layout is searched)."""
        return self.source != "step_time"

    def evaluate(self, compute_flop, n_accelerators, *, n_params=None, model=None,
                 on_infeasible: str = "raise", goodput=None) -> Throughput:
        """The throughput of runs on this machine (broadcast over the arguments).

        Parameters
        ----------
        compute_flop : float or ndarray
            Training compute [FLOP]; with the step-time model it sets the global batch and,
            without ``n_params`` or ``model``, the compute-optimal model size.
        n_accelerators : float or ndarray
            Accelerators given [count]; a requirement between two whole counts gets the
            throughput, accelerators in use and replica size interpolated between their
            layouts (under one: the one-accelerator layout, pro rata).
        n_params : float or ndarray, optional
            Model size [parameters] of a dense shape derived from it.
        model : ModelShape or str, optional
            The model (overrides ``n_params``; a mixture of experts uses its active
            parameters).
        on_infeasible : {"raise", "nan"}
            Where no layout fits in memory: raise
            :class:`~scaling.errors.InfeasibleRunError`, or give NaN there and record why.
        goodput : callable, optional
            ``goodput(n_params)`` -> the job's goodput on the accelerators a layout occupies
            (:func:`scaling.fewer.job_goodput_of`), which the plan search weighs each layout's
            throughput by; None: per-step throughput only.

        Returns
        -------
        Throughput
        """
        n = np.asarray(n_accelerators, dtype=float)
        if self.constant:
            return Throughput(source=self.source, mfu=float(self.mfu), step_mfu=math.nan,
                              n_accelerators_used=n if n.ndim else float(n),
                              replica_size=math.nan, n_accelerators=n if n.ndim else float(n))
        return _step_time_throughput(self, compute_flop, n, n_params, model, on_infeasible,
                                     goodput)


def of_step_time(tm: ThroughputModel, step) -> Throughput:
    """The :class:`Throughput` of one :class:`~scaling.plan_search.StepTime` on the machine of
    ``tm`` (a layout found outside the cache, e.g. with other interconnect settings)."""
    found = _Layouts(tm, "raise")
    found.steps.append(step)
    return _assemble(tm, found, np.array(0), *(np.asarray(v) for v in found._numbers(0)))


def throughput_source(assumptions, cluster=None) -> str:
    """Where the MFU of runs under ``assumptions`` (on ``cluster``) comes from: one of
    :data:`SOURCES`, in the order of precedence of the module notes. The one place the
    choice is made; :func:`throughput_model` builds on it."""
    if assumptions.mfu is not None:
        return "assumptions"
    if cluster is not None and cluster.mfu is not None:
        return "cluster"
    return assumptions.mfu_model


def __getattr__(name: str):
    # RUN_EFFICIENCY: the default preset's whole-run efficiency, read from
    # data/run_efficiency.csv on use (so that data.reload() is seen)
    if name == "RUN_EFFICIENCY":
        return resolve_run_efficiency(DEFAULT_RUN_EFFICIENCY)
    raise AttributeError(f"module 'scaling.throughput' has no attribute {name!r}")


def throughput_model(*, accelerator, assumptions, cluster=None) -> ThroughputModel:
    """Resolve how MFU is set for a machine (the one place the choice is made).

    Parameters
    ----------
    accelerator : Accelerator
    assumptions : Assumptions
        Its ``mfu``, ``mfu_model``, ``precision``, ``global_batch_tokens``,
        ``batch_size_law``, ``layout_gap`` and ``layout_search``.
    cluster : Cluster, optional
        Its own ``mfu`` (when set) and its scale-out bandwidth.

    Returns
    -------
    ThroughputModel
        See the module notes for the order of precedence.
    """
    a = assumptions
    common = {"accelerator": accelerator, "precision": a.precision}
    source = throughput_source(a, cluster)
    if source != "step_time":
        constant = {"assumptions": a.mfu, "generation_default": accelerator.default_mfu,
                    "cluster": None if cluster is None else cluster.mfu}[source]
        return ThroughputModel(source=source, mfu=float(constant), **common)
    out = None if cluster is None else cluster.scale_out_bandwidth_byte_per_s
    if out is not None and math.isnan(out):
        out = None
    return ThroughputModel(source="step_time", mfu=None, scale_out_bandwidth_byte_per_s=out,
                           global_batch_tokens=a.global_batch_tokens,
                           batch_size_law=a.batch_size_law, layout_gap=a.layout_gap,
                           layout_search=a.layout_search,
                           run_efficiency=resolve_run_efficiency(a.run_efficiency), **common)


# --------------------------------------------------------------------------------------------
# the step-time model, one run at a time (cached)
# --------------------------------------------------------------------------------------------

#: (shape, accelerator fields, count, precision, batch sequences, scale-out) -> StepTime or
#: the InfeasibleRunError raised; emptied past :data:`_CACHE_LIMIT` entries.
_CACHE: dict = {}
_CACHE_LIMIT = 50_000


def clear_cache() -> None:
    """Forget every cached layout search."""
    _CACHE.clear()


def _accelerator_key(acc) -> tuple:
    return (acc.name, acc.peak_bf16_flop_per_s, repr(acc.peak_fp8_flop_per_s), acc.memory_bytes,
            acc.memory_bandwidth_byte_per_s, repr(acc.scale_up_bandwidth_byte_per_s),
            acc.scale_up_domain_size, repr(acc.scale_out_bandwidth_byte_per_s))


def _search(tm: ThroughputModel, shape, compute_flop: float, n: int, goodput=None):
    """The fastest layout of one run (cached on its exact inputs); raises when none fits."""
    batch = tm.global_batch_tokens
    if batch is None:
        batch = float(global_batch_tokens(float(compute_flop), tm.batch_size_law))
    else:
        check_run_batch(float(batch), shape, float(compute_flop))
    seqs = max(1, int(round(float(batch) / shape.seq_len)))
    out = tm.scale_out_bandwidth_byte_per_s
    key = (shape, _accelerator_key(tm.accelerator), n, tm.precision, seqs, out, goodput,
           tm.layout_gap, tm.layout_search)
    found = _CACHE.get(key)
    if found is None:
        try:
            found = plan_parallelism(shape, tm.accelerator, n,
                                     global_batch_tokens=seqs * shape.seq_len,
                                     precision=tm.precision,
                                     scale_out_bandwidth_byte_per_s=out, goodput=goodput,
                                     layout_gap=tm.layout_gap,
                                     layout_search=tm.layout_search)
        except InfeasibleRunError as error:
            found = error
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = found
    if isinstance(found, InfeasibleRunError):
        raise InfeasibleRunError(str(found))
    return found


def _shape_for(n_params, compute_flop, model):
    if model is not None:
        return as_model_shape(model)
    size = n_params
    if size is None or math.isnan(size):
        size = float(laws.compute_optimal(compute_flop).n_params)
        what = (f"compute_flop={compute_flop:.3g}, whose compute-optimal size under "
                f"{laws.DEFAULT_LAW} is {size:.3g} parameters")
    else:
        what = f"n_params={size:.3g}"
    if size < MIN_DERIVED_PARAMS:
        raise ValueError(
            f"the step-time model needs a model of at least {MIN_DERIVED_PARAMS:.0e} "
            f"parameters to derive its shape, got {what}; pass model=... (a ModelShape), "
            "Assumptions(mfu=...) or Assumptions(mfu_model='generation_default')")
    return shape_from_params(size)


def _step_mfu(tm: ThroughputModel, step) -> float:
    """Per-step MFU of a layout in the chain's convention (the one formula)."""
    rate = FLOP_PER_PARAM_PER_TOKEN * step.model.n_active_params * step.tokens_per_s
    return float(_model_flop_utilisation(rate, step.n_accelerators,
                                         tm.accelerator.peak_flop_per_s(tm.precision)))


def _step_time_throughput(tm, compute_flop, n, n_params, model, on_infeasible, goodput=None):
    """:meth:`ThroughputModel.evaluate` for the step-time model: one search per distinct run.

    A whole count is planned as it is. A count between two whole counts (a requirement the
    solver moves continuously) delivers the throughput interpolated between the layouts of the
    two (a fraction of an accelerator contributes pro rata), so the chain's time is continuous
    in the count and equals the whole counts' at whole counts.
    """
    if on_infeasible not in ("raise", "nan"):
        raise ValueError(f"on_infeasible must be 'raise' or 'nan', got {on_infeasible!r}")
    c_arr = np.asarray(compute_flop, dtype=float)
    p_arr = np.asarray(np.nan if n_params is None else n_params, dtype=float)
    shape = np.broadcast_shapes(c_arr.shape, p_arr.shape, n.shape)
    fixed = None if model is None else as_model_shape(model)
    found = _Layouts(tm, on_infeasible, goodput)
    size = int(np.prod(shape))
    index = np.empty(size, dtype=np.int64)
    step_mfu, used, replica = np.empty(size), np.empty(size), np.empty(size)
    for i, (c, p, count) in enumerate(zip(*(np.broadcast_to(x, shape).ravel()
                                           for x in (c_arr, p_arr, n)))):
        run_shape = fixed if fixed is not None else _shape_for(None if math.isnan(p) else p,
                                                               c, None)
        index[i], step_mfu[i], used[i], replica[i] = found.element(
            run_shape, c, count, None if math.isnan(p) else p)
    return _assemble(tm, found, index.reshape(shape), step_mfu.reshape(shape),
                     used.reshape(shape), replica.reshape(shape),
                     np.broadcast_to(n, shape).astype(float))


class _Layouts:
    """The layouts searched for one evaluation: each distinct run once (:func:`_search`)."""

    def __init__(self, tm, on_infeasible, goodput=None):
        self.tm, self.on_infeasible, self.goodput = tm, on_infeasible, goodput
        self.steps, self.where, self.failed = [], {}, {}

    def at(self, shape, compute, count: int, n_params=None) -> int:
        """Position of the layout of a whole count in :attr:`steps` (-1: none fits)."""
        tm = self.tm
        weigh = None if self.goodput is None else self.goodput(n_params)
        key = (shape, count, compute if tm.global_batch_tokens is None
               else tm.global_batch_tokens, weigh)
        if key not in self.where:
            try:
                step = _search(tm, shape, compute, count, weigh)
            except InfeasibleRunError as error:
                if self.on_infeasible == "raise":
                    raise
                self.where[key], self.failed[str(error)] = -1, None
            else:
                self.where[key] = len(self.steps)
                self.steps.append(step)
        return self.where[key]

    def element(self, shape, compute, count, n_params=None):
        """(index, step MFU, accelerators used, replica size) of one element."""
        whole = max(1, math.floor(count))
        fraction = count - whole if count > 1 else 0.0
        low = self.at(shape, compute, whole, n_params)
        if fraction == 0.0 or low < 0:
            return (low,) + (self._numbers(low) if low >= 0 else (math.nan,) * 3)
        high = self.at(shape, compute, whole + 1, n_params)
        if high < 0:
            return (-1, math.nan, math.nan, math.nan)
        a, b = self.steps[low], self.steps[high]
        tokens = a.tokens_per_s + fraction * (b.tokens_per_s - a.tokens_per_s)
        rate = FLOP_PER_PARAM_PER_TOKEN * a.model.n_active_params * tokens
        mfu = float(_model_flop_utilisation(
            rate, count, self.tm.accelerator.peak_flop_per_s(self.tm.precision)))
        in_use = a.n_accelerators_used + fraction * (b.n_accelerators_used
                                                     - a.n_accelerators_used)
        low_replica, high_replica = self._numbers(low)[2], self._numbers(high)[2]
        nearest = high if fraction >= 0.5 else low
        return (nearest, mfu, in_use, low_replica + fraction * (high_replica - low_replica))

    def _numbers(self, k):
        """(step MFU, accelerators used, replica size) of the layout at position ``k``."""
        step = self.steps[k]
        layout = step.layout
        return (_step_mfu(self.tm, step), float(step.n_accelerators_used),
                float(layout.tp * layout.pp * layout.cp * layout.ep))


def _assemble(tm, found, index, step_mfu, used, replica, given=None) -> Throughput:
    """A step-time Throughput from the layouts searched and each element's numbers."""
    def scalar_or(values):
        return float(values) if values.ndim == 0 else values

    return Throughput(
        source="step_time", mfu=tm.run_efficiency * scalar_or(step_mfu),
        step_mfu=scalar_or(step_mfu), n_accelerators_used=scalar_or(used),
        replica_size=scalar_or(replica), step_times=tuple(found.steps), index=index,
        infeasible=tuple(found.failed),
        n_accelerators=None if given is None else scalar_or(np.asarray(given)))
