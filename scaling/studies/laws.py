"""Scaling-law tables for notebook 01: the published parameter sets side by side and the
compute-optimal allocation over budgets.

Built on :mod:`scaling.laws`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from scaling._validation import as_float_array, as_names
from scaling.laws import (
    DEFAULT_LAW, LAW_PARAMETERS, chinchilla_loss, compute_optimal, law_parameters,
)

__all__ = ["compute_optimal_table", "parameter_table"]


def parameter_table(laws=None):
    """Published parameter sets side by side.

    Parameters
    ----------
    laws : sequence of str, optional
        Names from :data:`LAW_PARAMETERS` (default: all).

    Returns
    -------
    pandas.DataFrame
        Index ``law``; columns ``E, A, B, alpha, beta``, the compute-optimal exponent
        ``a = beta/(alpha+beta)`` [dimensionless], and ``source``.
    """
    import pandas as pd

    names = list(LAW_PARAMETERS) if laws is None else as_names("law names", laws, name="laws")
    rows = []
    for name in names:
        p = law_parameters(name)
        rows.append({"law": name, **p, "a": p["beta"] / (p["alpha"] + p["beta"]),
                     "source": LAW_PARAMETERS[name]["source"]})
    return pd.DataFrame(rows).set_index("law")


def compute_optimal_table(compute_flop, laws=(DEFAULT_LAW,)):
    """Compute-optimal allocation for several budgets and parameter sets, in long form.

    Parameters
    ----------
    compute_flop : array_like
        Budgets [FLOP].
    laws : sequence of (str or FitResult-like) or Mapping of label -> law
        Parameter sets; strings label themselves, other objects are labelled by position
        unless a mapping of label to law is given.

    Returns
    -------
    pandas.DataFrame
        Columns ``law, compute_flop, n_params, n_tokens, tokens_per_param, loss``.
    """
    import pandas as pd

    c = np.atleast_1d(as_float_array("compute_flop", compute_flop))
    single = isinstance(laws, str) or hasattr(laws, "params") or (
        isinstance(laws, Mapping) and "E" in laws)
    if single:
        laws = [laws]
    items = laws.items() if isinstance(laws, Mapping) else (
        (law if isinstance(law, str) else f"law_{i}", law) for i, law in enumerate(laws)
    )
    frames = []
    for label, law in items:
        opt = compute_optimal(c, law)
        frames.append(pd.DataFrame({
            "law": label,
            "compute_flop": c,
            "n_params": opt.n_params,
            "n_tokens": opt.n_tokens,
            "tokens_per_param": opt.n_tokens / opt.n_params,
            "loss": chinchilla_loss(opt.n_params, opt.n_tokens, law),
        }))
    return pd.concat(frames, ignore_index=True)
