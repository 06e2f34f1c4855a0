"""Error classes of :mod:`scaling`.

Every error the package raises on bad input is a ``ValueError`` (or a ``KeyError`` subclass for
unknown names) whose message names the argument the user passed, says what is wrong and what
is allowed. The classes here add meaning a caller may want to catch on its own.
"""

from __future__ import annotations

__all__ = ["InfeasibleRunError", "FitWarning", "ExtrapolationWarning"]


class InfeasibleRunError(ValueError):
    """A training run that cannot be done as asked.

    Raised when the inputs are each valid but together describe a run that never finishes or
    does not fit: interruptions arrive faster than the job can restart, the training state
    does not fit in the accelerators' memory, no parallel plan exists, a deadline is too short
    for any number of accelerators. The message names the cause and the limit (e.g. the
    minimum accelerator count, the largest useful one), in the user's terms.
    """


class FitWarning(UserWarning):
    """A fit whose result should not be trusted as it stands.

    Issued by :func:`scaling.fit_chinchilla` when the optimiser did not converge, an estimate
    ran to an implausible value or sat on a bound, or the fitted law is hardly better than a
    constant loss (the objective is flat: the data do not determine the law). The fit's
    ``converged`` is then False and its ``reason`` (also in ``summary()``) says why.
    """


class ExtrapolationWarning(UserWarning):
    """A date beyond the horizon of the trends the package extrapolates.

    Issued once per date and calling line when ``Assumptions(as_of=...)``, a hardware trend
    (:meth:`scaling.trends.TrendFit.predict`) or the frontier compute trend
    (:func:`scaling.studies.outlook.frontier_compute_trend`) is asked about a year after
    :data:`scaling.dates.HORIZON_YEAR` (the last year of data plus
    :data:`scaling.dates.EXTRAPOLATION_SPAN_YEARS`). The answer is still given, but it is the
    trends' straight lines carried further than the records they were fitted on; the message
    names the date and the horizon. Silence it with
    ``warnings.simplefilter("ignore", scaling.errors.ExtrapolationWarning)``.
    """
