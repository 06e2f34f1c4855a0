"""Capital and operating cost: hardware capex, amortisation, energy and cloud rental.

Follows the amortised-hardware-plus-energy and cloud-rental methods of Cottier et al. (2024),
"The rising costs of training frontier AI models" (arXiv:2405.21015; code and data at
https://github.com/epoch-research/training-cost-trends), made forward-looking: every
assumption is a field of :class:`PriceAssumptions` with its source.

Capex of a cluster
------------------
* chips: n x price per accelerator;
* servers: chips x (server overhead - 1), skipped when the price already is a per-accelerator
  share of a complete server or rack (``Accelerator.price_includes_server``);
* cluster network: (chips + servers) x (network overhead - 1); Epoch: interconnect is 19% of
  cluster cost, so overhead = 1 / (1 - 0.19) = 1.235;
* facility (building, power and cooling): $ per W of peak IT power.

Amortisation (default: Epoch's price-performance depreciation)
--------------------------------------------------------------
Epoch values hardware as losing value at the rate ML-GPU price-performance improves,
0.14 orders of magnitude per year, i.e. r = 0.14 ln 10 = 0.322 per year; a run of duration t
is charged capex x r x t. We make this the default because it is the method behind the
published costs we test against (Llama 3.1 405B: $51M) and because it ties cost to hardware
progress rather than to an accounting lifetime. It is equivalent to straight-line over
1/r = 3.1 years. ``amortization="straight_line"`` charges capex x t / lifetime instead
(Epoch's server-lifetime helper: 5 years for hardware from 2023 on).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from scaling._validation import as_float_array, as_numeric_array, like
from scaling.cluster import (
    EPOCH_HYPERSCALER_PUE,
    Cluster,
    default_rack_power_w,
    energy_j as _energy_j,
    n_racks as _n_racks,
)
from scaling.hardware import (
    Accelerator,
    as_accelerator,
    sustained_flop_per_s as _sustained_flop_per_s,
)
from scaling.units import HOURS_PER_YEAR, J_PER_KWH, SECONDS_PER_YEAR

__all__ = [
    "AMORTIZATIONS",
    "ClusterSizing",
    "EPOCH_DEPRECIATION_OOM_PER_YEAR",
    "EPOCH_DEPRECIATION_RATE_PER_YEAR",
    "EPOCH_NETWORK_COST_OVERHEAD",
    "EPOCH_SERVER_COST_OVERHEAD",
    "FACILITY_CAPEX_USD_PER_W",
    "HOURS_PER_YEAR",
    "J_PER_KWH",
    "PriceAssumptions",
    "RENTAL_TERMS",
    "SECONDS_PER_YEAR",
    "amortized_hardware_cost_usd",
    "capex_breakdown_usd",
    "cluster_capex_usd",
    "cluster_cost_breakdown",
    "committed_use_discount",
    "compare_clusters",
    "SEED_SYSTEMS",
    "depreciated_value_usd",
    "discounted_rental_usd_per_hour",
    "electricity_price_usd_per_kwh",
    "energy_cost_usd",
    "rental_cost_usd",
    "size_cluster",
]

#: ML GPU price-performance improves 0.14 orders of magnitude per year; Epoch depreciates
#: hardware value at that rate (training-cost-trends ``cost_analysis_standalone.py``, citing
#: Epoch's "Trends in machine learning hardware").
EPOCH_DEPRECIATION_OOM_PER_YEAR = 0.14
#: The same as a continuous rate: 0.14 x ln(10) = 0.322 per year.
EPOCH_DEPRECIATION_RATE_PER_YEAR = EPOCH_DEPRECIATION_OOM_PER_YEAR * math.log(10.0)

#: Server cost / chip cost, Epoch's default for single-unit chip prices (A100 1.66, V100 1.69,
#: default 1.64; 90% CI 1.3-2.1) (training-cost-trends ``cost_analysis_standalone.py``).
EPOCH_SERVER_COST_OVERHEAD = 1.64
#: Cluster interconnect is 19% of total cluster cost: 1 / (1 - 0.19) = 1.235 (90% CI
#: 1.07-1.32) (same source; Cottier et al. 2024 report interconnect at 9-13% of development
#: cost).
EPOCH_NETWORK_COST_OVERHEAD = 1.0 / (1.0 - 0.19)
#: Building, power and cooling per W of IT load, central value of $7M-$15M per MW
#: (``data/facility_capex.csv``: Cortex Construct 2026; BlueCap Economic Advisors).
FACILITY_CAPEX_USD_PER_W = 10.0
#: Server lifetime for straight-line amortisation of hardware bought from 2023 on (Epoch's
#: helper: 3 yr up to 2020, 4 yr 2021-22, 5 yr from 2023; training-cost-trends).
EPOCH_SERVER_LIFETIME_YEARS = 5.0
#: US average industrial electricity price in 2025 [USD/kWh] (``data/electricity_prices.csv``,
#: Epoch cost repo ``energy_price()``, EIA series).
DEFAULT_ELECTRICITY_USD_PER_KWH = 0.0826

AMORTIZATIONS = ("depreciation", "straight_line")
RENTAL_TERMS = ("on_demand", "1yr", "3yr")


@lru_cache(maxsize=1)
def _cud_table():
    from scaling.data import load_table

    return load_table("committed_use_discounts").set_index("provider")


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceAssumptions:
    """Every price and cost assumption, with cited defaults.

    Parameters
    ----------
    server_cost_overhead : float
        Server cost / chip cost, >= 1. Default 1.64 (Epoch).
    network_cost_overhead : float
        Cluster cost incl. interconnect / server cost, >= 1. Default 1/(1-0.19) = 1.235
        (Epoch: interconnect is 19% of cluster cost).
    facility_capex_usd_per_w : float
        Building, power and cooling per W of peak IT power [USD/W], >= 0. Default 10
        ($10M per MW; range $7-15M, ``data/facility_capex.csv``).
    amortization : {"depreciation", "straight_line"}
        Default "depreciation" (Epoch's price-performance depreciation; see module docs).
    depreciation_rate_per_year : float
        Continuous depreciation rate [1/year], default 0.14 ln 10 = 0.322 (Epoch).
    lifetime_years : float
        Straight-line lifetime [years], default 5 (Epoch's helper for >= 2023 hardware).
    electricity_usd_per_kwh : float
        Electricity price [USD/kWh], default 0.0826 (US industrial average 2025, EIA via Epoch).
    rental_discount : {"on_demand", "1yr", "3yr"}
        Cloud price type for :meth:`rental_usd_per_hour`.
    rental_provider : str
        Provider whose committed-use discounts apply (``data/committed_use_discounts.csv``:
        aws 41%/64%, google 37%/56%, azure 25%/49%, lambda 34%/56%). Default "aws", Epoch's
        default vendor.
    """

    server_cost_overhead: float = EPOCH_SERVER_COST_OVERHEAD
    network_cost_overhead: float = EPOCH_NETWORK_COST_OVERHEAD
    facility_capex_usd_per_w: float = FACILITY_CAPEX_USD_PER_W
    amortization: str = "depreciation"
    depreciation_rate_per_year: float = EPOCH_DEPRECIATION_RATE_PER_YEAR
    lifetime_years: float = EPOCH_SERVER_LIFETIME_YEARS
    electricity_usd_per_kwh: float = DEFAULT_ELECTRICITY_USD_PER_KWH
    rental_discount: str = "on_demand"
    rental_provider: str = "aws"

    def __post_init__(self) -> None:
        for attr in ("server_cost_overhead", "network_cost_overhead"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 1):
                raise ValueError(f"PriceAssumptions.{attr} must be >= 1 and finite, got {value!r}")
        for attr in ("facility_capex_usd_per_w",):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"PriceAssumptions.{attr} must be >= 0 and finite, got {value!r}")
        for attr in ("depreciation_rate_per_year", "lifetime_years", "electricity_usd_per_kwh"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(
                    f"PriceAssumptions.{attr} must be positive and finite, got {value!r}"
                )
        if self.amortization not in AMORTIZATIONS:
            raise ValueError(
                f"PriceAssumptions.amortization must be one of {AMORTIZATIONS}, got "
                f"{self.amortization!r}"
            )
        if self.rental_discount not in RENTAL_TERMS:
            raise ValueError(
                f"PriceAssumptions.rental_discount must be one of {RENTAL_TERMS}, got "
                f"{self.rental_discount!r}"
            )
        providers = list(_cud_table().index)
        if self.rental_provider not in providers:
            raise ValueError(
                f"PriceAssumptions.rental_provider must be one of {providers}, got "
                f"{self.rental_provider!r}"
            )

    @property
    def amortization_rate_per_year(self) -> float:
        """Fraction of capex charged per year of use under the chosen amortisation."""
        if self.amortization == "depreciation":
            return self.depreciation_rate_per_year
        return 1.0 / self.lifetime_years

    def rental_usd_per_hour(self, on_demand_usd_per_hour):
        """On-demand price converted to ``rental_discount`` at ``rental_provider``."""
        return discounted_rental_usd_per_hour(on_demand_usd_per_hour, self.rental_discount,
                                              self.rental_provider)


_DEFAULT_PRICES = None


def _prices(prices):
    global _DEFAULT_PRICES
    if prices is None:
        if _DEFAULT_PRICES is None:
            _DEFAULT_PRICES = PriceAssumptions()
        return _DEFAULT_PRICES
    if not isinstance(prices, PriceAssumptions):
        raise ValueError(f"prices must be a PriceAssumptions or None, got {type(prices).__name__}")
    return prices


# --------------------------------------------------------------------------------------------
# capex
# --------------------------------------------------------------------------------------------

def capex_breakdown_usd(n_accelerators, price_usd, *, it_power_w=0.0,
                        price_includes_server=False, prices=None) -> dict:
    """Capital cost of a cluster by component [USD].

    Parameters
    ----------
    n_accelerators : int or array_like or Series
        Accelerators, > 0.
    price_usd : float or array_like or Series
        Price per accelerator [USD], > 0 (NaN refused).
    it_power_w : float or array_like or Series
        Peak IT power to build the facility for [W]; 0 leaves the facility out.
    price_includes_server : bool
        True when ``price_usd`` is a per-accelerator share of a complete server/rack.
    prices : PriceAssumptions or None
        Overheads and facility cost; None uses the defaults.

    Returns
    -------
    dict
        ``chips_usd``, ``servers_usd``, ``network_usd``, ``facility_usd``, ``total_usd``.

    Notes
    -----
    .. math::
        C_{chips} = n p,\\quad C_{servers} = C_{chips}(k_s - 1),\\quad
        C_{net} = (C_{chips} + C_{servers})(k_n - 1),\\quad C_{fac} = c_W P_{IT}
    """
    assumptions = _prices(prices)
    count = as_float_array("n_accelerators", n_accelerators)
    price = as_float_array("price_usd", price_usd)
    power = as_float_array("it_power_w", it_power_w, allow_zero=True)
    chips = count * price
    server_factor = 1.0 if price_includes_server else assumptions.server_cost_overhead
    servers = chips * (server_factor - 1.0)
    network = (chips + servers) * (assumptions.network_cost_overhead - 1.0)
    facility = power * assumptions.facility_capex_usd_per_w
    total = chips + servers + network + facility
    inputs = (n_accelerators, price_usd, it_power_w)
    return {
        "chips_usd": like(chips, *inputs),
        "servers_usd": like(servers, *inputs),
        "network_usd": like(network, *inputs),
        "facility_usd": like(facility, *inputs),
        "total_usd": like(total, *inputs),
    }


def cluster_capex_usd(n_accelerators, price_usd, *, it_power_w=0.0,
                      price_includes_server=False, prices=None):
    """Total capital cost of a cluster [USD]: chips + servers + network + facility.

    See :func:`capex_breakdown_usd` for parameters and the equation.
    """
    return capex_breakdown_usd(n_accelerators, price_usd, it_power_w=it_power_w,
                               price_includes_server=price_includes_server,
                               prices=prices)["total_usd"]


def amortized_hardware_cost_usd(capex_usd, time_s, *, prices=None):
    """Share of hardware capex charged to a run of duration ``time_s`` [USD].

    Parameters
    ----------
    capex_usd : float or array_like or Series
        Hardware capital cost in use [USD], >= 0.
    time_s : float or array_like or Series
        Duration the hardware is used [s], >= 0. For a per-accelerator capex, pass
        accelerator-hours x 3600.
    prices : PriceAssumptions or None
        ``amortization`` "depreciation" (default) or "straight_line".

    Notes
    -----
    .. math:: C = K \\cdot r \\cdot t,\\quad r = 0.14 \\ln 10 = 0.322\\,/\\mathrm{yr}
        \\ \\text{(depreciation)}\\quad\\text{or}\\quad r = 1/L \\ \\text{(straight line)}
    """
    assumptions = _prices(prices)
    capex = as_float_array("capex_usd", capex_usd, allow_zero=True)
    duration = as_float_array("time_s", time_s, allow_zero=True)
    years = duration / SECONDS_PER_YEAR
    return like(capex * assumptions.amortization_rate_per_year * years, capex_usd, time_s)


def depreciated_value_usd(price_usd, age_years,
                          oom_per_year=EPOCH_DEPRECIATION_OOM_PER_YEAR):
    """Value of hardware after ``age_years`` of price-performance progress [USD].

    Notes
    -----
    .. math:: V = p \\cdot 10^{-0.14\\,a}

    Epoch values hardware at training start this way (Cottier et al. 2024).
    """
    price = as_float_array("price_usd", price_usd)
    age = as_float_array("age_years", age_years, allow_zero=True)
    rate = as_float_array("oom_per_year", oom_per_year, allow_zero=True)
    return like(price * 10.0 ** (-rate * age), price_usd, age_years, oom_per_year)


# --------------------------------------------------------------------------------------------
# energy
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _electricity_table():
    from scaling.data import load_table

    return load_table("electricity_prices").set_index("year")["electricity_usd_per_kwh"]


def electricity_price_usd_per_kwh(year):
    """US average industrial electricity price in a year [USD/kWh] (2015-2025, EIA via Epoch).

    Raises
    ------
    ValueError
        Year outside the table (the message gives the range).
    """
    table = _electricity_table()
    years = as_numeric_array("year", year)
    valid = set(int(y) for y in table.index)
    bad = [y for y in np.atleast_1d(years) if y != int(y) or int(y) not in valid]
    if bad:
        raise ValueError(
            f"no electricity price for year(s) {bad}; available: {min(valid)}-{max(valid)}"
        )
    values = np.vectorize(lambda y: float(table.loc[int(y)]), otypes=[float])(years)
    return like(values, year)


def energy_cost_usd(energy_j, electricity_usd_per_kwh=DEFAULT_ELECTRICITY_USD_PER_KWH):
    """Cost of energy [USD].

    Notes
    -----
    .. math:: C = E / (3.6\\times10^6\\,\\mathrm{J/kWh}) \\cdot p_{kWh}
    """
    energy = as_float_array("energy_j", energy_j, allow_zero=True)
    price = as_float_array("electricity_usd_per_kwh", electricity_usd_per_kwh)
    return like(energy / J_PER_KWH * price, energy_j, electricity_usd_per_kwh)


# --------------------------------------------------------------------------------------------
# rental
# --------------------------------------------------------------------------------------------

def committed_use_discount(term: str, provider: str = "aws") -> float:
    """Fractional discount of a committed-use price versus on-demand.

    Epoch's defaults (training-cost-trends ``DEFAULT_CUD``): aws 41% (1 yr) / 64% (3 yr),
    google 37% / 56%, azure 25% / 49%, lambda 34% / 56%; "on_demand" is 0.
    """
    if term not in RENTAL_TERMS:
        raise ValueError(f"term must be one of {RENTAL_TERMS}, got {term!r}")
    table = _cud_table()
    if provider not in table.index:
        raise ValueError(f"unknown provider {provider!r}; valid: {', '.join(table.index)}")
    if term == "on_demand":
        return 0.0
    return float(table.loc[provider, f"discount_{term}"])


def discounted_rental_usd_per_hour(on_demand_usd_per_hour, term="1yr", provider="aws"):
    """Committed-use price from an on-demand price [USD/h].

    Notes
    -----
    .. math:: p_{term} = p_{on\\,demand} (1 - d_{term})
    """
    price = as_float_array("on_demand_usd_per_hour", on_demand_usd_per_hour)
    return like(price * (1.0 - committed_use_discount(term, provider)), on_demand_usd_per_hour)


def rental_cost_usd(accelerator_hours, rental_usd_per_hour):
    """Cloud rental cost [USD].

    Notes
    -----
    .. math:: C = h \\cdot p_h

    DeepSeek-V3: 2.788M H800-hours x $2 = $5.576M (arXiv:2412.19437, Table 1).
    """
    hours = as_float_array("accelerator_hours", accelerator_hours, allow_zero=True)
    price = as_float_array("rental_usd_per_hour", rental_usd_per_hour)
    return like(hours * price, accelerator_hours, rental_usd_per_hour)


# --------------------------------------------------------------------------------------------
# clusters
# --------------------------------------------------------------------------------------------

def _price_of(chip: Accelerator, price_usd):
    if price_usd is not None:
        return price_usd
    if math.isnan(chip.price_usd):
        raise ValueError(
            f"{chip.name} has no purchase price in the catalog; pass price_usd= explicitly"
        )
    return chip.price_usd


def cluster_cost_breakdown(cluster: Cluster, *, time_s=None, prices=None,
                           price_usd=None) -> dict:
    """Capex by component of a :class:`~scaling.cluster.Cluster`, plus energy over ``time_s``.

    Parameters
    ----------
    cluster : Cluster
    time_s : float or None
        Duration to price energy for [s] at the average facility power; None omits energy.
    prices : PriceAssumptions or None
    price_usd : float or None
        Override of the accelerator's catalog price [USD].

    Returns
    -------
    dict
        ``chips_usd``, ``servers_usd``, ``network_usd``, ``facility_usd``, ``total_usd`` and,
        with ``time_s``, ``energy_usd`` and ``energy_j``.
    """
    if not isinstance(cluster, Cluster):
        raise ValueError(f"cluster must be a Cluster, got {type(cluster).__name__}")
    assumptions = _prices(prices)
    chip = cluster.accelerator
    out = capex_breakdown_usd(cluster.n_accelerators, _price_of(chip, price_usd),
                              it_power_w=cluster.peak_it_power_w(),
                              price_includes_server=chip.price_includes_server,
                              prices=assumptions)
    if time_s is not None:
        energy = _energy_j(cluster.average_facility_power_w(), time_s)
        out["energy_j"] = energy
        out["energy_usd"] = energy_cost_usd(energy, assumptions.electricity_usd_per_kwh)
    return out


#: The four systems the project's seed compares, shown first by :func:`compare_clusters`.
SEED_SYSTEMS = ("stargate-2024", "frontier", "eos-mlperf", "azure-eagle")


def compare_clusters(names=None, *, prices=None, precision="bf16"):
    """Named systems side by side: chips, peak and sustained FLOP/s, power and capex.

    Parameters
    ----------
    names : sequence of str or None
        Keys of ``data/clusters.csv``; None gives all, the seed's four
        (:data:`SEED_SYSTEMS`) first.
    prices : PriceAssumptions or None
    precision : {"bf16", "fp8"}

    Returns
    -------
    pandas.DataFrame
        One row per system: ``name``, ``accelerator``, ``n_accelerators``, ``status``,
        ``year``, ``peak_flop_per_s``, ``mfu``, ``sustained_flop_per_s`` [FLOP/s],
        ``peak_facility_power_w``, ``average_facility_power_w``, ``reported_power_w`` [W],
        ``modelled_capex_usd`` (chips, servers, network and facility; NaN where the chip has
        no catalog price), ``reported_capex_usd``, ``capex_scope`` [USD], ``n_racks``.
    """
    import pandas as pd

    from scaling.cluster import cluster as _cluster, list_clusters

    if names is None:
        every = list(list_clusters()["name"])
        names = [n for n in SEED_SYSTEMS if n in every] + [n for n in every
                                                            if n not in SEED_SYSTEMS]
    rows = []
    for name in names:
        system = _cluster(name)
        chip = system.accelerator
        if math.isnan(chip.price_usd):
            capex = math.nan
        else:
            capex = cluster_cost_breakdown(system, prices=prices)["total_usd"]
        rows.append({
            "name": name,
            "accelerator": chip.name,
            "n_accelerators": system.n_accelerators,
            "status": system.status,
            "year": system.year,
            "peak_flop_per_s": system.peak_flop_per_s(precision),
            "mfu": system.effective_mfu,
            "sustained_flop_per_s": system.sustained_flop_per_s(precision=precision),
            "peak_facility_power_w": system.peak_facility_power_w(),
            "average_facility_power_w": system.average_facility_power_w(),
            "reported_power_w": system.reported_power_w,
            "modelled_capex_usd": capex,
            "reported_capex_usd": system.reported_capex_usd,
            "capex_scope": system.capex_scope,
            "n_racks": system.n_racks(),
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSizing:
    """What a budget or power envelope buys (returned by :func:`size_cluster`).

    Attributes are unit-suffixed; ``binding`` says which constraint set the count.
    """

    accelerator: Accelerator
    n_accelerators: int
    binding: str
    n_racks: float
    peak_flop_per_s: float
    sustained_flop_per_s: float
    mfu: float
    peak_it_power_w: float
    peak_facility_power_w: float
    average_facility_power_w: float
    capex_usd: float
    hardware_capex_usd: float
    facility_capex_usd: float
    pue: float
    cooling: str

    def to_cluster(self, name: str = "sized") -> Cluster:
        """The sized system as a :class:`~scaling.cluster.Cluster` (status "estimate")."""
        return Cluster(name=name, accelerator=self.accelerator,
                       n_accelerators=self.n_accelerators, pue=self.pue, cooling=self.cooling,
                       mfu=self.mfu, status="estimate", source="scaling.cost.size_cluster")

    def to_dict(self) -> dict:
        """Flat dict of the figures (accelerator by name)."""
        return {
            "accelerator": self.accelerator.name, "n_accelerators": self.n_accelerators,
            "binding": self.binding, "n_racks": self.n_racks,
            "peak_flop_per_s": self.peak_flop_per_s,
            "sustained_flop_per_s": self.sustained_flop_per_s, "mfu": self.mfu,
            "peak_it_power_w": self.peak_it_power_w,
            "peak_facility_power_w": self.peak_facility_power_w,
            "average_facility_power_w": self.average_facility_power_w,
            "capex_usd": self.capex_usd, "hardware_capex_usd": self.hardware_capex_usd,
            "facility_capex_usd": self.facility_capex_usd, "pue": self.pue,
            "cooling": self.cooling,
        }


def size_cluster(accelerator, *, budget_usd=None, power_w=None, prices=None,
                 pue=EPOCH_HYPERSCALER_PUE, cooling="liquid", mfu=None, precision="bf16",
                 price_usd=None) -> ClusterSizing:
    """How many accelerators of a kind a budget and/or a power envelope buys.

    Parameters
    ----------
    accelerator : Accelerator or str
        Chip, or its catalog name.
    budget_usd : float or None
        Capital budget [USD] for chips, servers, network and facility.
    power_w : float or None
        Grid power envelope [W], compared with the provisioned facility power
        (peak IT power x PUE).
    prices : PriceAssumptions or None
    pue : float
        >= 1; default Epoch's hyperscaler 1.10.
    cooling : {"air", "liquid"}
        Sets rack power (``data/rack_power.csv``).
    mfu : float or None
        Utilisation for the sustained FLOP/s; None uses the accelerator's default.
    precision : {"bf16", "fp8"}
    price_usd : float or None
        Override of the catalog price [USD per accelerator].

    Returns
    -------
    ClusterSizing

    Notes
    -----
    Per accelerator, capex :math:`k = c_{hw} + c_W P_{TDP} k_{server}` and provisioned power
    :math:`q = P_{TDP} k_{server} \\mathrm{PUE}`;
    :math:`n = \\min(\\lfloor B / k \\rfloor, \\lfloor P / q \\rfloor)`.

    Raises
    ------
    ValueError
        Neither constraint given, non-positive or NaN inputs, no catalog price, or a budget
        or envelope too small for one accelerator.
    """
    chip = as_accelerator(accelerator)
    if budget_usd is None and power_w is None:
        raise ValueError("give budget_usd, power_w or both")
    assumptions = _prices(prices)
    if not (isinstance(pue, (int, float)) and math.isfinite(pue) and pue >= 1):
        raise ValueError(f"pue must be >= 1, got {pue!r}")
    rack_power_w = default_rack_power_w(cooling)
    it_power_per_chip_w = chip.tdp_w * chip.chip_to_server_power
    candidates = {}
    if budget_usd is not None:
        budget = float(as_float_array("budget_usd", budget_usd))
        per_chip = cluster_capex_usd(1, _price_of(chip, price_usd),
                                     it_power_w=it_power_per_chip_w,
                                     price_includes_server=chip.price_includes_server,
                                     prices=assumptions)
        candidates["budget"] = math.floor(budget / per_chip)
    if power_w is not None:
        envelope = float(as_float_array("power_w", power_w))
        candidates["power"] = math.floor(envelope / (it_power_per_chip_w * pue))
    binding = min(candidates, key=candidates.get)
    count = candidates[binding]
    if count < 1:
        raise ValueError(
            f"the {binding} constraint is too small for a single {chip.name}"
        )
    effective_mfu = chip.default_mfu if mfu is None else mfu
    it_power = count * it_power_per_chip_w
    hardware = capex = facility = math.nan
    if budget_usd is not None or price_usd is not None or not math.isnan(chip.price_usd):
        parts = capex_breakdown_usd(count, _price_of(chip, price_usd), it_power_w=it_power,
                                    price_includes_server=chip.price_includes_server,
                                    prices=assumptions)
        capex = parts["total_usd"]
        facility = parts["facility_usd"]
        hardware = capex - facility
    return ClusterSizing(
        accelerator=chip,
        n_accelerators=int(count),
        binding=binding,
        n_racks=float(_n_racks(it_power, rack_power_w)),
        peak_flop_per_s=count * chip.peak_flop_per_s(precision),
        sustained_flop_per_s=float(_sustained_flop_per_s(chip.peak_flop_per_s(precision),
                                                         count, effective_mfu)),
        mfu=float(effective_mfu),
        peak_it_power_w=it_power,
        peak_facility_power_w=it_power * pue,
        average_facility_power_w=it_power * chip.server_power_fraction * pue,
        capex_usd=capex,
        hardware_capex_usd=hardware,
        facility_capex_usd=facility,
        pue=float(pue),
        cooling=cooling,
    )
