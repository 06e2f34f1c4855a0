"""Error classes of :mod:`scaling`.

Every error the package raises on bad input is a ``ValueError`` (or a ``KeyError`` subclass for
unknown names) whose message names the argument the user passed, says what is wrong and what
is allowed. The classes here add meaning a caller may want to catch on its own.
"""

from __future__ import annotations

__all__ = ["InfeasibleRunError"]


class InfeasibleRunError(ValueError):
    """A training run that cannot be done as asked.

    Raised when the inputs are each valid but together describe a run that never finishes or
    does not fit: interruptions arrive faster than the job can restart, the training state
    does not fit in the accelerators' memory, no parallel plan exists, a deadline is too short
    for any number of accelerators. The message names the cause and the limit (e.g. the
    minimum accelerator count, the largest useful one), in the user's terms.
    """
