"""Curated tables shipped with the package and external data fetched with a pinned hash.

Curated tables live in the repository's ``data/`` folder (one CSV per table, units in the
column names, a ``source`` on every row). The Chinchilla points extracted by Besiroglu et al.
(2024) carry no licence, so they are never shipped: :func:`load_chinchilla_points` fetches
them with pooch from a pinned URL and checks their SHA-256, or reads a local copy from the
folder named by the ``SCALING_DATA_DIR`` environment variable.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from pathlib import Path

from scaling.units import FLOP_PER_PARAM_PER_TOKEN

__all__ = [
    "CHINCHILLA_POINTS",
    "NA_TEXTS",
    "cached",
    "cached_until_reload",
    "data_path",
    "cell_count",
    "cell_number",
    "load_rows",
    "load_table",
    "load_chinchilla_points",
    "reload",
]

#: Pinned location and hash of the points Besiroglu et al. (2024) extracted from Figure 4
#: (left) of Hoffmann et al. (2022). Upstream: epoch-research/analyzing-chinchilla,
#: ``data/svg_extracted_data.csv`` at commit 92258837425e1b5f2851d624287f0120583a3d0e.
CHINCHILLA_POINTS = {
    "filename": "chinchilla_svg_extracted_data.csv",
    "url": (
        "https://raw.githubusercontent.com/epoch-research/analyzing-chinchilla/"
        "92258837425e1b5f2851d624287f0120583a3d0e/data/svg_extracted_data.csv"
    ),
    "sha256": "193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30",
    "source": (
        "Besiroglu, Erdil, Barnett, You (2024), 'Chinchilla Scaling: A replication attempt', "
        "arXiv:2404.10102; points extracted from Hoffmann et al. (2022) Figure 4 (left)"
    ),
    "n_outliers": 5,
}

_DATA_ENV = "SCALING_DATA_DIR"


def data_path(filename: str) -> Path:
    """Path of a curated table shipped with the package.

    Looks in the installed package (``scaling/_data``) and then in the repository's
    ``data/`` folder (editable installs).

    Raises
    ------
    FileNotFoundError
        If no curated table of that name exists; the message lists the tables that do.
    """
    here = Path(__file__).resolve().parent
    for folder in (here / "_data", here.parent / "data"):
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    known = sorted(
        {p.name for folder in (here / "_data", here.parent / "data") if folder.is_dir()
         for p in folder.glob("*.csv")}
    )
    raise FileNotFoundError(
        f"no curated table named {filename!r}; available tables: {', '.join(known) or 'none'}"
    )


def _check_sources(rows_without_source: list, filename: str) -> None:
    if rows_without_source:
        raise ValueError(
            f"curated table {filename} has rows without a source: {rows_without_source}"
        )


# name -> (path, modification time in ns, DataFrame): the parsed tables.
_TABLES: dict = {}
# path as a string -> modification time in ns of every parsed table (what _refresh checks).
_MTIMES: dict = {}
# (function, args) -> value: objects built from the tables (catalog frames, Accelerator and
# Cluster objects); emptied whenever a table is reloaded.
_DERIVED: dict = {}


def load_table(name: str):
    """Load a curated table ``data/<name>.csv`` as a DataFrame (a copy; parsed once).

    Every curated table must carry a non-empty ``source`` column; a table without one is
    refused rather than silently used. Tables are parsed once and cached; a CSV edited on disk
    is re-read on the next call (its modification time is checked), and :func:`reload` empties
    every cache explicitly.

    Parameters
    ----------
    name : str
        Table name without extension, e.g. ``"accelerators"``.

    Returns
    -------
    pandas.DataFrame
    """
    _refresh()
    path = data_path(f"{name}.csv")
    cached = _TABLES.get(name)
    if cached is None or cached[0] != path:
        import pandas as pd

        frame = pd.read_csv(path, comment=None)
        if "source" not in frame.columns:
            raise ValueError(f"curated table {path.name} has no 'source' column")
        missing = frame["source"].isna() | (frame["source"].astype(str).str.strip() == "")
        _check_sources(list(frame.index[missing]), path.name)
        if cached is not None:  # the same table from another folder
            _MTIMES.pop(str(cached[0]), None)
        cached = (path, os.stat(path).st_mtime_ns, frame)
        _TABLES[name] = cached
        _MTIMES[str(path)] = cached[1]
    return cached[2].copy()


def load_rows(name: str) -> tuple:
    """The rows of a curated table ``data/<name>.csv`` as read-only mappings of text.

    The lookup path of the catalogs: building one :class:`~scaling.catalog.Accelerator`,
    :class:`~scaling.clusters.Cluster` or resilience row reads these rows (the standard
    library's ``csv``, parsed once), not a DataFrame, so that a first forecast does not pay
    for pandas on a dozen small tables. Each value is the cell's text (``""`` when empty);
    the caller gives it its type. The same ``source`` rule as :func:`load_table` applies, and
    the same caches (:func:`reload`, modification times).

    Parameters
    ----------
    name : str
        Table name without extension, e.g. ``"clusters"``.

    Returns
    -------
    tuple of mappingproxy
        One mapping of column name -> text per row, in file order.
    """
    import csv
    from types import MappingProxyType

    _refresh()
    path = data_path(f"{name}.csv")
    key = f"rows:{name}"
    cached = _TABLES.get(key)
    if cached is None or cached[0] != path:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "source" not in (reader.fieldnames or ()):
                raise ValueError(f"curated table {path.name} has no 'source' column")
            rows = tuple(MappingProxyType({k: (v or "") for k, v in row.items()})
                         for row in reader)
        _check_sources([i for i, row in enumerate(rows) if not row["source"].strip()],
                       path.name)
        if cached is not None:
            _MTIMES.pop(str(cached[0]), None)
        cached = (path, os.stat(path).st_mtime_ns, rows)
        _TABLES[key] = cached
        _MTIMES[str(path)] = cached[1]
    return cached[2]


#: Cell texts that mean "no value" in a curated table (pandas' usual missing-value tokens).
NA_TEXTS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "null", "None", "#N/A", "<NA>"})


def cell_number(row, column: str, *, table: str) -> float:
    """A number from a row of :func:`load_rows` (NaN for an empty or missing-value cell).

    Raises
    ------
    ValueError
        Naming the table, the row (its first cell) and the column, when the cell is text.
    """
    text = row[column].strip()
    if text in NA_TEXTS:
        return math.nan
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise ValueError(f"data/{table}.csv, row {next(iter(row.values()))!r}: {column} must "
                         f"be a number, got {text!r}") from None


def cell_count(row, column: str, *, table: str) -> int:
    """A whole number from a row of :func:`load_rows` (``16384``, ``1.6384e4``, ``1e6``).

    Raises
    ------
    ValueError
        Naming the table, the row and the column, when the cell is empty, text or not whole.
    """
    value = cell_number(row, column, table=table)
    if not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"data/{table}.csv, row {next(iter(row.values()))!r}: {column} must "
                         f"be a whole number, got {row[column]!r}")
    return int(value)


def _refresh() -> None:
    """Drop every cache if a table read before has changed on disk since."""
    for path, mtime in _MTIMES.items():
        try:
            current = os.stat(path).st_mtime_ns
        except OSError:
            current = None
        if current != mtime:
            reload()  # empties _MTIMES: stop iterating
            return


def reload() -> None:
    """Forget every parsed table and every object built from them (catalog objects, the
    read-only mappings of published constants).

    Call it after editing a CSV in ``data/`` to be sure the next lookup
    (``scaling.accelerator(...)``, ``scaling.cluster(...)``, ...) sees the edit; edits are
    also picked up automatically, by modification time, on the next lookup.
    """
    _TABLES.clear()
    _MTIMES.clear()
    _DERIVED.clear()


def _read_only(value):
    """``value`` made safe to cache: arrays (alone or in a tuple) read-only."""
    import numpy as np

    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, np.ndarray):
            item.setflags(write=False)
    return value


def _served(value):
    """What a cache hands out: a DataFrame or Series as a new object over the cached data
    (pandas' copy-on-write: a caller's change, in place or not, never reaches the cache);
    anything else as it is (immutable by construction or by :func:`_read_only`)."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    return value


def cached(function):
    """Cache ``function(*args)`` until the curated tables change (see :func:`reload`).

    For functions that build objects from curated tables: the catalog frames, and the
    :class:`~scaling.catalog.Accelerator` and :class:`~scaling.clusters.Cluster` objects of
    the catalogs. Arguments must be hashable. Cached arrays are read-only, and a cached
    DataFrame is served as a new object (a caller who changes it changes only their own).
    """
    import functools

    @functools.wraps(function)
    def wrapper(*args):
        _refresh()
        key = (function.__module__, function.__qualname__, args)
        if key not in _DERIVED:
            _DERIVED[key] = _read_only(function(*args))
        return _served(_DERIVED[key])

    return wrapper


def cached_until_reload(function):
    """Cache ``function()`` until the next :func:`reload`.

    For the read-only mappings of published constants (:data:`scaling.laws.LAW_PARAMETERS`,
    :data:`scaling.reliability.FAILURE_RATES`, :data:`scaling.uncertainty.DEFAULT_UNCERTAINTY`,
    ...), read inside vectorised stages that the solvers call thousands of times: unlike
    :func:`cached` it does not check the tables' modification times on every call. An edited
    CSV takes effect at the next :func:`reload`, called explicitly or by any catalog lookup
    that sees the edit.
    """
    import functools

    key = (function.__module__, function.__qualname__, ())

    @functools.wraps(function)
    def wrapper():
        try:
            return _DERIVED[key]
        except KeyError:
            value = _DERIVED[key] = function()
            return value

    return wrapper


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _chinchilla_file() -> Path:
    spec = CHINCHILLA_POINTS
    local_dir = os.environ.get(_DATA_ENV)
    if local_dir:
        path = Path(local_dir) / spec["filename"]
        if not path.is_file():
            raise FileNotFoundError(
                f"{_DATA_ENV}={local_dir!r} does not hold {spec['filename']}; download it from "
                f"{spec['url']} into that folder, or unset {_DATA_ENV} to fetch it automatically"
            )
        digest = _sha256(path)
        if digest != spec["sha256"]:
            raise ValueError(
                f"{path} has SHA-256 {digest}, expected {spec['sha256']}; refusing a modified "
                f"or different file. Download the pinned copy from {spec['url']}"
            )
        return path

    import pooch

    try:
        fetched = pooch.retrieve(
            url=spec["url"],
            known_hash=f"sha256:{spec['sha256']}",
            fname=spec["filename"],
            path=pooch.os_cache("scaling"),
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise ValueError(f"refusing {spec['filename']}: {exc}") from exc
    except Exception as exc:  # network errors of any kind
        raise FileNotFoundError(
            f"could not fetch {spec['filename']} ({exc.__class__.__name__}: {exc}). Without "
            f"network access, download {spec['url']} on another machine, put it in a folder "
            f"and set {_DATA_ENV} to that folder"
        ) from exc
    return Path(fetched)


def load_chinchilla_points():
    """Load the 245 training runs Besiroglu et al. (2024) extracted from Hoffmann et al. (2022).

    Returns
    -------
    pandas.DataFrame
        One row per run, sorted as in the source file, with columns

        - ``n_params``: model size N [parameters]
        - ``n_tokens``: training tokens D = C / (6 N) [tokens]
        - ``compute_flop``: training compute C [FLOP]
        - ``loss``: final training loss [nats/token]
        - ``outlier``: True for the five highest-loss runs Besiroglu et al. excluded

    Notes
    -----
    Source: Besiroglu, Erdil, Barnett and You (2024), "Chinchilla Scaling: A replication
    attempt", arXiv:2404.10102, who decoded the points of Hoffmann et al. (2022), "Training
    Compute-Optimal Large Language Models", arXiv:2203.15556, Figure 4 (left). The file has
    no licence and is not shipped; it is fetched from a pinned commit and checked by SHA-256,
    or read from ``$SCALING_DATA_DIR/chinchilla_svg_extracted_data.csv``.

    Raises
    ------
    FileNotFoundError
        If the file is neither available locally nor downloadable (the message says how to get it).
    ValueError
        If the file's SHA-256 does not match the pinned hash.
    """
    import numpy as np
    import pandas as pd

    raw = pd.read_csv(_chinchilla_file())
    n_params = raw["Model Size"].to_numpy(dtype=float)
    compute_flop = raw["Training FLOP"].to_numpy(dtype=float)
    loss = raw["loss"].to_numpy(dtype=float)
    outlier = np.zeros(len(raw), dtype=bool)
    outlier[np.argsort(loss)[-CHINCHILLA_POINTS["n_outliers"]:]] = True
    return pd.DataFrame(
        {
            "n_params": n_params,
            "n_tokens": compute_flop / (FLOP_PER_PARAM_PER_TOKEN * n_params),
            "compute_flop": compute_flop,
            "loss": loss,
            "outlier": outlier,
        }
    )
