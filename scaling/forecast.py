"""The forecast chain: training time, energy and dollars from a law and a cluster.

This module composes the others and adds no science of its own beyond the chain itself:

1. **Workload** (:mod:`scaling.laws`): model size N, tokens D (compute-optimal under a fitted
   law, a fixed tokens-per-parameter ratio, or a fixed token budget), training compute
   :math:`C = 6ND` and the predicted loss.
2. **Throughput** (:mod:`scaling.hardware`): sustained FLOP/s :math:`n P_{peak} \\mathrm{MFU}`.
3. **Failures** (:mod:`scaling.reliability`, storage model of :mod:`scaling.cluster`): job MTBF
   from the per-accelerator interruption rate, checkpoint pause from the checkpoint size and
   storage bandwidth, Daly's optimal interval, restart time, and the resulting goodput G.
4. **Time**: :math:`t = C / (n P_{peak} \\mathrm{MFU}) / G`.
5. **Power and energy** (:mod:`scaling.cluster`): average wall power
   :math:`n P_{TDP} k_{server} f_{avg} \\mathrm{PUE}`, energy :math:`P t`.
6. **Dollars** (:mod:`scaling.cost`): Epoch's amortised hardware capex plus energy, and
   cloud rental (accelerator-hours x price; NaN when the catalog has no rental price).

:func:`estimate_run` answers "how long and how much for this many FLOP on this hardware";
:func:`forecast` sweeps model sizes on a cluster and can add Monte Carlo uncertainty;
:func:`largest_trainable` and :func:`forecast_for_loss` answer the inverse questions.

Monte Carlo
-----------
Each uncertain input is an :class:`Uncertain` distribution (a log-normal multiplier given by
its 5th and 95th percentiles, with its source) collected in :data:`DEFAULT_UNCERTAINTY`; the
law's uncertainty comes from bootstrap draws of a :class:`scaling.fit.FitResult`, or from the
documented prior :data:`LAW_PRIOR` around a published parameter set. One draw of every input
is one *scenario*; each scenario applies to every model size (the uncertainties are
systematic, not size-by-size noise), so the work is arrays of shape (sizes, samples).

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015 (2024); code, data and uncertainty notebooks at
   https://github.com/epoch-research/training-cost-trends
.. [2] T. Besiroglu, E. Erdil, M. Barnett, J. You, "Chinchilla Scaling: A replication
   attempt", arXiv:2404.10102 (2024).
.. [3] A. Grattafiori et al. (Llama Team), "The Llama 3 Herd of Models", arXiv:2407.21783
   (2024), Sec. 3.3 and Tables 4-5.
.. [4] A. Chowdhery et al., "PaLM: Scaling Language Modeling with Pathways",
   arXiv:2204.02311 (2022), Sec. 4 and Table 3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from scaling._validation import as_float_array, check_fraction
from scaling.cluster import as_cluster
from scaling.hardware import as_accelerator
from scaling.units import J_PER_MWH, SECONDS_PER_DAY, SECONDS_PER_HOUR

__all__ = [
    "DEFAULT_LAW",
    "DEFAULT_UNCERTAINTY",
    "CI_LEVEL",
    "LAW_PRIOR",
    "SECONDS_PER_HOUR",
    "SECONDS_PER_DAY",
    "J_PER_MWH",
    "Uncertain",
    "RunEstimate",
    "Forecast",
    "training_time_s",
    "estimate_run",
    "forecast",
    "largest_trainable",
    "forecast_for_loss",
    "sensitivity",
]

#: Default law: Besiroglu et al. (2024)'s refit, the only parametric Chinchilla fit consistent
#: with Hoffmann et al.'s Approaches 1 and 2 (arXiv:2404.10102).
DEFAULT_LAW = "besiroglu2024"

#: Two-sided coverage of the reported intervals: P5 and P95 (``*_ci_lower``/``*_ci_upper``),
#: the 90% intervals Epoch uses for its cost inputs (Cottier et al. 2024).
CI_LEVEL = 0.90

_Z95 = 1.6448536269514722  # standard-normal 95th percentile
_BISECTION_ITERATIONS = 200
_COMPUTE_BRACKET_FLOP = (1e10, 1e34)  # search range of largest_trainable [FLOP]


# --------------------------------------------------------------------------------------------
# uncertain inputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Uncertain:
    """A named uncertain input: a log-normal multiplier on its central value.

    Parameters
    ----------
    p5_ratio, p95_ratio : float
        5th and 95th percentiles of the multiplier (0 < p5_ratio <= p95_ratio). The median
        multiplier is their geometric mean, so an asymmetric interval such as Epoch's
        interconnect overhead 1.07-1.32 around 1.235 is reproduced as published.
    applies_to : {"value", "excess"}
        ``"value"``: x = central * r. ``"excess"``: x = 1 + (central - 1) * r, for ratios that
        cannot fall below 1 (PUE).
    upper_bound : float
        Largest allowed value (MFU <= 1). Draws above it are redrawn, i.e. the distribution is
        truncated there, never clipped.
    source : str
        Where the spread comes from.
    """

    p5_ratio: float
    p95_ratio: float
    applies_to: str = "value"
    upper_bound: float = math.inf
    source: str

    def __post_init__(self):
        lo, hi = self.p5_ratio, self.p95_ratio
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float))
                and math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
            raise ValueError(
                f"Uncertain needs 0 < p5_ratio <= p95_ratio (finite), got {lo!r}, {hi!r}"
            )
        if self.applies_to not in ("value", "excess"):
            raise ValueError(
                f"Uncertain.applies_to must be 'value' or 'excess', got {self.applies_to!r}"
            )
        if not self.upper_bound > 0:
            raise ValueError(f"Uncertain.upper_bound must be > 0, got {self.upper_bound!r}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError("Uncertain.source must be a non-empty string")

    @property
    def log_sigma(self) -> float:
        """Standard deviation of ln(multiplier)."""
        return (math.log(self.p95_ratio) - math.log(self.p5_ratio)) / (2.0 * _Z95)

    @property
    def log_median(self) -> float:
        """Median of ln(multiplier)."""
        return 0.5 * (math.log(self.p5_ratio) + math.log(self.p95_ratio))

    def sample(self, central: float, n_samples: int, rng) -> np.ndarray:
        """Draw ``n_samples`` values around ``central`` (1-D array).

        Notes
        -----
        .. math:: r = \\exp(\\mu + \\sigma z),\\quad \\mu = (\\ln r_5 + \\ln r_{95})/2,\\quad
                  \\sigma = (\\ln r_{95} - \\ln r_5) / (2 \\cdot 1.645)
        """
        central = float(central)

        def draw(size):
            r = np.exp(self.log_median + self.log_sigma * rng.standard_normal(size))
            return 1.0 + (central - 1.0) * r if self.applies_to == "excess" else central * r

        if not central <= self.upper_bound:
            raise ValueError(
                f"central value {central!r} exceeds the upper bound {self.upper_bound!r}"
            )
        values = draw(n_samples)
        over = values > self.upper_bound
        while over.any():  # truncation by redrawing (rare: a few draws in a million)
            values[over] = draw(int(over.sum()))
            over = values > self.upper_bound
        return values


#: Default spreads of the Monte Carlo inputs (90% intervals as multipliers of the central
#: value). Override any entry by passing ``uncertainty={"mfu": Uncertain(...)}``.
DEFAULT_UNCERTAINTY: Mapping[str, Uncertain] = MappingProxyType({
    "mfu": Uncertain(
        p5_ratio=0.75, p95_ratio=1.25, upper_bound=1.0,
        source=(
            "Spread of published whole-model MFU of large dense runs around the generation "
            "default: MT-NLG 30.2%, Gopher 32.5%, Llama 3.1 405B 38-43%, PaLM 46.2%, OPT-175B "
            "47% (Chowdhery et al. 2022, arXiv:2204.02311, Table 3; Llama Team 2024, "
            "arXiv:2407.21783, Table 4; Zhang et al. 2022, arXiv:2205.01068); a 0.40 default "
            "spans 0.30-0.50"
        ),
    ),
    "chip_price": Uncertain(
        p5_ratio=0.5, p95_ratio=2.0,
        source=(
            "Epoch AI training-cost-trends uncertainty notebook: chip price 90% CI 0.5x-2x of "
            "the central value (Cottier et al. 2024, arXiv:2405.21015)"
        ),
    ),
    "server_cost_overhead": Uncertain(
        p5_ratio=1.3 / 1.64, p95_ratio=2.1 / 1.64,
        source=(
            "Epoch AI training-cost-trends: chip-to-server cost overhead 1.64, Monte Carlo 90% "
            "CI 1.3-2.1 (Cottier et al. 2024, arXiv:2405.21015); applied as a multiplier of "
            "PriceAssumptions.server_cost_overhead, skipped when the price already is a server "
            "share"
        ),
    ),
    "network_cost_overhead": Uncertain(
        p5_ratio=1.07 / 1.235, p95_ratio=1.32 / 1.235,
        source=(
            "Epoch AI training-cost-trends: cluster interconnect overhead 1.235 (19% of "
            "cluster cost), 90% CI 1.07-1.32 (Cottier et al. 2024, arXiv:2405.21015)"
        ),
    ),
    "pue": Uncertain(
        p5_ratio=0.5, p95_ratio=2.0, applies_to="excess",
        source=(
            "PUE overhead (PUE - 1) within 0.5x-2x: around a hyperscaler 1.10 this spans "
            "1.05-1.20, covering Google's fleet 1.09-1.10, DeepMind Gopher's 1.08 and US "
            "specialised AI data centres' 1.14 (LBNL 2024 via Epoch GPU-clusters documentation, "
            "https://epoch.ai/data/gpu-clusters-documentation/estimation)"
        ),
    ),
    "failure_rate": Uncertain(
        p5_ratio=0.5, p95_ratio=2.0,
        source=(
            "Per-accelerator interruption rates differ by ~2-3x between fleets: Meta RSC-1 "
            "6.50 vs RSC-2 2.34 failures per 1,000 node-days, and a projected 1.8 h job MTTF "
            "at 16,384 GPUs vs Llama 3's 3.1 h (Kokolis et al. 2025, arXiv:2410.21680, via "
            "scaling.reliability.FAILURE_RATES)"
        ),
    ),
    "electricity_price": Uncertain(
        p5_ratio=0.75, p95_ratio=1.35,
        source=(
            "EIA Electric Power Annual 2023, industrial average price by state: Tennessee "
            "6.23, Texas 6.60, Virginia 8.92 c/kWh vs the US 8.06 c/kWh (0.77x-1.11x); "
            "California 18.64 c/kWh is an outlier left in the tail"
        ),
    ),
    "rental_price": Uncertain(
        p5_ratio=0.6, p95_ratio=1.6,
        source=(
            "H100 on-demand quotes $1.99-$3.49 (Lambda 2023-24) and $5.00 (Databricks 2023) "
            "per GPU-hour, Epoch training-cost-trends data/Hardware prices.csv"
        ),
    ),
})

#: Prior around a *named* law, used when ``law`` is a name rather than a fit with bootstrap
#: draws. The exponents and E are normal with the standard errors Besiroglu et al. (2024)
#: report (E 0.03, alpha 0.02, beta 0.02; arXiv:2404.10102 Table / epoch-research
#: analyzing-chinchilla notebook). A and B are not drawn independently (their bootstrap
#: errors are almost perfectly correlated with the exponents'): each term is held at its
#: central value at the centre of the fitted data, the geometric means N = 8.49e8 parameters
#: and D = 1.69e10 tokens of the 240 Chinchilla points (computed here from the points of
#: Besiroglu et al.), so A = A0 N0^(alpha - alpha0) and B = B0 D0^(beta - beta0). This gives
#: SE(a) = 0.020 for the allocation exponent a = beta/(alpha+beta), matching the paper, and
#: ln-SEs of 0.41 (A) and 0.47 (B) against the paper's relative SEs 0.26 and 0.62.
LAW_PRIOR: Mapping[str, float | str] = MappingProxyType({
    "E_se": 0.03,
    "alpha_se": 0.02,
    "beta_se": 0.02,
    "pivot_n_params": 8.49e8,
    "pivot_n_tokens": 1.69e10,
    "source": (
        "Besiroglu, Erdil, Barnett, You (2024), arXiv:2404.10102: standard errors of E, alpha, "
        "beta; pivots are the geometric-mean N and D of their 240 extracted Chinchilla points"
    ),
})


# --------------------------------------------------------------------------------------------
# argument resolution (private)
# --------------------------------------------------------------------------------------------

def _modules(*names):
    """Submodules of scaling by name (``scaling.cluster`` is shadowed by the function
    ``scaling.cluster`` in the package namespace, so ``from scaling import cluster`` would
    return the function)."""
    import importlib

    return tuple(importlib.import_module(f"scaling.{name}") for name in names)


def _prices(prices):
    from scaling import cost

    if prices is None:
        return cost.PriceAssumptions()
    if not isinstance(prices, cost.PriceAssumptions):
        raise ValueError(f"prices must be a PriceAssumptions or None, got {type(prices).__name__}")
    return prices


def _uncertainty_spec(uncertainty):
    """Resolve ``uncertainty`` (bool or mapping of overrides) to a dict, or None.

    The dict holds :class:`Uncertain` entries (None = that input fixed) and ``"law"``: True
    (draw the law) or None (fixed law).
    """
    if uncertainty is None or uncertainty is False:
        return None
    spec = dict(DEFAULT_UNCERTAINTY)
    spec["law"] = True
    if uncertainty is True:
        return spec
    if isinstance(uncertainty, Mapping):
        valid = list(DEFAULT_UNCERTAINTY) + ["law"]
        unknown = sorted(set(uncertainty) - set(valid))
        if unknown:
            raise ValueError(f"unknown uncertain inputs {unknown}; valid names: {', '.join(valid)}")
        for key, value in uncertainty.items():
            if key == "law":
                if value not in (None, True, False):
                    raise ValueError("uncertainty['law'] must be True or None (fixed law)")
                spec["law"] = True if value else None
            elif value is not None and not isinstance(value, Uncertain):
                raise ValueError(f"uncertainty[{key!r}] must be an Uncertain or None")
            else:
                spec[key] = value
        return spec
    raise ValueError("uncertainty must be True, False or a mapping name -> Uncertain or None")


# --------------------------------------------------------------------------------------------
# pure pieces
# --------------------------------------------------------------------------------------------

def training_time_s(compute_flop, n_accelerators, peak_flop_per_s, mfu, goodput=1.0):
    """Wall-clock training time [s].

    Parameters
    ----------
    compute_flop : numeric
        Training compute C [FLOP], > 0.
    n_accelerators : numeric
        Accelerators n [count], > 0.
    peak_flop_per_s : numeric
        Dense peak of one accelerator at the training precision [FLOP/s], > 0.
    mfu : numeric
        Model FLOP utilisation, in (0, 1].
    goodput : numeric
        Fraction of wall-clock time that advances training, in (0, 1]
        (:func:`scaling.reliability.goodput`); 1 ignores failures.

    Returns
    -------
    numeric
        Wall-clock time [s] (float for scalar inputs, ndarray otherwise).

    Notes
    -----
    .. math:: t = \\frac{C}{n \\, P_{peak} \\, \\mathrm{MFU} \\, G}

    Examples
    --------
    >>> round(training_time_s(3.8e25, 16384, 989e12, 0.40) / 86400, 1)
    67.9
    """
    c = as_float_array("compute_flop", compute_flop)
    n = as_float_array("n_accelerators", n_accelerators)
    peak = as_float_array("peak_flop_per_s", peak_flop_per_s)
    u = check_fraction("mfu", mfu)
    g = np.asarray(goodput, dtype=float)
    if np.isnan(g).any() or ((g <= 0) | (g > 1)).any():
        raise ValueError(f"goodput must be in (0, 1], got {goodput!r}")
    out = c / (n * peak * u * g)
    return float(out) if out.ndim == 0 else out


def _optimal_tokens(n_params, law_params):
    """Compute-optimal tokens for a model size (Hoffmann et al. Eq. 4 inverted)."""
    from scaling import laws

    return np.asarray(laws.optimal_tokens_for_params(n_params, law_params), dtype=float)


def _checkpoint_time_s(n_params, bandwidth_byte_per_s):
    from scaling import reliability

    if n_params is None:
        return reliability.DEFAULT_CHECKPOINT_TIME_S
    if bandwidth_byte_per_s is None:
        return np.asarray(reliability.checkpoint_time_s(n_params), dtype=float)
    return np.asarray(reliability.checkpoint_time_s(n_params, bandwidth_byte_per_s), dtype=float)


def _chain(*, compute_flop, n_accelerators, chip, precision, mfu, prices, pue,
           failure_rate_per_accelerator_hour, checkpoint_time_s, restart_time_s,
           chip_price_ratio=1.0, server_overhead_ratio=1.0, network_overhead_ratio=1.0,
           electricity_usd_per_kwh=None, rental_ratio=1.0, include_failures=True,
           with_interval=True):
    """Every quantity of the chain, vectorised over broadcastable array inputs (dict)."""
    cl, cost, hardware, reliability = _modules("cluster", "cost", "hardware", "reliability")

    n = np.asarray(n_accelerators, dtype=float)
    peak = chip.peak_flop_per_s(precision)
    sustained = np.asarray(hardware.sustained_flop_per_s(peak, n, mfu), dtype=float)
    compute_time_s = np.asarray(compute_flop, dtype=float) / sustained
    mtbf = np.asarray(reliability.mtbf_s(n, failure_rate_per_accelerator_hour), dtype=float)
    if include_failures:
        good = np.asarray(reliability.goodput(mtbf, checkpoint_time_s, restart_time_s),
                          dtype=float)
        interval = (np.asarray(reliability.optimal_interval_s(checkpoint_time_s, mtbf),
                               dtype=float) if with_interval else None)
    else:
        good = np.ones_like(mtbf)
        interval = np.full_like(mtbf, np.nan)
    time_s = compute_time_s / good
    accelerator_hours = n * time_s / SECONDS_PER_HOUR
    power_w = np.asarray(cl.facility_power_w(n, chip.tdp_w, chip.chip_to_server_power, pue,
                                             server_power_fraction=chip.server_power_fraction),
                         dtype=float)
    peak_power_w = np.asarray(cl.facility_power_w(n, chip.tdp_w, chip.chip_to_server_power, pue),
                              dtype=float)
    energy = np.asarray(cl.energy_j(power_w, time_s), dtype=float)
    price = electricity_usd_per_kwh if electricity_usd_per_kwh is not None \
        else prices.electricity_usd_per_kwh
    energy_cost = np.asarray(cost.energy_cost_usd(energy, price), dtype=float)
    if math.isnan(chip.price_usd):
        hardware_capex = np.full_like(np.asarray(n, dtype=float), np.nan)
        facility_capex = hardware_capex
    else:
        parts = cost.capex_breakdown_usd(
            n, chip.price_usd,
            it_power_w=cl.peak_it_power_w(n, chip.tdp_w, chip.chip_to_server_power),
            price_includes_server=chip.price_includes_server, prices=prices)
        central_hw = (np.asarray(parts["total_usd"], dtype=float)
                      - np.asarray(parts["facility_usd"], dtype=float))
        server_ratio = 1.0 if chip.price_includes_server else server_overhead_ratio
        hardware_capex = central_hw * chip_price_ratio * server_ratio * network_overhead_ratio
        facility_capex = np.asarray(parts["facility_usd"], dtype=float)
    if np.isnan(hardware_capex).any():
        amortized_hw = np.full(np.broadcast(hardware_capex, time_s).shape, np.nan)
    else:
        amortized_hw = np.asarray(cost.amortized_hardware_cost_usd(hardware_capex, time_s,
                                                                   prices=prices), dtype=float)
    if math.isnan(chip.rental_usd_per_hour):
        rental = np.full(np.shape(accelerator_hours), np.nan)
        rental_rate = math.nan
    else:
        rental_rate = float(prices.rental_usd_per_hour(chip.rental_usd_per_hour))
        rental = np.asarray(cost.rental_cost_usd(accelerator_hours, rental_rate),
                            dtype=float) * rental_ratio
    return {
        "sustained_flop_per_s": sustained,
        "compute_time_s": compute_time_s,
        "mtbf_s": mtbf,
        "checkpoint_time_s": np.asarray(checkpoint_time_s, dtype=float),
        "checkpoint_interval_s": interval,
        "goodput": good,
        "time_s": time_s,
        "accelerator_hours": accelerator_hours,
        "facility_power_w": power_w,
        "peak_facility_power_w": peak_power_w,
        "energy_j": energy,
        "hardware_capex_usd": np.asarray(hardware_capex, dtype=float),
        "facility_capex_usd": np.asarray(facility_capex, dtype=float),
        "amortized_hardware_cost_usd": amortized_hw,
        "energy_cost_usd": energy_cost,
        "amortized_cost_usd": amortized_hw + energy_cost,
        "rental_usd_per_hour": rental_rate,
        "rental_cost_usd": rental,
    }


# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunEstimate:
    """Time, energy and dollars of one training run (immutable).

    All quantities are floats (or arrays of one shape when :func:`estimate_run` was given
    arrays). Units are in the names.
    """

    compute_flop: object
    accelerator: str
    n_accelerators: object
    precision: str
    mfu: object
    n_params: object
    peak_flop_per_s: float
    sustained_flop_per_s: object
    compute_time_s: object
    mtbf_s: object
    checkpoint_time_s: object
    checkpoint_interval_s: object
    restart_time_s: float
    goodput: object
    time_s: object
    accelerator_hours: object
    pue: float
    facility_power_w: object
    peak_facility_power_w: object
    energy_j: object
    hardware_capex_usd: object
    facility_capex_usd: object
    amortized_hardware_cost_usd: object
    energy_cost_usd: object
    amortized_cost_usd: object
    rental_usd_per_hour: float
    rental_cost_usd: object

    @property
    def time_days(self):
        """Wall-clock time [days]."""
        return self.time_s / SECONDS_PER_DAY

    @property
    def energy_mwh(self):
        """Energy at the wall [MWh]."""
        return self.energy_j / J_PER_MWH

    _COLUMNS = (
        "compute_flop", "accelerator", "n_accelerators", "precision", "mfu", "n_params",
        "peak_flop_per_s", "sustained_flop_per_s", "compute_time_s", "mtbf_s",
        "checkpoint_time_s", "checkpoint_interval_s", "restart_time_s", "goodput", "time_s",
        "time_days", "accelerator_hours", "pue", "facility_power_w", "peak_facility_power_w",
        "energy_j", "energy_mwh", "hardware_capex_usd", "facility_capex_usd",
        "amortized_hardware_cost_usd", "energy_cost_usd", "amortized_cost_usd",
        "rental_usd_per_hour", "rental_cost_usd",
    )

    def to_frame(self):
        """One row per run, unit-suffixed columns (pandas.DataFrame)."""
        import pandas as pd

        values = {name: getattr(self, name) for name in self._COLUMNS}
        shape = np.broadcast(*[np.asarray(v) for v in values.values()
                               if not isinstance(v, str) and v is not None]).shape
        size = int(np.prod(shape)) if shape else 1
        data = {}
        for name, value in values.items():
            if isinstance(value, str) or value is None:
                data[name] = [value] * size
            else:
                data[name] = np.broadcast_to(np.asarray(value, dtype=float), shape).reshape(size)
        return pd.DataFrame(data)

    def summary(self):
        """Headline quantities with units (pandas.DataFrame: quantity, value, unit)."""
        import pandas as pd

        rows = [
            ("accelerator", self.accelerator, ""),
            ("n_accelerators", self.n_accelerators, "count"),
            ("mfu", self.mfu, "fraction"),
            ("goodput", self.goodput, "fraction"),
            ("time_days", self.time_days, "days"),
            ("accelerator_hours", self.accelerator_hours, "accelerator-hours"),
            ("facility_power_w", self.facility_power_w, "W"),
            ("energy_mwh", self.energy_mwh, "MWh"),
            ("amortized_cost_usd", self.amortized_cost_usd, "USD"),
            ("rental_cost_usd", self.rental_cost_usd, "USD"),
        ]
        return pd.DataFrame(rows, columns=["quantity", "value", "unit"]).set_index("quantity")


def estimate_run(compute_flop, *, accelerator, n_accelerators, mfu=None, precision="bf16",
                 prices=None, pue=None, n_params=None, checkpoint_time_s=None,
                 checkpoint_write_bandwidth_byte_per_s=None, restart_time_s=None,
                 failure_rate_per_accelerator_hour=None, include_failures=True) -> RunEstimate:
    """Time, energy and dollars of one training run.

    Parameters
    ----------
    compute_flop : float or array_like
        Training compute C [FLOP], > 0.
    accelerator : str or Accelerator
        Catalog name (e.g. ``"H100-SXM"``) or an :class:`~scaling.hardware.Accelerator`.
    n_accelerators : int or array_like
        Accelerators in the job [count], > 0.
    mfu : float, optional
        Model FLOP utilisation in (0, 1]; None uses the accelerator generation's documented
        default (``Accelerator.default_mfu``, ``data/mfu_defaults.csv``).
    precision : {"bf16", "fp8"}
        Peak used with the MFU.
    prices : PriceAssumptions, optional
        Cost assumptions (:class:`scaling.cost.PriceAssumptions`; None = its cited defaults).
    pue : float, optional
        Facility PUE (>= 1); None = Epoch's hyperscaler 1.10
        (:data:`scaling.cluster.EPOCH_HYPERSCALER_PUE`).
    n_params : float, optional
        Model size [parameters], used only for the checkpoint size. None uses
        :data:`scaling.reliability.DEFAULT_CHECKPOINT_TIME_S` (a 1-minute blocking pause)
        instead of the storage model.
    checkpoint_time_s : float, optional
        Blocking checkpoint pause [s]; overrides the storage model.
    checkpoint_write_bandwidth_byte_per_s : float, optional
        Aggregate checkpoint write bandwidth [byte/s]; None = Llama 3's 2 TB/s.
    restart_time_s : float, optional
        Restart time after an interruption [s]; None =
        :data:`scaling.reliability.DEFAULT_RESTART_TIME_S`.
    failure_rate_per_accelerator_hour : float, optional
        Unexpected interruptions per accelerator-hour; None = Llama 3's
        (:data:`scaling.reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR`).
    include_failures : bool
        False sets goodput to 1 (failure-free time).

    Returns
    -------
    RunEstimate

    Raises
    ------
    ValueError
        Unknown accelerator (the valid names are listed), non-positive or NaN compute or
        counts, mfu outside (0, 1], or an unsupported precision.

    Notes
    -----
    .. math::
        t = \\frac{C}{n P_{peak} \\mathrm{MFU}\\, G},\\quad h = n t / 3600,\\quad
        E = n P_{TDP} k_{server} f_{avg} \\mathrm{PUE}\\; t

    with goodput G from :func:`scaling.reliability.goodput` at Daly's optimal interval.
    Amortised cost is Epoch's: hardware capex (chips, servers, network) depreciated over t,
    plus energy; the facility building is not charged to the run. Rental is
    h x the catalog's on-demand price converted by ``prices.rental_discount`` (NaN if the
    catalog has no rental price).

    Examples
    --------
    Llama 3.1 405B (arXiv:2407.21783): 3.8e25 FLOP on 16,384 H100, reported 30.84M GPU-hours.

    >>> run = estimate_run(3.8e25, accelerator="H100-SXM", n_accelerators=16384,
    ...                    n_params=405e9)
    >>> round(run.accelerator_hours / 1e6, 1)
    27.7
    """
    cl, reliability = _modules("cluster", "reliability")

    chip = as_accelerator(accelerator)
    c = as_float_array("compute_flop", compute_flop)
    n = as_float_array("n_accelerators", n_accelerators)
    u = check_fraction("mfu", chip.default_mfu if mfu is None else mfu)
    chip.peak_flop_per_s(precision)  # validates the precision early
    assumptions = _prices(prices)
    facility_pue = cl.EPOCH_HYPERSCALER_PUE if pue is None else pue
    if n_params is not None:
        as_float_array("n_params", n_params)
    if checkpoint_time_s is None:
        delta = _checkpoint_time_s(n_params, checkpoint_write_bandwidth_byte_per_s)
    else:
        delta = as_float_array("checkpoint_time_s", checkpoint_time_s)
    restart = reliability.DEFAULT_RESTART_TIME_S if restart_time_s is None else restart_time_s
    rate = (reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
            if failure_rate_per_accelerator_hour is None else failure_rate_per_accelerator_hour)
    out = _chain(compute_flop=c, n_accelerators=n, chip=chip, precision=precision, mfu=u,
                 prices=assumptions, pue=facility_pue, failure_rate_per_accelerator_hour=rate,
                 checkpoint_time_s=delta, restart_time_s=restart,
                 include_failures=include_failures)

    def scalar(value):
        arr = np.asarray(value, dtype=float)
        return float(arr) if arr.ndim == 0 else arr

    return RunEstimate(
        compute_flop=scalar(c),
        accelerator=chip.name,
        n_accelerators=scalar(n),
        precision=precision,
        mfu=scalar(u),
        n_params=None if n_params is None else scalar(n_params),
        peak_flop_per_s=chip.peak_flop_per_s(precision),
        restart_time_s=float(restart),
        pue=float(facility_pue),
        **{key: scalar(value) for key, value in out.items()},
    )


# --------------------------------------------------------------------------------------------
# sweeps over model size
# --------------------------------------------------------------------------------------------

#: Quantities that get P5/P50/P95 columns when a forecast is uncertain.
_UNCERTAIN_COLUMNS = (
    "n_tokens", "compute_flop", "loss", "mfu", "goodput", "time_s",
    "facility_power_w", "peak_facility_power_w", "energy_j", "hardware_capex_usd",
    "amortized_hardware_cost_usd", "energy_cost_usd", "amortized_cost_usd",
    "rental_cost_usd",
)

#: Columns derived from others by a fixed positive factor (their quantiles follow exactly).
_DERIVED = (("time_days", "time_s", 1.0 / SECONDS_PER_DAY),
            ("energy_mwh", "energy_j", 1.0 / J_PER_MWH))

_FRAME_ORDER = (
    "n_params", "n_tokens", "tokens_per_param", "compute_flop", "loss", "cluster",
    "accelerator", "n_accelerators", "mfu", "mtbf_s", "checkpoint_time_s",
    "checkpoint_interval_s", "goodput", "time_s", "time_days", "accelerator_hours",
    "facility_power_w", "peak_facility_power_w", "energy_j", "energy_mwh",
    "hardware_capex_usd", "facility_capex_usd", "amortized_hardware_cost_usd",
    "energy_cost_usd", "amortized_cost_usd", "rental_cost_usd",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """A sweep of model sizes on one cluster (immutable).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per model size (see :meth:`to_frame`).
    cluster : Cluster
        The cluster forecast for.
    law : object
        The law (name, mapping or fit result).
    uncertainty : bool
        Whether the frame holds Monte Carlo intervals.
    n_samples, seed : int
        Monte Carlo draws and seed (0 draws without uncertainty).
    ci_level : float
        Two-sided coverage of the ``*_ci_lower``/``*_ci_upper`` columns.
    samples : Mapping or None
        Raw Monte Carlo arrays (sizes x samples) when ``keep_samples=True``.
    """

    frame: object = field(repr=False)
    cluster: object
    law: object
    uncertainty: bool
    n_samples: int
    seed: int
    ci_level: float = CI_LEVEL
    samples: object = field(default=None, repr=False)

    def to_frame(self):
        """One row per size; unit-suffixed columns.

        Columns: ``n_params``, ``n_tokens``, ``tokens_per_param``, ``compute_flop``, ``loss``
        [nats/token], ``cluster``, ``accelerator``, ``n_accelerators``, ``mfu``, ``mtbf_s``,
        ``checkpoint_time_s``, ``checkpoint_interval_s``, ``goodput``, ``time_s``,
        ``time_days``, ``accelerator_hours``, ``facility_power_w`` (average at the wall),
        ``peak_facility_power_w`` (provisioned), ``energy_j``, ``energy_mwh``,
        ``hardware_capex_usd``, ``facility_capex_usd``, ``amortized_hardware_cost_usd``,
        ``energy_cost_usd``, ``amortized_cost_usd`` (hardware + energy), ``rental_cost_usd``.
        With uncertainty, the uncertain quantities hold the P50 and gain
        ``<quantity>_ci_lower`` (P5) and ``<quantity>_ci_upper`` (P95).
        """
        return self.frame.copy()

    def summary(self):
        """Headline columns only (pandas.DataFrame indexed by ``n_params``)."""
        cols = ["n_params", "n_tokens", "compute_flop", "loss", "time_days",
                "accelerator_hours", "energy_mwh", "amortized_cost_usd", "rental_cost_usd"]
        if self.uncertainty:
            cols = [c for base in cols for c in (f"{base}_ci_lower", base, f"{base}_ci_upper")
                    if c in self.frame.columns]
        return self.frame[cols].set_index("n_params")

    def _repr_html_(self):
        return self.summary()._repr_html_()


def _law_draws(law, n_samples, rng):
    """Monte Carlo draws of (E, A, B, alpha, beta) as 1-D arrays."""
    from scaling import laws

    if hasattr(law, "sample_params"):
        return law.sample_params(n_samples, seed=int(rng.integers(2**31)))
    central = laws.law_parameters(law)
    if any(np.ndim(v) for v in central.values()):
        raise ValueError("a law with array-valued parameters cannot be given a prior; pass a "
                         "scalar parameter set or a FitResult with bootstrap draws")
    z = rng.standard_normal((3, n_samples))
    alpha = central["alpha"] + LAW_PRIOR["alpha_se"] * z[0]
    beta = central["beta"] + LAW_PRIOR["beta_se"] * z[1]
    e = central["E"] + LAW_PRIOR["E_se"] * z[2]
    if (alpha <= 0).any() or (beta <= 0).any() or (e <= 0).any():
        raise ValueError("the law prior produced non-positive parameters; law too close to 0")
    a = central["A"] * LAW_PRIOR["pivot_n_params"] ** (alpha - central["alpha"])
    b = central["B"] * LAW_PRIOR["pivot_n_tokens"] ** (beta - central["beta"])
    return {"E": e, "A": a, "B": b, "alpha": alpha, "beta": beta}


def _percentiles(x, probs):
    """Linear-interpolation percentiles along the last axis (numpy's default method).

    One sort per array: numpy's vectorised sort beats a multi-``kth`` partition here.
    """
    x = np.sort(np.asarray(x, dtype=float), axis=-1)
    n = x.shape[-1]
    out = []
    for p in probs:
        pos = p * (n - 1)
        lo = int(math.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        out.append(x[..., lo] * (1.0 - frac) + x[..., hi] * frac)
    return out


def _tokens(n_params, law_params, tokens_per_param, n_tokens):
    if tokens_per_param is not None and n_tokens is not None:
        raise ValueError("give at most one of tokens_per_param and n_tokens")
    if tokens_per_param is not None:
        ratio = as_float_array("tokens_per_param", tokens_per_param)
        return n_params * (ratio if ratio.ndim == 0 else ratio.reshape(n_params.shape))
    if n_tokens is not None:
        tokens = as_float_array("n_tokens", n_tokens)
        if tokens.ndim and tokens.size != n_params.shape[0]:
            raise ValueError(
                f"n_tokens must be a scalar or one value per size ({n_params.shape[0]}), got "
                f"{tokens.size} values"
            )
        return tokens if tokens.ndim == 0 else tokens.reshape(n_params.shape)
    return _optimal_tokens(n_params, law_params)


def forecast(n_params, *, cluster, law=DEFAULT_LAW, tokens_per_param=None, n_tokens=None,
             mfu=None, precision="bf16", prices=None, n_accelerators=None,
             checkpoint_time_s=None, checkpoint_write_bandwidth_byte_per_s=None,
             restart_time_s=None, failure_rate_per_accelerator_hour=None,
             include_failures=True, uncertainty=False, n_samples=2000, seed=0,
             keep_samples=False) -> Forecast:
    """Training time, energy and dollars versus model size on one cluster.

    Parameters
    ----------
    n_params : float or array_like
        Model sizes N [parameters], > 0.
    cluster : str or Cluster
        Catalog name (``scaling.cluster.list_clusters()``) or a
        :class:`~scaling.cluster.Cluster`.
    law : str, Mapping or FitResult
        Scaling law for the compute-optimal tokens and the loss
        (:func:`scaling.laws.law_parameters`). With uncertainty, a FitResult's bootstrap
        draws are used; a name gets the prior :data:`LAW_PRIOR`.
    tokens_per_param : float or array_like, optional
        Fixed D/N instead of the compute-optimal allocation [tokens/parameter].
    n_tokens : float or array_like, optional
        Fixed token budget (scalar or one per size) [tokens].
    mfu : float, optional
        In (0, 1]; None = the cluster's ``mfu`` or its accelerator generation's default.
    precision : {"bf16", "fp8"}
    prices : PriceAssumptions, optional
    n_accelerators : int, optional
        Use this many of the cluster's accelerators (default: all).
    checkpoint_time_s, checkpoint_write_bandwidth_byte_per_s, restart_time_s,
    failure_rate_per_accelerator_hour, include_failures :
        As in :func:`estimate_run`; the checkpoint pause defaults to the storage model for
        each size (:func:`scaling.reliability.checkpoint_time_s`).
    uncertainty : bool or Mapping
        True for Monte Carlo with :data:`DEFAULT_UNCERTAINTY` and the law's uncertainty; a
        mapping overrides entries (``None`` switches one off; ``{"law": None}`` fixes the law).
    n_samples : int
        Monte Carlo scenarios (> 1).
    seed : int
        Seed of ``numpy.random.default_rng``.
    keep_samples : bool
        Keep the raw (sizes x samples) arrays on the result.

    Returns
    -------
    Forecast

    Notes
    -----
    Per size: :math:`D = D_{opt}(N)` (or the given policy), :math:`C = 6ND`,
    :math:`L = E + A/N^\\alpha + B/D^\\beta`, then the chain of :func:`estimate_run`. Under
    uncertainty each scenario draws the law, MFU, chip price, server and network overheads,
    PUE, failure rate, electricity and rental prices once and applies them to every size;
    reported columns are the P5, P50 and P95 over scenarios.
    """
    from scaling import laws, reliability

    clu = as_cluster(cluster)
    chip = clu.accelerator
    sizes = np.atleast_1d(as_float_array("n_params", n_params)).astype(float)
    if sizes.ndim != 1:
        raise ValueError("n_params must be a scalar or a 1-D sequence of sizes")
    count = clu.n_accelerators if n_accelerators is None else n_accelerators
    count = float(as_float_array("n_accelerators", count))
    base_mfu = float(check_fraction("mfu", clu.effective_mfu if mfu is None else mfu))
    chip.peak_flop_per_s(precision)
    assumptions = _prices(prices)
    spec = _uncertainty_spec(uncertainty)
    if spec is not None and (int(n_samples) != n_samples or n_samples < 2):
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    restart = reliability.DEFAULT_RESTART_TIME_S if restart_time_s is None else restart_time_s
    rate = (reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
            if failure_rate_per_accelerator_hour is None else failure_rate_per_accelerator_hour)
    as_float_array("failure_rate_per_accelerator_hour", rate)
    if checkpoint_time_s is None:
        delta = _checkpoint_time_s(sizes, checkpoint_write_bandwidth_byte_per_s)
    else:
        delta = np.broadcast_to(as_float_array("checkpoint_time_s", checkpoint_time_s),
                                sizes.shape)

    central_law = laws.law_parameters(law)
    if spec is None:
        tokens = _tokens(sizes, central_law, tokens_per_param, n_tokens)
        tokens = np.broadcast_to(tokens, sizes.shape)
        compute = laws.training_flop(sizes, tokens)
        loss = laws.chinchilla_loss(sizes, tokens, central_law)
        out = _chain(compute_flop=compute, n_accelerators=count, chip=chip,
                     precision=precision, mfu=base_mfu, prices=assumptions, pue=clu.pue,
                     failure_rate_per_accelerator_hour=rate, checkpoint_time_s=delta,
                     restart_time_s=restart, include_failures=include_failures)
        columns = {"n_params": sizes, "n_tokens": tokens, "compute_flop": compute,
                   "loss": loss, "mfu": base_mfu, **out}
        frame = _assemble(columns, sizes.shape[0], clu, count, None)
        return Forecast(frame=frame, cluster=clu, law=law, uncertainty=False, n_samples=0,
                        seed=seed)

    n_samples = int(n_samples)
    rng = np.random.default_rng(seed)

    def draw(name, central):
        dist = spec.get(name)
        if dist is None:  # fixed input: a (1, 1) array broadcasts without a spread
            return np.full((1, 1), float(central))
        return dist.sample(central, n_samples, rng)[None, :]

    def ratio(name):
        dist = spec.get(name)
        if dist is None:
            return np.ones((1, 1))
        return dist.sample(1.0, n_samples, rng)[None, :]

    if spec.get("law") is None:
        law_draws = {k: np.full((1, 1), v) for k, v in central_law.items()}
    else:
        law_draws = {k: v[None, :] for k, v in _law_draws(law, n_samples, rng).items()}
    u = draw("mfu", base_mfu)
    pue = draw("pue", clu.pue)
    rate_s = draw("failure_rate", rate)
    electricity = draw("electricity_price", assumptions.electricity_usd_per_kwh)
    chip_ratio = ratio("chip_price")
    server_ratio = ratio("server_cost_overhead")
    network_ratio = ratio("network_cost_overhead")
    rental_ratio = ratio("rental_price")

    col = sizes[:, None]
    tokens = _tokens(col, law_draws, tokens_per_param, n_tokens)
    tokens = np.broadcast_to(tokens, np.broadcast_shapes(np.shape(tokens), col.shape))
    compute = np.asarray(laws.training_flop(col, tokens), dtype=float)
    loss = np.asarray(laws.chinchilla_loss(col, tokens, law_draws), dtype=float)
    out = _chain(compute_flop=compute, n_accelerators=count, chip=chip, precision=precision,
                 mfu=u, prices=assumptions, pue=pue, failure_rate_per_accelerator_hour=rate_s,
                 checkpoint_time_s=np.asarray(delta)[:, None], restart_time_s=restart,
                 chip_price_ratio=chip_ratio, server_overhead_ratio=server_ratio,
                 network_overhead_ratio=network_ratio, electricity_usd_per_kwh=electricity,
                 rental_ratio=rental_ratio, include_failures=include_failures,
                 with_interval=False)
    if include_failures:  # the interval at the central failure rate (one per size)
        out["checkpoint_interval_s"] = np.asarray(reliability.optimal_interval_s(
            delta, reliability.mtbf_s(count, rate)), dtype=float)
    columns = {"n_params": sizes, "n_tokens": tokens, "compute_flop": compute, "loss": loss,
               "mfu": u, **out}
    frame = _assemble(columns, sizes.shape[0], clu, count, (0.5 - CI_LEVEL / 2,
                                                           0.5, 0.5 + CI_LEVEL / 2))
    kept = None
    if keep_samples:
        kept = MappingProxyType({
            name: np.broadcast_to(np.asarray(columns[name], dtype=float),
                                  (sizes.shape[0], n_samples))
            for name in _UNCERTAIN_COLUMNS})
    return Forecast(frame=frame, cluster=clu, law=law, uncertainty=True, n_samples=n_samples,
                    seed=seed, samples=kept)


def _assemble(columns, n_sizes, clu, count, probs):
    """Reduce chain outputs to one row per size (with P5/P50/P95 when ``probs``)."""
    import pandas as pd

    data = {}
    for name in _FRAME_ORDER:
        if name == "cluster":
            data[name] = [clu.name] * n_sizes
            continue
        if name == "accelerator":
            data[name] = [clu.accelerator.name] * n_sizes
            continue
        if name == "n_accelerators":
            data[name] = np.full(n_sizes, count)
            continue
        if name == "tokens_per_param":
            continue  # filled below
        if name == "accelerator_hours" or any(name == d[0] for d in _DERIVED):
            continue
        value = np.asarray(columns[name], dtype=float)
        if probs is not None and name in _UNCERTAIN_COLUMNS and value.ndim == 2 \
                and value.shape[-1] > 1:
            lower, mid, upper = _percentiles(value, probs)
            data[f"{name}_ci_lower"] = np.broadcast_to(lower, (n_sizes,)).copy()
            data[name] = np.broadcast_to(mid, (n_sizes,)).copy()
            data[f"{name}_ci_upper"] = np.broadcast_to(upper, (n_sizes,)).copy()
        else:
            if value.ndim == 2:
                value = value[:, 0] if value.shape[-1] == 1 else value.mean(axis=-1)
            data[name] = np.broadcast_to(value, (n_sizes,)).copy()
    derived = _DERIVED + (("accelerator_hours", "time_s", count / SECONDS_PER_HOUR),)
    for new, old, factor in derived:
        for suffix in ("_ci_lower", "", "_ci_upper"):
            if old + suffix in data:
                data[new + suffix] = data[old + suffix] * factor
    for suffix in ("_ci_lower", "", "_ci_upper"):
        if "n_tokens" + suffix in data:
            data["tokens_per_param" + suffix] = data["n_tokens" + suffix] / data["n_params"]
    order = []
    for name in _FRAME_ORDER:
        order += [c for c in (f"{name}_ci_lower", name, f"{name}_ci_upper") if c in data]
    return pd.DataFrame({name: data[name] for name in order})


# --------------------------------------------------------------------------------------------
# inverse questions
# --------------------------------------------------------------------------------------------

def largest_trainable(cluster, *, deadline_s, law=DEFAULT_LAW, mfu=None, precision="bf16",
                      prices=None, restart_time_s=None, failure_rate_per_accelerator_hour=None,
                      checkpoint_write_bandwidth_byte_per_s=None,
                      include_failures=True) -> Forecast:
    """Largest compute-optimal model a cluster trains within a deadline.

    Parameters
    ----------
    cluster : str or Cluster
    deadline_s : float or array_like
        Wall-clock budgets [s], > 0 (e.g. ``90 * 86400``).
    law, mfu, precision, prices, restart_time_s, failure_rate_per_accelerator_hour,
    checkpoint_write_bandwidth_byte_per_s, include_failures :
        As in :func:`forecast`.

    Returns
    -------
    Forecast
        One row per deadline: the compute-optimal (N, D) whose run time equals the deadline
        (the frame's ``time_s`` reproduces ``deadline_s``).

    Notes
    -----
    Solves :math:`t(C) = T` for C by bisection in log C, with
    :math:`t(C) = C / (n P_{peak} \\mathrm{MFU}\\, G(N_{opt}(C)))`; goodput depends on the
    model size through the checkpoint size, so t increases monotonically in C.
    """
    from scaling import laws, reliability

    clu = as_cluster(cluster)
    chip = clu.accelerator
    deadlines = np.atleast_1d(as_float_array("deadline_s", deadline_s)).astype(float)
    u = float(check_fraction("mfu", clu.effective_mfu if mfu is None else mfu))
    sustained = clu.n_accelerators * chip.peak_flop_per_s(precision) * u
    restart = reliability.DEFAULT_RESTART_TIME_S if restart_time_s is None else restart_time_s
    rate = (reliability.DEFAULT_FAILURE_RATE_PER_ACCELERATOR_HOUR
            if failure_rate_per_accelerator_hour is None else failure_rate_per_accelerator_hour)
    mtbf = reliability.mtbf_s(clu.n_accelerators, rate)

    def time_for(log_c):
        c = np.exp(log_c)
        if not include_failures:
            return c / sustained
        n_opt = np.asarray(laws.compute_optimal(c, law).n_params, dtype=float)
        delta = _checkpoint_time_s(n_opt, checkpoint_write_bandwidth_byte_per_s)
        ideal, g = np.broadcast_arrays(
            c / sustained, np.asarray(reliability.goodput(mtbf, delta, restart), dtype=float))
        # goodput underflows to 0 for absurd sizes (the top of the bracket on a large
        # cluster): such a run never finishes, t = inf, without a division by zero
        return np.divide(ideal, g, out=np.full(g.shape, np.inf), where=g > 0)

    lo = np.full(deadlines.shape, math.log(_COMPUTE_BRACKET_FLOP[0]))
    hi = np.full(deadlines.shape, math.log(_COMPUTE_BRACKET_FLOP[1]))
    if (time_for(lo) > deadlines).any() or (time_for(hi) < deadlines).any():
        raise ValueError(
            f"deadline_s outside the searchable range (compute {_COMPUTE_BRACKET_FLOP[0]:.0e}-"
            f"{_COMPUTE_BRACKET_FLOP[1]:.0e} FLOP on {clu.name})"
        )
    for _ in range(_BISECTION_ITERATIONS):
        mid = 0.5 * (lo + hi)
        fits = time_for(mid) <= deadlines
        lo = np.where(fits, mid, lo)
        hi = np.where(fits, hi, mid)
        if np.all(hi - lo < 1e-13):
            break
    opt = laws.compute_optimal(np.exp(lo), law)
    return forecast(np.asarray(opt.n_params), cluster=clu, law=law,
                    n_tokens=np.asarray(opt.n_tokens), mfu=u, precision=precision,
                    prices=prices, restart_time_s=restart,
                    failure_rate_per_accelerator_hour=rate,
                    checkpoint_write_bandwidth_byte_per_s=checkpoint_write_bandwidth_byte_per_s,
                    include_failures=include_failures)


def forecast_for_loss(target_loss, *, cluster, law=DEFAULT_LAW, **kwargs) -> Forecast:
    """Time and cost to reach a target loss with a compute-optimal model.

    Parameters
    ----------
    target_loss : float or array_like
        Target pre-training loss [nats/token], above the law's irreducible loss E.
    cluster : str or Cluster
    law : str, Mapping or FitResult
        Law that sets the compute (:func:`scaling.laws.compute_for_loss`) and the
        compute-optimal split (:func:`scaling.laws.compute_optimal`).
    **kwargs
        Passed to :func:`forecast` (``mfu``, ``prices``, ``uncertainty``, ...). With
        uncertainty the size and tokens stay those of the central law; the ``loss`` interval
        then shows how sure the law is that this run reaches the target.

    Returns
    -------
    Forecast
        One row per target, sorted as given.

    Notes
    -----
    .. math:: C = C_{opt}(L),\\quad (N, D) = (N_{opt}(C), D_{opt}(C))
    """
    from scaling import laws

    for key in ("n_tokens", "tokens_per_param"):
        if key in kwargs:
            raise ValueError(f"forecast_for_loss sets the tokens itself; do not pass {key}")
    targets = np.atleast_1d(np.asarray(target_loss, dtype=float))
    compute = laws.compute_for_loss(targets, law)
    opt = laws.compute_optimal(compute, law)
    return forecast(np.asarray(opt.n_params), cluster=cluster, law=law,
                    n_tokens=np.asarray(opt.n_tokens), **kwargs)


def sensitivity(n_params, *, cluster, quantity="amortized_cost_usd", n_samples=2000, seed=0,
                **kwargs):
    """One-at-a-time uncertainty: the P5-P95 range of a quantity from each input alone.

    Parameters
    ----------
    n_params : float
        One model size [parameters].
    cluster : str or Cluster
    quantity : str
        A column with an interval (e.g. ``"time_s"``, ``"energy_j"``,
        ``"amortized_cost_usd"``, ``"rental_cost_usd"``).
    n_samples, seed :
        Monte Carlo settings (the same seed for every input).
    **kwargs
        Passed to :func:`forecast` (``law``, ``mfu``, ``prices``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per uncertain input (``"law"`` and the keys of :data:`DEFAULT_UNCERTAINTY`),
        sorted by decreasing spread: ``input``, ``ci_lower``, ``median``, ``ci_upper`` [unit of
        the quantity] and ``spread`` (ci_upper / ci_lower) [dimensionless].
    """
    import pandas as pd

    if np.ndim(n_params) != 0:
        raise ValueError("sensitivity takes one model size; pass a scalar n_params")
    inputs = ["law"] + list(DEFAULT_UNCERTAINTY)
    rows = []
    for name in inputs:
        only = {key: (True if key == "law" else DEFAULT_UNCERTAINTY[key]) if key == name
                else None for key in inputs}
        frame = forecast([n_params], cluster=cluster, uncertainty=only, n_samples=n_samples,
                         seed=seed, **kwargs).to_frame()
        lower = f"{quantity}_ci_lower"
        if quantity not in frame.columns:
            raise ValueError(f"unknown quantity {quantity!r}; choose a forecast column")
        lo = frame[lower].iloc[0] if lower in frame.columns else frame[quantity].iloc[0]
        hi = (frame[f"{quantity}_ci_upper"].iloc[0] if lower in frame.columns
              else frame[quantity].iloc[0])
        rows.append({"input": name, "ci_lower": lo, "median": frame[quantity].iloc[0],
                     "ci_upper": hi, "spread": hi / lo})
    return pd.DataFrame(rows).sort_values("spread", ascending=False, ignore_index=True)


# `scaling.forecast(...)` calls the function of the same name; see scaling._make_callable.
from scaling import _make_callable  # noqa: E402

_make_callable(__name__)
