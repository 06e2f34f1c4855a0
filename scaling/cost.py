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

import numpy as np

from scaling._validation import (
    as_count_array, as_float_array, as_numeric_array, check_at_least, check_choice,
    check_fraction, check_plausible, elementwise, like, named_fields, scalar,
)
from scaling.data import cached, cell_count, cell_number, load_rows
from scaling.units import (
    J_PER_KWH, SECONDS_PER_HOUR, SECONDS_PER_MONTH, SECONDS_PER_YEAR, W_PER_KW,
)

__all__ = [
    "AMORTIZATIONS",
    "EPOCH_DEPRECIATION_OOM_PER_YEAR",
    "EPOCH_DEPRECIATION_RATE_PER_YEAR",
    "EPOCH_NETWORK_COST_OVERHEAD",
    "EPOCH_SERVER_COST_OVERHEAD",
    "FACILITY_CAPEX_USD_PER_W",
    "PriceAssumptions",
    "RENTAL_TERMS",
    "amortized_hardware_cost_usd",
    "break_even_occupancy",
    "break_even_time_s",
    "capex_breakdown_usd",
    "cluster_capex_usd",
    "committed_use_discount",
    "depreciated_value_usd",
    "discounted_rental_usd_per_hour",
    "electricity_price_usd_per_kwh",
    "electricity_prices_usd_per_kwh",
    "energy_cost_usd",
    "ownership_cost_usd",
    "rental_cost_over_time_usd",
    "rental_cost_usd",
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


@cached
def _cud_table() -> dict:
    """Provider -> its row of ``data/committed_use_discounts.csv``."""
    return {row["provider"]: row for row in load_rows("committed_use_discounts")}


@named_fields
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
    electricity_usd_per_kwh : float, optional
        Electricity price [USD/kWh]. None (default): the US industrial average of the run's
        year with ``Assumptions.as_of`` (``data/electricity_prices.csv``), of 2025 (0.0826,
        EIA via Epoch) without a date. A value given is used as given, whatever the date.
    rental_usd_per_hour : float, optional
        Price paid per accelerator-hour rented [USD/h], after any discount. None (default):
        the catalog's on-demand price (at ``as_of``'s date with one, see
        :mod:`scaling.rental`) converted to ``rental_discount``. A value given is used as
        given (no date, discount or dollar conversion applies).
    accelerator_price_usd : float, optional
        Price of one accelerator bought [USD], the value a run is charged from: the chip, or
        its share of a complete server where the catalog's price is one
        (``Accelerator.price_includes_server``); the server and network overheads are added
        as for the catalog's price. None (default): the catalog's price (valued at ``as_of``
        with one). A value given is used as given (no date or dollar conversion).
    rental_discount : {"on_demand", "1yr", "3yr"}
        Cloud price type for :meth:`discounted_usd_per_hour`.
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
    electricity_usd_per_kwh: float | None = None
    rental_usd_per_hour: float | None = None
    accelerator_price_usd: float | None = None
    rental_discount: str = "on_demand"
    rental_provider: str = "aws"

    def __post_init__(self) -> None:
        checked = {}
        for attr in ("server_cost_overhead", "network_cost_overhead"):
            checked[attr] = scalar(f"PriceAssumptions.{attr}", getattr(self, attr),
                                   check_at_least, minimum=1.0)
        checked["facility_capex_usd_per_w"] = scalar(
            "PriceAssumptions.facility_capex_usd_per_w", self.facility_capex_usd_per_w,
            allow_zero=True)
        for attr in ("depreciation_rate_per_year", "lifetime_years"):
            checked[attr] = scalar(f"PriceAssumptions.{attr}", getattr(self, attr))
        for attr, quantity in (("electricity_usd_per_kwh", "electricity_usd_per_kwh"),
                               ("rental_usd_per_hour", "rental_usd_per_hour"),
                               ("accelerator_price_usd", "price_usd")):
            if getattr(self, attr) is not None:
                checked[attr] = check_plausible(f"PriceAssumptions.{attr}", scalar(
                    f"PriceAssumptions.{attr}", getattr(self, attr)), quantity)
        check_choice("PriceAssumptions.amortization", self.amortization, AMORTIZATIONS)
        check_choice("PriceAssumptions.rental_discount", self.rental_discount, RENTAL_TERMS)
        check_choice("PriceAssumptions.rental_provider", self.rental_provider,
                     list(_cud_table()))
        for attr, value in checked.items():
            object.__setattr__(self, attr, value)

    @property
    def amortization_rate_per_year(self) -> float:
        """Fraction of capex charged per year of use under the chosen amortisation [1/year]."""
        if self.amortization == "depreciation":
            return self.depreciation_rate_per_year
        return 1.0 / self.lifetime_years

    @property
    def electricity_or_default_usd_per_kwh(self) -> float:
        """The electricity price given, else 2025's US industrial average [USD/kWh] (a run
        without a date)."""
        return (DEFAULT_ELECTRICITY_USD_PER_KWH if self.electricity_usd_per_kwh is None
                else self.electricity_usd_per_kwh)

    def discounted_usd_per_hour(self, on_demand_usd_per_hour):
        """On-demand price converted to ``rental_discount`` at ``rental_provider``; forwards to
        :func:`discounted_rental_usd_per_hour`."""
        return discounted_rental_usd_per_hour(on_demand_usd_per_hour, self.rental_discount,
                                              self.rental_provider)

    def capex_breakdown_usd(self, n_accelerators, price_usd, *, it_power_w=0.0,
                            price_includes_server=False) -> dict:
        """Capex by component with these overheads; forwards to :func:`capex_breakdown_usd`."""
        return capex_breakdown_usd(
            n_accelerators, price_usd, it_power_w=it_power_w,
            price_includes_server=price_includes_server,
            server_cost_overhead=self.server_cost_overhead,
            network_cost_overhead=self.network_cost_overhead,
            facility_capex_usd_per_w=self.facility_capex_usd_per_w)

    def amortized_hardware_cost_usd(self, capex_usd, time_s):
        """Capex charged to a run of ``time_s``; forwards to
        :func:`amortized_hardware_cost_usd` with :attr:`amortization_rate_per_year`."""
        return amortized_hardware_cost_usd(capex_usd, time_s, self.amortization_rate_per_year)


# --------------------------------------------------------------------------------------------
# capex
# --------------------------------------------------------------------------------------------

def capex_breakdown_usd(n_accelerators, price_usd, *, it_power_w=0.0,
                        price_includes_server=False,
                        server_cost_overhead=EPOCH_SERVER_COST_OVERHEAD,
                        network_cost_overhead=EPOCH_NETWORK_COST_OVERHEAD,
                        facility_capex_usd_per_w=FACILITY_CAPEX_USD_PER_W) -> dict:
    """Capital cost of a cluster by component [USD].

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators, > 0.
    price_usd : numeric
        Price per accelerator [USD], >= 0 (NaN refused; 0 for hardware valued at zero, e.g.
        written off under straight-line valuation).
    it_power_w : numeric
        Peak IT power to build the facility for [W]; 0 leaves the facility out.
    price_includes_server : bool
        True when ``price_usd`` is a per-accelerator share of a complete server/rack.
    server_cost_overhead : numeric
        Server cost / chip cost k_s, >= 1 (default Epoch's 1.64); ignored when the price
        includes the server.
    network_cost_overhead : numeric
        Cluster cost incl. interconnect / server cost k_n, >= 1 (default Epoch's 1.235).
    facility_capex_usd_per_w : numeric
        Building, power and cooling per W of peak IT power c_W [USD/W] (default 10).

    Returns
    -------
    dict
        ``chips_usd``, ``servers_usd``, ``network_usd``, ``facility_usd``, ``total_usd`` and
        ``hardware_usd`` (chips + servers + network: the part amortised over a run).

    Notes
    -----
    .. math::
        C_{chips} = n p,\\quad C_{servers} = C_{chips}(k_s - 1),\\quad
        C_{net} = (C_{chips} + C_{servers})(k_n - 1),\\quad C_{fac} = c_W P_{IT}
    """
    count = as_float_array("n_accelerators", n_accelerators)
    price = as_float_array("price_usd", price_usd, allow_zero=True)  # 0: written off
    power = as_float_array("it_power_w", it_power_w, allow_zero=True)
    k_server = check_at_least("server_cost_overhead", server_cost_overhead, 1.0)
    k_network = check_at_least("network_cost_overhead", network_cost_overhead, 1.0)
    per_w = as_float_array("facility_capex_usd_per_w", facility_capex_usd_per_w,
                           allow_zero=True)
    parts = _capex_breakdown_usd(count, price, power, price_includes_server, k_server,
                                 k_network, per_w)
    inputs = (n_accelerators, price_usd, it_power_w, server_cost_overhead,
              network_cost_overhead)
    return {key: like(value, *inputs) for key, value in parts.items()}


def _capex_breakdown_usd(count, price, it_power, price_includes_server, k_server, k_network,
                         per_w) -> dict:
    """Unvalidated kernel of :func:`capex_breakdown_usd` (inputs checked by the caller)."""
    chips = count * price
    servers = chips * (0.0 if price_includes_server else k_server - 1.0)
    network = (chips + servers) * (k_network - 1.0)
    facility = it_power * per_w
    hardware = chips + servers + network
    return {"chips_usd": chips, "servers_usd": servers, "network_usd": network,
            "facility_usd": facility, "total_usd": hardware + facility,
            "hardware_usd": hardware}


def cluster_capex_usd(n_accelerators, price_usd, *, it_power_w=0.0, price_includes_server=False,
                      server_cost_overhead=EPOCH_SERVER_COST_OVERHEAD,
                      network_cost_overhead=EPOCH_NETWORK_COST_OVERHEAD,
                      facility_capex_usd_per_w=FACILITY_CAPEX_USD_PER_W):
    """Total capital cost of a cluster [USD]: chips + servers + network + facility.

    See :func:`capex_breakdown_usd` for parameters and the equation.
    """
    return capex_breakdown_usd(
        n_accelerators, price_usd, it_power_w=it_power_w,
        price_includes_server=price_includes_server, server_cost_overhead=server_cost_overhead,
        network_cost_overhead=network_cost_overhead,
        facility_capex_usd_per_w=facility_capex_usd_per_w)["total_usd"]


@elementwise
def amortized_hardware_cost_usd(capex_usd, time_s,
                                amortization_rate_per_year=EPOCH_DEPRECIATION_RATE_PER_YEAR):
    """Share of hardware capex charged to a run of duration ``time_s`` [USD].

    Parameters
    ----------
    capex_usd : numeric
        Hardware capital cost in use [USD], >= 0.
    time_s : numeric
        Duration the hardware is used [s], >= 0. For a per-accelerator capex, pass
        accelerator-hours x 3600.
    amortization_rate_per_year : numeric
        Fraction of capex charged per year [1/year]; default Epoch's price-performance
        depreciation 0.14 ln 10 = 0.322 (:attr:`PriceAssumptions.amortization_rate_per_year`
        gives it for a chosen method).

    Notes
    -----
    .. math:: C = K \\cdot r \\cdot t,\\quad r = 0.14 \\ln 10 = 0.322\\,/\\mathrm{yr}
        \\ \\text{(depreciation)}\\quad\\text{or}\\quad r = 1/L \\ \\text{(straight line)}
    """
    capex = as_float_array("capex_usd", capex_usd, allow_zero=True)
    duration = as_float_array("time_s", time_s, allow_zero=True)
    rate = as_float_array("amortization_rate_per_year", amortization_rate_per_year,
                          allow_zero=True)
    return like(_amortized_hardware_cost_usd(capex, duration, rate), capex_usd, time_s,
                amortization_rate_per_year)


def _amortized_hardware_cost_usd(capex, duration, rate):
    """Unvalidated kernel of :func:`amortized_hardware_cost_usd` (inputs checked by the
    caller)."""
    return capex * rate * duration / SECONDS_PER_YEAR


@elementwise
def depreciated_value_usd(price_usd, age_years,
                          oom_per_year=EPOCH_DEPRECIATION_OOM_PER_YEAR):
    """Value of hardware after ``age_years`` of price-performance progress [USD].

    The one home of Cottier et al.'s depreciation rule; :func:`scaling.valuation.hardware_value_usd`
    applies it between dates.

    Parameters
    ----------
    price_usd : numeric
        Price when the age is 0 [USD], > 0.
    age_years : numeric
        Years since the price was observed; negative follows the trend backwards (a higher
        value before the price was observed). [years]
    oom_per_year : numeric
        Price-performance improvement [orders of magnitude per year], >= 0; default 0.14
        (Epoch, ML GPUs).

    Notes
    -----
    .. math:: V = p \\cdot 10^{-k\\,a}

    Epoch values hardware at training start this way (Cottier et al. 2024, k = 0.14).
    """
    price = as_float_array("price_usd", price_usd)
    age = as_numeric_array("age_years", age_years)
    rate = as_float_array("oom_per_year", oom_per_year, allow_zero=True)
    return like(price * 10.0 ** (-rate * age), price_usd, age_years, oom_per_year)


# --------------------------------------------------------------------------------------------
# energy
# --------------------------------------------------------------------------------------------

@cached
def _electricity_table() -> dict:
    return {cell_count(row, "year", table="electricity_prices"):
            cell_number(row, "electricity_usd_per_kwh", table="electricity_prices")
            for row in load_rows("electricity_prices")}


def electricity_prices_usd_per_kwh() -> dict:
    """US average industrial electricity price by calendar year, ``{year: USD/kWh}``
    (``data/electricity_prices.csv``, 2015-2025, EIA via Epoch; a copy)."""
    return dict(_electricity_table())


def electricity_price_usd_per_kwh(year):
    """US average industrial electricity price in a year [USD/kWh] (2015-2025, EIA via Epoch).

    Raises
    ------
    ValueError
        Year outside the table (the message gives the range).
    """
    table = _electricity_table()
    years = as_numeric_array("year", year)
    bad = [y for y in np.atleast_1d(years) if y != int(y) or int(y) not in table]
    if bad:
        raise ValueError(
            f"no electricity price for year(s) {bad}; available: {min(table)}-{max(table)}"
        )
    values = np.vectorize(lambda y: table[int(y)], otypes=[float])(years)
    return like(values, year)


@elementwise
def energy_cost_usd(energy_j, electricity_usd_per_kwh=DEFAULT_ELECTRICITY_USD_PER_KWH):
    """Cost of energy [USD].

    Notes
    -----
    .. math:: C = E / (3.6\\times10^6\\,\\mathrm{J/kWh}) \\cdot p_{kWh}
    """
    energy = as_float_array("energy_j", energy_j, allow_zero=True)
    price = as_float_array("electricity_usd_per_kwh", electricity_usd_per_kwh)
    return like(_energy_cost_usd(energy, price), energy_j, electricity_usd_per_kwh)


def _energy_cost_usd(energy, price):
    """Unvalidated kernel of :func:`energy_cost_usd` (inputs checked by the caller)."""
    return energy / J_PER_KWH * price


# --------------------------------------------------------------------------------------------
# rental
# --------------------------------------------------------------------------------------------

def committed_use_discount(term: str, provider: str = "aws") -> float:
    """Fractional discount of a committed-use price versus on-demand.

    Epoch's defaults (training-cost-trends ``DEFAULT_CUD``): aws 41% (1 yr) / 64% (3 yr),
    google 37% / 56%, azure 25% / 49%, lambda 34% / 56%; "on_demand" is 0.
    """
    if term not in RENTAL_TERMS:
        check_choice("term", term, RENTAL_TERMS)
    table = _cud_table()
    if provider not in table:
        check_choice("provider", provider, list(table))
    if term == "on_demand":
        return 0.0
    return cell_number(table[provider], f"discount_{term}", table="committed_use_discounts")


def discounted_rental_usd_per_hour(on_demand_usd_per_hour, term="1yr", provider="aws"):
    """Committed-use price from an on-demand price [USD/h].

    Notes
    -----
    .. math:: p_{term} = p_{on\\,demand} (1 - d_{term})
    """
    price = as_float_array("on_demand_usd_per_hour", on_demand_usd_per_hour)
    return like(price * (1.0 - committed_use_discount(term, provider)), on_demand_usd_per_hour)


@elementwise
def rental_cost_usd(accelerator_hours, rental_usd_per_hour):
    """Cloud rental cost [USD].

    Notes
    -----
    .. math:: C = h \\cdot p_h

    DeepSeek-V3: 2.788M H800-hours x $2 = $5.576M (arXiv:2412.19437, Table 1).
    """
    hours = as_float_array("accelerator_hours", accelerator_hours, allow_zero=True)
    price = as_float_array("rental_usd_per_hour", rental_usd_per_hour)
    return like(_rental_cost_usd(hours, price), accelerator_hours, rental_usd_per_hour)


def _rental_cost_usd(hours, price):
    """Unvalidated kernel of :func:`rental_cost_usd` (inputs checked by the caller)."""
    return hours * price


# --------------------------------------------------------------------------------------------
# owning against renting over time
# --------------------------------------------------------------------------------------------


@elementwise
def ownership_cost_usd(time_s, capex_usd, it_power_w, facility_power_w, occupancy, *,
                       colocation_usd_per_kw_month, electricity_usd_per_kwh):
    """Cumulative cost of owning a cluster after a time [USD].

    Parameters
    ----------
    time_s : numeric
        Time since the cluster went into service t. [s]
    capex_usd : numeric
        Purchase price of the cluster K (servers and network). [USD]
    it_power_w : numeric
        Contracted (nameplate) IT power :math:`P_{IT}` the colocation bills for. [W]
    facility_power_w : numeric
        Average power at the wall while training, PUE included, :math:`P_{wall}`. [W]
    occupancy : numeric
        Occupancy u: the share of the time the owned cluster is busy training, in (0, 1];
        idle power is neglected. [fraction]
    colocation_usd_per_kw_month : numeric
        Colocation rent r. [USD/(kW month)]
    electricity_usd_per_kwh : numeric
        Electricity price e. [USD/kWh]

    Returns
    -------
    cost_usd : numeric
        [USD]

    Notes
    -----
    .. math:: C_{own}(t) = K + r\\,\\frac{P_{IT}}{1\\,\\mathrm{kW}}\\,\\frac{t}{1\\,\\mathrm{month}}
              + e\\,u\\,P_{wall}\\,t
    """
    t = as_float_array("time_s", time_s, allow_zero=True)
    k = as_float_array("capex_usd", capex_usd, allow_zero=True)
    p_it = as_float_array("it_power_w", it_power_w, allow_zero=True)
    p_wall = as_float_array("facility_power_w", facility_power_w, allow_zero=True)
    u = check_fraction("occupancy", occupancy)
    r = as_float_array("colocation_usd_per_kw_month", colocation_usd_per_kw_month, allow_zero=True)
    e = as_float_array("electricity_usd_per_kwh", electricity_usd_per_kwh, allow_zero=True)
    energy = np.asarray(energy_cost_usd(u * p_wall * t, e))
    result = k + r * p_it / W_PER_KW * t / SECONDS_PER_MONTH + energy
    return like(result, time_s, capex_usd, it_power_w, facility_power_w, occupancy,
                 colocation_usd_per_kw_month, electricity_usd_per_kwh)


@elementwise
def rental_cost_over_time_usd(time_s, n_accelerators, rental_usd_per_hour, occupancy=1.0):
    """Cumulative rent for a number of accelerators after a time [USD].

    Parameters
    ----------
    time_s : numeric
        Elapsed time t. [s]
    n_accelerators : numeric
        Accelerators rented n. [count]
    rental_usd_per_hour : numeric
        Price per accelerator-hour p. [USD/h]
    occupancy : numeric
        Share of the time paid for u, in (0, 1]: the occupancy (busy share) for on-demand
        rent, 1 for committed use, which bills every hour of the term. [fraction]

    Returns
    -------
    cost_usd : numeric
        :math:`C_{rent}(t) = p\\,n\\,u\\,t / 3600`. [USD]
    """
    t = as_float_array("time_s", time_s, allow_zero=True)
    n = as_count_array("n_accelerators", n_accelerators)
    p = as_float_array("rental_usd_per_hour", rental_usd_per_hour)
    u = check_fraction("occupancy", occupancy)
    hours = n * u * t / SECONDS_PER_HOUR
    return like(np.asarray(rental_cost_usd(hours, p)), time_s, n_accelerators,
                rental_usd_per_hour, occupancy)


@elementwise
def break_even_time_s(upfront_usd, own_usd_per_s, rent_usd_per_s):
    """Time after which owning has cost less than renting [s].

    Parameters
    ----------
    upfront_usd : numeric
        Cost of owning at time zero (capex, net of any resale credit). [USD]
    own_usd_per_s : numeric
        Running cost of owning. [USD/s]
    rent_usd_per_s : numeric
        Cost of renting the same capacity. [USD/s]

    Returns
    -------
    time_s : numeric
        :math:`t^* = K / (\\dot C_{rent} - \\dot C_{own})`; ``inf`` when renting runs no dearer
        than owning, i.e. owning never catches up. [s]
    """
    k = as_float_array("upfront_usd", upfront_usd, allow_zero=True)
    own = as_float_array("own_usd_per_s", own_usd_per_s, allow_zero=True)
    rent = as_float_array("rent_usd_per_s", rent_usd_per_s, allow_zero=True)
    margin = rent - own
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(margin > 0, k / np.where(margin > 0, margin, 1.0), np.inf)
    return like(result, upfront_usd, own_usd_per_s, rent_usd_per_s)


@elementwise
def break_even_occupancy(capex_usd, fixed_usd_per_s, energy_usd_per_s,
                         rent_usd_per_s, horizon_s, resale_usd=0.0):
    """Occupancy (busy share of an owned cluster) above which owning beats on-demand rent over
    a horizon.

    Parameters
    ----------
    capex_usd : numeric
        Purchase price K. [USD]
    fixed_usd_per_s : numeric
        Costs of owning that run whether or not the cluster trains F (colocation). [USD/s]
    energy_usd_per_s : numeric
        Electricity while training at full load E. [USD/s]
    rent_usd_per_s : numeric
        On-demand rent of the same accelerators while they train R. [USD/s]
    horizon_s : numeric
        Comparison horizon H. [s]
    resale_usd : numeric
        Value recovered at the end of the horizon V. [USD]

    Returns
    -------
    occupancy : numeric
        :math:`u^* = \\frac{K - V + F H}{(R - E) H}` [fraction]. Values above 1 mean owning
        does not pay off within the horizon even at full use; ``inf`` when rent does not
        exceed the electricity it saves.

    Notes
    -----
    Equates :math:`K - V + F H + u E H` (own) with :math:`u R H` (rent on demand, paying only
    for the hours used).
    """
    k = as_float_array("capex_usd", capex_usd, allow_zero=True)
    f = as_float_array("fixed_usd_per_s", fixed_usd_per_s, allow_zero=True)
    e = as_float_array("energy_usd_per_s", energy_usd_per_s, allow_zero=True)
    r = as_float_array("rent_usd_per_s", rent_usd_per_s)
    h = as_float_array("horizon_s", horizon_s)
    v = as_float_array("resale_usd", resale_usd, allow_zero=True)
    margin = (r - e) * h
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(margin > 0, (k - v + f * h) / np.where(margin > 0, margin, 1.0),
                          np.inf)
    return like(result, capex_usd, fixed_usd_per_s, energy_usd_per_s, rent_usd_per_s,
                 horizon_s, resale_usd)
