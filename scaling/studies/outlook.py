"""The next decade: training runs on the typical accelerator of each future year.

Questions that put the time axis (:mod:`scaling.valuation`), the hardware trends
(:mod:`scaling.trends`) and the emissions stage together, each a thin loop over years around
the chain's entry points:

* :func:`future_runs`: what a compute-optimal model of N parameters costs, draws and emits if
  trained within a deadline in year Y on the typical frontier accelerator of Y
  (:func:`scaling.forecast_for_deadline` with ``as_of=Y``), with P5-P95 bands that carry the
  trend uncertainty of the chip (:func:`scaling.uncertainty.sample_inputs`);
* :func:`first_year_within_budget`: the first year a budget pays for such a run;
* :func:`site_outlook`: the largest compute-optimal run a fixed site (a capital budget and a
  power envelope) trains each year, beside the published growth of frontier training compute
  (:func:`frontier_compute_trend`);
* :func:`emissions_by_region`: one run's location- and market-based emissions on the grids of
  several regions.

Conventions: the site of year Y is bought in Y with typical-Y chips (``as_of=Y``, 1 January:
the chip is valued at its price, since it is not yet acquired), so costs are in the dollars of
the trend fits (2020-2025 prices), i.e. roughly constant dollars; electricity holds 2025's US
price and grid intensity the latest published year (no decarbonisation is assumed).
"""

from __future__ import annotations

import math

import numpy as np

from scaling import laws
from scaling._validation import as_names, check_choice, require_columns, scalar, whole_number
from scaling.assumptions import as_assumptions
from scaling.chain import estimate_run
from scaling.data import load_table
from scaling.forecasting import forecast_for_deadline, largest_trainable
from scaling.studies.budgets import size_cluster
from scaling.trends import typical_accelerator
from scaling.uncertainty import percentiles
from scaling.units import SECONDS_PER_DAY, SECONDS_PER_YEAR
from scaling.dates import as_year, check_in_range

__all__ = [
    "FRONTIER_COMPUTE_ANCHOR",
    "FUTURE_RUN_QUANTITIES",
    "SITE_DEADLINE_S",
    "emissions_by_region",
    "first_year_within_budget",
    "frontier_compute_trend",
    "future_runs",
    "site_outlook",
]

#: Quantities :func:`future_runs` reports, each with ``_ci_lower``/``_ci_upper`` (P5/P95).
#: ``capex_usd`` is hardware (chips, servers, network) plus facility: what building the
#: cluster costs, the budget :func:`scaling.size_cluster` spends.
FUTURE_RUN_QUANTITIES = ("n_accelerators", "peak_facility_power_w", "energy_mwh",
                         "hardware_capex_usd", "capex_usd", "amortized_cost_usd",
                         "emissions_tco2e")

#: Anchor of :func:`frontier_compute_trend`: the largest developer-reported run in
#: ``data/training_runs.csv``, Llama 3.1 405B, 3.8e25 FLOP (Llama Team 2024,
#: arXiv:2407.21783), at the end of its training (2024-05-24).
FRONTIER_COMPUTE_ANCHOR = {"run": "Llama 3.1 405B", "compute_flop": 3.8e25,
                           "date": "2024-05-24"}

#: Wall-clock time of :func:`site_outlook`'s run [s]: 100 days, the upper end of GPT-4's
#: reported 90-100 days of pre-training (``data/reference_runs.csv``).
SITE_DEADLINE_S = 100 * SECONDS_PER_DAY


def _years(years) -> list:
    """Calendar years from one year or a sequence of them (whole numbers, at least one)."""
    items = list(np.atleast_1d(np.asarray(years, dtype=object)).ravel()) \
        if not isinstance(years, str) else [years]
    if not items:
        raise ValueError("years must hold at least one calendar year such as 2030, got "
                         f"{years!r}")
    try:
        return [whole_number("years", y) for y in items]
    except ValueError:
        raise ValueError(f"years must be whole calendar years such as 2030, got "
                         f"{years!r}") from None


def future_runs(n_params, years, *, deadline_s=SECONDS_PER_YEAR, law=laws.DEFAULT_LAW,
                assumptions=None, uncertainty=True, n_samples=2000, seed=0):
    """Compute-optimal runs trained within a deadline in each year, on that year's chip.

    Parameters
    ----------
    n_params : float or array_like
        Model sizes N [parameters].
    years : iterable of int
        Calendar years; year Y uses ``scaling.accelerator(f"typical-{Y}")`` and
        ``as_of=Y``.
    deadline_s : float
        Wall-clock time of each run [s] (default one year).
    law, assumptions, uncertainty, n_samples, seed :
        As in :func:`scaling.forecast_for_deadline` (``assumptions.as_of`` is replaced by
        each year). The same seed is used every year.

    Returns
    -------
    pandas.DataFrame
        One row per (year, size): ``year``, ``n_params``, ``n_tokens``, ``compute_flop``,
        ``peak_flop_per_s`` (of the typical chip), and each of
        :data:`FUTURE_RUN_QUANTITIES` with ``_ci_lower``/``_ci_upper`` under uncertainty.

    Notes
    -----
    Per year and size: :math:`n = C / (T P_{peak} \\mathrm{MFU}\\, G)` typical-Y chips, then
    the chain's power, energy, dollars and emissions for that cluster. Under uncertainty the
    chip's peak, price and TDP are drawn jointly from the trend fits, beside the law and
    :data:`scaling.DEFAULT_UNCERTAINTY`.
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    frames = []
    for year in _years(years):
        chip = typical_accelerator(year)
        result = forecast_for_deadline(n_params, deadline_s=deadline_s, accelerator=chip,
                                       law=law, assumptions=a.replace(as_of=year),
                                       uncertainty=uncertainty, n_samples=n_samples, seed=seed,
                                       keep_samples=bool(uncertainty))
        frame = result.to_frame()
        row = {"year": year, "n_params": frame["n_params"], "n_tokens": frame["n_tokens"],
               "compute_flop": frame["compute_flop"],
               "peak_flop_per_s": chip.peak_flop_per_s(a.precision)}
        if result.samples is None:
            frame["capex_usd"] = frame["hardware_capex_usd"] + frame["facility_capex_usd"]
            row.update({q: frame[q] for q in FUTURE_RUN_QUANTITIES})
        else:
            samples = dict(result.samples)
            samples["capex_usd"] = samples["hardware_capex_usd"] + samples["facility_capex_usd"]
            for quantity in FUTURE_RUN_QUANTITIES:
                low, mid, high = percentiles(samples[quantity])
                row.update({f"{quantity}_ci_lower": low, quantity: mid,
                            f"{quantity}_ci_upper": high})
        frames.append(pd.DataFrame(row))
    return pd.concat(frames, ignore_index=True)


def first_year_within_budget(runs, budget_usd, *, cost="capex_usd"):
    """The first year a budget pays for each run of a :func:`future_runs` table.

    Parameters
    ----------
    runs : pandas.DataFrame
        From :func:`future_runs` (with uncertainty: ``<cost>_ci_lower``/``_ci_upper``).
    budget_usd : float
        Budget [USD].
    cost : str
        The cost the budget must cover: ``"capex_usd"`` (build the cluster, default),
        ``"hardware_capex_usd"`` or ``"amortized_cost_usd"`` (Epoch's cost of the run).

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_params``, ``first_year`` (the first year whose central cost is
        within budget), ``first_year_optimistic`` (its P5 cost) and ``first_year_pessimistic``
        (its P95 cost); NaN when no year of the table is.
    """
    import pandas as pd

    require_columns(runs, ["year", "n_params"], "first_year_within_budget", name="runs",
                    like="scaling.studies.outlook.future_runs(...)")
    budget = scalar("budget_usd", budget_usd)
    check_choice("cost", cost, [q for q in FUTURE_RUN_QUANTITIES
                                if q.endswith("_usd") and q in runs.columns])
    rows = []
    for size, part in runs.sort_values("year").groupby("n_params", sort=True):
        row = {"n_params": size}
        for label, column in (("first_year", cost),
                              ("first_year_optimistic", f"{cost}_ci_lower"),
                              ("first_year_pessimistic", f"{cost}_ci_upper")):
            if column not in part.columns:
                continue
            within = part.loc[part[column] <= budget, "year"]
            row[label] = float(within.iloc[0]) if len(within) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def frontier_compute_trend(years, *, anchor=None):
    """Frontier training compute by year on the published growth rate [FLOP].

    Parameters
    ----------
    years : iterable of int
        Calendar years (mid-year values are returned).
    anchor : Mapping, optional
        ``compute_flop`` and ``date`` of the starting run; default
        :data:`FRONTIER_COMPUTE_ANCHOR`.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``compute_flop`` (central 4.5x per year), ``compute_flop_ci_lower`` and
        ``compute_flop_ci_upper`` (the lesser and the greater of the 4x and 5x curves: 5x is
        the lower end before the anchor, 4x after it), ``growth_per_year``, ``source``.

    Raises
    ------
    ValueError
        A year before the first year of the trend's data (2010, its ``period``).

    Warns
    -----
    ExtrapolationWarning
        A year after :data:`scaling.dates.HORIZON_YEAR` (2040).

    Notes
    -----
    .. math:: C(Y) = C_0\\, g^{\\,Y + 0.5 - t_0}

    with :math:`g` the ``frontier_training_compute`` row of ``data/published_trends.csv``
    (Sevilla & Roldan 2024: 4-5x per year, 2010-2024).
    """
    import pandas as pd

    table = load_table("published_trends").set_index("quantity")
    row = table.loc["frontier_training_compute"]
    start = dict(FRONTIER_COMPUTE_ANCHOR if anchor is None else anchor)
    missing = [key for key in ("compute_flop", "date") if key not in start]
    if missing:
        raise ValueError(f"anchor must be a mapping with 'compute_flop' [FLOP] and 'date' "
                         f"(like FRONTIER_COMPUTE_ANCHOR); missing {missing}")
    t0 = as_year(start["date"], name="anchor date")
    growth = {"": float(row["growth_factor_per_year"]),
              "slow": 2.0 ** (1.0 / float(row["ci_upper"])),
              "fast": 2.0 ** (1.0 / float(row["ci_lower"]))}
    calendar = check_in_range(_years(years), name="years", earliest=int(
        str(row["period"]).split("-")[0]), what=f"the frontier training compute trend "
        f"({row['period']})")
    when = np.asarray(calendar, dtype=float) + 0.5
    c0 = scalar("anchor compute_flop", start["compute_flop"])
    curve = {key: c0 * g ** (when - t0) for key, g in growth.items()}
    out = {"year": calendar, "compute_flop": curve[""],
           "compute_flop_ci_lower": np.minimum(curve["slow"], curve["fast"]),
           "compute_flop_ci_upper": np.maximum(curve["slow"], curve["fast"]),
           "growth_per_year": growth[""]}
    out["source"] = str(row["source"])
    return pd.DataFrame(out)


def site_outlook(years, *, budget_usd=1e11, power_w=1e9, deadline_s=SITE_DEADLINE_S,
                 law=laws.DEFAULT_LAW, resilience=None, assumptions=None):
    """The largest compute-optimal run a fixed site trains each year, on that year's chip.

    Parameters
    ----------
    years : iterable of int
        Calendar years.
    budget_usd : float
        Capital budget for chips, servers, network and facility [USD] (default $100B).
    power_w : float
        Facility power envelope [W] (default 1 GW).
    deadline_s : float
        Wall-clock time of the run [s] (default :data:`SITE_DEADLINE_S`, 100 days).
    resilience : Resilience or str or None
        How the site recovers from failures (as in :func:`scaling.studies.budgets.size_cluster`, e.g.
        ``"stargate-2024"``: replicas that drop out and rejoin); None: one synchronous job with
        the package defaults.
    law, assumptions :
        As in :func:`scaling.largest_trainable` (``as_of`` is replaced by each year).

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year``, ``n_accelerators``, ``binding`` ("budget" or "power"),
        ``peak_facility_power_w``, ``capex_usd``, ``goodput``, ``compute_flop``, ``n_params``,
        ``n_tokens``, ``emissions_tco2e``, and the published frontier trend
        (:func:`frontier_compute_trend`): ``frontier_compute_flop`` with its interval and
        ``share_of_frontier`` (the site's run / the trend's).
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    trend = frontier_compute_trend(years).set_index("year")
    rows = []
    for year in _years(years):
        dated = a.replace(as_of=year)
        chip = typical_accelerator(year)
        sized = size_cluster(chip, budget_usd=budget_usd, power_w=power_w, assumptions=dated,
                             resilience=resilience)
        best = largest_trainable(sized.to_cluster(f"site {year}"), deadline_s=deadline_s,
                                 law=law, assumptions=dated).to_frame().iloc[0]
        rows.append({
            "year": year, "n_accelerators": sized.n_accelerators, "binding": sized.binding,
            "peak_facility_power_w": sized.peak_facility_power_w, "capex_usd": sized.capex_usd,
            "goodput": best["goodput"], "compute_flop": best["compute_flop"],
            "n_params": best["n_params"], "n_tokens": best["n_tokens"],
            "emissions_tco2e": best["emissions_tco2e"],
            "frontier_compute_flop_ci_lower": trend.loc[year, "compute_flop_ci_lower"],
            "frontier_compute_flop": trend.loc[year, "compute_flop"],
            "frontier_compute_flop_ci_upper": trend.loc[year, "compute_flop_ci_upper"],
        })
    out = pd.DataFrame(rows)
    out["share_of_frontier"] = out["compute_flop"] / out["frontier_compute_flop"]
    return out


def emissions_by_region(regions, *, compute_flop, cluster, n_params=None, assumptions=None,
                        carbon_free_energy_fraction=1.0):
    """One run's emissions on the grids of several regions.

    Parameters
    ----------
    regions : iterable of str
        Regions of ``scaling.emissions.list_regions()``.
    compute_flop : float
        Training compute [FLOP].
    cluster : str or Cluster
    n_params : float, optional
    assumptions : Assumptions, optional
        Its ``region`` is replaced by each region.
    carbon_free_energy_fraction : float
        Contracted carbon-free share for the ``market_emissions_tco2e`` column (default 1,
        full renewable matching as Meta reports; 0 gives the location-based figure).

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region``, ``carbon_intensity_g_per_kwh``, ``energy_mwh``,
        ``emissions_tco2e`` (location-based), ``market_emissions_tco2e``.
    """
    import pandas as pd

    a = as_assumptions(assumptions)
    rows = []
    for region in as_names("regions (scaling.emissions.list_regions())", regions,
                           name="regions"):
        dated = a.replace(region=region, carbon_free_energy_fraction=carbon_free_energy_fraction)
        run = estimate_run(compute_flop, cluster=cluster, n_params=n_params, assumptions=dated)
        rows.append({"region": dated.region,
                     "carbon_intensity_g_per_kwh": run.carbon_intensity_g_per_kwh,
                     "energy_mwh": run.energy_mwh, "emissions_tco2e": run.emissions_tco2e,
                     "market_emissions_tco2e": run.market_emissions_tco2e})
    return pd.DataFrame(rows)
