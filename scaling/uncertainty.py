"""One uncertainty engine: uncertain inputs, the law prior, sampling, percentiles, sensitivity.

Every Monte Carlo in the package (forecast bands, the systems' run-time intervals) and every
one-at-a-time sensitivity table goes through this module.

* An uncertain input is an :class:`Uncertain`: a log-normal multiplier on the input's
  central value given by its 5th and 95th percentiles (two-piece when the median is not their
  geometric mean), with its source. :data:`DEFAULT_UNCERTAINTY` holds the documented spreads,
  keyed by the names of the chain's inputs (:func:`scaling.chain.chain_inputs`): the MFU's
  from the package's own backtest, the published ones from ``data/monte_carlo_spreads.csv``.
* The law's uncertainty comes from the bootstrap draws of a
  :class:`scaling.fit.FitResult`, or from :data:`LAW_PRIOR` (``data/law_prior.csv``) around a
  published parameter set (:func:`law_draws`).
* One draw of every input is one *scenario*; :func:`sample_inputs` draws them in a fixed
  order from one seeded generator, so results are reproducible.
* A trend projection (an :class:`~scaling.Accelerator` with ``projection_year``, e.g.
  ``scaling.accelerator("typical-2030")``) has its peak, price and TDP drawn jointly from the
  hardware trend fits (:func:`scaling.trends.typical_accelerator_draws`, the ``"hardware_trend"``
  entry of an uncertainty mapping) instead of the catalog chip price spread.
* :func:`percentiles` reduces scenarios to the reported P5/P50/P95 (:data:`CI_LEVEL`,
  :data:`PROBABILITIES`) with one selection per array (no full sort).
* :func:`sensitivity` is the one-at-a-time analysis: any function, any inputs, any output,
  one definition of swing (``|output_high - output_low|``, in the output's unit).

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015 (2024); uncertainty notebooks at
   https://github.com/epoch-research/training-cost-trends
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication
   attempt", arXiv:2404.10102 (2024).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from types import MappingProxyType

import numpy as np

from scaling import laws
from scaling._validation import (
    as_float_array, check_at_least, check_choice, check_fraction, scalar, unknown_name,
)
from scaling.data import cached_until_reload, load_table
from scaling.efficiency import DEFAULT_RUN_EFFICIENCY, run_efficiency_presets
from scaling.trends import typical_accelerator, typical_accelerator_draws

__all__ = [
    "mfu_spread",
    "CI_LEVEL",
    "PROBABILITIES",
    "Z_CI",
    "DEFAULT_UNCERTAINTY",
    "LAW_PRIOR",
    "HARDWARE_TREND",
    "PROJECTION_INPUTS",
    "Uncertain",
    "Case",
    "law_draws",
    "law_at_quantile",
    "uncertainty_spec",
    "sample_inputs",
    "percentiles",
    "sensitivity",
]

#: Two-sided coverage of the reported intervals: P5 and P95 (``*_ci_lower``/``*_ci_upper``),
#: the 90% intervals Epoch uses for its cost inputs (Cottier et al. 2024).
CI_LEVEL = 0.90

#: The percentiles every uncertain output reports: lower bound, median, upper bound.
PROBABILITIES = (0.5 - CI_LEVEL / 2.0, 0.5, 0.5 + CI_LEVEL / 2.0)

#: Standard-normal quantile of the upper bound of :data:`CI_LEVEL` (1.6448536... for 90%):
#: the one z constant of the package.
Z_CI = NormalDist().inv_cdf(PROBABILITIES[2])


# --------------------------------------------------------------------------------------------
# uncertain inputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Uncertain:
    """A named uncertain input: a log-normal multiplier on its central value.

    Parameters
    ----------
    p5_ratio, p95_ratio : float
        5th and 95th percentiles of the multiplier (0 < p5_ratio <= p95_ratio).
    median_ratio : float or None
        Median of the multiplier. None (default) uses the geometric mean of the percentiles
        (a symmetric log-normal; Epoch's interconnect overhead 1.07-1.32 around 1.235 is then
        reproduced as published); a value makes it a two-piece log-normal with each side's
        spread set by its own percentile (e.g. GPT-4's compute, 2.1e25 with a 90% interval
        8.2e24-4.4e25: ``median_ratio=1``).
    applies_to : {"value", "excess"}
        ``"value"``: x = central * r. ``"excess"``: x = 1 + (central - 1) * r, for ratios that
        cannot fall below 1 (PUE).
    upper_bound, lower_bound : float
        Largest and smallest allowed values (MFU <= 1; a cost overhead >= 1). Draws outside
        are redrawn, i.e. the distribution is truncated there, never clipped.
    source : str
        Where the spread comes from.
    """

    p5_ratio: float
    p95_ratio: float
    median_ratio: float | None = None
    applies_to: str = "value"
    upper_bound: float = math.inf
    lower_bound: float = 0.0
    source: str

    def __post_init__(self):
        lo = scalar("Uncertain.p5_ratio", self.p5_ratio)
        hi = scalar("Uncertain.p95_ratio", self.p95_ratio)
        if not lo <= hi:
            raise ValueError(f"Uncertain needs p5_ratio <= p95_ratio, got {lo!r} > {hi!r}")
        object.__setattr__(self, "p5_ratio", lo)
        object.__setattr__(self, "p95_ratio", hi)
        if self.median_ratio is not None:
            median = scalar("Uncertain.median_ratio", self.median_ratio)
            if not lo <= median <= hi:
                raise ValueError(f"Uncertain.median_ratio must lie between p5_ratio and "
                                 f"p95_ratio ({lo!r}-{hi!r}), got {median!r}")
            object.__setattr__(self, "median_ratio", median)
        check_choice("Uncertain.applies_to", self.applies_to, ("value", "excess"))
        object.__setattr__(self, "upper_bound", scalar("Uncertain.upper_bound",
                                                       self.upper_bound, allow_inf=True))
        object.__setattr__(self, "lower_bound", scalar("Uncertain.lower_bound",
                                                       self.lower_bound, allow_zero=True))
        if not self.lower_bound < self.upper_bound:
            raise ValueError("Uncertain needs lower_bound < upper_bound, got "
                             f"{self.lower_bound!r} and {self.upper_bound!r}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError("Uncertain.source must be a non-empty string")

    @property
    def log_median(self) -> float:
        """Median of ln(multiplier)."""
        if self.median_ratio is None:
            return 0.5 * (math.log(self.p5_ratio) + math.log(self.p95_ratio))
        return math.log(self.median_ratio)

    @property
    def log_sigmas(self) -> tuple[float, float]:
        """Standard deviations of ln(multiplier) below and above the median."""
        mu = self.log_median
        return ((mu - math.log(self.p5_ratio)) / Z_CI, (math.log(self.p95_ratio) - mu) / Z_CI)

    def _value(self, central, z):
        low, high = self.log_sigmas
        r = np.exp(self.log_median + np.where(z < 0.0, low, high) * z)
        return 1.0 + (central - 1.0) * r if self.applies_to == "excess" else central * r

    def quantile(self, central: float, probability: float) -> float:
        """The ``probability`` quantile of the input around ``central`` (before truncation)."""
        return float(self._value(float(central), NormalDist().inv_cdf(probability)))

    def interval(self, central: float) -> tuple[float, float]:
        """The input's P5 and P95 around ``central`` (:data:`CI_LEVEL`), within its bounds."""
        low, high = (self.quantile(central, p) for p in (PROBABILITIES[0], PROBABILITIES[2]))
        return (min(max(low, self.lower_bound), self.upper_bound),
                min(max(high, self.lower_bound), self.upper_bound))

    def sample(self, central: float, n_samples: int, rng) -> np.ndarray:
        """Draw ``n_samples`` values around ``central`` (1-D array).

        Notes
        -----
        .. math:: r = \\exp(\\mu + \\sigma_\\pm z),\\quad
                  \\sigma_- = (\\mu - \\ln r_5)/z_{95},\\quad \\sigma_+ = (\\ln r_{95} - \\mu)/z_{95}
        """
        central = float(central)
        if not self.lower_bound <= central <= self.upper_bound:
            raise ValueError(f"central value {central!r} lies outside the bounds "
                             f"[{self.lower_bound!r}, {self.upper_bound!r}]")
        values = self._value(central, rng.standard_normal(n_samples))
        out = (values > self.upper_bound) | (values < self.lower_bound)
        while out.any():  # truncation by redrawing (rare: a few draws in a thousand)
            values[out] = self._value(central, rng.standard_normal(int(out.sum())))
            out = (values > self.upper_bound) | (values < self.lower_bound)
        return values

    def sample_around(self, central, n_samples: int, rng) -> np.ndarray:
        """One multiplier per scenario applied to an array of central values.

        The same draw scales every element (the uncertainty is systematic, e.g. MFU across
        model sizes); the result has the shape of ``central`` with a scenario axis appended
        (``central[..., None] * r``). Draws that would take any finite element outside the
        bounds are redrawn. Only for ``applies_to="value"``.
        """
        if self.applies_to != "value":
            raise ValueError("sample_around needs applies_to='value'")
        c = np.asarray(central, dtype=float)
        finite = c[np.isfinite(c)]
        if finite.size == 0:
            return np.broadcast_to(c[..., None], c.shape + (n_samples,)).copy()
        if (finite <= 0).any():
            raise ValueError("sample_around needs positive central values")
        unit = Uncertain(p5_ratio=self.p5_ratio, p95_ratio=self.p95_ratio,
                         median_ratio=self.median_ratio,
                         upper_bound=self.upper_bound / finite.max(),
                         lower_bound=self.lower_bound / finite.min(), source=self.source)
        return c[..., None] * unit.sample(1.0, n_samples, rng)


def mfu_spread(preset: str = DEFAULT_RUN_EFFICIENCY) -> Uncertain:
    """The MFU spread of :data:`DEFAULT_UNCERTAINTY`: the whole-run efficiency's predictive
    distribution for a new run under a preset (default: the default preset; :mod:`scaling.efficiency`,
    ``data/run_efficiency.csv``), a log-normal with the Student-t prediction interval's P5 and
    P95 (``band_log_halfwidth``), capped at an MFU of 1. Out of sample its P5-P95 covers the
    reported accelerator-hours of ~90% of published runs
    (``scaling.backtest(method="leave_one_out").coverage()``)."""
    preset = run_efficiency_presets()[preset]
    half = preset.band_log_halfwidth
    return Uncertain(
        p5_ratio=math.exp(-half), p95_ratio=math.exp(half), upper_bound=1.0,
        source=(f"Whole-run efficiency of published runs (preset {preset.name!r}, "
                f"{preset.n_runs} developer-reported runs of data/training_runs.csv): "
                f"ln-residual standard deviation {preset.log_sd:.3f}, 90% prediction interval "
                f"x/÷ {math.exp(half):.2f} (Student t, n - 1 degrees of freedom; "
                "scaling.studies.efficiency.fit_run_efficiency); log-normal around the "
                "predicted MFU"))


def _bound(row, column, default):
    value = row[column]
    return default if value != value else float(value)  # NaN: an empty cell


@cached_until_reload
def _default_uncertainty() -> Mapping[str, Uncertain]:
    """:data:`DEFAULT_UNCERTAINTY`: the MFU spread, then the rows of
    ``data/monte_carlo_spreads.csv`` in their order (the order inputs are drawn in)."""
    spreads = {"mfu": mfu_spread()}
    for row in load_table("monte_carlo_spreads").to_dict("records"):
        central = float(row["quoted_central"])
        spreads[row["input"]] = Uncertain(
            p5_ratio=float(row["quoted_p5"]) / central,
            p95_ratio=float(row["quoted_p95"]) / central, applies_to=row["applies_to"],
            lower_bound=_bound(row, "lower_bound", 0.0),
            upper_bound=_bound(row, "upper_bound", math.inf), source=row["source"])
    return MappingProxyType(spreads)


# Keys of :data:`LAW_PRIOR` and their columns in data/law_prior.csv.
_PRIOR_COLUMNS = {"E_se": "E_se_nats_per_token", "alpha_se": "alpha_se", "beta_se": "beta_se",
                  "pivot_n_params": "pivot_n_params", "pivot_n_tokens": "pivot_n_tokens"}


@cached_until_reload
def _law_prior() -> Mapping[str, float | str]:
    """:data:`LAW_PRIOR`, from the one row of ``data/law_prior.csv``."""
    (row,) = load_table("law_prior").to_dict("records")
    return MappingProxyType({**{key: float(row[column]) for key, column in _PRIOR_COLUMNS.items()},
                             "source": row["source"]})


# Curated tables served lazily by the module (:func:`__getattr__`), so that
# :func:`scaling.data.reload` makes an edited CSV take effect:
#
# DEFAULT_UNCERTAINTY: default spreads of the Monte Carlo inputs (90% intervals as multipliers
#   of the central value), keyed by the chain input they vary
#   (:func:`scaling.chain.chain_inputs`): the MFU's from the whole-run efficiency preset, the
#   others from ``data/monte_carlo_spreads.csv`` (each row's interval as its source quotes
#   it, ``quoted_p5`` and ``quoted_p95`` around ``quoted_central``, 1 for spreads quoted as
#   multipliers). Override any entry with ``uncertainty={"mfu": Uncertain(...)}``; ``None``
#   fixes an input.
# LAW_PRIOR: prior around a *named* law, used when ``law`` is a name rather than a fit with
#   bootstrap draws (``data/law_prior.csv``). The exponents and E are normal with the standard
#   errors Besiroglu et al. (2024) report (E 0.03, alpha 0.02, beta 0.02; arXiv:2404.10102 /
#   epoch-research analyzing-chinchilla notebook). A and B are not drawn independently
#   (their bootstrap errors are almost perfectly correlated with the exponents'): each term
#   is held at its central value at the centre of the fitted data, the geometric means
#   N = 8.49e8 parameters and D = 1.69e10 tokens of the 240 Chinchilla points (computed from
#   the points of Besiroglu et al.), so A = A0 N0^(alpha - alpha0) and
#   B = B0 D0^(beta - beta0). This gives SE(a) = 0.020 for the allocation exponent
#   a = beta/(alpha+beta), matching the paper, and ln-SEs of 0.41 (A) and 0.47 (B) against
#   the paper's relative SEs 0.26 and 0.62.
_TABLES = {"DEFAULT_UNCERTAINTY": _default_uncertainty, "LAW_PRIOR": _law_prior}


def __getattr__(name: str):
    """The curated tables (:data:`DEFAULT_UNCERTAINTY`, :data:`LAW_PRIOR`), read from
    ``data/`` on first use and after every :func:`scaling.data.reload`."""
    if name in _TABLES:
        return _TABLES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The name under which the law's uncertainty appears in ``uncertainty`` mappings and
#: sensitivity tables.
LAW = "law"

#: The name under which a projected accelerator's trend uncertainty appears in ``uncertainty``
#: mappings (True: draw it; None: hold the projection at its central value).
HARDWARE_TREND = "hardware_trend"

#: Chain inputs a trend projection draws jointly from the trend fits, as multipliers of its
#: central value: dense peak (same ratio for bf16 and fp8), price per accelerator, TDP. The
#: prediction interval of the price-per-FLOP fit already holds the chip-to-chip price scatter,
#: so the ``"price_usd"`` spread of :data:`DEFAULT_UNCERTAINTY` is not applied on top.
PROJECTION_INPUTS = ("peak_flop_per_s", "price_usd", "tdp_w")

_BELOW_ONE = {"include_zero": True, "include_one": False}
_ZERO = {"allow_zero": True}
#: The domain of each chain input, in the order the chain's stages take them: the check of
#: :mod:`scaling._validation` and its arguments, as the chain's public functions check them
#: (the stages trust their inputs, so draws are checked where they are drawn).
_DOMAIN = {
    "peak_flop_per_s": (as_float_array, {}), "n_accelerators": (as_float_array, {}),
    "mfu": (check_fraction, {}),
    "checkpoint_overhead_fraction": (check_fraction, _BELOW_ONE),
    "hot_spare_fraction": (check_fraction, _BELOW_ONE),
    "failure_rate_per_accelerator_hour": (as_float_array, {}),
    "scaling_exponent": (as_float_array, {}), "checkpoint_time_s": (as_float_array, _ZERO),
    "restart_time_s": (as_float_array, _ZERO), "tdp_w": (as_float_array, {}),
    "chip_to_server_power": (check_at_least, {"minimum": 1.0}),
    "server_power_fraction": (check_fraction, {}),
    "pue": (check_at_least, {"minimum": 1.0, "why": "facility power includes the IT load"}),
    "electricity_usd_per_kwh": (as_float_array, {}), "price_usd": (as_float_array, _ZERO),
    "server_cost_overhead": (check_at_least, {"minimum": 1.0}),
    "network_cost_overhead": (check_at_least, {"minimum": 1.0}),
    "facility_capex_usd_per_w": (as_float_array, _ZERO),
    "amortization_rate_per_year": (as_float_array, _ZERO),
    "rental_usd_per_hour": (as_float_array, {}),
    "carbon_intensity_g_per_kwh": (as_float_array, _ZERO),
    "carbon_free_energy_fraction": (check_fraction, {"include_zero": True}),
}
#: Inputs of the capex, used (and checked) only where a price is known.
_CAPEX_INPUTS = ("server_cost_overhead", "network_cost_overhead", "facility_capex_usd_per_w",
                 "amortization_rate_per_year")


def _prior_params(central, z_alpha, z_beta, z_e):
    prior = _law_prior()
    alpha = central["alpha"] + prior["alpha_se"] * z_alpha
    beta = central["beta"] + prior["beta_se"] * z_beta
    e = central["E"] + prior["E_se"] * z_e
    if np.any(alpha <= 0) or np.any(beta <= 0) or np.any(e <= 0):
        raise ValueError("the law prior produced non-positive parameters; law too close to 0")
    a = central["A"] * prior["pivot_n_params"] ** (alpha - central["alpha"])
    b = central["B"] * prior["pivot_n_tokens"] ** (beta - central["beta"])
    return {"E": e, "A": a, "B": b, "alpha": alpha, "beta": beta}


def _scalar_law(law) -> dict:
    central = laws.law_parameters(law)
    if any(np.ndim(v) for v in central.values()):
        raise ValueError("a law with array-valued parameters cannot be given a prior; pass a "
                         "scalar parameter set or a FitResult with bootstrap draws")
    return central


def law_draws(law, n_samples: int, rng) -> dict:
    """Monte Carlo draws of (E, A, B, alpha, beta) as 1-D arrays.

    A :class:`scaling.fit.FitResult` gives its bootstrap draws; a named or given parameter
    set gets :data:`LAW_PRIOR`.
    """
    if hasattr(law, "sample_params"):
        return law.sample_params(n_samples, seed=int(rng.integers(2**31)))
    central = _scalar_law(law)
    z = rng.standard_normal((3, n_samples))
    return _prior_params(central, z[0], z[1], z[2])


def law_at_quantile(law, probability: float) -> dict:
    """The law at the ``probability`` quantile of its compute-optimal exponent a = beta/(alpha+beta).

    Used as the law's low and high case in one-at-a-time sensitivities: a larger a means more
    parameters and fewer tokens per FLOP. For a fit with bootstrap draws, the draw at that
    quantile of a; for a named law, the prior with alpha and beta moved in opposite
    directions by ``z / sqrt(2)`` standard errors each (which moves a by ``z`` of its standard
    error when the two errors are equal) and E at its central value.
    """
    probability = scalar("probability", probability)
    if not 0 < probability < 1:
        raise ValueError(f"probability must be in (0, 1), got {probability!r}")
    if hasattr(law, "sample_params") and getattr(law, "n_bootstrap", 0) > 1:
        good = law.sample_params()
        a = good["beta"] / (good["alpha"] + good["beta"])
        pick = np.argsort(a, kind="stable")[min(int(probability * a.size), a.size - 1)]
        return {k: float(v[pick]) for k, v in good.items()}
    central = _scalar_law(law)
    z = NormalDist().inv_cdf(probability) / math.sqrt(2.0)
    return {k: float(v) for k, v in _prior_params(central, -z, z, 0.0).items()}


def uncertainty_spec(uncertainty, *, run_efficiency=DEFAULT_RUN_EFFICIENCY) -> dict | None:
    """Resolve ``uncertainty`` (bool or mapping of overrides) to a dict of inputs, or None.

    The dict maps chain-input names to :class:`Uncertain` (None = that input fixed),
    ``"law"`` to True (draw the law) or None (fixed law), and ``"hardware_trend"`` to True
    (draw a projected accelerator from the trend fits) or None. ``run_efficiency`` (the
    assumptions' setting) sets the MFU spread: a preset's own predictive band
    (:func:`mfu_spread`); the default preset's for a number.
    """
    if uncertainty is None or uncertainty is False:
        return None
    defaults = _default_uncertainty()
    spec = dict(defaults)
    if isinstance(run_efficiency, str) and run_efficiency != DEFAULT_RUN_EFFICIENCY:
        spec["mfu"] = mfu_spread(run_efficiency)
    spec[LAW] = True
    spec[HARDWARE_TREND] = True
    if uncertainty is True:
        return spec
    if isinstance(uncertainty, Mapping):
        valid = list(defaults) + [LAW, HARDWARE_TREND]
        for key, value in uncertainty.items():
            if key not in valid:
                raise unknown_name("uncertain input", key, valid)
            if key in (LAW, HARDWARE_TREND):
                if value not in (None, True, False):
                    raise ValueError(f"uncertainty[{key!r}] must be True or None (held at "
                                     "its central value)")
                spec[key] = True if value else None
            elif value is not None and not isinstance(value, Uncertain):
                raise ValueError(f"uncertainty[{key!r}] must be an Uncertain or None, got "
                                 f"{type(value).__name__}")
            else:
                spec[key] = value
        return spec
    raise ValueError("uncertainty must be True, False or a mapping name -> Uncertain or None, "
                     f"got {uncertainty!r}")


def sample_inputs(spec: Mapping, central: Mapping, n_samples: int, rng, *,
                  accelerator=None) -> dict:
    """Draw the uncertain chain inputs: ``{name: (1, n_samples) array}``.

    Inputs are drawn in the order of ``spec`` from ``rng``; an input whose central value is
    NaN (e.g. no catalog price) stays NaN. Inputs of ``spec`` that are None or absent from
    ``central`` are not drawn. An input whose central value is an array (the step-time MFU of
    each model size, shape (sizes, 1)) gets one multiplier per scenario
    (:meth:`Uncertain.sample_around`): shape (sizes, n_samples).

    Parameters
    ----------
    spec : Mapping
        As returned by :func:`uncertainty_spec`.
    central : Mapping
        The central chain inputs (:func:`scaling.chain.chain_inputs`).
    n_samples : int
    rng : numpy.random.Generator
    accelerator : Accelerator, optional
        The chip of the run. When it is a trend projection (``projection_year`` set) and
        ``spec[HARDWARE_TREND]`` is True, :data:`PROJECTION_INPUTS` are drawn jointly from
        :func:`scaling.trends.typical_accelerator_draws` (after the other inputs, with a seed
        taken from ``rng``) as multipliers of their central values.

    Raises
    ------
    ValueError
        The central inputs come from a projection but no ``accelerator`` was passed, or a
        draw lies outside the chain's domain (e.g. an MFU above 1, a PUE below 1), with the
        message of the chain's public functions.

    Notes
    -----
    For a projection of year Y, draw i multiplies each central input by
    :math:`q_i / q_{central}` with :math:`q` the peak, chip price or TDP of the typical
    accelerator (the valued price keeps its date and dollar adjustments).
    """
    trend = spec.get(HARDWARE_TREND) is not None
    projected = accelerator is not None and accelerator.projection_year is not None
    year = float(np.asarray(central.get("projection_year", math.nan), dtype=float))
    if trend and not math.isnan(year) and not projected:
        raise ValueError("the chain inputs come from a trend projection (projection_year "
                         f"{year:g}); pass accelerator= to sample_inputs to draw it")
    skip = PROJECTION_INPUTS if trend and projected else ()
    out = {}
    for name, dist in spec.items():
        if name in (LAW, HARDWARE_TREND) or dist is None or name not in central or name in skip:
            continue
        array = np.asarray(central[name], dtype=float)
        if array.size > 1:
            base = array[..., 0] if array.shape[-1] == 1 else array
            out[name] = dist.sample_around(base, n_samples, rng)
            continue
        value = float(array.reshape(()))
        if math.isnan(value):
            continue
        out[name] = dist.sample(value, n_samples, rng)[None, :]
    if skip:
        out.update(_projection_draws(accelerator, central, n_samples, rng))
    _check_draws(out, central)
    return out


def _check_draws(draws, central) -> None:
    """Refuse draws outside the chain's domain (:data:`_DOMAIN`), in the chain's order, with
    the message its public functions give (e.g. ``pue must be >= 1 and finite ...``)."""
    priced = not np.isnan(np.asarray(draws.get("price_usd", central.get("price_usd", 0.0)),
                                     dtype=float)).all()
    for name, (check, kwargs) in _DOMAIN.items():
        if name in draws and (priced or name not in _CAPEX_INPUTS):
            check(name, draws[name], **kwargs)


def _projection_draws(accelerator, central, n_samples, rng) -> dict:
    """Joint trend draws of a projected accelerator as the chain inputs they scale."""
    year = accelerator.projection_year
    settings = {"precision": accelerator.projection_precision,
                "basis": accelerator.projection_basis}
    middle = typical_accelerator(year, **settings)
    draws = typical_accelerator_draws(year, n_samples, int(rng.integers(2**31)), **settings)
    ratios = {
        "peak_flop_per_s": draws["peak_bf16_flop_per_s"].to_numpy() / middle.peak_bf16_flop_per_s,
        "price_usd": draws["price_usd"].to_numpy() / middle.price_usd,
        "tdp_w": draws["tdp_w"].to_numpy() / middle.tdp_w,
    }
    out = {}
    for name, ratio in ratios.items():
        value = float(np.asarray(central[name], dtype=float))
        if not math.isnan(value):
            out[name] = (value * ratio)[None, :]
    return out


def percentiles(values, probabilities=PROBABILITIES) -> list[np.ndarray]:
    """Linear-interpolation percentiles along the last axis (numpy's default method).

    One partial sort (``numpy.partition`` on the needed order statistics) per array, not a
    full sort.

    Returns
    -------
    list of ndarray
        One array per probability, the shape of ``values`` without its last axis.
    """
    x = np.asarray(values, dtype=float)
    n = x.shape[-1]
    probabilities = [float(p) for p in np.atleast_1d(
        check_at_least("probabilities", probabilities, 0.0))]
    if any(p > 1 for p in probabilities):
        raise ValueError(f"probabilities must be in [0, 1], got {probabilities!r}")
    positions = [p * (n - 1) for p in probabilities]
    kth = sorted({int(math.floor(q)) for q in positions} |
                 {min(int(math.floor(q)) + 1, n - 1) for q in positions})
    part = np.partition(x, kth, axis=-1)
    out = []
    for q in positions:
        lo = int(math.floor(q))
        hi = min(lo + 1, n - 1)
        frac = q - lo
        out.append(part[..., lo] * (1.0 - frac) + part[..., hi] * frac)
    return out


# --------------------------------------------------------------------------------------------
# one-at-a-time sensitivity
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One end of a sensitivity range that changes several settings, with a label.

    Parameters
    ----------
    settings : Mapping
        Keyword arguments swapped into the base case (e.g. ``{"precision": "fp8",
        "mfu": 0.195}``).
    label : str
        How the case is shown in the table.
    """

    settings: Mapping = field(default_factory=dict)
    label: str


def _label(setting) -> str:
    if isinstance(setting, Case):
        return setting.label
    name = getattr(setting, "name", None)
    if isinstance(name, str):
        return name
    if isinstance(setting, float):
        return f"{setting:.3g}"
    return str(setting)


def _number(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"output must be a number; got {value!r} for {what}") from None
    if not math.isfinite(number):
        raise ValueError(f"output must be finite; got {value!r} for {what}")
    return number


def _outputs(result, output, what) -> dict:
    if output is not None:
        result = output(result) if callable(output) else (
            result[output] if isinstance(result, Mapping) else getattr(result, output))
    if isinstance(result, Mapping):
        return {str(k): _number(v, what) for k, v in result.items()}
    if hasattr(result, "items") and hasattr(result, "index"):  # a Series of outputs
        return {str(k): _number(v, what) for k, v in result.items()}
    return {"": _number(result, what)}


def sensitivity(model, base: Mapping, ranges: Mapping, *, output=None, sources=None):
    """One-at-a-time sensitivity: each input moved alone to its low and high case.

    Parameters
    ----------
    model : callable
        ``model(**settings)``; its result (or ``output`` of it) is a number, or a mapping /
        Series of named numbers (several outputs).
    base : Mapping
        Keyword -> base-case value; ``model(**base)`` is the baseline.
    ranges : Mapping
        Input name -> ``(low, high)``. Each end is a value for that keyword, or a
        :class:`Case` that swaps several settings in at once under a label.
    output : str or callable, optional
        Picks the output from the model's result: an attribute or key name, or a function.
    sources : Mapping, optional
        Input name -> where its range comes from (a ``source`` column).

    Returns
    -------
    pandas.DataFrame
        One row per input (and per output when the model returns named outputs), sorted by
        decreasing swing within each output: ``input``, ``output`` (with named outputs),
        ``base_setting``, ``low_setting``, ``high_setting`` (text), ``output_base``,
        ``output_low``, ``output_high`` and ``swing`` = ``|output_high - output_low|``
        [unit of the output]; ``source`` when given.

    Raises
    ------
    ValueError
        A range key that is neither a keyword of ``base`` nor given through :class:`Case`
        settings, a range that is not a pair, or an output that is not a finite number.
    """
    import pandas as pd

    sources = {} if sources is None else dict(sources)
    baseline = _outputs(model(**base), output, "the base case")
    named = "" not in baseline
    rows = []
    for key, pair in ranges.items():
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f"ranges[{key!r}] must be a (low, high) pair, got {pair!r}")
        ends = []
        for setting in pair:
            if isinstance(setting, Case):
                unknown = [k for k in setting.settings if k not in base]
                changes = dict(setting.settings)
            else:
                unknown = [] if key in base else [key]
                changes = {key: setting}
            if unknown:
                raise unknown_name("sensitivity input", unknown[0], list(base))
            ends.append(_outputs(model(**{**base, **changes}), output, f"{key}={setting!r}"))
        for name, value in baseline.items():
            low, high = ends[0][name], ends[1][name]
            row = {"input": key}
            if named:
                row["output"] = name
            row.update({
                "base_setting": _label(base.get(key, "")),
                "low_setting": _label(pair[0]),
                "high_setting": _label(pair[1]),
                "output_base": value,
                "output_low": low,
                "output_high": high,
                "swing": abs(high - low),
            })
            if sources:
                row["source"] = sources.get(key, "")
            rows.append(row)
    frame = pd.DataFrame(rows)
    keys = (["output"] if named else []) + ["swing"]
    ascending = [True] * (len(keys) - 1) + [False]
    return frame.sort_values(keys, ascending=ascending, kind="stable", ignore_index=True)
