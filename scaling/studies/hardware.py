"""Accelerators and clusters for notebook 02: the efficiency landscape of the catalog and the
cost breakdown of a named cluster.

Built on :mod:`scaling.hardware`, :mod:`scaling.clusters` and :mod:`scaling.cost`.
"""

from __future__ import annotations

import math

from scaling._validation import check_choice
from scaling.clusters import as_cluster
from scaling.cost import PriceAssumptions, energy_cost_usd
from scaling.hardware import accelerator
from scaling.catalog import PRECISIONS, list_accelerators

__all__ = ["accelerator_landscape", "cluster_cost_breakdown"]


def accelerator_landscape(precision: str = "bf16"):
    """Efficiency of every catalogued accelerator: peak FLOP/s per W and per dollar.

    Parameters
    ----------
    precision : {"bf16", "fp8"}
        Dense peak to compare; chips without that precision are left out.

    Returns
    -------
    pandas.DataFrame
        One row per accelerator, sorted by release date: ``name``, ``vendor``,
        ``generation``, ``release_date``, ``release_year``, ``peak_flop_per_s`` [FLOP/s],
        ``tdp_w`` [W], ``tdp_estimated``, ``peak_flop_per_s_per_w`` [FLOP/s/W],
        ``price_usd`` [USD], ``price_includes_server``, ``peak_flop_per_s_per_usd``
        [FLOP/s/USD] (NaN where no price is published), ``default_mfu``.

    Notes
    -----
    .. math:: \\eta_W = P_{peak} / P_{TDP}, \\qquad \\eta_{USD} = P_{peak} / p

    Prices mix single-chip and whole-server shares (``price_includes_server``) and dates;
    per-dollar figures are indicative only.
    """
    check_choice("precision", precision, PRECISIONS)
    frame = list_accelerators()
    column = f"peak_{precision}_flop_per_s"
    out = frame.loc[frame[column].notna(), [
        "name", "vendor", "generation", "release_date", column, "tdp_w", "tdp_estimated",
        "price_usd", "price_includes_server", "default_mfu"]].rename(
        columns={column: "peak_flop_per_s"})
    out["release_year"] = [accelerator(name).release_year for name in out["name"]]
    out["peak_flop_per_s_per_w"] = out["peak_flop_per_s"] / out["tdp_w"]
    out["peak_flop_per_s_per_usd"] = out["peak_flop_per_s"] / out["price_usd"]
    return out.sort_values("release_date").reset_index(drop=True)


def cluster_cost_breakdown(cluster, *, time_s=None, prices=None,
                           price_usd=None) -> dict:
    """Capex by component of a :class:`~scaling.clusters.Cluster`, plus energy over ``time_s``.

    Parameters
    ----------
    cluster : Cluster or str
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
    cluster = as_cluster(cluster)
    prices = PriceAssumptions() if prices is None else prices
    if not isinstance(prices, PriceAssumptions):
        raise ValueError(f"prices must be a PriceAssumptions or None, got {type(prices).__name__}")
    chip = cluster.accelerator
    out = prices.capex_breakdown_usd(cluster.n_accelerators, _price_of(chip, price_usd),
                                     it_power_w=cluster.peak_it_power_w(),
                                     price_includes_server=chip.price_includes_server)
    if time_s is not None:
        energy = cluster.energy_j(time_s)
        out["energy_j"] = energy
        out["energy_usd"] = energy_cost_usd(energy, prices.electricity_or_default_usd_per_kwh)
    return out


def _price_of(chip, price_usd):
    if price_usd is not None:
        return price_usd
    if math.isnan(chip.price_usd):
        raise ValueError(
            f"{chip.name} has no purchase price in the catalog; pass price_usd= explicitly"
        )
    return chip.price_usd
