"""The catalogs: accelerators (the :class:`Accelerator` record) and named clusters.

The accelerator catalog lives in ``data/accelerators.csv`` (one row per accelerator, units in the column
names, a ``source`` on every row) and the default model-FLOP utilisation (MFU) per accelerator
generation in ``data/mfu_defaults.csv``. :func:`catalog_accelerator` builds a validated
:class:`Accelerator` from a catalog row; :func:`scaling.hardware.accelerator` is the one place
a name is resolved (catalog names, aliases, and the trend projections ``"typical-<year>"``
that :mod:`scaling.trends` builds on this catalog). A custom accelerator is one constructor
call or ``dataclasses.replace(scaling.accelerator("H100-SXM"), tdp_w=...)``.

The cluster catalog lives in ``data/clusters.csv`` (:func:`list_clusters`, :func:`cluster_row`);
:func:`scaling.clusters.cluster` builds a :class:`~scaling.clusters.Cluster` from a row. Both
tables are read here once (:func:`scaling.data.load_table`, cached), below everything that names
a machine.

Conventions
-----------
* Peak FLOP/s are **dense** (without 2:4 structured sparsity). Vendors usually headline the
  sparse figure, twice the dense one; it is kept in ``peak_bf16_sparse_flop_per_s`` and is
  only ever used when asked for with ``sparse=True``.
* MFU is model FLOP utilisation against the dense bf16 peak: the fraction of peak that
  becomes model FLOP during training steps. Time lost to failures and restarts is *not* in it
  (see :mod:`scaling.reliability` for goodput).

References
----------
Epoch AI, "Data on Machine Learning Hardware" (CC-BY), https://epoch.ai/data/machine-learning-hardware
Cottier et al. (2024), "The rising costs of training frontier AI models", arXiv:2405.21015,
code and data at https://github.com/epoch-research/training-cost-trends
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from scaling._validation import (
    check_at_least, check_choice, check_fraction, check_plausible, scalar,
    unknown_name, whole_number,
)
from scaling.data import cached, cell_count, cell_number, load_rows, load_table
from scaling.units import DAYS_PER_YEAR

__all__ = [
    "Accelerator",
    "cluster_row",
    "list_clusters",
    "EPOCH_MEDIAN_MFU",
    "EPOCH_DEFAULT_CHIP_TO_SERVER_POWER",
    "EPOCH_GPU_SERVER_POWER_FRACTION",
    "EPOCH_TPU_SERVER_POWER_FRACTION",
    "PRECISIONS",
    "PROJECTION_BASES",
    "catalog_accelerator",
    "check_sold",
    "list_accelerators",
    "mfu_defaults",
]

#: Median MFU of the 33 training runs with a known value, Epoch's imputation default when a
#: run's utilisation is unknown (Cottier et al. 2024, arXiv:2405.21015;
#: training-cost-trends ``cost_analysis_standalone.py``).
EPOCH_MEDIAN_MFU = 0.375

#: Chip-to-server power multiplier Epoch uses for GPUs without a specific value
#: (training-cost-trends ``cost_analysis_standalone.py``).
EPOCH_DEFAULT_CHIP_TO_SERVER_POWER = 1.8

#: Average power drawn during training as a fraction of server TDP, GPUs (Epoch cost repo).
EPOCH_GPU_SERVER_POWER_FRACTION = 0.75

#: Average power drawn during training as a fraction of server TDP, TPUs (Epoch cost repo).
EPOCH_TPU_SERVER_POWER_FRACTION = 0.43

#: Numeric precisions with a peak FLOP/s column in the catalog.
PRECISIONS = ("bf16", "fp8")

#: Levels of a trend projection (:mod:`scaling.trends`): the record chips or the average chip.
PROJECTION_BASES = ("frontier", "average")


_NAN = float("nan")


#: Accelerator fields checked against the plausible ranges of
#: :data:`scaling._validation.PLAUSIBLE` (a unit slip in a user's chip is refused by name).
_PLAUSIBLE_FIELDS = {
    "peak_bf16_flop_per_s": "peak_flop_per_s", "peak_fp8_flop_per_s": "peak_flop_per_s",
    "memory_bytes": "memory_bytes", "memory_bandwidth_byte_per_s": "bandwidth_byte_per_s",
    "tdp_w": "tdp_w", "price_usd": "price_usd", "rental_usd_per_hour": "rental_usd_per_hour",
}


def _optional_positive(name: str, value) -> float:
    """A positive finite float, or NaN meaning "unknown"."""
    if isinstance(value, float) and math.isnan(value):
        return value
    return scalar(name, value)


# --------------------------------------------------------------------------------------------
# Accelerator
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Accelerator:
    """One accelerator (GPU, TPU, ...) as used for training.

    Parameters
    ----------
    name, vendor : str
        Catalog key (e.g. ``"H100-SXM"``) and maker.
    peak_bf16_flop_per_s : float
        Dense (no 2:4 sparsity) bf16 tensor peak [FLOP/s]. For V100, which has no bf16, the
        fp16 tensor peak.
    release_date : str
        ISO date (``YYYY-MM-DD``) of release.
    memory_bytes, memory_bandwidth_byte_per_s : float
        HBM capacity [bytes] and bandwidth [byte/s].
    tdp_w : float
        Thermal design power / board power of one chip [W].
    generation : str
        Architecture generation; selects the default MFU in ``data/mfu_defaults.csv``.
    peak_fp8_flop_per_s : float
        Dense fp8 peak [FLOP/s]; NaN where the chip has no fp8.
    peak_bf16_sparse_flop_per_s : float
        bf16 peak with 2:4 structured sparsity [FLOP/s]; NaN means "same as dense".
    tdp_estimated : bool
        True when ``tdp_w`` is an estimate rather than a vendor figure (most TPUs).
    scale_up_bandwidth_byte_per_s : float
        Total bidirectional scale-up (NVLink, Infinity Fabric, ICI) bandwidth per chip
        [byte/s]; NaN if not published.
    scale_up_domain_size : int
        Accelerators joined by that scale-up fabric in the standard system (8 on an HGX
        board, 72 in a GB200 NVL72 rack, a whole TPU pod) [count]; 1 if not known.
    scale_out_bandwidth_byte_per_s : float
        Default scale-out (InfiniBand, RoCE, data-center network) bandwidth per chip in one
        direction [byte/s] (400 Gb/s NDR per H100 = 5e10); NaN if not known.
    price_usd : float
        Purchase price estimate per accelerator [USD]; NaN if unknown.
    price_date : str
        When that price applied.
    price_includes_server : bool
        True when ``price_usd`` is a per-accelerator share of a complete server or rack
        (DGX, NVL72), so no chip-to-server cost overhead should be added.
    rental_usd_per_hour : float
        On-demand cloud reference price per accelerator-hour [USD/h]; NaN if unknown.
    sold : bool
        False for accelerators only rented (Google's TPUs, AWS's Trainium): their
        ``price_usd`` is the value of the hardware to its owner (Epoch's "TPU-equivalent"
        price), used to amortise the owner's runs; buying them is refused.
    default_mfu : float
        Documented default MFU of the generation, in (0, 1].
    chip_to_server_power : float
        Server power per accelerator divided by chip TDP (Epoch), >= 1.
    server_power_fraction : float
        Average power drawn in training as a fraction of server TDP (Epoch), in (0, 1].
    source : str
        Where the numbers come from.
    projection_year : int or None
        Set on a trend projection (:func:`scaling.trends.typical_accelerator`, e.g.
        ``scaling.accelerator("typical-2030")``): the year it stands for. The Monte Carlo
        engine then draws its peak, price and TDP jointly from the trend fits
        (:func:`scaling.uncertainty.sample_inputs`). None for real chips.
    projection_precision, projection_basis : str
        The trends' precision (``"bf16"``/``"fp8"``) and level (``"frontier"``/``"average"``)
        of a projection; empty otherwise.
    """

    name: str
    vendor: str = ""
    generation: str = ""
    peak_bf16_flop_per_s: float
    peak_fp8_flop_per_s: float = _NAN
    peak_bf16_sparse_flop_per_s: float = _NAN
    memory_bytes: float
    memory_bandwidth_byte_per_s: float
    tdp_w: float
    tdp_estimated: bool = False
    scale_up_bandwidth_byte_per_s: float = _NAN
    scale_up_domain_size: int = 1
    scale_out_bandwidth_byte_per_s: float = _NAN
    release_date: str
    price_usd: float = _NAN
    price_date: str = ""
    price_includes_server: bool = False
    rental_usd_per_hour: float = _NAN
    sold: bool = True
    default_mfu: float = EPOCH_MEDIAN_MFU
    chip_to_server_power: float = EPOCH_DEFAULT_CHIP_TO_SERVER_POWER
    server_power_fraction: float = EPOCH_GPU_SERVER_POWER_FRACTION
    source: str
    projection_year: int | None = None
    projection_precision: str = ""
    projection_basis: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("Accelerator.name must be a non-empty string")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError(f"Accelerator {self.name!r}: source must be a non-empty string")
        label = f"Accelerator {self.name!r}:"
        checked = {}
        for attr in ("peak_bf16_flop_per_s", "memory_bytes", "memory_bandwidth_byte_per_s",
                     "tdp_w"):
            checked[attr] = scalar(f"{label} {attr}", getattr(self, attr))
        for attr in ("peak_fp8_flop_per_s", "peak_bf16_sparse_flop_per_s",
                     "scale_up_bandwidth_byte_per_s", "scale_out_bandwidth_byte_per_s",
                     "price_usd", "rental_usd_per_hour"):
            checked[attr] = _optional_positive(f"{label} {attr}", getattr(self, attr))
        checked["scale_up_domain_size"] = whole_number(f"{label} scale_up_domain_size",
                                                       self.scale_up_domain_size)
        checked["default_mfu"] = scalar(f"{label} default_mfu", self.default_mfu, check_fraction)
        checked["chip_to_server_power"] = scalar(
            f"{label} chip_to_server_power", self.chip_to_server_power, check_at_least,
            minimum=1.0, why="server power includes the chip")
        checked["server_power_fraction"] = scalar(
            f"{label} server_power_fraction", self.server_power_fraction, check_fraction)
        for attr in ("tdp_estimated", "price_includes_server"):
            if not isinstance(getattr(self, attr), (bool, np.bool_)):
                raise ValueError(f"{label} {attr} must be True or False, "
                                 f"got {getattr(self, attr)!r}")
            checked[attr] = bool(getattr(self, attr))
        if self.projection_year is not None:
            checked["projection_year"] = int(whole_number(f"{label} projection_year",
                                                          self.projection_year, minimum=1950))
            check_choice(f"{label} projection_precision", self.projection_precision, PRECISIONS)
            check_choice(f"{label} projection_basis", self.projection_basis, PROJECTION_BASES)
        elif self.projection_precision or self.projection_basis:
            raise ValueError(f"{label} projection_precision and projection_basis need a "
                             "projection_year")
        for attr, value in checked.items():
            object.__setattr__(self, attr, value)
        for attr, quantity in _PLAUSIBLE_FIELDS.items():
            check_plausible(f"{label} {attr}", getattr(self, attr), quantity)
        sparse = self.peak_bf16_sparse_flop_per_s
        if not math.isnan(sparse) and sparse < self.peak_bf16_flop_per_s:
            raise ValueError(
                f"Accelerator {self.name!r}: sparse peak {sparse:g} is below the dense peak "
                f"{self.peak_bf16_flop_per_s:g}; dense must be <= sparse"
            )
        try:
            date.fromisoformat(self.release_date)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Accelerator {self.name!r}: release_date must be an ISO date 'YYYY-MM-DD', got "
                f"{self.release_date!r}"
            ) from exc

    def peak_flop_per_s(self, precision: str = "bf16", *, sparse: bool = False) -> float:
        """Peak tensor throughput of one chip [FLOP/s].

        Parameters
        ----------
        precision : {"bf16", "fp8"}
            Numeric format.
        sparse : bool
            Return the 2:4 structured-sparsity peak (bf16 only). Default dense.

        Raises
        ------
        ValueError
            Unknown precision, fp8 on a chip without fp8, or sparse fp8.
        """
        check_choice("precision", precision, PRECISIONS)
        if precision == "fp8":
            if sparse:
                raise ValueError("sparse peaks are catalogued for bf16 only; use precision='bf16'")
            if math.isnan(self.peak_fp8_flop_per_s):
                raise ValueError(
                    f"{self.name} has no fp8 peak in the catalog (no fp8 support); use 'bf16'"
                )
            return float(self.peak_fp8_flop_per_s)
        if sparse:
            if math.isnan(self.peak_bf16_sparse_flop_per_s):
                return float(self.peak_bf16_flop_per_s)
            return float(self.peak_bf16_sparse_flop_per_s)
        return float(self.peak_bf16_flop_per_s)

    @property
    def release_year(self) -> float:
        """Release date as a decimal year (e.g. 2022.72)."""
        day = date.fromisoformat(self.release_date)
        return day.year + (day.timetuple().tm_yday - 1) / DAYS_PER_YEAR

    @property
    def available_year(self) -> float:
        """First date a run may use the chip, as a decimal year: its release, or 1 January of
        the projection year for a projected chip (``typical-<year>``'s 1 July release is the
        middle of its trend year, and a site of that year is priced at ``as_of=<year>``)."""
        if self.projection_year is not None:
            return float(self.projection_year)
        return self.release_year


# --------------------------------------------------------------------------------------------
# catalog
# --------------------------------------------------------------------------------------------

_FLOAT_COLUMNS = (
    "peak_bf16_flop_per_s", "peak_fp8_flop_per_s", "peak_bf16_sparse_flop_per_s",
    "memory_bytes", "memory_bandwidth_byte_per_s", "tdp_w", "scale_up_bandwidth_byte_per_s",
    "scale_out_bandwidth_byte_per_s", "price_usd", "rental_usd_per_hour", "chip_to_server_power", "server_power_fraction",
)
_BOOL_COLUMNS = ("structured_sparsity", "tdp_estimated", "price_includes_server", "sold")


def mfu_defaults():
    """Default MFU per accelerator generation, with basis and source.

    Returns
    -------
    pandas.DataFrame
        Columns ``generation``, ``mfu``, ``basis`` ("published" from a named large run, or
        "imputation": Epoch's median 0.375), ``source``.
    """
    return load_table("mfu_defaults")




def _flag(table: str, column: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{table} column {column} must hold True/False")
    return value == "true"


@cached
def _reference_rentals() -> dict:
    """Accelerator name -> its reference on-demand rental row of ``data/cloud_prices.csv``.

    The rows flagged ``catalog_reference`` give ``Accelerator.rental_usd_per_hour``; at most
    one per accelerator, and on-demand.
    """
    out = {}
    for row in load_rows("cloud_prices"):
        if not _flag("cloud_prices.csv", "catalog_reference", row["catalog_reference"]):
            continue
        if row["price_type"] != "on_demand":
            raise ValueError("cloud_prices.csv: catalog reference prices must be on-demand")
        if row["accelerator"] in out:
            raise ValueError("cloud_prices.csv: more than one catalog reference price for "
                             f"{[row['accelerator']]}")
        out[row["accelerator"]] = row
    return out


@cached
def _generation_mfu() -> dict:
    """Generation -> its row of ``data/mfu_defaults.csv``."""
    return {row["generation"]: row for row in load_rows("mfu_defaults")}


@cached
def _accelerator_rows() -> dict:
    """Accelerator name -> its row of ``data/accelerators.csv``, every generation checked to
    have a default MFU."""
    rows = {row["name"]: row for row in load_rows("accelerators")}
    unknown = sorted({row["generation"] for row in rows.values()} - set(_generation_mfu()))
    if unknown:
        raise ValueError(f"accelerators.csv generations without a default MFU: {unknown}")
    return rows


@cached
def _catalog():
    frame = load_table("accelerators")
    rentals, mfu = _reference_rentals(), _generation_mfu()
    for column, field in (("rental_usd_per_hour", "usd_per_hour"), ("rental_date", "date"),
                          ("rental_source", "source")):
        frame[column] = [rentals[n][field] if n in rentals else None for n in frame["name"]]
    for column in _FLOAT_COLUMNS:
        frame[column] = frame[column].astype(float)
    for column in _BOOL_COLUMNS:
        frame[column] = [_flag("accelerators.csv", column, str(v)) for v in frame[column]]
    for column in ("price_date", "rental_date", "aliases"):
        frame[column] = frame[column].fillna("").astype(str)
    _accelerator_rows()   # every generation has a default MFU
    for column, field in (("default_mfu", "mfu"), ("mfu_basis", "basis"),
                          ("mfu_source", "source")):
        frame[column] = [mfu[g][field] for g in frame["generation"]]
    frame["default_mfu"] = frame["default_mfu"].astype(float)
    return frame


def list_accelerators():
    """The accelerator catalog as a DataFrame (one row per accelerator, copy).

    Adds ``default_mfu``, ``mfu_basis`` and ``mfu_source`` from ``data/mfu_defaults.csv``.
    """
    return _catalog().copy()


def _resolve_name(name: str) -> str:
    rows = _accelerator_rows()
    names = list(rows)
    if not isinstance(name, str):
        raise unknown_name("accelerator", name, names)
    if name in rows:
        return name
    wanted = name.strip().lower()
    for key, row in rows.items():
        aliases = [a.strip().lower() for a in row["aliases"].split(";") if a.strip()]
        if wanted in [key.lower()] + aliases:
            return key
    raise unknown_name("accelerator", name, names)


#: Accelerator fields read as text, as whole numbers and as True/False from the catalog.
_TEXT_FIELDS = ("name", "vendor", "generation", "release_date", "price_date", "source")
_BOOL_FIELDS = ("tdp_estimated", "price_includes_server", "sold")


@cached
def _build_accelerator(key: str) -> Accelerator:
    row = _accelerator_rows()[key]
    kwargs = {column: row[column] for column in _TEXT_FIELDS}
    kwargs.update({column: cell_number(row, column, table="accelerators")
                   for column in _FLOAT_COLUMNS if column in row})
    kwargs.update({column: _flag("accelerators.csv", column, row[column])
                   for column in _BOOL_FIELDS})
    kwargs["scale_up_domain_size"] = cell_count(row, "scale_up_domain_size",
                                                table="accelerators")
    rental = _reference_rentals().get(key)
    kwargs["rental_usd_per_hour"] = (cell_number(rental, "usd_per_hour", table="cloud_prices")
                                     if rental else math.nan)
    kwargs["default_mfu"] = cell_number(_generation_mfu()[row["generation"]], "mfu",
                                        table="mfu_defaults")
    return Accelerator(**kwargs)


# --------------------------------------------------------------------------------------------
# throughput


def check_sold(chip: Accelerator, *, argument: str = "pricing",
               instead: str = "pricing='rent'") -> None:
    """Refuse to buy an accelerator that is only rented (``Accelerator.sold`` False).

    Raises
    ------
    ValueError
        Naming the chip, why, and renting as the alternative (``argument`` names the option
        that asked to buy, ``instead`` how to rent).
    """
    if chip.sold:
        return
    rent = ("" if math.isnan(chip.rental_usd_per_hour)
            else f" (on-demand ${chip.rental_usd_per_hour:,.2f} per accelerator-hour)")
    raise ValueError(f"{argument}: {chip.name} is not sold, only rented from its cloud"
                     f"{rent}; its price_usd is the value of the hardware to its owner, not "
                     f"a price you can pay. Rent it instead ({instead})")


def catalog_accelerator(name: str) -> Accelerator:
    """The catalog's :class:`Accelerator` of a name or alias (``data/accelerators.csv``).

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid ones and suggests the closest.
    """
    return _build_accelerator(_resolve_name(name))


#: Figures of a cluster row (float; NaN when empty).
_CLUSTER_FLOAT_COLUMNS = ("reported_power_w", "reported_capex_usd",
                          "scale_out_bandwidth_byte_per_s", "pue")


@cached
def _cluster_table():
    frame = load_table("clusters")
    for column in _CLUSTER_FLOAT_COLUMNS:
        frame[column] = frame[column].astype(float)
    for column in ("capex_scope", "network", "estimated_fields", "pue_basis", "region"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def list_clusters():
    """The named-cluster catalog as a DataFrame (one row per system, copy)."""
    return _cluster_table().copy()


def cluster_row(name: str) -> dict:
    """The row of a named cluster in ``data/clusters.csv`` (a copy, typed: counts as int,
    figures as float, text as str). :func:`scaling.clusters.cluster` builds a
    :class:`~scaling.clusters.Cluster` from it.

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid ones and suggests the closest.
    """
    rows = _cluster_rows()
    if not isinstance(name, str) or name not in rows:
        raise unknown_name("cluster", name, list(rows))
    row = dict(rows[name])
    for column in ("n_accelerators", "year"):
        row[column] = cell_count(rows[name], column, table="clusters")
    for column in _CLUSTER_FLOAT_COLUMNS:
        row[column] = cell_number(rows[name], column, table="clusters")
    return row


@cached
def _cluster_rows() -> dict:
    """Cluster name -> its row of ``data/clusters.csv`` (text)."""
    return {row["name"]: row for row in load_rows("clusters")}
