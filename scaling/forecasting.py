"""Forecasts: training time, energy and dollars versus model size, with uncertainty.

:func:`forecast` sweeps model sizes on one cluster: for each size the workload
(:mod:`scaling.laws`: compute-optimal tokens under a fitted law, a fixed tokens-per-parameter
ratio or a fixed token budget; :math:`C = 6ND`; the predicted loss), then the stages of
:mod:`scaling.chain`. :func:`largest_trainable` and :func:`forecast_for_loss` answer the
inverse questions; :func:`forecast_sensitivity` says which input moves a forecast most.

Monte Carlo
-----------
With ``uncertainty=True`` each scenario draws the law (bootstrap draws of a
:class:`~scaling.fit.FitResult`, or :data:`scaling.uncertainty.LAW_PRIOR` around a named
law) and every input of :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY` once, and applies
them to every size (the uncertainties are systematic, not size-by-size noise), so the work is
arrays of shape (sizes, samples). Reported columns are the P5, P50 and P95 over scenarios.

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015 (2024).
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication
   attempt", arXiv:2404.10102 (2024).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from scaling import laws, solve, training_state, uncertainty as mc
from scaling._validation import (
    as_float_array, as_rng, check_bool, elementwise, scalar, unknown_name, whole_number,
)
from scaling.assumptions import Assumptions, as_assumptions
from scaling.chain import RUN_COLUMNS, check_feasible, check_replica, run_chain, setup
from scaling.clusters import as_machine
from scaling.errors import InfeasibleRunError
from scaling.model_shape import as_model_shape
from scaling.results import Result

__all__ = [
    "Forecast",
    "FORECAST_COLUMNS",
    "forecast",
    "forecast_for_deadline",
    "forecast_for_loss",
    "largest_trainable",
]


#: Columns of :meth:`Forecast.to_frame`, in order: the workload, then the fields of
#: :class:`scaling.chain.RunEstimate`.
FORECAST_COLUMNS = ("n_params", "n_active_params", "n_tokens", "tokens_per_param",
                    "loss") + tuple(
    name for name in RUN_COLUMNS if name != "n_params")


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast(Result):
    """A sweep of model sizes on one cluster (immutable).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per model size; ``to_frame()`` returns a copy. Columns
        :data:`FORECAST_COLUMNS` (unit-suffixed): the workload (``n_params``, ``n_tokens``,
        ``tokens_per_param``, ``loss`` [nats/token]) followed by the fields of
        :class:`scaling.chain.RunEstimate`. With uncertainty, every quantity that varies
        between scenarios holds its P50 and gains ``<quantity>_ci_lower`` (P5) and
        ``<quantity>_ci_upper`` (P95).
    cluster : Cluster
        The cluster forecast for.
    law : object
        The law (name, mapping or fit result).
    assumptions : Assumptions
        The assumptions used.
    uncertainty : bool
        Whether the frame holds Monte Carlo intervals.
    n_samples, seed : int
        Monte Carlo draws and seed (0 draws without uncertainty).
    ci_level : float
        Two-sided coverage of the ``*_ci_lower``/``*_ci_upper`` columns.
    samples : Mapping or None
        Raw Monte Carlo arrays (sizes x samples) when ``keep_samples=True``.
    notes : tuple of str
        What the forecast could not do as asked, in words (e.g. sizes for which no parallel
        plan fits in memory: their rows are NaN in a Monte Carlo forecast).
    """

    frame: object = field(repr=False)
    cluster: object
    law: object
    assumptions: Assumptions = field(repr=False)
    uncertainty: bool
    n_samples: int
    seed: int
    ci_level: float = mc.CI_LEVEL
    samples: object = field(default=None, repr=False)
    notes: tuple = ()

    #: Columns of :meth:`summary`.
    SUMMARY = ("n_params", "n_tokens", "compute_flop", "loss", "time_days",
               "accelerator_hours", "energy_mwh", "amortized_cost_usd", "rental_cost_usd")

    def summary(self):
        """Headline columns only (pandas.DataFrame indexed by ``n_params``)."""
        cols = [c for base in self.SUMMARY for c in (f"{base}_ci_lower", base, f"{base}_ci_upper")
                if c in self.frame.columns]
        return self.frame[cols].set_index("n_params")

    def percentiles(self, quantity, probabilities=mc.PROBABILITIES):
        """Percentiles of a quantity over the kept Monte Carlo scenarios.

        Parameters
        ----------
        quantity : str
            A column kept in :attr:`samples` (forecast with ``keep_samples=True``).
        probabilities : sequence of float
            In [0, 1].

        Returns
        -------
        pandas.DataFrame
            One row per size (index ``n_params``), one column per probability (``p5``,
            ``p50``, ``p95`` ...), in the quantity's unit.
        """
        import pandas as pd

        if self.samples is None:
            raise ValueError("this forecast kept no samples; call forecast(..., "
                             "uncertainty=True, keep_samples=True)")
        if quantity not in self.samples:
            raise unknown_name("quantity", quantity, list(self.samples))
        values = mc.percentiles(self.samples[quantity], probabilities)
        return pd.DataFrame({f"p{100 * p:g}": v for p, v in zip(probabilities, values)},
                            index=pd.Index(self.frame["n_params"].to_numpy(), name="n_params"))



def _tokens(n_params, law_params, tokens_per_param, n_tokens):
    """Training tokens per size: a fixed ratio, a fixed budget, or compute-optimal."""
    if tokens_per_param is not None and n_tokens is not None:
        raise ValueError("give at most one of tokens_per_param and n_tokens")
    for name, given in (("tokens_per_param", tokens_per_param), ("n_tokens", n_tokens)):
        if given is None:
            continue
        values = as_float_array(name, given)
        if values.ndim and values.size != n_params.shape[0]:
            raise ValueError(
                f"{name} must be a scalar or one value per size of n_params "
                f"({n_params.shape[0]}), got {values.size} values"
            )
        values = values if values.ndim == 0 else values.reshape(n_params.shape)
        return n_params * values if name == "tokens_per_param" else values
    return np.asarray(laws._optimal_tokens_for_params(n_params, law_params), dtype=float)


def _sizes(n_params):
    sizes = np.atleast_1d(as_float_array("n_params", n_params)).astype(float)
    if sizes.ndim != 1:
        raise ValueError("n_params must be a scalar or a 1-D sequence of sizes")
    if sizes.size == 0:
        raise ValueError("n_params must hold at least one size [parameters], got an empty "
                         "sequence")
    return sizes


def _monte_carlo_settings(n_samples, seed, keep_samples):
    """The Monte Carlo arguments, checked whether or not ``uncertainty`` is asked for (a bad
    seed is a mistake even where it is not used yet)."""
    whole_number("n_samples", n_samples, minimum=2)
    whole_number("seed", seed, minimum=0)
    check_bool("keep_samples", keep_samples)


#: Columns that are a fixed positive multiple of another within every forecast (so their
#: percentiles follow from the other's): column -> source column. Checked before use.
_PROPORTIONAL = {"time_days": "time_s", "energy_mwh": "energy_j",
                 "emissions_tco2e": "energy_j",
                 "accelerator_hours": "time_s", "tokens_per_param": "n_tokens",
                 "compute_flop": "n_tokens", "sustained_flop_per_s": "mfu"}
#: How far the ratio of such a column to its source may vary over scenarios [relative] for the
#: source's order statistics to be reused (rounding only).
_PROPORTIONAL_RTOL = 1e-12


def _frame(values, workload, clu, a, n_sizes):
    """One row per size from the chain's values, with P5/P50/P95 where scenarios vary.

    Percentiles are taken on each array as the chain returned it (a (1, samples) input is
    reduced once, not once per size), and columns proportional to an already reduced one
    (:data:`_PROPORTIONAL`, checked) reuse its order statistics.
    """
    import pandas as pd

    data = {}
    everything = {**workload, **values}
    everything.setdefault("n_active_params", everything["n_params"])   # dense: all of them
    reduced = {}
    for name in FORECAST_COLUMNS:
        if name == "cluster":
            data[name] = [clu.name] * n_sizes
        elif name == "accelerator":
            data[name] = [clu.accelerator.name] * n_sizes
        elif name == "precision":
            data[name] = [a.precision] * n_sizes
        else:
            value = np.asarray(everything[name], dtype=float)
            if value.ndim == 2 and value.shape[-1] > 1:
                bands = _proportional_bands(name, value, everything, reduced)
                if bands is None:
                    bands = mc.percentiles(value)
                reduced[name] = bands
                for suffix, band in zip(("_ci_lower", "", "_ci_upper"), bands):
                    data[name + suffix] = np.broadcast_to(band, (n_sizes,)).copy()
            else:
                if value.ndim == 2:
                    value = value[:, 0]
                data[name] = np.broadcast_to(value, (n_sizes,)).copy()
    return pd.DataFrame(data)


def _proportional_bands(name, value, everything, reduced):
    """The P5/P50/P95 of ``value`` from those of its proportional source, or None."""
    source = _PROPORTIONAL.get(name)
    if source not in reduced:
        return None
    base = np.asarray(everything[source], dtype=float)
    if base.shape != value.shape:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / base
    low, high = ratio.min(axis=-1), ratio.max(axis=-1)   # NaN if any ratio is
    if not (np.all(low > 0) and np.all(np.isfinite(high))
            and np.all(high <= low * (1 + _PROPORTIONAL_RTOL))):
        return None
    return [band * ratio[..., 0] for band in reduced[source]]


def _scenarios(sizes, law, tokens_per_param, n_tokens, spec, n_samples, seed):
    """The workload per size (and per scenario), the rng, and the scenario count.

    Returns ``(workload, col, rng, n_samples)``: ``workload`` maps ``n_params``, ``n_tokens``,
    ``tokens_per_param``, ``loss`` and ``compute_flop`` to arrays of shape (sizes,) without
    uncertainty and (sizes, samples) or (sizes, 1) with it, and ``central_compute_flop`` to
    the compute of the central law (shape of ``col``), at which the utilisation is searched;
    ``col`` is the sizes shaped to broadcast against them.
    """
    central_law = laws.law_parameters(law)
    if spec is None:
        tokens = np.broadcast_to(_tokens(sizes, central_law, tokens_per_param, n_tokens),
                                 sizes.shape)
        col, law_values, rng = sizes, central_law, None
    else:
        n_samples = whole_number("n_samples", n_samples, minimum=2)
        rng = as_rng(seed)
        if spec.get(mc.LAW) is None:
            law_values = {k: np.full((1, 1), v) for k, v in central_law.items()}
        else:   # the drawn laws checked once, here
            law_values = laws.law_parameters(
                {k: v[None, :] for k, v in mc.law_draws(law, n_samples, rng).items()})
        col = sizes[:, None]
        tokens = _tokens(col, law_values, tokens_per_param, n_tokens)
        tokens = np.broadcast_to(tokens, np.broadcast_shapes(np.shape(tokens), col.shape))
    workload = {"n_params": sizes, "n_tokens": tokens, "tokens_per_param": tokens / col,
                "loss": np.asarray(laws._chinchilla_loss(col, tokens, law_values)),
                "compute_flop": np.asarray(laws.training_flop(col, tokens))}
    if spec is None:
        central = workload["compute_flop"]
    else:  # the utilisation is searched once per size, at the central law's workload
        central = np.asarray(laws.training_flop(col, np.broadcast_to(
            _tokens(col, central_law, tokens_per_param, n_tokens), col.shape)))
    workload["central_compute_flop"] = central
    return workload, col, rng, n_samples


def _result(values, workload, clu, a, law, spec, n_samples, seed, keep_samples, notes=()):
    """The Forecast of a chain evaluation (with P5/P50/P95 and kept samples when uncertain)."""
    sizes = workload["n_params"]
    if spec is None:
        return Forecast(frame=_frame(values, workload, clu, a, sizes.size), cluster=clu,
                        law=law, assumptions=a, uncertainty=False, n_samples=0, seed=seed,
                        notes=tuple(notes))
    kept = None
    if keep_samples:
        shape = (sizes.size, n_samples)
        everything = {**workload, **values}
        everything.setdefault("n_active_params", everything["n_params"])

        def per_scenario(value):
            value = np.asarray(value, dtype=float)   # one value per size: a column
            return np.broadcast_to(value[:, None] if value.ndim == 1 else value, shape)

        kept = MappingProxyType({
            name: per_scenario(everything[name])
            for name in FORECAST_COLUMNS if name not in ("cluster", "accelerator", "precision")})
    return Forecast(frame=_frame(values, workload, clu, a, sizes.size), cluster=clu, law=law,
                    assumptions=a, uncertainty=True, n_samples=n_samples, seed=seed,
                    samples=kept, notes=tuple(notes))


def _mask_infeasible(values, bad):
    """NaN for every size-dependent result of the sizes where no plan fits."""
    if not np.any(bad):
        return values
    keep = ("compute_flop", "n_params", "peak_flop_per_s", "pue", "n_accelerators")
    out = {}
    for name, value in values.items():
        value = np.asarray(value, dtype=float)
        out[name] = value if name in keep else np.where(bad, np.nan, value)
    return out


# --------------------------------------------------------------------------------------------
# inverse questions
# --------------------------------------------------------------------------------------------


@elementwise
def forecast_for_loss(target_loss, *, cluster=None, accelerator=None, n_accelerators=None,
                      law=laws.DEFAULT_LAW, assumptions=None, uncertainty=False,
                      n_samples=2000, seed=0, keep_samples=False) -> Forecast:
    """Time and cost to reach a target loss with a compute-optimal model.

    Parameters
    ----------
    target_loss : float or array_like
        Target pre-training loss [nats/token], above the law's irreducible loss E.
    cluster, accelerator, n_accelerators :
        The machine, as in :func:`forecast`.
    law : str, Mapping or FitResult
        Law that sets the compute (:func:`scaling.laws.compute_for_loss`) and the
        compute-optimal split (:func:`scaling.laws.compute_optimal`).
    assumptions, uncertainty, n_samples, seed, keep_samples :
        As in :func:`forecast`. With uncertainty the size and tokens stay those of the
        central law; the ``loss`` interval then shows how sure the law is that this run
        reaches the target.

    Returns
    -------
    Forecast
        One row per target, sorted as given.

    Notes
    -----
    .. math:: C = C_{opt}(L),\\quad (N, D) = (N_{opt}(C), D_{opt}(C))
    """
    targets = np.atleast_1d(as_float_array("target_loss", target_loss))
    compute = laws.compute_for_loss(targets, law)
    opt = laws.compute_optimal(compute, law)
    return forecast(np.asarray(opt.n_params), cluster=cluster, accelerator=accelerator,
                    n_accelerators=n_accelerators, law=law, n_tokens=np.asarray(opt.n_tokens),
                    assumptions=assumptions, uncertainty=uncertainty, n_samples=n_samples,
                    seed=seed, keep_samples=keep_samples)




def _machine_for(cluster, accelerator, n_accelerators, assumptions, *, count_required=True):
    """The door: the machine named one of three ways and the assumptions, resolved once."""
    machine = setup(as_machine(cluster, accelerator, n_accelerators,
                               count_required=count_required), as_assumptions(assumptions))
    if count_required:
        check_replica(machine, machine.cluster.n_accelerators)
    return machine


def _central_inputs(machine, workload, col, model, spec):
    """Chain inputs with the throughput found once per size at the central workload.

    Returns ``(inputs, infeasible_mask, notes)``: without uncertainty an infeasible size
    raises; with it, its MFU is a placeholder to be masked and ``notes`` says why.
    """
    inputs = machine.inputs(workload["central_compute_flop"], machine.cluster.n_accelerators,
                            n_params=col, model=model,
                            on_infeasible="raise" if spec is None else "nan")
    inputs["compute_flop"] = workload["compute_flop"]
    throughput = inputs["throughput"]
    bad = ~np.asarray(throughput.feasible, dtype=bool)
    notes = []
    if bad.any():
        sizes = np.broadcast_to(col, bad.shape)[bad]
        notes = [f"no parallel layout fits {size:.3g} parameters: {why}"
                 for size, why in zip(sizes, throughput.infeasible)]
        inputs["mfu"] = np.where(bad, 1.0, inputs["mfu"])    # stand-ins, masked afterwards
        inputs["n_accelerators_used"] = np.where(bad, machine.cluster.n_accelerators,
                                                 inputs["n_accelerators_used"])
    return inputs, bad, notes


def _active_sizes(sizes, n_active_params, model):
    """The active parameters per size (all of them for a dense model), checked against the
    total and the model (:mod:`scaling.training_state`): compute is 6 x active x tokens."""
    shape = None if model is None else as_model_shape(model)
    if shape is not None:
        training_state.check_matches_model(sizes, shape)
        if n_active_params is None:
            return np.full(sizes.shape, float(shape.n_active_params))
    if n_active_params is None:
        return sizes
    return training_state.check_active_within_total(n_active_params, sizes, shape)


def _state_fits(machine, sizes, active, bad, notes, *, raise_: bool):
    """Mark (or refuse) the mixture-of-experts sizes whose training state, all parameters
    fully sharded, does not fit the machine: their step time is a dense stand-in's
    (:func:`scaling.training_state.state_shortfall`)."""
    moe = active < sizes
    short = np.zeros(sizes.shape, dtype=bool)
    if not moe.any():
        return bad, notes
    _, short[moe], why = training_state.state_shortfall(
        sizes[moe], machine.accelerator, machine.cluster.n_accelerators,
        precision=machine.assumptions.precision)
    if not short.any():
        return bad, notes
    if raise_:
        raise InfeasibleRunError(why[0])
    mask = np.broadcast_to(short.reshape(-1, *([1] * (np.ndim(bad) - 1))), np.shape(bad))
    return np.asarray(bad) | mask, list(notes) + why


@elementwise
def forecast(n_params, *, cluster=None, accelerator=None, n_accelerators=None,
             law=laws.DEFAULT_LAW, tokens_per_param=None, n_tokens=None, model=None,
             n_active_params=None, assumptions=None, uncertainty=False, n_samples=2000,
             seed=0, keep_samples=False) -> Forecast:
    """Training time, energy and dollars versus model size on one machine.

    Parameters
    ----------
    n_params : float or array_like
        Model sizes N [parameters], > 0 (None with ``model``: the model's count).
    cluster : str or Cluster, optional
        The machine: a catalog name (``scaling.list_clusters()``) or a
        :class:`~scaling.Cluster`; or give ``accelerator`` and ``n_accelerators``.
    accelerator : str or Accelerator, optional
        The chip of a machine named by accelerator and count (e.g. ``"H100"``).
    n_accelerators : int, optional
        Accelerators [count]: required with ``accelerator``; with ``cluster``, use this many
        of its accelerators (default: all).
    law : str, Mapping or FitResult
        Scaling law for the compute-optimal tokens and the loss
        (:func:`scaling.laws.law_parameters`). With uncertainty, a FitResult's bootstrap
        draws are used; a name gets the prior :data:`scaling.uncertainty.LAW_PRIOR`.
    tokens_per_param : float or array_like, optional
        Fixed D/N instead of the compute-optimal allocation [tokens/parameter].
    n_tokens : float or array_like, optional
        Fixed token budget (scalar or one per size) [tokens].
    model : ModelShape or str, optional
        The model of a one-size forecast for the step-time model (e.g. ``"DeepSeek-V3"``);
        ``n_params`` must then be its parameter count (within 10%). None derives a dense shape
        from each size (of its active parameters).
    n_active_params : float or array_like, optional
        Parameters active per token of a mixture of experts [parameters], <= ``n_params``
        (default: a named model's, else all of them). Compute is :math:`6 N_{active} D`; the
        compute-optimal tokens and the loss are the law's at the active count (a
        dense-equivalent reading: the laws are fitted on dense models); ``n_params`` (the
        total) sets the checkpoint size.
    assumptions : Assumptions, optional
        MFU, precision, PUE, failures and prices (:class:`scaling.Assumptions`).
    uncertainty : bool or Mapping
        True for Monte Carlo with :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY` and the
        law's uncertainty; a mapping overrides entries (``None`` fixes one input;
        ``{"law": None}`` fixes the law). The step-time model is searched once per size at
        the central law's workload; its Monte Carlo spread is ``DEFAULT_UNCERTAINTY["mfu"]``
        around it.
    n_samples : int
        Monte Carlo scenarios (>= 2).
    seed : int
        Seed of ``numpy.random.default_rng`` (a whole number >= 0).
    keep_samples : bool
        Keep the raw (sizes x samples) arrays on the result (:meth:`Forecast.percentiles`).

    Returns
    -------
    Forecast

    Raises
    ------
    InfeasibleRunError
        Without uncertainty, when a size never finishes (interrupted faster than it restarts)
        or no layout fits it in memory. With uncertainty such a size's row is NaN and
        :attr:`Forecast.notes` says why.

    Notes
    -----
    Per size: :math:`D = D_{opt}(N)` (or the given policy), :math:`C = 6ND`,
    :math:`L = E + A/N^\\alpha + B/D^\\beta`, then :func:`scaling.chain.run_chain`.
    """
    machine = _machine_for(cluster, accelerator, n_accelerators, assumptions)
    a = machine.assumptions
    if n_params is None and model is not None:   # the model fixes the size
        n_params = float(as_model_shape(model).n_params)
    sizes = _sizes(n_params)
    _monte_carlo_settings(n_samples, seed, keep_samples)
    if model is not None and sizes.size != 1:
        raise ValueError(f"model= describes one model; give one size in n_params, got "
                         f"{sizes.size}")
    active = _active_sizes(sizes, n_active_params, model)
    spec = mc.uncertainty_spec(uncertainty, run_efficiency=a.run_efficiency)
    workload, col, rng, n_samples = _scenarios(active, law, tokens_per_param, n_tokens, spec,
                                               n_samples, seed)
    workload["n_params"], workload["n_active_params"] = sizes, active
    inputs, bad, notes = _central_inputs(machine, workload, col, model, spec)
    if not np.array_equal(active, sizes):   # the checkpoint holds every parameter
        inputs["checkpoint_time_s"] = machine.reliability.pause_s(
            sizes if col.ndim == 1 else sizes[:, None])
        inputs["n_params"] = sizes if col.ndim == 1 else sizes[:, None]
        bad, notes = _state_fits(machine, sizes, active, bad, notes, raise_=spec is None)
    if spec is not None:
        inputs.update(mc.sample_inputs(spec, inputs, n_samples, rng,
                                       accelerator=machine.accelerator))
    values = run_chain(inputs, include_failures=a.include_failures)
    if spec is None:
        check_feasible(values, inputs)
    values = _mask_infeasible(values, bad)
    return _result(values, workload, machine.cluster, a, law, spec, n_samples, seed,
                   keep_samples, notes)


@elementwise
def forecast_for_deadline(n_params, *, deadline_s, accelerator=None, cluster=None,
                          law=laws.DEFAULT_LAW, tokens_per_param=None, n_tokens=None,
                          assumptions=None, uncertainty=False, n_samples=2000, seed=0,
                          keep_samples=False) -> Forecast:
    """The machine it takes to train each model size by a deadline, and what it costs.

    The inverse of :func:`forecast` in the accelerator count (:func:`scaling.solve.
    accelerators_for_deadline`): for each size (and scenario), the number of accelerators of
    one kind whose run takes exactly ``deadline_s``, then the chain's power, energy and
    dollars for that machine.

    Parameters
    ----------
    n_params : float or array_like
        Model sizes N [parameters].
    deadline_s : float
        Wall-clock time available [s].
    accelerator : str or Accelerator, optional
        The chip to build the machine from (package defaults for PUE and resilience).
    cluster : str or Cluster, optional
        A machine whose accelerator, PUE, resilience, region and scale-out bandwidth to use
        instead (its count is what is asked for).
    law, tokens_per_param, n_tokens, assumptions, uncertainty, n_samples, seed, keep_samples :
        As in :func:`forecast`.

    Returns
    -------
    Forecast
        ``n_accelerators`` is the count of whole accelerators that meets the deadline (the
        requirement rounded up; with an interval under uncertainty) and
        ``n_accelerators_required`` the requirement before rounding; ``time_s`` is the run's
        on the whole count (at most the deadline); power, energy, capex and cost are those of
        that machine. ``cluster`` is ``"<accelerator> for deadline"``.

    Raises
    ------
    InfeasibleRunError
        Without uncertainty, when no count meets the deadline (the batch-size wall, or
        failures growing faster than throughput).

    Notes
    -----
    :math:`n = C / (T\\,P_{peak}\\,\\mathrm{MFU}(n)\\,G(n))`. With uncertainty the layout of
    the central answer is held for every scenario, its MFU drawn around it.
    """
    machine = _machine_for(cluster, accelerator, None, assumptions, count_required=False)
    a = machine.assumptions
    sizes = _sizes(n_params)
    _monte_carlo_settings(n_samples, seed, keep_samples)
    deadline = scalar("deadline_s", deadline_s)
    spec = mc.uncertainty_spec(uncertainty, run_efficiency=a.run_efficiency)
    workload, col, rng, n_samples = _scenarios(sizes, law, tokens_per_param, n_tokens, spec,
                                               n_samples, seed)
    central = solve.whole_counts(machine, solve.accelerators_for_deadline(
        machine, workload["central_compute_flop"], deadline, n_params=col,
        strict=spec is None), workload["central_compute_flop"], n_params=col)
    solution = central
    if spec is not None:
        draws = mc.sample_inputs(spec, central.inputs, n_samples, rng,
                                 accelerator=machine.accelerator)
        held = central.inputs["throughput"]
        solution = solve.whole_counts(machine, solve.accelerators_for_deadline(
            machine, workload["compute_flop"], deadline, n_params=col, held=held,
            overrides=draws, strict=False), workload["compute_flop"], n_params=col,
            held=held, overrides=draws)
    values = _missed_deadline(dict(solution.values), solution)
    label = replace(machine.cluster, name=f"{machine.accelerator.name} for deadline",
                    source="scaling.forecast_for_deadline")
    result = _result(values, workload, label, a, law, spec, n_samples, seed, keep_samples,
                     solution.reasons)
    return _with_required(result, solution, spec is not None)


def _with_required(result, solution, uncertain):
    """The Forecast with ``n_accelerators_required`` (the count before rounding up, with its
    interval under uncertainty) after ``n_accelerators``."""
    required = np.asarray(solution.required, dtype=float)
    met = np.broadcast_to(np.asarray(solution.met, dtype=bool), required.shape)
    required = np.where(met, required, np.inf)
    frame = result.frame.copy()
    columns = list(frame.columns)
    at = columns.index("n_accelerators_ci_upper" if uncertain else "n_accelerators") + 1
    n_rows = len(frame)
    if uncertain:
        bands = mc.percentiles(required)
        names = ("n_accelerators_required_ci_lower", "n_accelerators_required",
                 "n_accelerators_required_ci_upper")
        for k, (name, band) in enumerate(zip(names, bands)):
            frame.insert(at + k, name, np.broadcast_to(band, (n_rows,)).copy())
    else:
        frame.insert(at, "n_accelerators_required",
                     np.broadcast_to(required, (n_rows,)).copy())
    return replace(result, frame=frame)


def _missed_deadline(values, solution):
    """Scenarios that miss the deadline: unbounded count, time and money; no goodput."""
    met = np.asarray(solution.met, dtype=bool)
    if not met.all():
        for name, value in values.items():
            value = np.asarray(value, dtype=float)
            if value.shape == met.shape and name not in ("compute_flop", "n_params", "mfu",
                                                          "peak_flop_per_s", "pue"):
                values[name] = np.where(met, value, 0.0 if name == "goodput" else np.inf)
    values["n_accelerators"] = np.where(met, np.broadcast_to(
        np.asarray(solution.values["n_accelerators"], dtype=float), met.shape), np.inf)
    return values


@elementwise
def largest_trainable(cluster=None, *, deadline_s, accelerator=None, n_accelerators=None,
                      law=laws.DEFAULT_LAW, assumptions=None) -> Forecast:
    """Largest compute-optimal model a machine trains within a deadline.

    Parameters
    ----------
    cluster, accelerator, n_accelerators :
        The machine (a catalog name or a Cluster; or an accelerator with a count), as in
        :func:`forecast`.
    deadline_s : float or array_like
        Wall-clock budgets [s], > 0 (e.g. ``90 * scaling.units.SECONDS_PER_DAY``).
    law, assumptions :
        As in :func:`forecast`.

    Returns
    -------
    Forecast
        One row per deadline: the compute-optimal (N, D) whose run time equals the deadline
        (the frame's ``time_s`` reproduces ``deadline_s``). Where the deadline falls on a
        jump of the predicted MFU (a change of layout or of the derived model shape between
        two neighbouring sizes), no size takes exactly the deadline; the row is then the
        largest size whose time is within it.

    Raises
    ------
    InfeasibleRunError
        No compute-optimal run finishes within the deadline (or the model it calls for does
        not fit in the machine's memory).

    Notes
    -----
    Solves :math:`t(C) = T` for C (:func:`scaling.solve.compute_for_deadline`), with t from
    :func:`scaling.chain.run_chain` at the compute-optimal :math:`N_{opt}(C)`.
    """
    machine = _machine_for(cluster, accelerator, n_accelerators, assumptions)
    deadlines = np.atleast_1d(as_float_array("deadline_s", deadline_s)).astype(float)
    solution = solve.compute_for_deadline(machine, deadlines, law=law)
    opt = laws.compute_optimal(np.asarray(solution.value), law)
    return forecast(np.asarray(opt.n_params), cluster=machine.cluster, law=law,
                    n_tokens=np.asarray(opt.n_tokens), assumptions=machine.assumptions)
