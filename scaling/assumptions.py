"""The assumptions bundle: every modelling choice of the forecast chain in one frozen object.

Every entry point of the chain (:func:`scaling.estimate_run`, :func:`scaling.forecast`,
:func:`scaling.largest_trainable`, :func:`scaling.forecast_for_loss`,
:func:`scaling.plan_training`, the systems comparison and the backtest) takes
``assumptions=Assumptions(...)``; the same run asked through any of them with the same bundle
gives the same numbers. Each field has a documented, sourced default:

* ``mfu``: None = the cluster's own MFU when it has one, else as ``mfu_model`` says;
* ``mfu_model``: ``"step_time"`` (default) predicts MFU with the step-time model for the
  run's model, machine and batch (:func:`scaling.throughput.throughput_model`, calibrated on
  published runs); ``"generation_default"`` uses the accelerator generation's documented
  constant (``data/mfu_defaults.csv``), the behaviour before issue 9;
* ``global_batch_tokens``: tokens per optimizer step for the step-time model; None = the
  batch-size law's batch for the run's compute;
* ``batch_size_law``: that law (:mod:`scaling.batch_size`): ``"deepseek2024"`` (default,
  DeepSeek LLM's fitted optimum, arXiv:2401.02954, Sec. 3.1, the batch the whole-run
  efficiency was fitted with), ``"kaplan2020_critical"`` (the critical batch of McCandlish et
  al. 2018 / Kaplan et al. 2020) or a callable ``law(compute_flop) -> tokens``;
* ``run_efficiency``: the whole-run efficiency of the step-time model, a preset fitted on
  published runs (default ``"median_published_run"``; :mod:`scaling.efficiency`) or a number;
* ``layout_gap``: the step-time model's slowdown of a team's layout against the fastest plan
  its search finds; None = :data:`scaling.plan_search.LAYOUT_SEARCH_GAP` (1.099, from the
  per-step rows' published layouts); the whole-run efficiency presets are fitted with it;
* ``layout_search``: how far the plan search may split a run
  (:data:`scaling.layout_grid.LAYOUT_SEARCHES`): ``"practical"`` (default, the layouts
  frameworks run today, the one every calibration uses) or ``"fine"`` (context parallelism at
  every sequence length and tensor parallelism across scale-up domains up to one head per
  accelerator, for bounds at scales no run has reached, such as the walls of
  :mod:`scaling.studies.walls`);
* ``precision``: the numeric format whose dense peak the utilisation applies to;
* ``pue``: None = the cluster's PUE (``data/clusters.csv``), else
  :data:`DEFAULT_PUE` (Epoch's hyperscaler 1.10);
* ``include_failures``: False sets goodput to 1 (the failure-free bound);
* ``reliability`` (:class:`~scaling.reliability.ReliabilityAssumptions`): failure rate,
  checkpoint pause (storage model), restart time;
* ``prices`` (:class:`~scaling.cost.PriceAssumptions`): capex overheads, amortisation,
  electricity and rental prices;
* ``as_of``, ``valuation``, ``dollars``, ``deflator`` (the time axis, :mod:`scaling.valuation`):
  None = today's behaviour (catalog prices, nominal dollars); a date values the hardware at
  that date by Cottier et al.'s price-performance rule, takes that year's electricity and
  rental prices and, with ``dollars=2023``, converts to constant dollars;
* ``region``, ``carbon_free_energy_fraction``, ``carbon_intensity_g_per_kwh`` (emissions,
  :mod:`scaling.emissions`): the grid the energy is drawn from (None = the cluster's region,
  else the US average) and the market-based share of carbon-free electricity.

``Assumptions().replace(restart_time_s=20, electricity_usd_per_kwh=0.05)`` changes fields of
the nested objects by name.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

from scaling._validation import (
    check_at_least, check_choice, check_fraction, check_plausible, scalar, unknown_name,
)
from scaling.batch_size import DEFAULT_BATCH_SIZE_LAW, check_batch_size_law
from scaling.cost import PriceAssumptions
from scaling.data import cached_until_reload
from scaling.dates import dated_year
from scaling.efficiency import DEFAULT_RUN_EFFICIENCY, resolve_run_efficiency
from scaling.emissions import check_region
from scaling.layout_grid import DEFAULT_LAYOUT_SEARCH, check_layout_search
from scaling.plan_search import check_layout_gap
from scaling.catalog import PRECISIONS
from scaling.reliability import ReliabilityAssumptions
from scaling.throughput import MFU_MODELS
from scaling.valuation import NOMINAL, VALUATION_METHODS, check_dollars

__all__ = [
    "Assumptions", "DEFAULT_PUE", "EPOCH_HYPERSCALER_PUE", "EPOCH_OTHER_PUE", "as_assumptions",
]

#: PUE Epoch assumes for hyperscalers (Google/DeepMind, Microsoft, Amazon, Meta)
#: (training-cost-trends ``cost_analysis_standalone.py``); also ``data/pue.csv``.
EPOCH_HYPERSCALER_PUE = 1.10

#: PUE Epoch assumes for other operators (same source).
EPOCH_OTHER_PUE = 1.25

#: PUE used when neither the assumptions nor the cluster give one: Epoch's hyperscaler value
#: (Cottier et al. 2024, :data:`EPOCH_HYPERSCALER_PUE`); a :class:`scaling.Cluster`'s default.
DEFAULT_PUE = EPOCH_HYPERSCALER_PUE

_NESTED = ("reliability", "prices")


@dataclass(frozen=True, slots=True, kw_only=True)
class Assumptions:
    """Every assumption of the forecast chain, with sourced defaults (see the module docs).

    Parameters
    ----------
    mfu : float or None
        Model FLOP utilisation in (0, 1], a constant override; None = the cluster's MFU if
        set, else as ``mfu_model`` says.
    mfu_model : {"step_time", "generation_default"}
        How MFU is set when ``mfu`` and the cluster leave it open
        (:data:`scaling.throughput.MFU_MODELS`): the step-time model (default) or the
        accelerator generation's constant (``Accelerator.default_mfu``).
    global_batch_tokens : float or None
        Global batch of the step-time model [tokens]; None = ``batch_size_law``'s batch for
        the run's compute (:func:`scaling.batch_size.global_batch_tokens`). A number given
        here wins over the law.
    batch_size_law : str or callable
        The batch-size law (:data:`scaling.batch_size.BATCH_SIZE_LAWS`): ``"deepseek2024"``
        (default: DeepSeek LLM's fitted optimum, the batch the whole-run efficiency and the
        backtest were fitted with), ``"kaplan2020_critical"`` (Kaplan et al.'s critical batch
        at the loss of the compute) or ``law(compute_flop) -> tokens``.
    run_efficiency : str or float
        Share of the step-time model's per-step throughput the whole run realises after the
        failure goodput: a preset of ``data/run_efficiency.csv``
        (:data:`scaling.efficiency.RUN_EFFICIENCY_PRESETS`: ``"median_published_run"``, the
        default, or ``"large_lab_production"``) or a number in (0, 1]. Used by the step-time
        model only (a constant MFU is already a whole run's; setting both is refused). Under
        uncertainty a preset draws its own spread; a number keeps the default preset's
        relative spread (the MFU stays capped at 1; a drawn efficiency may exceed 1, as the
        efficiencies the reports imply do where the per-step model is slow for a run).
    layout_gap : float or None
        Step time of the layout a team runs over that of the fastest plan the step-time
        model's search finds, >= 1; None = :data:`scaling.plan_search.LAYOUT_SEARCH_GAP`
        (1.099, calibrated on per-step rows' published layouts). 1 = the fastest plan. The
        whole-run efficiency presets are fitted with the default, so another gap moves the
        whole-run forecast by the same factor (1 with a preset: about 10% faster than the
        runs the presets were fitted on). Step-time model only (refused with a constant MFU).
    layout_search : {"practical", "fine"}
        How far the step-time model's plan search may split a run
        (:data:`scaling.layout_grid.LAYOUT_SEARCHES`): ``"practical"`` (default: whole
        sequences per data-parallel replica below 32k tokens, tensor parallelism inside the
        scale-up domain, except as memory relief; every calibration uses it) or ``"fine"``
        (context parallelism down to 128-token chunks at any sequence length, tensor
        parallelism across scale-up domains, up to one attention head per accelerator).
        Step-time model only (refused with a constant MFU).
    precision : {"bf16", "fp8"}
        Numeric format whose dense peak the utilisation applies to.
    pue : float or None
        Power usage effectiveness >= 1; None = the cluster's, else :data:`DEFAULT_PUE`.
    include_failures : bool
        False sets goodput to 1 (failure-free time).
    reliability : ReliabilityAssumptions
        Failure rate, checkpoint pause and storage, restart time.
    prices : PriceAssumptions
        Capex overheads, amortisation, electricity and rental prices.
    as_of : float, str, date or None
        When the run happens (a decimal year such as 2030 or 2024.5, a ``datetime.date`` or an
        ISO string, read once by :func:`scaling.dates.dated_year`). None (default) keeps the
        undated behaviour: catalog prices as they are. A date prices the run at that date
        (:func:`scaling.valuation.chain_prices`): hardware valued from its acquisition price
        by ``valuation``, that year's US industrial electricity price (2015-2025; other years
        hold the nearest) and rental price, and the grid carbon intensity of that year.
        Refused before :data:`scaling.dates.FIRST_DATA_YEAR` (2015, the first year of the
        dated prices) and, by the chain, before the accelerator's release; a date after
        :data:`scaling.dates.HORIZON_YEAR` (2040) gives an
        :class:`~scaling.errors.ExtrapolationWarning`.
    valuation : {"price_performance", "straight_line", "none"}
        How hardware is valued at ``as_of`` (:data:`scaling.valuation.VALUATION_METHODS`):
        default Cottier et al.'s depreciation at the rate price-performance improves (0.14
        orders of magnitude per year, from ``prices.depreciation_rate_per_year``); straight
        line over ``prices.lifetime_years``; or the purchase price. Ignored without ``as_of``.
    dollars : "nominal" or int
        "nominal" (default): dollars of the run's year. A year (e.g. 2023, Epoch's) gives
        constant dollars of that year, deflated from ``as_of``'s year (needs ``as_of``).
    deflator : {"ppi", "cpi"}
        Index for constant dollars: "ppi" (default, the FRED producer price index for data
        processing and hosting Epoch uses, ``data/ppi_data_processing.csv``) or "cpi" (BLS
        CPI-U, ``data/cpi_us.csv``).
    region : str or None
        Grid region of the site (``scaling.emissions.list_regions()``: countries such as "US",
        "FR", US states such as "US-TX", "WORLD"). None: the cluster's region, else
        :data:`scaling.emissions.DEFAULT_REGION` ("US").
    carbon_free_energy_fraction : float
        Share of the electricity matched by contracted carbon-free supply (PPAs,
        certificates), in [0, 1], for ``market_emissions_tco2e``; default 0 (market-based =
        location-based). Meta reports 100% for Llama 3.1 (market-based 0 t).
    carbon_intensity_g_per_kwh : float or None
        An explicit location-based intensity [gCO2e/kWh] instead of the table (e.g. a
        publication's own factor); None (default) looks the region up.
    """

    mfu: float | None = None
    mfu_model: str = "step_time"
    global_batch_tokens: float | None = None
    batch_size_law: object = DEFAULT_BATCH_SIZE_LAW
    run_efficiency: str | float = DEFAULT_RUN_EFFICIENCY
    layout_gap: float | None = None
    layout_search: str = DEFAULT_LAYOUT_SEARCH
    precision: str = "bf16"
    pue: float | None = None
    include_failures: bool = True
    reliability: ReliabilityAssumptions = field(default_factory=ReliabilityAssumptions)
    prices: PriceAssumptions = field(default_factory=PriceAssumptions)
    as_of: float | None = None
    valuation: str = "price_performance"
    dollars: str | int = NOMINAL
    deflator: str = "ppi"
    region: str | None = None
    carbon_free_energy_fraction: float = 0.0
    carbon_intensity_g_per_kwh: float | None = None

    def _step_time_only(self, name: str, why: str) -> None:
        """Refuse a step-time-model field given together with a constant MFU."""
        if self.mfu is None and self.mfu_model == "step_time":
            return
        other = (f"mfu={self.mfu!r}" if self.mfu is not None
                 else f"mfu_model={self.mfu_model!r}")
        raise ValueError(f"{name}={getattr(self, name)!r} applies to the step-time model only; "
                         f"with {other} {why}: leave out one of the two")

    def __post_init__(self):
        if self.mfu is not None:
            object.__setattr__(self, "mfu", scalar("mfu", self.mfu, check_fraction))
        check_choice("mfu_model", self.mfu_model, MFU_MODELS)
        if self.pue is not None:
            object.__setattr__(self, "pue", check_plausible("pue", scalar(
                "pue", self.pue, check_at_least, minimum=1.0,
                why="facility power includes the IT load"), "pue"))
        check_choice("precision", self.precision, PRECISIONS)
        if isinstance(self.run_efficiency, str):
            resolve_run_efficiency(self.run_efficiency)
        else:
            object.__setattr__(self, "run_efficiency",
                               resolve_run_efficiency(self.run_efficiency))
        if self.run_efficiency != DEFAULT_RUN_EFFICIENCY:
            self._step_time_only("run_efficiency", "the MFU is already a whole run's")
        if self.global_batch_tokens is not None:
            object.__setattr__(self, "global_batch_tokens",
                               scalar("global_batch_tokens", self.global_batch_tokens))
        check_batch_size_law(self.batch_size_law)
        if self.layout_gap is not None:
            object.__setattr__(self, "layout_gap", check_layout_gap(self.layout_gap))
            self._step_time_only("layout_gap", "no layout is searched")
        if check_layout_search(self.layout_search) != DEFAULT_LAYOUT_SEARCH:
            self._step_time_only("layout_search", "no layout is searched")
        if not isinstance(self.include_failures, bool):
            raise ValueError(f"include_failures must be True or False, "
                             f"got {self.include_failures!r}")
        if not isinstance(self.reliability, ReliabilityAssumptions):
            raise ValueError("reliability must be a ReliabilityAssumptions, got "
                             f"{type(self.reliability).__name__}")
        if not isinstance(self.prices, PriceAssumptions):
            raise ValueError(f"prices must be a PriceAssumptions, got "
                             f"{type(self.prices).__name__}")
        if self.as_of is not None:
            object.__setattr__(self, "as_of", dated_year(self.as_of, name="as_of"))
        check_choice("valuation", self.valuation, VALUATION_METHODS)
        object.__setattr__(self, "dollars", check_dollars(self.dollars, self.deflator))
        if self.region is not None:
            object.__setattr__(self, "region", check_region(self.region))
        fraction = scalar("carbon_free_energy_fraction", self.carbon_free_energy_fraction,
                          allow_zero=True)
        if fraction > 1.0:
            raise ValueError(f"carbon_free_energy_fraction must be in [0, 1], got "
                             f"{self.carbon_free_energy_fraction!r}")
        object.__setattr__(self, "carbon_free_energy_fraction", fraction)
        if self.carbon_intensity_g_per_kwh is not None:
            intensity = scalar("carbon_intensity_g_per_kwh", self.carbon_intensity_g_per_kwh,
                               allow_zero=True)
            if intensity > 0:     # 0: a zero-carbon what-if; a slip is a small positive value
                check_plausible("carbon_intensity_g_per_kwh", intensity,
                                "carbon_intensity_g_per_kwh")
            object.__setattr__(self, "carbon_intensity_g_per_kwh", intensity)

    def replace(self, **changes) -> Assumptions:
        """A copy with fields changed, including fields of ``reliability`` and ``prices``.

        Examples
        --------
        >>> Assumptions().replace(mfu=0.5, restart_time_s=20.0).reliability.restart_time_s
        20.0
        """
        own = {f.name for f in dataclasses.fields(self)}
        nested_fields = {name: {f.name for f in dataclasses.fields(getattr(self, name))}
                         for name in _NESTED}
        top, nested = {}, {name: {} for name in _NESTED}
        for key, value in changes.items():
            if key in own:
                top[key] = value
                continue
            owner = next((name for name in _NESTED if key in nested_fields[name]), None)
            if owner is None:
                valid = sorted(own | set().union(*nested_fields.values()))
                raise unknown_name("assumption", key, valid)
            nested[owner][key] = value
        for name, values in nested.items():
            if values:
                top[name] = dataclasses.replace(top.get(name, getattr(self, name)), **values)
        return dataclasses.replace(self, **top)

    def at_constant_mfu(self, **changes) -> Assumptions:
        """:meth:`replace` for changes that may set a constant MFU (``mfu`` or a constant
        ``mfu_model``): then the step-time model's own fields (``run_efficiency``,
        ``layout_gap``, ``layout_search``) return to their defaults, since a constant MFU is
        already a whole run's and searches no layout. Used where a study varies the MFU.

        Examples
        --------
        >>> Assumptions(layout_gap=1.0).at_constant_mfu(mfu=0.4).layout_gap is None
        True
        """
        if (changes.get("mfu", self.mfu) is not None
                or changes.get("mfu_model", self.mfu_model) != "step_time"):
            changes = {"run_efficiency": DEFAULT_RUN_EFFICIENCY, "layout_gap": None,
                       "layout_search": DEFAULT_LAYOUT_SEARCH, **changes}
        return self.replace(**changes)


def _accept_nested_fields(init):
    """``Assumptions(...)`` takes the fields of ``reliability`` and ``prices`` too, as
    :meth:`Assumptions.replace` does (``Assumptions(recovery="elastic")``); an unknown name
    gets the closest valid ones."""
    @functools.wraps(init)
    def __init__(self, **changes):
        own = {f.name for f in dataclasses.fields(Assumptions)}
        if set(changes) <= own:
            init(self, **changes)
            return
        built = Assumptions(**{k: v for k, v in changes.items() if k in own}).replace(
            **{k: v for k, v in changes.items() if k not in own})
        for name in own:
            object.__setattr__(self, name, getattr(built, name))

    return __init__


Assumptions.__init__ = _accept_nested_fields(Assumptions.__init__)


def as_assumptions(assumptions) -> Assumptions:
    """``assumptions`` itself, or the defaults when it is None."""
    if assumptions is None:
        return _default_assumptions()
    if not isinstance(assumptions, Assumptions):
        raise ValueError(f"assumptions must be a scaling.Assumptions or None, got "
                         f"{type(assumptions).__name__}")
    return assumptions


@cached_until_reload
def _default_assumptions() -> Assumptions:
    """``Assumptions()``, checked once per reading of ``data/`` (its failure rate is the
    current ``data/reliability.csv``'s; frozen, so every entry point may share it)."""
    return Assumptions()
