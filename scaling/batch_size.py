"""The global batch of a training run: a named, sourced batch-size law, resolved once.

How many tokens one optimizer step takes sets how many accelerators a run can keep busy (the
batch-size wall) and how many serial steps a run needs (with the minimum step time, the
latency wall). The package does not know the right batch of a future run; it names the choice
(``Assumptions(batch_size_law=...)``, ``Assumptions(global_batch_tokens=...)`` for a number):

* ``"deepseek2024"`` (default): DeepSeek LLM's fitted optimum
  :math:`B_{opt} = 0.2920\\,C^{0.3271}` (:func:`scaling.plan_search.optimal_batch_tokens`;
  DeepSeek-AI 2024, arXiv:2401.02954, Sec. 3.1). It is the default because the step-time
  model's whole-run efficiency (``data/run_efficiency.csv``) and the out-of-sample errors of
  notebook 04 were fitted with it: it stays calibrated on today's runs;
* ``"kaplan2020_critical"``: the critical batch of McCandlish et al. (2018) as Kaplan et al.
  (2020) fit it to the loss, :math:`B_{crit}(L) = B_*/L^{1/\\alpha_B}`, evaluated at the loss
  of a compute-efficient run of that compute, :math:`L = (C_c/C)^{\\alpha_C}` (constants in
  ``data/batch_size_laws.csv``). It grows as :math:`C^{\\alpha_C/\\alpha_B}\\approx C^{0.24}`,
  more slowly than DeepSeek's :math:`C^{0.33}`: 62M tokens at 2e26 FLOP (DeepSeek 117M),
  0.82B at 1e31 (DeepSeek 4.0B). Kaplan's loss is in nats on WebText2 with GPT-2's
  tokenizer, so the law is a scaling, not a calibrated number, for other data;
* a callable ``law(compute_flop) -> tokens``: a user's own law (e.g. a constant number of
  sequences per accelerator, or the square-root scaling of a later paper).

References
----------
McCandlish, Kaplan, Amodei et al. (2018), "An Empirical Model of Large-Batch Training",
arXiv:1812.06162.
Kaplan et al. (2020), "Scaling Laws for Neural Language Models", arXiv:2001.08361, Eq. 1.3-1.4.
DeepSeek-AI (2024), "DeepSeek LLM", arXiv:2401.02954, Sec. 3.1.
Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training",
arXiv:2411.01137 (the batch size as the first of the walls).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from scaling._validation import as_float_array, like, scalar, unknown_name
from scaling.data import cached_until_reload, cell_number, load_rows
from scaling.plan_search import optimal_batch_tokens
from scaling.units import SECONDS_PER_DAY

__all__ = [
    "BATCH_SIZE_LAWS",
    "DEFAULT_BATCH_SIZE_LAW",
    "FLOP_PER_PF_DAY",
    "batch_size_law_constants",
    "check_batch_size_law",
    "critical_batch_tokens",
    "global_batch_tokens",
]

#: FLOP in one petaFLOP/s-day, Kaplan et al.'s (2020) unit of compute (a definition).
FLOP_PER_PF_DAY = 1e15 * SECONDS_PER_DAY

#: The named batch-size laws (see the module notes); a callable is a user's own law.
BATCH_SIZE_LAWS = ("deepseek2024", "kaplan2020_critical")

#: The default law: DeepSeek LLM's fitted optimum, the batch the whole-run efficiency and the
#: backtest of notebook 04 were fitted with (arXiv:2401.02954, Sec. 3.1).
DEFAULT_BATCH_SIZE_LAW = "deepseek2024"


@cached_until_reload
def batch_size_law_constants() -> Mapping[str, Mapping[str, float]]:
    """The constants of ``data/batch_size_laws.csv``: law -> constant -> value (read-only)."""
    out: dict = {}
    for row in load_rows("batch_size_laws"):
        out.setdefault(row["law"].strip(), {})[row["constant"].strip()] = cell_number(
            row, "value", table="batch_size_laws")
    return MappingProxyType({law: MappingProxyType(c) for law, c in out.items()})


def check_batch_size_law(law, *, name: str = "batch_size_law"):
    """A batch-size law as given, checked: a name of :data:`BATCH_SIZE_LAWS` or a callable.

    Raises
    ------
    ValueError
        An unknown name (the valid names listed, the closest suggested) or another type.
    """
    if callable(law):
        return law
    if not isinstance(law, str):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, BATCH_SIZE_LAWS))} or "
                         f"a callable law(compute_flop) -> tokens, got {law!r}")
    if law not in BATCH_SIZE_LAWS:
        raise unknown_name(name, law, BATCH_SIZE_LAWS)
    return law


def critical_batch_tokens(compute_flop):
    """Critical batch of a compute-efficient run, Kaplan et al. (2020) [tokens].

    Parameters
    ----------
    compute_flop : float or array_like or Series
        Training compute [FLOP], > 0.

    Returns
    -------
    float or ndarray or Series
        Critical batch [tokens].

    Notes
    -----
    .. math:: L = (C_c / C)^{\\alpha_C}, \\qquad B_{crit} = B_* / L^{1/\\alpha_B}

    with :math:`C` in PF-days, :math:`C_c \\approx 3.1\\times10^8` PF-days,
    :math:`\\alpha_C \\approx 0.050`, :math:`B_* \\approx 2\\times10^8` tokens and
    :math:`\\alpha_B \\approx 0.21` (arXiv:2001.08361, Eq. 1.3-1.4; ``data/batch_size_laws.csv``).

    Examples
    --------
    >>> round(critical_batch_tokens(2e26) / 1e6)
    62
    """
    c = as_float_array("compute_flop", compute_flop)
    k = batch_size_law_constants()["kaplan2020_critical"]
    loss = (k["c_c_pf_days"] / (c / FLOP_PER_PF_DAY)) ** k["alpha_c"]
    return like(k["b_star_tokens"] / loss ** (1.0 / k["alpha_b"]), compute_flop)


def global_batch_tokens(compute_flop, law=DEFAULT_BATCH_SIZE_LAW):
    """The global batch of a run of this compute under a batch-size law [tokens].

    Parameters
    ----------
    compute_flop : float or array_like or Series
        Training compute [FLOP], > 0.
    law : str or callable
        One of :data:`BATCH_SIZE_LAWS` or ``law(compute_flop) -> tokens``.

    Returns
    -------
    float or ndarray or Series
        Tokens per optimizer step.

    Examples
    --------
    >>> round(global_batch_tokens(1e24) / 1e6, 1)
    20.7
    >>> round(global_batch_tokens(1e24, "kaplan2020_critical") / 1e6, 1)
    17.7
    """
    law = check_batch_size_law(law, name="law")
    if law == "deepseek2024":
        return optimal_batch_tokens(compute_flop)
    if law == "kaplan2020_critical":
        return critical_batch_tokens(compute_flop)
    c = as_float_array("compute_flop", compute_flop)
    out = np.vectorize(lambda x: scalar("batch_size_law(compute_flop)", law(float(x))),
                       otypes=[float])(c)
    return like(out if out.ndim else float(out), compute_flop)
