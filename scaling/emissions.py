"""Greenhouse-gas emissions of training: energy times grid carbon intensity.

* :func:`emissions_tco2e` converts energy to tonnes of CO2-equivalent with a carbon
  intensity (pure, vectorised).
* :func:`carbon_intensity_g_per_kwh` looks a location-based intensity up in a table passed in
  (the sourced ``data/grid_carbon_intensity.csv`` from the data helper: one row per region and
  calendar year), falling back to the nearest year.
* :func:`market_based_intensity_g_per_kwh` turns it into a market-based figure for a share of
  carbon-free electricity bought under power-purchase agreements or certificates.
* :func:`run_emissions` is the helper for the forecast chain: a run's accelerator, count,
  hours, PUE and region/year to energy and tCO2e, with the power from
  :func:`scaling.clusters.facility_power_w` (the package's energy model).

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

``boundary="facility"`` (default) is the package's energy model, the one the cost chain
charges for electricity: TDP x chip-to-server power x average fraction x PUE (Epoch).
``boundary="accelerator"`` is TDP x PUE (pass ``pue=1`` for BLOOM's dynamic figure).

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

import math
from dataclasses import asdict, dataclass

import numpy as np

from scaling._validation import as_float_array, check_at_least, like, unknown_name
from scaling.units import J_PER_KWH, J_PER_MWH, SECONDS_PER_HOUR

__all__ = [
    "BOUNDARIES",
    "GRAMS_PER_TONNE",
    "INTENSITY_COLUMN",
    "INTENSITY_TABLE_COLUMNS",
    "RunEmissions",
    "carbon_intensity_g_per_kwh",
    "carbon_intensity_record",
    "emissions_tco2e",
    "market_based_intensity_g_per_kwh",
    "run_emissions",
]

#: Grams per metric tonne: 1 t = 1e6 g.
GRAMS_PER_TONNE = 1e6
#: Column of a carbon-intensity table holding the location-based intensity [gCO2e/kWh].
INTENSITY_COLUMN = "carbon_intensity_g_per_kwh"
#: Columns a carbon-intensity table needs (``source`` is reported when present).
INTENSITY_TABLE_COLUMNS = ("region", "year", INTENSITY_COLUMN)
#: Power boundaries of :func:`run_emissions` (module docs).
BOUNDARIES = ("facility", "accelerator")


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
    return like(energy / J_PER_KWH * intensity / GRAMS_PER_TONNE, energy_j,
                carbon_intensity_g_per_kwh)


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
    fraction = as_float_array("carbon_free_energy_fraction", carbon_free_energy_fraction,
                              allow_zero=True)
    if np.any(fraction > 1):
        raise ValueError(f"carbon_free_energy_fraction must be in [0, 1], got "
                         f"{carbon_free_energy_fraction!r}")
    return like((1.0 - fraction) * intensity, location_intensity_g_per_kwh,
                carbon_free_energy_fraction)


# --------------------------------------------------------------------------------------------
# table look-up
# --------------------------------------------------------------------------------------------

def _region_rows(region, table, value_column):
    """Rows of ``table`` for ``region`` (case-insensitive), or a ValueError with suggestions."""
    import difflib

    import pandas as pd

    from scaling._validation import require_columns

    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a DataFrame with columns "
                         f"{['region', 'year', value_column]}, got {type(table).__name__}")
    require_columns(table, ["region", "year", value_column], "carbon_intensity_g_per_kwh")
    if not isinstance(region, str) or not region.strip():
        raise ValueError(f"region must be a non-empty string, got {region!r}")
    names = table["region"].astype(str)
    rows = table[names.str.strip().str.lower() == region.strip().lower()]
    if rows.empty:
        valid = sorted(set(names))
        lower = {n.lower(): n for n in valid}
        close = difflib.get_close_matches(region.strip().lower(), list(lower), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(lower[c]) for c in close)}?" if close else ""
        raise ValueError(f"unknown region {region!r}{hint} Valid regions: {', '.join(valid)}")
    years = np.asarray(rows["year"], dtype=float)
    if np.any(years != np.floor(years)):
        raise ValueError(f"table years for {region!r} must be whole calendar years")
    if pd.Index(years).has_duplicates:
        raise ValueError(f"table has more than one {value_column} for {region!r} in a year")
    return rows


def _nearest(available: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index into sorted ``available`` of the nearest year to each wanted year (ties: earlier)."""
    gap = np.abs(available[None, :] - wanted.ravel()[:, None])
    return np.argmin(gap, axis=1).reshape(wanted.shape)  # argmin takes the first (earlier)


def carbon_intensity_g_per_kwh(region, year, table, *, value_column=INTENSITY_COLUMN,
                               max_year_gap=None):
    """Location-based grid carbon intensity of a region in a year [gCO2e/kWh].

    Parameters
    ----------
    region : str
        Region name as in the table's ``region`` column (case-insensitive).
    year : date-like or array_like or Series
        When (any form :func:`scaling.valuation.as_year` reads); its calendar year is looked up.
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
    from scaling.valuation import calendar_year

    rows = _region_rows(region, table, value_column).sort_values("year")
    available = np.asarray(rows["year"], dtype=float)
    values = as_float_array(f"table {value_column} for {region!r}", rows[value_column].to_numpy(),
                            allow_zero=True)
    wanted = np.asarray(calendar_year(year, name="year"), dtype=float)
    pick = _nearest(available, wanted)
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
    from scaling.valuation import calendar_year

    rows = _region_rows(region, table, value_column).sort_values("year")
    wanted = int(calendar_year(year, name="year"))
    available = np.asarray(rows["year"], dtype=float)
    row = rows.iloc[int(_nearest(available, np.asarray([float(wanted)]))[0])]
    return {
        "region": str(row["region"]), "requested_year": wanted, "year_used": int(row["year"]),
        "carbon_intensity_g_per_kwh": float(row[value_column]),
        "source": str(row["source"]) if "source" in rows.columns else "",
    }


# --------------------------------------------------------------------------------------------
# a run
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class RunEmissions:
    """Energy and emissions of a training run (returned by :func:`run_emissions`).

    Attributes are unit-suffixed; intensities in gCO2e/kWh, emissions in tCO2e.
    """

    accelerator: str
    accelerator_hours: float
    pue: float
    boundary: str
    chip_to_server_power: float
    server_power_fraction: float
    power_per_accelerator_w: float
    energy_j: float
    region: str
    year_used: float
    intensity_source: str
    location_intensity_g_per_kwh: float
    carbon_free_energy_fraction: float
    market_intensity_g_per_kwh: float
    location_tco2e: float
    market_tco2e: float

    @property
    def energy_mwh(self) -> float:
        """Energy [MWh]."""
        return self.energy_j / J_PER_MWH

    def to_dict(self) -> dict:
        """Flat dict of the fields plus ``energy_mwh``."""
        out = asdict(self)
        out["energy_mwh"] = self.energy_mwh
        return out

    def to_frame(self):
        """One-row DataFrame of :meth:`to_dict`."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])

    def summary(self):
        """Quantity / value / unit table of the headline figures."""
        import pandas as pd

        return pd.DataFrame([
            ("accelerator_hours", self.accelerator_hours, "h"),
            ("power_per_accelerator_w", self.power_per_accelerator_w, "W"),
            ("energy_mwh", self.energy_mwh, "MWh"),
            ("location_intensity_g_per_kwh", self.location_intensity_g_per_kwh, "gCO2e/kWh"),
            ("location_tco2e", self.location_tco2e, "tCO2e"),
            ("market_intensity_g_per_kwh", self.market_intensity_g_per_kwh, "gCO2e/kWh"),
            ("market_tco2e", self.market_tco2e, "tCO2e"),
        ], columns=["quantity", "value", "unit"])

    def _repr_html_(self) -> str:
        head = (f"<p><b>{self.accelerator}</b>, {self.boundary} boundary, PUE {self.pue:g}: "
                f"{self.energy_mwh:,.0f} MWh, {self.location_tco2e:,.0f} tCO2e location-based "
                f"({self.region or 'given intensity'})</p>")
        return head + self.summary().to_html(index=False)


def _scalar(name: str, value, *, allow_zero=False) -> float:
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got {value!r}")
    return float(as_float_array(name, value, allow_zero=allow_zero))


def run_emissions(accelerator, *, pue, n_accelerators=None, hours=None, accelerator_hours=None,
                  carbon_intensity_g_per_kwh=None, region=None, year=None, table=None,
                  carbon_free_energy_fraction=0.0, boundary="facility",
                  chip_to_server_power=None, server_power_fraction=None) -> RunEmissions:
    """Energy and location/market-based emissions of a training run.

    Parameters
    ----------
    accelerator : Accelerator or str
        Chip or catalog name.
    pue : float
        Power usage effectiveness of the site, >= 1.
    n_accelerators, hours : float
        Chips and wall-clock hours [h]; or give ``accelerator_hours`` instead.
    accelerator_hours : float
        Accelerator-hours [h] (what model cards report).
    carbon_intensity_g_per_kwh : float or None
        Location-based intensity [gCO2e/kWh]; or give ``region``, ``year`` and ``table``.
    region, year, table
        Look-up in a carbon-intensity table (:func:`carbon_intensity_g_per_kwh`).
    carbon_free_energy_fraction : float
        Share of contracted carbon-free electricity for the market-based figure, in [0, 1];
        default 0 (market = location).
    boundary : {"facility", "accelerator"}
        Power per accelerator: the package's energy model (default; TDP x chip-to-server
        power x average fraction x PUE, Epoch) or TDP x PUE (model-card convention).
    chip_to_server_power, server_power_fraction : float or None
        Overrides; defaults are the accelerator's (facility) or 1 (accelerator boundary).

    Returns
    -------
    RunEmissions

    Notes
    -----
    .. math:: E = P_{acc}\\, h_{acc} \\cdot 3600, \\quad
        P_{acc} = P_{TDP}\\, k_{server}\\, f\\, \\mathrm{PUE}, \\quad m = E\\, I

    :math:`P_{acc}` is :func:`scaling.clusters.average_power_per_accelerator_w`; with
    ``n_accelerators`` and ``hours`` the cluster power is
    :func:`scaling.clusters.facility_power_w` and the energy :func:`scaling.clusters.energy_j`.
    """
    from scaling import clusters as _cluster
    from scaling.hardware import as_accelerator

    chip = as_accelerator(accelerator)
    if boundary not in BOUNDARIES:
        raise unknown_name("boundary", boundary, BOUNDARIES)
    efficiency = float(check_at_least("pue", _scalar("pue", pue), 1.0,
                                      why="facility power includes the IT load"))
    if accelerator_hours is not None:
        if n_accelerators is not None or hours is not None:
            raise ValueError("give either accelerator_hours or n_accelerators and hours, "
                             "not both")
        total_hours = _scalar("accelerator_hours", accelerator_hours, allow_zero=True)
    else:
        if n_accelerators is None or hours is None:
            raise ValueError("give n_accelerators and hours, or accelerator_hours")
        count = _scalar("n_accelerators", n_accelerators)
        if count != math.floor(count):
            raise ValueError(f"n_accelerators must be a whole number, got {n_accelerators!r}")
        total_hours = count * _scalar("hours", hours, allow_zero=True)
    if boundary == "facility":
        server = chip.chip_to_server_power if chip_to_server_power is None \
            else chip_to_server_power
        fraction = chip.server_power_fraction if server_power_fraction is None \
            else server_power_fraction
    else:
        server = 1.0 if chip_to_server_power is None else chip_to_server_power
        fraction = 1.0 if server_power_fraction is None else server_power_fraction
    per_chip = float(_cluster.average_power_per_accelerator_w(chip.tdp_w, server, fraction,
                                                               efficiency))
    if accelerator_hours is None:
        power = float(_cluster.facility_power_w(count, chip.tdp_w, server, efficiency,
                                                server_power_fraction=fraction))
        energy = float(_cluster.energy_j(power, float(hours) * SECONDS_PER_HOUR))
    else:
        energy = per_chip * total_hours * SECONDS_PER_HOUR
    if carbon_intensity_g_per_kwh is not None:
        if region is not None or table is not None:
            raise ValueError("give either carbon_intensity_g_per_kwh or region/year/table, "
                             "not both")
        intensity = _scalar("carbon_intensity_g_per_kwh", carbon_intensity_g_per_kwh,
                            allow_zero=True)
        where, used, source = "", math.nan, ""
    else:
        if region is None or year is None or table is None:
            raise ValueError("give carbon_intensity_g_per_kwh, or region, year and table")
        record = carbon_intensity_record(region, year, table)
        intensity = record["carbon_intensity_g_per_kwh"]
        where, used, source = record["region"], float(record["year_used"]), record["source"]
    market = float(market_based_intensity_g_per_kwh(intensity, carbon_free_energy_fraction))
    return RunEmissions(
        accelerator=chip.name, accelerator_hours=total_hours, pue=efficiency,
        boundary=boundary, chip_to_server_power=float(server),
        server_power_fraction=float(fraction), power_per_accelerator_w=per_chip,
        energy_j=energy, region=where, year_used=used, intensity_source=source,
        location_intensity_g_per_kwh=intensity,
        carbon_free_energy_fraction=float(carbon_free_energy_fraction),
        market_intensity_g_per_kwh=market,
        location_tco2e=float(emissions_tco2e(energy, intensity)),
        market_tco2e=float(emissions_tco2e(energy, market)),
    )
