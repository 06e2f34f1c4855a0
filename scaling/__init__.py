"""Forecast what it takes to train large AI models.

``scaling`` fits compute-optimal scaling laws and combines them with accelerator, cluster,
power, reliability and cost models to project training time, energy and dollars versus
parameter count.

The names in ``__all__`` (at most 35) are the facade: one entry point per question. The rest
is in submodules, reachable as ``scaling.laws``, ``scaling.chain``, ``scaling.studies``, ...
Importing the package is cheap: names are resolved lazily, so ``import scaling`` does not
import pandas, scipy, statsmodels or altair until a name that needs them is used. No
submodule shares its name with a function.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# The facade (statsmodels' api.py): at most 35 public names, each the one entry point of its
# question. Everything else lives in a submodule, importable as ``scaling.<module>`` (listed
# in _SUBMODULES, not in __all__): the core (laws, fit, catalog, hardware, ..., chain, solve),
# the notebook tables (scaling.studies), the applications (scaling.apps) and the charts
# (scaling.plots).
_LAZY = {
    # scaling laws and fits
    "DEFAULT_LAW": "laws",
    "LAW_PARAMETERS": "laws",
    "chinchilla_loss": "laws",
    "compute_optimal": "laws",
    "training_flop": "laws",
    "fit_chinchilla": "fit",
    "FitResult": "fit",
    # the machine
    "Accelerator": "catalog",
    "accelerator": "hardware",
    "list_accelerators": "catalog",
    "Cluster": "clusters",
    "cluster": "clusters",
    "list_clusters": "catalog",
    "ModelShape": "model_shape",
    "plan_parallelism": "plan_search",
    "min_accelerators_for_state": "training_state",
    # assumptions and uncertainty
    "Assumptions": "assumptions",
    "Uncertain": "uncertainty",
    "DEFAULT_UNCERTAINTY": "uncertainty",
    "sensitivity": "uncertainty",
    # the chain, forward and inverse
    "estimate_run": "chain",
    "RunEstimate": "chain",
    "forecast": "forecasting",
    "Forecast": "forecasting",
    "forecast_for_deadline": "forecasting",
    "forecast_for_loss": "forecasting",
    "largest_trainable": "forecasting",
    "inference_optimal": "inference",
    "model_for_budget": "budget",
    # headline studies
    "forecast_sensitivity": "studies.forecasts",
    "backtest": "studies.backtesting",
    "plan_training": "studies.planning",
    "size_cluster": "studies.budgets",
    # errors and warnings
    "InfeasibleRunError": "errors",
    "FitWarning": "errors",
}

#: Submodules reachable as attributes (``scaling.laws``) without an import; not in __all__.
_SUBMODULES = {
    "units", "errors", "data", "dates", "results", "laws", "fit", "catalog", "trends",
    "hardware", "cost", "rental", "valuation", "emissions", "model_shape", "training_state",
    "parallelism", "plan_checks", "plan_search", "throughput", "checkpointing", "reliability", "uncertainty",
    "assumptions", "clusters", "chain", "solve", "forecasting", "inference", "budget", "studies", "apps",
    "plots",
}

__all__ = sorted(_LAZY)

# Names read from the curated tables in data/: looked up on every access (never cached here),
# so that scaling.data.reload() makes an edited CSV take effect.
_TABLES = {"LAW_PARAMETERS", "DEFAULT_UNCERTAINTY"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"scaling.{_LAZY[name]}"), name)
        if name not in _TABLES:
            globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"scaling.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'scaling' has no attribute {name!r}")


def __dir__():
    return sorted({*__all__, *_SUBMODULES, "__version__"})
