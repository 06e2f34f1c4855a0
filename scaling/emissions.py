"""Greenhouse-gas emissions of training: energy times grid carbon intensity.

* :func:`emissions_tco2e` converts energy to tonnes of CO2-equivalent with a carbon
  intensity (pure, vectorised).
* :func:`carbon_intensity_g_per_kwh` looks a location-based intensity up in a table passed in
  (the sourced ``data/grid_carbon_intensity.csv`` from the data helper: one row per region and
  calendar year), falling back to the nearest year.
* :func:`market_based_intensity_g_per_kwh` turns it into a market-based figure for a share of
  carbon-free electricity bought under power-purchase agreements or certificates.
* :func:`grid_intensity_table` holds the preferred rows of ``data/grid_carbon_intensity.csv``
  and :func:`location_intensity_g_per_kwh` resolves a region and year to a location-based
  intensity (:data:`DEFAULT_REGION`, the US average, when no region is known). The forecast
  chain (:func:`scaling.chain.run_chain`) converts each run's facility energy to tCO2e with
  them: every :class:`scaling.RunEstimate` and forecast carries ``carbon_intensity_g_per_kwh``,
  ``emissions_tco2e`` (location-based) and ``market_emissions_tco2e``.

Location-based versus market-based
----------------------------------
Location-based emissions use the average intensity of the grid the site draws from (what
Patterson et al. 2021, Luccioni et al. 2022 and the Llama model cards report as "location
based"). Market-based emissions count contracted carbon-free electricity as zero-carbon:
with a carbon-free energy fraction :math:`f`, :math:`I_{mkt} = (1 - f) I_{loc}` (Meta
reports 0 tCO2e market-based because it matches 100% of its electricity with renewables).

Accounting boundaries
---------------------
Published training figures draw the boundary differently, which matters more than the
intensity:

* Patterson et al. (2021), GPT-3: measured system power per accelerator (330 W for a 300 W
  V100, host included) x PUE 1.10;
* Luccioni et al. (2022), BLOOM: "dynamic" power = GPU TDP (400 W) x GPU-hours, no PUE
  (24.7 t); idle and infrastructure power add 14.6 t; embodied emissions 11.2 t;
* Llama 3.1 model card: GPU-hours x 700 W ("peak power capacity per GPU device, adjusted
  for power usage efficiency"; the card states neither the PUE nor the intensity).

The chain's default boundary is the package's energy model, the one the cost chain charges
for electricity: TDP x chip-to-server power x average fraction x PUE (Epoch). A publication's
boundary is an accelerator with ``chip_to_server_power`` and ``server_power_fraction`` set
(1 and 1 for GPU TDP only) and ``Assumptions(pue=...)``: the same chain, other inputs
(``tests/test_emissions.py`` reproduces the three figures above that way).

References
----------
Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training",
arXiv:2104.10350, Table 4.
Luccioni, Viguier & Ligozat (2022), "Estimating the Carbon Footprint of BLOOM, a
176B Parameter Language Model", arXiv:2211.02001.
Meta (2024), Llama 3.1 model card, github.com/meta-llama/llama-models
``models/llama3_1/MODEL_CARD.md``.
"""

from __future__ import annotations

import numpy as np

from scaling._validation import (
    as_float_array, check_fraction, elementwise, like, require_columns, unknown_name,
)
from scaling.data import cached, cell_count, cell_number, load_rows, load_table
from scaling.dates import calendar_year, nearest_year_index
from scaling.units import GRAMS_PER_TONNE, J_PER_KWH

__all__ = [
    "DEFAULT_REGION",
    "GRAMS_PER_TONNE",
    "INTENSITY_COLUMN",
    "INTENSITY_TABLE_COLUMNS",
    "carbon_intensity_g_per_kwh",
    "carbon_intensity_record",
    "check_region",
    "chain_intensity",
    "emissions_tco2e",
    "grid_intensity_table",
    "list_regions",
    "location_intensity_g_per_kwh",
    "market_based_intensity_g_per_kwh",
]

# GRAMS_PER_TONNE (1e6) lives in :mod:`scaling.units`, re-exported here.
#: Column of a carbon-intensity table holding the location-based intensity [gCO2e/kWh].
INTENSITY_COLUMN = "carbon_intensity_g_per_kwh"
#: Columns a carbon-intensity table needs (``source`` is reported when present).
INTENSITY_TABLE_COLUMNS = ("region", "year", INTENSITY_COLUMN)
#: Region used when neither the assumptions nor the cluster name one: the US country average
#: (Ember/OWID national series, ``data/grid_carbon_intensity.csv``). Chosen because the
#: package's other site defaults are American (EIA US industrial electricity prices, Epoch's
#: PUE) and most named clusters are in the US; pass ``Assumptions(region="WORLD")`` for the
#: world average.
DEFAULT_REGION = "US"


@elementwise
def emissions_tco2e(energy_j, carbon_intensity_g_per_kwh):
    """Emissions of an amount of electricity [tCO2e].

    Parameters
    ----------
    energy_j : float or array_like or Series
        Electricity drawn from the grid [J], >= 0 (facility energy, PUE included).
    carbon_intensity_g_per_kwh : float or array_like or Series
        Grid carbon intensity [gCO2e/kWh], >= 0 (location- or market-based).

    Returns
    -------
    float or ndarray or Series
        Emissions [tCO2e].

    Notes
    -----
    .. math:: m = \\frac{E}{3.6\\times 10^{6}\\,\\mathrm{J/kWh}} \\cdot
        \\frac{I}{10^{6}\\,\\mathrm{g/t}}

    Patterson et al. (2021), Table 4: GPT-3, 1,287 MWh x 0.429 kgCO2e/kWh = 552 tCO2e.
    """
    energy = as_float_array("energy_j", energy_j, allow_zero=True)
    intensity = as_float_array("carbon_intensity_g_per_kwh", carbon_intensity_g_per_kwh,
                               allow_zero=True)
    return like(_emissions_tco2e(energy, intensity), energy_j, carbon_intensity_g_per_kwh)


def _emissions_tco2e(energy, intensity):
    """Unvalidated kernel of :func:`emissions_tco2e` (inputs checked by the caller)."""
    return energy / J_PER_KWH * intensity / GRAMS_PER_TONNE


@elementwise
def market_based_intensity_g_per_kwh(location_intensity_g_per_kwh,
                                     carbon_free_energy_fraction):
    """Market-based intensity for a share of contracted carbon-free electricity [gCO2e/kWh].

    Parameters
    ----------
    location_intensity_g_per_kwh : float or array_like or Series
        Location-based grid intensity [gCO2e/kWh], >= 0.
    carbon_free_energy_fraction : float or array_like or Series
        Share of the electricity matched by carbon-free purchases (PPAs, certificates), in
        [0, 1]; 1 gives 0 (Meta's "market-based 0 tCO2eq").

    Returns
    -------
    float or ndarray or Series

    Notes
    -----
    .. math:: I_{mkt} = (1 - f)\\, I_{loc}
    """
    intensity = as_float_array("location_intensity_g_per_kwh", location_intensity_g_per_kwh,
                               allow_zero=True)
    fraction = check_fraction("carbon_free_energy_fraction", carbon_free_energy_fraction,
                              include_zero=True)
    return like(_market_based_intensity_g_per_kwh(intensity, fraction),
                location_intensity_g_per_kwh, carbon_free_energy_fraction)


def _market_based_intensity_g_per_kwh(intensity, fraction):
    """Unvalidated kernel of :func:`market_based_intensity_g_per_kwh` (inputs checked by the
    caller)."""
    return (1.0 - fraction) * intensity


# --------------------------------------------------------------------------------------------
# table look-up
# --------------------------------------------------------------------------------------------

def _region_rows(region, table, value_column):
    """Rows of ``table`` for ``region`` (case-insensitive), or a ValueError with suggestions."""
    import pandas as pd

    require_columns(table, ["region", "year", value_column], "carbon_intensity_g_per_kwh",
                    name="table", like="scaling.emissions.grid_intensity_table()")
    if not isinstance(region, str) or not region.strip():
        raise ValueError(f"region must be a non-empty string, got {region!r}")
    names = table["region"].astype(str)
    rows = table[names.str.strip().str.lower() == region.strip().lower()]
    if rows.empty:
        raise unknown_name("region", region, sorted(set(names)))
    years = np.asarray(rows["year"], dtype=float)
    if np.any(years != np.floor(years)):
        raise ValueError(f"table years for {region!r} must be whole calendar years")
    if pd.Index(years).has_duplicates:
        raise ValueError(f"table has more than one {value_column} for {region!r} in a year")
    return rows


def carbon_intensity_g_per_kwh(region, year, table, *, value_column=INTENSITY_COLUMN,
                               max_year_gap=None):
    """Location-based grid carbon intensity of a region in a year [gCO2e/kWh].

    Parameters
    ----------
    region : str
        Region name as in the table's ``region`` column (case-insensitive).
    year : date-like or array_like or Series
        When (any form :func:`scaling.dates.as_year` reads); its calendar year is looked up.
    table : pandas.DataFrame
        Columns ``region``, ``year`` (int), ``value_column`` [gCO2e/kWh] and ideally
        ``source``; e.g. the data helper's ``data/grid_carbon_intensity.csv``.
    value_column : str
        Intensity column, default ``"carbon_intensity_g_per_kwh"``.
    max_year_gap : int or None
        Largest allowed distance to the nearest year in the table [years]; None (default)
        allows any.

    Returns
    -------
    float or ndarray or Series
        Intensity [gCO2e/kWh], same kind as ``year``.

    Notes
    -----
    A year the table lacks takes the nearest year it has (ties go to the earlier year): a
    2030 forecast uses the latest published year, i.e. it assumes no further
    decarbonisation unless the table carries projections.

    Raises
    ------
    ValueError
        Unknown region (valid names listed, closest suggested), missing columns, duplicate
        years, a gap beyond ``max_year_gap``.
    """
    rows = _region_rows(region, table, value_column).sort_values("year")
    available = np.asarray(rows["year"], dtype=float)
    values = as_float_array(f"table {value_column} for {region!r}", rows[value_column].to_numpy(),
                            allow_zero=True)
    wanted = np.asarray(calendar_year(year, name="year"), dtype=float)
    pick = nearest_year_index(available, wanted)
    if max_year_gap is not None:
        gap = np.abs(available[pick] - wanted)
        if np.any(gap > max_year_gap):
            worst = float(wanted.ravel()[np.argmax(gap.ravel())])
            raise ValueError(
                f"no {value_column} for {region!r} within {max_year_gap} years of {worst:g}; "
                f"the table has {int(available.min())}-{int(available.max())}")
    return like(values[pick], year)


def carbon_intensity_record(region, year, table, *, value_column=INTENSITY_COLUMN) -> dict:
    """The table row used for one region and year, with the year actually used.

    Returns
    -------
    dict
        ``region``, ``requested_year``, ``year_used``, ``carbon_intensity_g_per_kwh``,
        ``source`` ("" when the table has no ``source`` column).
    """
    rows = _region_rows(region, table, value_column).sort_values("year")
    wanted = int(calendar_year(year, name="year"))
    available = np.asarray(rows["year"], dtype=float)
    row = rows.iloc[nearest_year_index(available, float(wanted))]
    return {
        "region": str(row["region"]), "requested_year": wanted, "year_used": int(row["year"]),
        "carbon_intensity_g_per_kwh": float(row[value_column]),
        "source": str(row["source"]) if "source" in rows.columns else "",
    }


# --------------------------------------------------------------------------------------------
# the curated table and the chain's intensity
# --------------------------------------------------------------------------------------------

@cached
def _preferred_series() -> dict:
    """Region -> (years, intensities [gCO2e/kWh], sources), sorted by year: the preferred rows
    of ``data/grid_carbon_intensity.csv`` (one per region and year)."""
    by_region: dict = {}
    for row in load_rows("grid_carbon_intensity"):
        flag = row["preferred"].strip().lower()
        if flag not in ("true", "false"):
            raise ValueError("grid_carbon_intensity.csv column preferred must hold True/False")
        if flag == "true":
            by_region.setdefault(row["region"], []).append(
                (cell_count(row, "year", table="grid_carbon_intensity"),
                 cell_number(row, INTENSITY_COLUMN, table="grid_carbon_intensity"), row["source"]))
    out = {}
    for region, entries in by_region.items():
        entries.sort(key=lambda entry: entry[0])
        years = [year for year, _, _ in entries]
        if len(set(years)) < len(years):
            repeated = sorted({y for y in years if years.count(y) > 1})
            raise ValueError("grid_carbon_intensity.csv has more than one preferred row for "
                             f"{[[region, y] for y in repeated]}")
        values = as_float_array(f"grid_carbon_intensity.csv {INTENSITY_COLUMN} of {region!r}",
                                [v for _, v, _ in entries], allow_zero=True)
        out[region] = (np.array(years, dtype=float), values,
                       tuple(source for _, _, source in entries))
    return out


@cached
def _preferred_rows():
    _preferred_series()   # checked there
    table = load_table("grid_carbon_intensity")
    flags = table["preferred"].astype(str).str.strip().str.lower()
    return table[flags == "true"].reset_index(drop=True)


def grid_intensity_table():
    """The preferred rows of ``data/grid_carbon_intensity.csv``: one location-based intensity
    per region and year [gCO2e/kWh], with ``region_kind``, ``series``, ``basis``, ``source``.

    Regions are ISO country codes (``US``, ``FR``), US states (``US-TX``) and ``WORLD``;
    sources are Ember/Our World in Data (national), EPA eGRID 2023 (states), IEA and Ember
    (world), pinned as shipped in codecarbon 3.3.2 where noted in ``source``.
    """
    return _preferred_rows().copy()


def list_regions() -> tuple:
    """Regions with a preferred intensity (``Assumptions(region=...)`` accepts these)."""
    return tuple(sorted(_preferred_series()))


def check_region(region, name: str = "region") -> str:
    """The table's spelling of ``region`` (case-insensitive), or a ValueError listing them
    (``name`` is the argument, e.g. ``"Cluster 'x': region"``)."""
    if isinstance(region, str):
        lowered = _region_names()
        if region.strip().lower() in lowered:
            return lowered[region.strip().lower()]
    raise unknown_name(name, region, list_regions())


@cached
def _region_names():
    return {r.lower(): r for r in list_regions()}


def location_intensity_g_per_kwh(region=DEFAULT_REGION, year=None) -> float:
    """Location-based grid carbon intensity of a region [gCO2e/kWh] from the curated table.

    Parameters
    ----------
    region : str
        A region of :func:`list_regions` (default :data:`DEFAULT_REGION`).
    year : date-like or None
        The calendar year to look up; the nearest year the table has is used (ties: the
        earlier; a forecast year takes the latest published year, i.e. no further
        decarbonisation is assumed). None: the latest year the table has for the region.

    Returns
    -------
    float

    Examples
    --------
    >>> location_intensity_g_per_kwh("US", 2020)  # Patterson et al.'s 0.429 kgCO2e/kWh
    429.0
    """
    name = check_region(region)
    return _intensity_at(name, None if year is None else int(calendar_year(year)))


@cached
def _intensity_at(name, year):
    years, values, _ = _preferred_series()[name]
    if year is None:
        return float(values[-1])
    return float(values[nearest_year_index(years, float(year))])


def chain_intensity(assumptions, cluster=None) -> dict:
    """The emission inputs of the forecast chain (used by :func:`scaling.chain.chain_inputs`).

    Parameters
    ----------
    assumptions : Assumptions
        Reads ``carbon_intensity_g_per_kwh`` (an explicit location-based intensity), else
        ``region`` and ``as_of``; and ``carbon_free_energy_fraction``.
    cluster : Cluster, optional
        Its ``region`` applies when the assumptions name none; else :data:`DEFAULT_REGION`.

    Returns
    -------
    dict
        ``carbon_intensity_g_per_kwh`` (location-based) and ``carbon_free_energy_fraction``.
    """
    a = assumptions
    intensity = a.carbon_intensity_g_per_kwh
    if intensity is None:
        region = a.region
        if not region and cluster is not None and getattr(cluster, "region", ""):
            region = check_region(cluster.region, f"Cluster {cluster.name!r}: region")
        intensity = location_intensity_g_per_kwh(region or DEFAULT_REGION, a.as_of)
    return {"carbon_intensity_g_per_kwh": float(intensity),
            "carbon_free_energy_fraction": float(a.carbon_free_energy_fraction)}
