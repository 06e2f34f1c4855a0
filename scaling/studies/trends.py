"""Hardware trends for notebook 10: fitted doubling times beside the published ones
(:func:`published_doubling_times`, read from ``data/published_trends.csv``), an
out-of-sample backtest of the fits, and the typical accelerator of each year with bands.

Built on :mod:`scaling.trends` (the fits and the typical accelerator); nothing here fits.
"""

from __future__ import annotations

import numpy as np

from scaling._validation import check_fraction, require_columns
from scaling.catalog import list_accelerators
from scaling.results import fold_error
from scaling.data import load_table
from scaling.trends import (
    DEFAULT_CONFIDENCE_LEVEL, DEFAULT_PREDICTION_LEVEL, QUANTITIES, PRECISION_QUANTITIES,
    HardwareTrends, TrendFit, as_trends, fit_trend, hardware_trends, trend_points,
    typical_accelerator, typical_accelerator_draws,
)
from scaling.dates import as_year

__all__ = [
    "PUBLISHED_COLUMNS", "PUBLISHED_QUANTITY_MAP", "compare_doubling_times",
    "published_doubling_times", "trend_backtest", "typical_accelerator_table",
]

#: Columns of a published doubling-time table (:func:`compare_doubling_times`).
PUBLISHED_COLUMNS = ("quantity", "precision", "doubling_time_years", "ci_lower", "ci_upper",
                     "source")

#: Quantities of ``data/published_trends.csv`` that are hardware trends fitted by :mod:`scaling.trends`, mapped to
#: :data:`QUANTITIES` (the other rows, e.g. training compute, are not hardware quantities).
PUBLISHED_QUANTITY_MAP = {
    "gpu_flop_per_s_per_usd": "peak_flop_per_s_per_usd",
    "ml_hardware_flop_per_s_per_usd": "peak_flop_per_s_per_usd",
    "ml_hardware_value_depreciation": "peak_flop_per_s_per_usd",
    "ml_hardware_flop_per_s_per_watt": "peak_flop_per_s_per_w",
    "ml_hardware_flop_per_s": "peak_flop_per_s",
    "ml_hardware_memory_bytes": "memory_bytes",
    "ml_hardware_memory_bandwidth_byte_per_s": "memory_bandwidth_byte_per_s",
}


def published_doubling_times():
    """Published hardware doubling times (``data/published_trends.csv``) in the columns of
    :data:`PUBLISHED_COLUMNS`, ready for :func:`compare_doubling_times`.

    Returns
    -------
    pandas.DataFrame
        One row per published hardware trend: ``quantity`` (a name of :data:`QUANTITIES`),
        ``precision`` (the source's scope, e.g. "ML GPUs, FP32 (n=26)"),
        ``doubling_time_years``, ``ci_lower``, ``ci_upper`` (NaN where the source gives no
        interval; the intervals are 95% CIs where given), ``period`` and ``source``.
    """
    table = load_table("published_trends")
    rows = table[table["quantity"].isin(PUBLISHED_QUANTITY_MAP)].copy()
    rows["quantity"] = rows["quantity"].map(PUBLISHED_QUANTITY_MAP)
    rows = rows.rename(columns={"precision_scope": "precision"})
    return rows[list(PUBLISHED_COLUMNS[:-1]) + ["period", "source"]].reset_index(drop=True)




def compare_doubling_times(published=None, *, fits=None):
    """Fitted doubling times beside published ones.

    Parameters
    ----------
    published : pandas.DataFrame or None
        Default :func:`published_doubling_times` (the curated table). Columns
        :data:`PUBLISHED_COLUMNS`: ``quantity`` (a name of :data:`QUANTITIES`; rows
        with other quantities are left out), ``precision`` (free text, e.g. "fp32", "fp16",
        "bf16", "all"), ``doubling_time_years``, ``ci_lower``, ``ci_upper`` (NaN when not
        published) and ``source``.
    fits : iterable of TrendFit or HardwareTrends, or None
        Default: the bf16 and fp8 trends of the catalog (fp8 quantities the catalog cannot
        support are skipped).

    Returns
    -------
    pandas.DataFrame
        One row per (fit, published row) of the same quantity, plus unmatched fits and
        published rows: ``quantity``, ``fitted_precision``, ``n``, ``years``,
        ``fitted_doubling_time_years``, ``fitted_ci_lower``, ``fitted_ci_upper``,
        ``published_precision``, ``published_doubling_time_years``, ``published_ci_lower``,
        ``published_ci_upper``, ``source``, ``ratio`` (fitted / published),
        ``intervals_overlap`` (NaN-safe; a published value without interval counts as a
        point).
    """
    import pandas as pd

    if published is None:
        published = published_doubling_times()
    require_columns(published, PUBLISHED_COLUMNS, "compare_doubling_times", name="published",
                    like="published_doubling_times()")
    if fits is None:
        fits = []
        for precision in ("bf16", "fp8"):
            for quantity in QUANTITIES:
                if precision == "fp8" and quantity not in PRECISION_QUANTITIES:
                    continue
                try:
                    fits.append(fit_trend(quantity, precision=precision))
                except ValueError:
                    continue
    flat = []
    for item in fits:
        if isinstance(item, HardwareTrends):
            flat.extend(item.fits)
        elif isinstance(item, TrendFit):
            flat.append(item)
        else:
            raise ValueError(f"fits must hold TrendFit or HardwareTrends, got "
                             f"{type(item).__name__}")
    fitted = pd.DataFrame([{
        "quantity": f.quantity, "fitted_precision": f.precision or "all", "n": f.n,
        "years": f"{f.year_min:.1f}-{f.year_max:.1f}",
        "fitted_doubling_time_years": f.doubling_time_years,
        "fitted_ci_lower": f.doubling_time_ci_years[0],
        "fitted_ci_upper": f.doubling_time_ci_years[1],
    } for f in flat])
    pub = published[published["quantity"].isin(QUANTITIES)].rename(columns={
        "precision": "published_precision", "doubling_time_years": "published_doubling_time_years",
        "ci_lower": "published_ci_lower", "ci_upper": "published_ci_upper",
    })[["quantity", "published_precision", "published_doubling_time_years",
        "published_ci_lower", "published_ci_upper", "source"]]
    out = fitted.merge(pub, how="outer", on="quantity")
    out["ratio"] = out["fitted_doubling_time_years"] / out["published_doubling_time_years"]
    pub_low = out["published_ci_lower"].fillna(out["published_doubling_time_years"])
    pub_high = out["published_ci_upper"].fillna(out["published_doubling_time_years"])
    overlap = (out["fitted_ci_lower"] <= pub_high) & (pub_low <= out["fitted_ci_upper"])
    known = out["fitted_doubling_time_years"].notna() & out["published_doubling_time_years"].notna()
    out["intervals_overlap"] = overlap.where(known)
    order = {q: i for i, q in enumerate(QUANTITIES)}
    out = out.sort_values(["quantity", "fitted_precision"],
                          key=lambda s: s.map(order) if s.name == "quantity" else s)
    return out.reset_index(drop=True)


def trend_backtest(split_year=2024.0, *, precision: str = "bf16", catalog=None,
                   server_adjustment: str = "overhead", include_estimated_tdp: bool = False):
    """Out-of-sample check: fit on chips released before ``split_year``, predict the later
    frontier chips, beside a naive baseline.

    Parameters
    ----------
    split_year : date-like
        Chips released before it calibrate the fits; frontier chips released on or after it
        are predicted (with the ``"frontier"`` basis at their own release date).
    precision, catalog, server_adjustment, include_estimated_tdp
        As in :func:`fit_trend`.

    Returns
    -------
    pandas.DataFrame
        One row per (quantity, later frontier chip with that quantity): ``quantity``,
        ``name``, ``release_year``, ``actual``, ``trend``, ``naive`` (the value of the last
        frontier chip before the split: "no progress"), ``trend_fold_error`` and
        ``naive_fold_error`` (:math:`10^{|\\log_{10}(pred/actual)|}`).
    """
    import pandas as pd

    split = as_year(split_year, name="split_year")
    options = {"server_adjustment": server_adjustment,
               "include_estimated_tdp": include_estimated_tdp}
    catalog = list_accelerators() if catalog is None else catalog
    older = catalog[[as_year(d, name=f"release_date of {n}") < split
                     for n, d in zip(catalog["name"], catalog["release_date"])]]
    trends = hardware_trends(precision, catalog=older, level=DEFAULT_CONFIDENCE_LEVEL,
                             **options)
    rows = []
    for quantity in QUANTITIES:
        every = trend_points(quantity, precision, catalog=catalog, **options)
        before = every[(every["release_year"] < split) & every["frontier"]]
        after = every[(every["release_year"] >= split) & every["frontier"]]
        if before.empty:
            continue
        naive = float(before["log10_value"].iloc[-1])
        fit = trends.fit(quantity)
        for _, row in after.iterrows():
            trend = float(fit.estimate_log10(row["release_year"], basis="frontier"))
            actual = float(row["log10_value"])
            rows.append({
                "quantity": quantity, "name": row["name"],
                "release_year": float(row["release_year"]),
                "actual": 10.0 ** actual, "trend": 10.0 ** trend, "naive": 10.0 ** naive,
                "trend_fold_error": fold_error(10.0 ** (trend - actual)),
                "naive_fold_error": fold_error(10.0 ** (naive - actual)),
            })
    return pd.DataFrame(rows)


def typical_accelerator_table(years, *, precision: str = "bf16", basis: str = "frontier",
                              level: float = DEFAULT_PREDICTION_LEVEL, n: int = 4000,
                              seed: int = 0, trends: HardwareTrends | None = None):
    """The typical accelerator by year with bands (notebook-ready).

    Parameters
    ----------
    years : iterable of int
        Calendar years.
    precision, basis, trends
        As in :func:`typical_accelerator`.
    level : float
        Central band probability, default 0.90 (P5-P95).
    n, seed : int
        Draws per year for the bands (:func:`typical_accelerator_draws`).

    Returns
    -------
    pandas.DataFrame
        One row per year and quantity (``peak_bf16_flop_per_s``, ``price_usd``, ``tdp_w``,
        ``memory_bytes``, ``memory_bandwidth_byte_per_s``, ``peak_flop_per_s_per_usd``,
        ``peak_flop_per_s_per_w``): ``central`` (the :func:`typical_accelerator` value),
        ``median``, ``lower``, ``upper`` of the draws.
    """
    import pandas as pd

    check_fraction("level", level, include_one=False)
    trends = as_trends(trends, precision)
    rows = []
    for year in years:
        chip = typical_accelerator(year, precision=precision, basis=basis, trends=trends)
        draws = typical_accelerator_draws(year, n, seed, precision=precision, basis=basis,
                                          trends=trends)
        central = {
            "peak_bf16_flop_per_s": chip.peak_bf16_flop_per_s, "price_usd": chip.price_usd,
            "tdp_w": chip.tdp_w, "memory_bytes": chip.memory_bytes,
            "memory_bandwidth_byte_per_s": chip.memory_bandwidth_byte_per_s,
            "peak_flop_per_s_per_usd": chip.peak_flop_per_s(precision) / chip.price_usd,
            "peak_flop_per_s_per_w": chip.peak_flop_per_s(precision) / chip.tdp_w,
        }
        for quantity, value in central.items():
            column = draws[quantity].to_numpy()
            rows.append({
                "year": int(year), "quantity": quantity, "central": value,
                "median": float(np.median(column)),
                "lower": float(np.quantile(column, 0.5 - level / 2.0)),
                "upper": float(np.quantile(column, 0.5 + level / 2.0)),
            })
    return pd.DataFrame(rows)
