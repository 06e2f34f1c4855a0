"""Forecast what it takes to train large AI models.

``scaling`` fits compute-optimal scaling laws and combines them with accelerator, cluster,
power, reliability and cost models to project training time, energy and dollars versus
parameter count.

The public functions and classes below are the API the notebooks use. Importing the package
is cheap: names are resolved lazily, so ``import scaling`` does not import pandas, scipy,
statsmodels or altair until a name that needs them is used. Submodules (``scaling.laws``,
``scaling.chain``, ``scaling.units``, ...) hold the rest; no submodule shares its name with a
function.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    # laws
    "DEFAULT_LAW": "laws",
    "LAW_PARAMETERS": "laws",
    "law_parameters": "laws",
    "chinchilla_loss": "laws",
    "compute_optimal": "laws",
    "optimal_loss": "laws",
    "optimal_tokens_for_params": "laws",
    "tokens_per_param": "laws",
    "compute_for_loss": "laws",
    "training_flop": "laws",
    "kaplan_loss": "laws",
    "data_constrained_loss": "laws",
    # fits
    "fit_chinchilla": "fit",
    "FitResult": "fit",
    "fit_power_law": "fit",
    "isoflop_minima": "fit",
    # hardware and clusters
    "Accelerator": "hardware",
    "accelerator": "hardware",
    "list_accelerators": "catalog",
    "Cluster": "clusters",
    "cluster": "clusters",
    "list_clusters": "catalog",
    # assumptions
    "Assumptions": "assumptions",
    "PriceAssumptions": "cost",
    "ReliabilityAssumptions": "reliability",
    # uncertainty
    "Uncertain": "uncertainty",
    "DEFAULT_UNCERTAINTY": "uncertainty",
    "Case": "uncertainty",
    "sensitivity": "uncertainty",
    # the chain and its entry points
    "estimate_run": "chain",
    "RunEstimate": "chain",
    "forecast": "forecasting",
    "Forecast": "forecasting",
    "largest_trainable": "forecasting",
    "forecast_for_loss": "forecasting",
    "forecast_for_deadline": "forecasting",
    "forecast_sensitivity": "studies.forecasts",
    "backtest": "studies.backtesting",
    "Backtest": "studies.backtesting",
    "plan_training": "studies.planning",
    "compare_systems": "studies.systems",
    "size_cluster": "studies.budgets",
    "inference_optimal": "inference",
    # the step-time model of utilisation (issue 9)
    "ModelShape": "model_shape",
    "plan_parallelism": "plan_search",
    "optimal_batch_tokens": "plan_search",
    "min_accelerators_for_state": "parallelism",
    # errors
    "InfeasibleRunError": "errors",
    "FitWarning": "errors",
}

_SUBMODULES = {
    "units", "errors", "data", "dates", "laws", "fit", "catalog", "hardware", "solve", "checkpointing", "reliability",
    "clusters", "cost",
    "assumptions", "uncertainty", "chain", "forecasting", "inference",
    "results", "plots", "studies", "apps",
    "valuation", "trends", "emissions", "model_shape", "parallelism", "plan_search", "throughput",
}

__all__ = sorted(_LAZY) + sorted(_SUBMODULES)

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
    return __all__
