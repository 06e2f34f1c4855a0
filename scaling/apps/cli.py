"""The ``scaling`` command (also ``python -m scaling``).

Examples
--------
::

    scaling forecast --cluster llama3-16k --params 7e10 4e11 1e12 --out forecast.csv
    scaling forecast --cluster llama3-16k --params 7e10 4e11 --uncertainty --samples 2000
    scaling forecast --cluster llama3-16k --params 4e11 --columns n_params,time_days,energy_mwh
    scaling forecast --accelerator H100-SXM --count 4096 --params 7e10 4e11
    scaling run --flop 3.8e25 --accelerator H100-SXM --count 16384
    scaling run --flop 3.8e25 --cluster llama3-16k
    scaling largest --cluster llama3-16k --days 30 90
    scaling largest --accelerator GB200 --count 100000 --days 100
    scaling deadline --accelerator H100-SXM --params 4e11 1e12 --days 90 180
    scaling budget --usd 5e7 --days 90 --accelerator H100-SXM --as-of 2027-07
    scaling backtest
    scaling clusters
    scaling accelerators --columns all
    scaling report --param 07_enterprise_right_sizing ACCELERATOR=GB200 --only 07_enterprise_right_sizing

The machine is named as the library names it (:func:`scaling.clusters.as_machine`):
``--cluster NAME`` (a catalog cluster; with ``--count N``, N of its accelerators) or
``--accelerator NAME --count N``. ``deadline`` takes ``--cluster`` or ``--accelerator``
alone: the count is what it answers (:func:`scaling.forecast_for_deadline`).

Printed tables show numbers to three significant figures with thousands separators, the
unit in each column header from the one unit table (:func:`scaling.units.display_of`, scaled
to a readable prefix: ``[M USD]``, ``[MW]``, ``[TFLOP/s]``), whole numbers for counts and
``n/a`` where a value is missing; they wrap to :data:`MAX_WIDTH` characters. ``--out``
writes every column, unscaled, to CSV or JSON.

Errors (unknown names, invalid numbers) exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import scaling
from scaling import laws
from scaling._validation import unknown_name
from scaling.apps.report import command as report_command
from scaling.units import NAMED_UNITS, SECONDS_PER_DAY, UNIT_SUFFIXES, display_of

__all__ = ["main", "build_parser", "format_number", "format_table", "MAX_WIDTH"]

#: Characters a printed table may span before its columns wrap into further blocks.
MAX_WIDTH = 120

#: Columns printed by ``scaling forecast`` (all columns go to ``--out``).
FORECAST_COLUMNS = ("n_params", "n_active_params", "n_tokens", "compute_flop", "time_days",
                    "accelerator_hours", "energy_mwh", "peak_facility_power_w",
                    "amortized_cost_usd", "rental_cost_usd", "emissions_tco2e")
#: Columns printed by ``scaling forecast --uncertainty``, each as P50 [P5, P95].
FORECAST_UNCERTAINTY_COLUMNS = ("n_params", "time_days", "accelerator_hours", "energy_mwh",
                                "amortized_cost_usd", "emissions_tco2e")
#: Quantities printed by ``scaling run`` (those of ``RunEstimate.summary()``).
RUN_COLUMNS = ("accelerator", "n_accelerators", "mfu", "goodput", "time_days",
               "accelerator_hours", "facility_power_w", "energy_mwh", "amortized_cost_usd",
               "rental_cost_usd", "carbon_intensity_g_per_kwh", "emissions_tco2e")
#: Columns printed by ``scaling deadline`` (the count each size needs, and its cost).
DEADLINE_COLUMNS = ("deadline_days", "n_params", "n_tokens", "compute_flop", "n_accelerators",
                    "mfu", "peak_facility_power_w", "energy_mwh", "hardware_capex_usd",
                    "amortized_cost_usd", "rental_cost_usd")
#: Columns printed by ``scaling deadline --uncertainty``, each as P50 [P5, P95].
DEADLINE_UNCERTAINTY_COLUMNS = ("deadline_days", "n_params", "n_accelerators",
                                "peak_facility_power_w", "energy_mwh", "hardware_capex_usd",
                                "amortized_cost_usd")
#: Columns printed by ``scaling backtest`` (its summary follows).
BUDGET_COLUMNS = ("budget_usd", "deadline_days", "pricing", "accelerator", "as_of", "n_params",
                  "n_tokens", "compute_flop", "loss", "n_accelerators", "time_days",
                  "cost_usd", "binds", "reason")
BACKTEST_COLUMNS = ("name", "accelerator", "n_accelerators", "mfu", "accelerator_hours_ratio",
                    "days_ratio", "cost_usd_ratio")
#: Columns printed by ``scaling clusters`` and ``scaling accelerators``.
CLUSTER_COLUMNS = ("name", "accelerator", "n_accelerators", "pue", "cooling",
                   "reported_power_w", "status", "year")
ACCELERATOR_COLUMNS = ("name", "vendor", "generation", "peak_bf16_flop_per_s",
                       "peak_fp8_flop_per_s", "memory_bytes", "tdp_w", "price_usd",
                       "rental_usd_per_hour", "default_mfu")
OUTPUT_SUFFIXES = (".csv", ".json")

#: Library argument -> the option the user typed, to name it in the library's error messages.
OPTION_OF_ARGUMENT = {
    "n_params": "--params", "compute_flop": "--flop", "n_accelerators": "--count",
    "mfu": "--mfu", "tokens_per_param": "--tokens-per-param", "n_tokens": "--tokens",
    "n_samples": "--samples", "seed": "--seed", "as_of": "--as-of", "region": "--region",
    "cluster": "--cluster", "accelerator": "--accelerator", "law": "--law",
    "deadline_s": "--days", "n_active_params": "--active-params", "model": "--model",
    "run_efficiency": "--run-efficiency", "budget_usd": "--usd", "pricing": "--own",
    "inference_tokens": "--inference-tokens", "max_tokens": "--max-tokens",
    "rental_usd_per_hour": "--rental-usd-per-hour", "accelerator_price_usd": "--price-usd",
    "electricity_usd_per_kwh": "--electricity-usd-per-kwh", "pue": "--pue",
    "batch_size_law": "--batch-size-law", "global_batch_tokens": "--batch-tokens",
    "layout_search": "--layout-search",
}

#: Text cells longer than this are cut (with an ellipsis) in printed tables.
MAX_TEXT_WIDTH = 40

# argparse reads "-1e11" as an option (its own pattern only knows "-1" and "-1.5"); with
# this pattern every negative number, exponent or not, is a value that reaches validation.
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-inf(inity)?$", re.I)

#: Monte Carlo draws of ``--uncertainty`` and their seed unless ``--samples`` and ``--seed``
#: say otherwise (the library's defaults).
DEFAULT_SAMPLES = 2000
DEFAULT_SEED = 0
#: Number formats of ``--precision`` (the first is the default, the chain's).
PRECISIONS = ("bf16", "fp8")
#: Display kinds of :func:`scaling.units.display_of` printed with a prefix that keeps a
#: column's largest value under :data:`_PREFIX_LIMIT` (2,250 TFLOP/s, 116 M USD).
PREFIXED_DISPLAYS = ("si", "money")
#: Columns that hold very large counts, printed with k/M/B/T (70B parameters, 1.29T tokens).
LARGE_COUNT_COLUMNS = ("n_params", "n_active_params", "n_tokens")
#: Columns of whole numbers printed without thousands separators.
PLAIN_INTEGER_COLUMNS = ("year",)
_PREFIX_LIMIT = 1e4
_SI_PREFIXES = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P"),
                (1e18, "E"), (1e21, "Z"))
_MONEY_PREFIXES = ((1.0, ""), (1e3, "k "), (1e6, "M "), (1e9, "B "), (1e12, "T "))
_SHORT_SCALE = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump) and negative numbers read as values."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message):
        raise _CliError(message)


class _CliError(Exception):
    pass


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _positive_number(text):
    value = _number(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be positive and finite, got {text!r}")
    return value


def _whole_number(text):
    value = _number(text)
    if not math.isfinite(value) or value != int(value):
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}")
    return int(value)


def _positive_integer(text):
    value = _number(text)
    if not (0 < value < math.inf and value == int(value)):
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(value)


def _seed(text):
    value = _number(text)
    if not (0 <= value < math.inf and value == int(value)):
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}")
    return int(value)


def _add_machine(p, *, count: bool = True) -> None:
    """The machine, named as the library names it: ``--cluster NAME`` or ``--accelerator NAME``
    with ``--count N`` (``count=False`` where the count is the answer: ``--count`` is then
    refused in the user's terms by :func:`_machine`)."""
    p.add_argument("--cluster", help="a catalog cluster (see `scaling clusters`)")
    p.add_argument("--accelerator", help="an accelerator (see `scaling accelerators`)"
                                         + (", with --count" if count else "")
                                         + ", instead of --cluster")
    p.add_argument("--count", type=_positive_integer,
                   help=("accelerators [count]: with --accelerator, or to use that many of "
                         "the cluster's") if count else argparse.SUPPRESS)
    p.set_defaults(count_is_answer=not count)


def _add_sizes(p) -> None:
    """Model sizes, the law and the tokens (``forecast``, ``deadline``)."""
    p.add_argument("--params", required=True, nargs="+", type=_number,
                   help="model sizes [parameters], e.g. 7e10 4e11")
    p.add_argument("--law", default=laws.DEFAULT_LAW, help="scaling-law parameter set")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--tokens-per-param", type=_number,
                       help="fixed tokens per parameter instead of compute-optimal")
    group.add_argument("--tokens", type=_number, help="fixed token budget [tokens]")


def _add_mfu(p) -> None:
    p.add_argument("--mfu", type=_number, help="model FLOP utilisation in (0, 1]")
    p.add_argument("--run-efficiency", dest="run_efficiency", type=_preset_or_number,
                   help="whole-run efficiency of the step-time model: a preset "
                        "(median_published_run, the default, or large_lab_production) or a "
                        "number in (0, 1]")
    p.add_argument("--batch-size-law", dest="batch_size_law",
                   help="batch-size law of the step-time model: deepseek2024 (the default, "
                        "DeepSeek LLM's fitted optimum) or kaplan2020_critical (Kaplan et "
                        "al.'s critical batch)")
    p.add_argument("--batch-tokens", dest="global_batch_tokens", type=_number,
                   help="global batch [tokens per step]; wins over --batch-size-law")
    p.add_argument("--layout-search", dest="layout_search",
                   help="how finely the step-time model's plan search splits a run: practical "
                        "(the default, the layouts frameworks run today) or fine (sequences "
                        "split to 128-token chunks, tensor parallelism across nodes; slower, "
                        "for runs of millions of accelerators and beyond)")


def _add_model(p, *, active: bool) -> None:
    """A named model (MoE included) and, for sweeps, the active parameters of an MoE."""
    p.add_argument("--model", help="a published model configuration for the step-time model "
                                   "(e.g. 'Mixtral 8x22B', 'DeepSeek-V3'; one size)")
    if active:
        p.add_argument("--active-params", dest="active_params", nargs="+", type=_number,
                       help="parameters active per token of a mixture of experts (one per "
                            "size, or one for all); compute is 6 x active x tokens")


def _preset_or_number(text: str):
    """A whole-run efficiency preset name, or a number."""
    try:
        return _number(text)
    except argparse.ArgumentTypeError:
        return text


def _add_uncertainty(p) -> None:
    p.add_argument("--uncertainty", action="store_true", help="Monte Carlo P5/P50/P95")
    p.add_argument("--samples", type=_whole_number,
                   help=f"Monte Carlo draws, with --uncertainty (default {DEFAULT_SAMPLES})")
    p.add_argument("--seed", type=_seed,
                   help=f"random seed, with --uncertainty (default {DEFAULT_SEED})")


def _monte_carlo(args) -> dict:
    """``n_samples`` and ``seed`` of a command with ``--uncertainty``; ``--samples`` or
    ``--seed`` without it is refused (they would be ignored)."""
    given = [flag for flag, dest in (("--samples", "samples"), ("--seed", "seed"))
             if getattr(args, dest) is not None]
    if given and not args.uncertainty:
        raise ValueError(f"{' and '.join(given)} only apply with --uncertainty (Monte Carlo "
                         f"intervals); add --uncertainty or leave out {' and '.join(given)}")
    return {"n_samples": DEFAULT_SAMPLES if args.samples is None else args.samples,
            "seed": DEFAULT_SEED if args.seed is None else args.seed}


def _add_dated(p) -> None:
    p.add_argument("--as-of", dest="as_of",
                   help="date of the run (2030, 2024.5 or 2024-03-05): hardware valued and "
                        "priced then, that year's grid intensity")
    p.add_argument("--region", help="grid region for emissions (e.g. US-TX, FR, WORLD)")
    for flag, dest, text in _PRICE_FLAGS:
        p.add_argument(flag, dest=dest, type=_positive_number, help=text)


#: Explicit prices, used as given whatever --as-of (PriceAssumptions fields; see
#: scaling.cost.PriceAssumptions).
_PRICE_FLAGS = (
    ("--rental-usd-per-hour", "rental_usd_per_hour",
     "rent paid per accelerator-hour [USD/h] (default: the catalog's, at --as-of)"),
    ("--price-usd", "accelerator_price_usd",
     "purchase price per accelerator [USD] (default: the catalog's, valued at --as-of)"),
    ("--electricity-usd-per-kwh", "electricity_usd_per_kwh",
     "electricity price [USD/kWh] (default: that year's US industrial price)"),
    ("--pue", "pue", "power usage effectiveness >= 1 (default: the cluster's)"),
)


def _add_budget(p) -> None:
    p.add_argument("--usd", dest="budget_usd", required=True, type=_positive_number,
                   help="dollars available [USD]")
    p.add_argument("--days", required=True, type=_positive_number, help="deadline [days]")
    p.add_argument("--cluster", help="a catalog cluster (at most its accelerators)")
    p.add_argument("--accelerator", help="an accelerator, instead of --cluster (as many as "
                                         "needed, or at most --count)")
    p.add_argument("--count", type=_positive_integer, help="accelerators available [count]")
    p.add_argument("--own", action="store_const", const="own", default="rent", dest="pricing",
                   help="own the hardware (amortised cost) instead of renting it")
    p.add_argument("--law", default=laws.DEFAULT_LAW, help="scaling-law parameter set")
    p.add_argument("--inference-tokens", dest="inference_tokens", type=_number, default=0.0,
                   help="lifetime serving demand [tokens]: train the inference-aware model")
    p.add_argument("--max-tokens", dest="max_tokens", type=_positive_number,
                   help="training tokens available (default: the effective stock of public "
                        "text, 3e14)")
    p.add_argument("--samples", type=_whole_number, default=DEFAULT_SAMPLES,
                   help="Monte Carlo draws of the P5-P95 bands")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help="random seed")
    _add_mfu(p)
    p.set_defaults(count_is_answer=False, uncertainty=True)


def _add_output(p) -> None:
    p.add_argument("--columns",
                   help="comma-separated columns to print (names as in --out), or 'all'")
    p.add_argument("--out", type=Path,
                   help="write the full table (every column) to a .csv or .json file")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``scaling`` command.

    Returns
    -------
    argparse.ArgumentParser
        One sub-command per question; ``forecast``, ``run`` and ``largest`` name the machine
        by ``--cluster NAME`` or ``--accelerator NAME --count N`` (checked in :func:`main`),
        ``deadline`` by ``--cluster`` or ``--accelerator`` (the count is its answer).
    """
    parser = _Parser(prog="scaling",
                     description="Forecast training time, energy and dollars of large models.")
    parser.add_argument("--version", action="version", version=f"scaling {scaling.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    f = sub.add_parser("forecast", help="sweep model sizes on a machine")
    _add_machine(f)
    _add_sizes(f)
    _add_model(f, active=True)
    _add_mfu(f)
    _add_uncertainty(f)

    r = sub.add_parser("run", help="time and cost of one run")
    r.add_argument("--flop", required=True, type=_number, help="training compute [FLOP]")
    _add_machine(r)
    _add_mfu(r)
    r.add_argument("--params", type=_number,
                   help="model size [parameters], for the checkpoint size")
    _add_model(r, active=False)
    r.add_argument("--active-params", dest="active_params", type=_number,
                   help="parameters active per token of a mixture of experts (with --params, "
                        "the total); --flop is then 6 x active x tokens")
    r.add_argument("--precision", default=PRECISIONS[0], choices=PRECISIONS)

    g = sub.add_parser("largest", help="largest compute-optimal model within deadlines")
    _add_machine(g)
    g.add_argument("--days", required=True, nargs="+", type=_positive_number,
                   help="deadlines [days]")
    g.add_argument("--law", default=laws.DEFAULT_LAW, help="scaling-law parameter set")
    _add_mfu(g)

    d = sub.add_parser("deadline", help="accelerators it takes to train model sizes by a "
                                        "deadline, and what that machine costs")
    _add_machine(d, count=False)
    _add_sizes(d)
    d.add_argument("--days", required=True, nargs="+", type=_positive_number,
                   help="deadlines [days]")
    _add_mfu(d)
    _add_uncertainty(d)

    u = sub.add_parser("budget", help="the lowest-loss model a budget trains by a deadline")
    _add_budget(u)
    for p in (f, r, g, d, u):
        _add_dated(p)
    b = sub.add_parser("backtest", help="predicted vs reported real training runs")
    c = sub.add_parser("clusters", help="list the cluster catalog")
    a = sub.add_parser("accelerators", help="list the accelerator catalog")
    for p in (f, r, g, d, u, b, c, a):
        _add_output(p)
    rp = sub.add_parser("report", add_help=False,
                        help="build the notebook report, optionally with other parameter "
                             "values (options of `python -m scaling.apps.report`, e.g. --param "
                             "07_enterprise_right_sizing ACCELERATOR=GB200)")
    rp.set_defaults(report=True)  # main() hands `scaling report ...` to scaling.apps.report.command
    return parser


# --------------------------------------------------------------------------------------
# Readable numbers
# --------------------------------------------------------------------------------------

def _is_missing(value) -> bool:
    """None, NaN, NaT or pandas.NA."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def _three_figures(value: float) -> str:
    """Three significant figures with thousands separators; scientific beyond 1e15 or below 1e-3."""
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude >= 15 or magnitude < -3:
        return f"{value:.3g}"
    decimals = max(0, 2 - magnitude)
    rounded = round(value, 2 - magnitude)
    if math.floor(math.log10(abs(rounded))) > magnitude:  # 999.7 -> 1,000
        decimals = max(0, decimals - 1)
    return f"{rounded:,.{decimals}f}"


def format_number(value, kind: str = "number") -> str:
    """One value as printed in the command's tables.

    Parameters
    ----------
    value : float, int, bool, str or None
    kind : {"number", "count", "integer", "large_count", "scientific", "bool", "text"}
        ``count``: a whole number with thousands separators (``16,384``); ``integer``:
        without them (a year); ``large_count``:
        with a k/M/B/T suffix (``70B``); ``scientific``: ``5.42e+23``; ``number``: three
        significant figures with thousands separators (``0.989``, ``12,400``).

    Returns
    -------
    str
        ``n/a`` for a missing value (None, NaN).

    Examples
    --------
    >>> format_number(10240.0, "count"), format_number(float("nan")), format_number(48665316.86)
    ('10,240', 'n/a', '48,700,000')
    >>> format_number(7e10, "large_count"), format_number(0.98877), format_number(5.42e23, "scientific")
    ('70B', '0.989', '5.42e+23')
    """
    if _is_missing(value):
        return "n/a"
    if isinstance(value, (bool,)) or kind == "bool":
        return "yes" if bool(value) else "no"
    if isinstance(value, str) or kind == "text":
        text = str(value)
        return text if len(text) <= MAX_TEXT_WIDTH else text[:MAX_TEXT_WIDTH - 1] + "…"
    value = float(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if kind == "count" and value == int(value):
        return f"{int(value):,}"
    if kind == "integer" and value == int(value):
        return f"{int(value)}"
    if kind == "large_count":
        for scale, suffix in _SHORT_SCALE:
            if abs(value) >= scale:
                return f"{value / scale:.3g}{suffix}"
        return f"{value:.3g}"
    if kind == "scientific":
        return f"{value:.3g}"
    return _three_figures(value)


def _column_display(name: str, values) -> tuple[str, str, float, str]:
    """Name, unit, divisor and kind of a column, from its name and values."""
    import numpy as np
    import pandas as pd

    series = pd.Series(values)
    if series.dtype == bool or series.dtype.kind == "b":
        return name, "", 1.0, "bool"
    numeric = pd.to_numeric(series, errors="coerce")
    if numeric.notna().sum() == 0 or (series.dtype.kind not in "iuf"
                                      and numeric.notna().sum() < series.notna().sum()):
        return name, "", 1.0, "text"
    finite = numeric[np.isfinite(numeric)].abs()
    largest = float(finite.max()) if len(finite) else 0.0
    if name in LARGE_COUNT_COLUMNS:
        return name, "", 1.0, "large_count"
    whole = bool(((finite % 1) == 0).all())
    if name in PLAIN_INTEGER_COLUMNS and whole:
        return name, "", 1.0, "integer"
    if (name.startswith("n_") or series.dtype.kind in "iu") and whole:
        return name, "", 1.0, "count"
    suffix = _unit_suffix(name)
    if suffix is None:  # no unit, or one the name states (n_params, mfu, accelerator_hours)
        return name, "", 1.0, "number"
    unit, display = display_of(name)
    stem = name[: -len(suffix)]
    if display in PREFIXED_DISPLAYS:
        prefixes = _SI_PREFIXES if display == "si" else _MONEY_PREFIXES
        scale, prefix = next(((sc, pr) for sc, pr in prefixes if largest / sc < _PREFIX_LIMIT),
                             prefixes[-1])
        return stem, f"{prefix}{unit}", scale, "number"
    return stem, unit, 1.0, display


def _unit_suffix(name: str) -> str | None:
    """The suffix of ``name`` in the one unit table (:data:`scaling.units.UNIT_SUFFIXES`), or
    None for names whose unit the name itself states (:data:`scaling.units.NAMED_UNITS`) or
    that have none."""
    if name in NAMED_UNITS:
        return None
    return next((suffix for suffix, _, _ in UNIT_SUFFIXES
                 if name.endswith(suffix) and len(name) > len(suffix)), None)


def _cells(frame, name: str, ci: bool) -> tuple[str, str, list[str], bool]:
    """Name, unit, formatted cells and right-alignment of one column."""
    label, unit, divisor, kind = _column_display(name, frame[name])

    def show(value):
        if kind in ("number", "scientific") and not _is_missing(value):
            value = float(value) / divisor
        return format_number(value, kind)

    cells = [show(v) for v in frame[name]]
    lower, upper = f"{name}_ci_lower", f"{name}_ci_upper"
    if ci and lower in frame.columns and upper in frame.columns:
        cells = [f"{c} [{show(lo)}, {show(hi)}]"
                 for c, lo, hi in zip(cells, frame[lower], frame[upper])]
    return label, (f"[{unit}]" if unit else ""), cells, kind not in ("text", "bool")


def format_table(frame, columns=None, *, ci: bool = False, max_width: int = MAX_WIDTH) -> str:
    """A DataFrame as a readable text table, wrapped to ``max_width`` characters.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str, optional
        Columns to print, in order (default: all).
    ci : bool
        Print ``x [x_ci_lower, x_ci_upper]`` in one cell where those columns exist.
    max_width : int
        Width [characters] beyond which the columns wrap into further blocks, each repeating
        the first column.

    Returns
    -------
    str
    """
    columns = list(frame.columns if columns is None else columns)
    formatted = [_cells(frame, name, ci) for name in columns]
    widths = [max([len(label), len(unit)] + [len(c) for c in cells])
              for label, unit, cells, _ in formatted]
    with_units = any(unit for _, unit, _, _ in formatted)
    blocks, current, width = [], [], 0
    for index, column_width in enumerate(widths):
        extra = column_width + (2 if current else 0)
        if current and width + extra > max_width:
            blocks.append(current)
            current, width = [0], widths[0]
            extra = column_width + 2
        current.append(index)
        width += extra
    if current:
        blocks.append(current)

    def line(block, texts):
        parts = [texts[i].rjust(widths[i]) if formatted[i][3] else texts[i].ljust(widths[i])
                 for i in block]
        return "  ".join(parts).rstrip()

    out = []
    for block in blocks:
        if out:
            out.append("")
        out.append(line(block, [f[0] for f in formatted]))
        if with_units:
            out.append(line(block, [f[1] for f in formatted]))
        for row in range(len(frame)):
            out.append(line(block, [f[2][row] for f in formatted]))
    return "\n".join(out)


def _format_vertical(frame, columns, *, ci: bool = False) -> str:
    """A one-row frame as ``quantity [unit]  value`` lines (``value [P5, P95]`` with ``ci``)."""
    rows = []
    for name in columns:
        label, unit, cells, _ = _cells(frame, name, ci=ci)
        rows.append((f"{label} {unit}".strip(), cells[0]))
    width = max(len(h) for h, _ in rows)
    value_width = max(len(v) for _, v in rows)
    return "\n".join(f"{h.ljust(width)}  {v.rjust(value_width)}" for h, v in rows)

# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------

def _selected(frame, requested: str | None, default) -> list[str]:
    """Columns to print: ``--columns`` (validated against the table) or the default."""
    available = list(frame.columns)
    if requested is None:
        return [c for c in default if c in available]
    if requested.strip().lower() == "all":
        return available
    names = [name.strip() for name in requested.split(",") if name.strip()]
    if not names:
        raise ValueError("--columns is empty; give comma-separated column names or 'all'")
    for name in names:
        if name not in available:
            raise ValueError(f"--columns: {unknown_name('column', name, available)}")
    return names


def _write(frame, path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"--out must end in {' or '.join(OUTPUT_SUFFIXES)}, got {path.name!r}")
    if path.is_dir():
        raise ValueError(f"--out: {path} is a folder; give a file path ending in "
                         f"{' or '.join(OUTPUT_SUFFIXES)}")
    if not path.parent.is_dir():
        raise ValueError(f"--out: the folder {path.parent} does not exist; create it or give "
                         "a path in an existing folder")
    try:
        if suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_json(path, orient="records", indent=2)
    except OSError as exc:
        raise ValueError(f"--out: cannot write {path} ({exc.strerror or exc}); give a "
                         "writable file path") from None
    return f"wrote {path} ({len(frame):,} rows x {len(frame.columns):,} columns, {suffix[1:].upper()})"


def _machine(args) -> dict:
    """The library's machine keywords from ``--cluster``, ``--accelerator`` and ``--count``.

    Raises
    ------
    ValueError
        Neither or both of ``--cluster`` and ``--accelerator``, ``--accelerator`` without
        ``--count``, or ``--count`` where the count is the answer (the message names the
        options).
    """
    with_count = "" if args.count_is_answer else " with --count N"
    if args.cluster is not None and args.accelerator is not None:
        raise ValueError(f"give --cluster NAME or --accelerator NAME{with_count}, not both")
    if args.cluster is None and args.accelerator is None:
        raise ValueError(f"name the machine: --cluster NAME, or --accelerator NAME{with_count}")
    if args.count_is_answer:
        if args.count is not None:
            raise ValueError(f"--count: `scaling {args.command}` answers how many accelerators "
                             f"it takes; give --cluster or --accelerator alone")
        return {"cluster": args.cluster, "accelerator": args.accelerator}
    if args.accelerator is not None and args.count is None:
        raise ValueError("--accelerator needs --count N (the number of accelerators), or give "
                         "--cluster NAME instead")
    return {"cluster": args.cluster, "accelerator": args.accelerator,
            "n_accelerators": args.count}


def _assumptions(args):
    """The options every chain command shares, as one :class:`scaling.Assumptions`."""
    extra = {dest: getattr(args, dest) for dest in
             ("run_efficiency", "batch_size_law", "global_batch_tokens", "layout_search")
             if getattr(args, dest, None) is not None}
    extra.update({dest: getattr(args, dest) for _, dest, _ in _PRICE_FLAGS
                  if getattr(args, dest, None) is not None})
    return scaling.Assumptions(mfu=args.mfu, precision=getattr(args, "precision", PRECISIONS[0]),
                               as_of=args.as_of, region=args.region, **extra)


def _sweep_text(frame, args, columns, uncertainty_columns) -> str:
    """A sweep's table; under ``--uncertainty`` each cell is P50 [P5, P95]."""
    if not args.uncertainty:
        return format_table(frame, _selected(frame, args.columns, columns))
    return (f"P50 [P5, P95] of {_monte_carlo(args)['n_samples']:,} Monte Carlo draws\n"
            + format_table(frame, _selected(frame, args.columns, uncertainty_columns), ci=True))


def _forecast(args):
    monte_carlo = _monte_carlo(args)
    frame = scaling.forecast(
        args.params, **_machine(args), law=args.law, tokens_per_param=args.tokens_per_param,
        n_tokens=args.tokens, model=args.model, n_active_params=args.active_params,
        assumptions=_assumptions(args), uncertainty=args.uncertainty,
        **monte_carlo).to_frame()
    return frame, _sweep_text(frame, args, FORECAST_COLUMNS, FORECAST_UNCERTAINTY_COLUMNS)


def _deadline(args):
    import pandas as pd

    frames, monte_carlo = [], _monte_carlo(args)
    for days in args.days:
        frame = scaling.forecast_for_deadline(
            args.params, deadline_s=days * SECONDS_PER_DAY, **_machine(args), law=args.law,
            tokens_per_param=args.tokens_per_param, n_tokens=args.tokens,
            assumptions=_assumptions(args), uncertainty=args.uncertainty,
            **monte_carlo).to_frame()
        frame.insert(0, "deadline_days", days)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    return frame, _sweep_text(frame, args, DEADLINE_COLUMNS, DEADLINE_UNCERTAINTY_COLUMNS)


def _one_run(args):
    frame = scaling.estimate_run(args.flop, **_machine(args), n_params=args.params,
                                 model=args.model, n_active_params=args.active_params,
                                 assumptions=_assumptions(args)).to_frame()
    return frame, _format_vertical(frame, _selected(frame, args.columns, RUN_COLUMNS))


def _largest(args):
    import numpy as np

    deadlines_s = np.asarray(args.days) * SECONDS_PER_DAY
    frame = scaling.largest_trainable(deadline_s=deadlines_s, **_machine(args), law=args.law,
                                      assumptions=_assumptions(args)).to_frame()
    return frame, format_table(frame, _selected(frame, args.columns, FORECAST_COLUMNS))


def _backtest(args):
    result = scaling.backtest()
    frame = result.to_frame()
    summary = result.summary().reset_index()
    return frame, (format_table(frame, _selected(frame, args.columns, BACKTEST_COLUMNS))
                   + "\n\n" + format_table(summary))


def _budget(args):
    if args.cluster is not None and args.accelerator is not None:
        raise ValueError("give --cluster NAME or --accelerator NAME, not both")
    if args.cluster is None and args.accelerator is None:
        raise ValueError("name the machine: --cluster NAME, or --accelerator NAME "
                         "(optionally with --count N available)")
    plan = scaling.model_for_budget(
        args.budget_usd, deadline_s=args.days * SECONDS_PER_DAY, cluster=args.cluster,
        accelerator=args.accelerator, n_accelerators=args.count, pricing=args.pricing,
        law=args.law, inference_tokens=args.inference_tokens, max_tokens=args.max_tokens,
        assumptions=_assumptions(args), n_samples=args.samples, seed=args.seed)
    frame = plan.to_frame()
    return frame, (f"central value [P5, P95 of {args.samples:,} Monte Carlo draws]\n"
                   + _format_vertical(frame, _selected(frame, args.columns, BUDGET_COLUMNS),
                                      ci=True))


def _clusters(args):
    frame = scaling.list_clusters()
    return frame, format_table(frame, _selected(frame, args.columns, CLUSTER_COLUMNS))


def _accelerators(args):
    frame = scaling.list_accelerators()
    return frame, format_table(frame, _selected(frame, args.columns, ACCELERATOR_COLUMNS))


#: Sub-command -> the function that answers it (returns the full table and the printed text).
_COMMANDS = {"forecast": _forecast, "deadline": _deadline, "run": _one_run,
             "largest": _largest, "budget": _budget, "backtest": _backtest,
             "clusters": _clusters,
             "accelerators": _accelerators}


def _run(args) -> str:
    frame, text = _COMMANDS[args.command](args)
    if args.out is not None:
        text += "\n" + _write(frame, args.out)
    return text


#: Library phrases with no ``name=value`` form and their command-line wording.
_API_PHRASES = {"model=... (a ModelShape)": "--model NAME (a published configuration)",
                "pricing='rent'": "leave out --own"}
#: ``name=value`` or ``Assumptions(name=value)`` in a library message.
_API_ARGUMENT = re.compile(r"(Assumptions\()?\b(\w+)=(\.\.\.|'[^']*'|[^\s,;)]+)?(?(1)\))")


def _as_flags(text: str) -> str:
    """A library message with its API advice (``pass model=...``, ``Assumptions(mfu=...)``,
    ``n_params=10``) in command-line flags (``--model NAME``, ``--mfu``, ``--params 10``);
    a setting without a flag is named as the Python API's."""
    for api, cli in _API_PHRASES.items():
        text = text.replace(api, cli)

    def flag(match):
        option = OPTION_OF_ARGUMENT.get(match.group(2))
        if option is None:
            return f"the Python API's {match.group(0)}" if match.group(1) else match.group(0)
        value = match.group(3) or "..."
        return option if value == "..." else f"{option} {value}"

    return _API_ARGUMENT.sub(flag, text)


def _message(exc: BaseException) -> str:
    """One line in the command's terms: a library message that starts with an argument name
    gets the option too, and its ``name=value`` advice is written as flags."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    text = str(text).splitlines()[0] if str(text) else exc.__class__.__name__
    text = _as_flags(text)
    first = re.match(r"(?:unknown )?(\w+)", text)  # "as_of must be ..", "unknown region .."
    if first and first.group(1) in OPTION_OF_ARGUMENT:
        return f"{OPTION_OF_ARGUMENT[first.group(1)]}: {text}"
    return text


def main(argv=None) -> int:
    """Entry point of the ``scaling`` console script.

    Returns
    -------
    int
        0 on success, 2 on bad input (with a one-line message on stderr).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["report"]:  # the report builder has its own options and messages
        return report_command(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        text = _run(args)
    except SystemExit as exc:  # --version, --help
        return exc.code if isinstance(exc.code, int) else 0
    except (_CliError, ValueError, KeyError, FileNotFoundError, OSError) as exc:
        print(f"scaling: error: {_message(exc)}", file=sys.stderr)
        return 2
    try:
        print(text)
    except BrokenPipeError:  # e.g. `scaling clusters | head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
