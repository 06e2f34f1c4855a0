"""Applications on top of the core and the studies: the command line (:mod:`~scaling.apps.cli`,
``scaling`` / ``python -m scaling``), the report builder behind ``make report``
(:mod:`~scaling.apps.report`, its pages' layout in :mod:`~scaling.apps.report_html`) and the
what-if explorer of notebook 11 (:mod:`~scaling.apps.explorer`). Nothing in the core or the
studies imports an app.
"""

from __future__ import annotations

import importlib

_MODULES = ("cli", "report", "report_html", "explorer")

__all__ = list(_MODULES)


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"scaling.apps.{name}")
    raise AttributeError(f"module 'scaling.apps' has no attribute {name!r}")
