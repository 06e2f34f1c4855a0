"""Forecast what it takes to train large AI models.

``scaling`` fits compute-optimal scaling laws and combines them with accelerator, cluster,
power, reliability and cost models to project training time, energy and dollars versus
parameter count.

Importing the package is cheap: the public names below are resolved lazily, so
``import scaling`` does not import pandas, scipy, statsmodels or altair until a name that
needs them is used.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    # laws
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
    # hardware, clusters, cost (``scaling.cluster(name)`` is the callable submodule)
    "Accelerator": "hardware",
    "accelerator": "hardware",
    "list_accelerators": "hardware",
    "Cluster": "cluster",
    "list_clusters": "cluster",
    "PriceAssumptions": "cost",
    "size_cluster": "cost",
    # forecast chain (``scaling.forecast(...)`` and ``scaling.backtest()`` are callable submodules)
    "estimate_run": "forecast",
    "RunEstimate": "forecast",
    "Forecast": "forecast",
    "largest_trainable": "forecast",
    "forecast_for_loss": "forecast",
    "inference_optimal": "inference",
    "plan_training": "planning",
    "compare_systems": "systems",
}

_SUBMODULES = {
    "laws", "fit", "data", "hardware", "cluster", "cost", "reliability", "forecast",
    "backtest", "inference", "systems", "planning", "limits", "plots", "report", "cli",
}


class _CallableModule(types.ModuleType):
    """A submodule that can also be called as the function it is named after.

    ``scaling.cluster``, ``scaling.forecast`` and ``scaling.backtest`` are modules (so
    ``scaling.cluster.Cluster`` and ``import scaling.forecast`` work) and calling them
    forwards to their namesake function: ``scaling.cluster("frontier")`` is
    ``scaling.cluster.cluster("frontier")``.
    """

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


def _make_callable(module_name: str) -> None:
    """Let the submodule ``module_name`` be called as its namesake function."""
    sys.modules[module_name].__class__ = _CallableModule

__all__ = sorted(_LAZY) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"scaling.{_LAZY[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"scaling.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'scaling' has no attribute {name!r}")


def __dir__():
    return __all__
