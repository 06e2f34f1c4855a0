"""Hardware by name, and what a number of accelerators delivers.

:func:`accelerator` is the one place an accelerator's name is resolved: a catalog name or
alias (:mod:`scaling.catalog`, ``data/accelerators.csv``) or a trend projection
``"typical-<year>"`` (:func:`scaling.trends.typical_accelerator`). The throughput formulas of
the chain's first stage live here too: :func:`sustained_flop_per_s` (peak x count x MFU) and
its inverse :func:`model_flop_utilisation`, the package's one MFU formula.

Conventions
-----------
* Peak FLOP/s are **dense** (without 2:4 structured sparsity).
* MFU is model FLOP over the accelerators' dense peak at the precision measured against; time
  lost to failures and restarts is *not* in it (goodput, :mod:`scaling.reliability`).
"""

from __future__ import annotations

import re

from scaling._validation import as_float_array, check_fraction, elementwise, like
from scaling.catalog import Accelerator, catalog_accelerator
from scaling.trends import typical_accelerator

__all__ = ["accelerator", "as_accelerator", "model_flop_utilisation", "sustained_flop_per_s"]

#: Names of trend projections accepted by :func:`accelerator`: ``typical-2030`` (the frontier
#: typical accelerator of mid-2030) and ``typical-average-2030``.
_TYPICAL_NAME = re.compile(r"^typical-(average-)?(\d{4})$")


def accelerator(name: str) -> Accelerator:
    """Build an :class:`Accelerator` from the catalog.

    Parameters
    ----------
    name : str
        Catalog key such as ``"H100-SXM"`` (a few common aliases such as
        ``"H100 SXM5 80GB"`` are accepted too), or a trend projection ``"typical-<year>"``
        (the typical frontier accelerator of mid-year, :func:`scaling.trends.typical_accelerator`)
        or ``"typical-average-<year>"``.

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid ones.
    """
    typical = _TYPICAL_NAME.match(name) if isinstance(name, str) else None
    if typical:
        try:
            return typical_accelerator(int(typical.group(2)),
                                       basis="average" if typical.group(1) else "frontier")
        except ValueError as exc:
            raise ValueError(f"accelerator {name!r}: {exc}") from None
    if isinstance(name, str) and name.strip().lower().startswith("typical-"):
        raise ValueError(f"accelerator {name!r}: a trend projection is named "
                         "'typical-<year>' or 'typical-average-<year>' with a four-digit "
                         "calendar year, e.g. 'typical-2030' (scaling.trends."
                         "typical_accelerator)")
    return catalog_accelerator(name)


def as_accelerator(spec) -> Accelerator:
    """``spec`` itself if it is an :class:`Accelerator`, else the catalog accelerator it names.

    Parameters
    ----------
    spec : Accelerator or str
        An accelerator, or a catalog name accepted by :func:`accelerator`.

    Raises
    ------
    ValueError
        ``spec`` is neither, or an unknown name (the message lists the valid ones).
    """
    if isinstance(spec, Accelerator):
        return spec
    if isinstance(spec, str):
        return accelerator(spec)
    raise ValueError(
        f"accelerator must be an Accelerator or a catalog name, got {type(spec).__name__}"
    )


@elementwise
def sustained_flop_per_s(peak_flop_per_s, n_accelerators, mfu):
    """Sustained model FLOP/s of a group of accelerators.

    Parameters
    ----------
    peak_flop_per_s : float or array_like or Series
        Peak of one accelerator at the chosen precision [FLOP/s], > 0.
    n_accelerators : int or array_like or Series
        Number of accelerators, > 0.
    mfu : float or array_like or Series
        Model FLOP utilisation, in (0, 1].

    Returns
    -------
    float or ndarray or Series
        Sustained throughput [FLOP/s].

    Notes
    -----
    .. math:: R = n \\cdot P_{peak} \\cdot \\mathrm{MFU}
    """
    peak = as_float_array("peak_flop_per_s", peak_flop_per_s)
    count = as_float_array("n_accelerators", n_accelerators)
    fraction = check_fraction("mfu", mfu)
    return like(_sustained_flop_per_s(peak, count, fraction), peak_flop_per_s, n_accelerators,
                mfu)


def _sustained_flop_per_s(peak, count, mfu):
    """Unvalidated kernel of :func:`sustained_flop_per_s` (inputs checked by the caller)."""
    return peak * count * mfu


@elementwise
def model_flop_utilisation(model_flop_per_s, n_accelerators, peak_flop_per_s):
    """Model FLOP utilisation (MFU) of a group of accelerators.

    The inverse of :func:`sustained_flop_per_s`: the share of the group's peak that its
    model-FLOP rate reaches.

    Parameters
    ----------
    model_flop_per_s : float or array_like or Series
        Model FLOP the group completes per second [FLOP/s], > 0 (the FLOP convention, e.g.
        6 N per token with or without attention, is the caller's).
    n_accelerators : int or array_like or Series
        Number of accelerators counted, > 0 (all given, or only those used).
    peak_flop_per_s : float or array_like or Series
        Peak of one accelerator at the precision the MFU is quoted against [FLOP/s], > 0.

    Returns
    -------
    float or ndarray or Series
        Model FLOP utilisation [fraction]. Not capped at 1: work run at a precision whose peak
        exceeds ``peak_flop_per_s`` (fp8 matmuls against the bf16 peak) can exceed it.

    Notes
    -----
    .. math:: \\mathrm{MFU} = \\frac{R}{n \\cdot P_{peak}}

    the package's one MFU formula (the step-time model's
    :attr:`scaling.plan_search.StepTime.mfu` is computed with it).

    Examples
    --------
    >>> round(model_flop_utilisation(4e17, 1024, 989e12), 3)
    0.395
    >>> round(model_flop_utilisation(sustained_flop_per_s(989e12, 1024, 0.4), 1024, 989e12), 12)
    0.4
    """
    rate = as_float_array("model_flop_per_s", model_flop_per_s)
    count = as_float_array("n_accelerators", n_accelerators)
    peak = as_float_array("peak_flop_per_s", peak_flop_per_s)
    return like(_model_flop_utilisation(rate, count, peak), model_flop_per_s, n_accelerators,
                peak_flop_per_s)


def _model_flop_utilisation(rate, count, peak):
    """Unvalidated kernel of :func:`model_flop_utilisation` (inputs checked by the caller)."""
    return rate / (count * peak)
