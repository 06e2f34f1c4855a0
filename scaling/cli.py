"""The ``scaling`` command (also ``python -m scaling``).

Examples
--------
::

    scaling forecast --cluster llama3-16k --params 7e10 4e11 1e12 --out forecast.csv
    scaling forecast --cluster llama3-16k --params 7e10 4e11 --uncertainty --samples 2000
    scaling run --flop 3.8e25 --accelerator H100-SXM --count 16384
    scaling largest --cluster llama3-16k --days 30 90
    scaling backtest
    scaling clusters
    scaling accelerators

Errors (unknown names, invalid numbers) exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

#: Columns printed by ``scaling forecast`` (all columns go to ``--out``).
FORECAST_COLUMNS = ("n_params", "n_tokens", "compute_flop", "loss", "goodput", "time_days",
                    "accelerator_hours", "energy_mwh", "peak_facility_power_w",
                    "amortized_cost_usd", "rental_cost_usd")
#: Columns printed by ``scaling clusters`` and ``scaling accelerators``.
CLUSTER_COLUMNS = ("name", "accelerator", "n_accelerators", "pue", "cooling",
                   "reported_power_w", "status", "year")
ACCELERATOR_COLUMNS = ("name", "vendor", "generation", "peak_bf16_flop_per_s",
                       "peak_fp8_flop_per_s", "memory_bytes", "tdp_w", "price_usd",
                       "rental_usd_per_hour", "default_mfu")
OUTPUT_SUFFIXES = (".csv", ".json")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message):
        raise _CliError(message)


class _CliError(Exception):
    pass


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be positive and finite, got {text!r}")
    return value


def _positive_int(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != int(value):
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``scaling`` command."""
    parser = _Parser(prog="scaling",
                     description="Forecast training time, energy and dollars of large models.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add_out(p):
        p.add_argument("--out", type=Path,
                       help="write the full table to a .csv or .json file")

    f = sub.add_parser("forecast", help="sweep model sizes on a cluster")
    f.add_argument("--cluster", required=True, help="cluster name (see `scaling clusters`)")
    f.add_argument("--params", required=True, nargs="+", type=_positive_float,
                   help="model sizes [parameters], e.g. 7e10 4e11")
    f.add_argument("--law", default="besiroglu2024", help="scaling-law parameter set")
    group = f.add_mutually_exclusive_group()
    group.add_argument("--tokens-per-param", type=_positive_float,
                       help="fixed tokens per parameter instead of compute-optimal")
    group.add_argument("--tokens", type=_positive_float, help="fixed token budget [tokens]")
    f.add_argument("--mfu", type=float, help="model FLOP utilisation in (0, 1]")
    f.add_argument("--uncertainty", action="store_true", help="Monte Carlo P5/P50/P95")
    f.add_argument("--samples", type=_positive_int, default=2000, help="Monte Carlo draws")
    f.add_argument("--seed", type=int, default=0, help="random seed")
    add_out(f)

    r = sub.add_parser("run", help="time and cost of one run")
    r.add_argument("--flop", required=True, type=_positive_float, help="training compute [FLOP]")
    r.add_argument("--accelerator", required=True, help="accelerator name")
    r.add_argument("--count", required=True, type=_positive_int, help="number of accelerators")
    r.add_argument("--mfu", type=float, help="model FLOP utilisation in (0, 1]")
    r.add_argument("--params", type=_positive_float,
                   help="model size [parameters], for the checkpoint size")
    r.add_argument("--precision", default="bf16", choices=("bf16", "fp8"))
    add_out(r)

    g = sub.add_parser("largest", help="largest compute-optimal model within deadlines")
    g.add_argument("--cluster", required=True, help="cluster name")
    g.add_argument("--days", required=True, nargs="+", type=_positive_float,
                   help="deadlines [days]")
    g.add_argument("--law", default="besiroglu2024", help="scaling-law parameter set")
    g.add_argument("--mfu", type=float, help="model FLOP utilisation in (0, 1]")
    add_out(g)

    b = sub.add_parser("backtest", help="predicted vs reported real training runs")
    add_out(b)

    c = sub.add_parser("clusters", help="list the cluster catalog")
    add_out(c)
    a = sub.add_parser("accelerators", help="list the accelerator catalog")
    add_out(a)
    return parser


def _format(frame, columns=None):
    shown = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    formatters = {c: "{:.3g}".format for c in shown.columns
                  if shown[c].dtype.kind == "f"}
    return shown.to_string(index=False, formatters=formatters)


def _write(frame, path):
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"--out must end in {' or '.join(OUTPUT_SUFFIXES)}, got {path.name!r}")
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", indent=2)


def _ci_columns(frame, base):
    return [c for b in base for c in (f"{b}_ci_lower", b, f"{b}_ci_upper") if c in frame.columns]


def _run(args):
    import scaling
    from scaling.units import SECONDS_PER_DAY

    mfu = getattr(args, "mfu", None)
    assumptions = scaling.Assumptions(mfu=mfu, precision=getattr(args, "precision", "bf16"))
    if args.command == "forecast":
        result = scaling.forecast(
            args.params, cluster=args.cluster, law=args.law,
            tokens_per_param=args.tokens_per_param, n_tokens=args.tokens,
            assumptions=assumptions, uncertainty=args.uncertainty, n_samples=args.samples,
            seed=args.seed)
        frame = result.to_frame()
        columns = _ci_columns(frame, FORECAST_COLUMNS) if args.uncertainty else FORECAST_COLUMNS
        text = _format(frame, columns)
    elif args.command == "run":
        result = scaling.estimate_run(args.flop, accelerator=args.accelerator,
                                      n_accelerators=args.count, n_params=args.params,
                                      assumptions=assumptions)
        frame = result.to_frame()
        summary = result.summary()
        text = "\n".join(f"{name:20s} {_fmt(value):>12s} {unit}"
                         for name, value, unit in zip(summary.index, summary["value"],
                                                      summary["unit"]))
    elif args.command == "largest":
        import numpy as np

        deadlines = np.asarray(args.days) * SECONDS_PER_DAY
        frame = scaling.largest_trainable(args.cluster, deadline_s=deadlines, law=args.law,
                                          assumptions=assumptions).to_frame()
        text = _format(frame, FORECAST_COLUMNS)
    elif args.command == "backtest":
        result = scaling.backtest()
        frame = result.to_frame()
        text = (_format(frame, ("name", "accelerator", "n_accelerators", "mfu",
                                "accelerator_hours_ratio", "days_ratio", "cost_usd_ratio"))
                + "\n\n" + result.summary().to_string(float_format="{:.3g}".format))
    elif args.command == "clusters":
        frame = scaling.list_clusters()
        text = _format(frame, CLUSTER_COLUMNS)
    else:
        frame = scaling.list_accelerators()
        text = _format(frame, ACCELERATOR_COLUMNS)
    if args.out is not None:
        _write(frame, args.out)
    return text


def _fmt(value):
    if isinstance(value, str):
        return value
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def main(argv=None) -> int:
    """Entry point of the ``scaling`` console script.

    Returns
    -------
    int
        0 on success, 2 on bad input (with a one-line message on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "mfu", None) is not None and not 0 < args.mfu <= 1:
            raise ValueError(f"--mfu must be in (0, 1], got {args.mfu!r}")
        text = _run(args)
    except (_CliError, ValueError, KeyError, FileNotFoundError, OSError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"scaling: error: {message}", file=sys.stderr)
        return 2
    try:
        print(text)
    except BrokenPipeError:  # e.g. `scaling clusters | head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
