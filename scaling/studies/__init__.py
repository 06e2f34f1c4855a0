"""Studies: the tables each notebook needs, built on the core (never a new solver).

A study is a function that asks the core (:mod:`scaling.chain`, :mod:`scaling.solve`, the
laws, the machine, reliability and money modules) one question over a grid of inputs and
returns a finished table (a pandas DataFrame) for a notebook, a plot or the report. Studies may
import the core and one another; the core never imports a study.

=====================  ===================================================================
module                 question (notebook)
=====================  ===================================================================
``laws``               published laws side by side, compute-optimal allocations (01)
``hardware``           the accelerator landscape, a cluster's cost breakdown (02)
``forecasts``          which uncertain input moves a forecast most (03, 08)
``inference``          the inference-aware optimum as tokens served grow (03)
``backtesting``        the chain against published runs, out of sample (04, 10)
``calibration``        the step-time model's calibration and leave-one-out errors (04, 09)
``efficiency``         the whole-run efficiency fitted on published runs, its bands (04)
``systems``            named systems side by side (02, 05)
``run_time``           what moves a run's wall-clock time on a named system (05)
``budgets``            what a budget or a power envelope buys, and trains; rent by date (02, 05, 08, 10, 12)
``reliability``        interruptions, goodput at scale, what moves goodput (06)
``planning``           right-sizing a cluster, buy or rent, a pilot (07)
``limits``             the data and power walls (08)
``utilisation``        where a step's time goes; the batch-size and latency walls (09)
``trends``             hardware trends beside the published ones; the typical chip (10)
``outlook``            the next decade by year (10)
``explorer``           tables behind the explorer's slider charts (11)
``walls``              how far one run can scale; Erdil & Schneider-Joseph's walls (13)
=====================  ===================================================================

Submodules load on first use (``scaling.studies.systems``).
"""

from __future__ import annotations

import importlib

_MODULES = ("laws", "hardware", "forecasts", "inference", "backtesting", "calibration",
            "systems", "run_time", "budgets", "reliability", "planning", "limits",
            "utilisation", "trends", "outlook", "explorer", "efficiency", "walls")

__all__ = list(_MODULES)


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"scaling.studies.{name}")
    raise AttributeError(f"module 'scaling.studies' has no attribute {name!r}")
