"""Shared test configuration.

Tests that need the Chinchilla points read them from ``$SCALING_DATA_DIR`` (``../shared/data``
in CI); when that variable is unset and the sibling folder exists, it is used.
"""

import os
from pathlib import Path

import pytest

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if "SCALING_DATA_DIR" not in os.environ and _SHARED.is_dir():
    os.environ["SCALING_DATA_DIR"] = str(_SHARED)


@pytest.fixture(scope="session")
def chinchilla_points():
    """The 245 Besiroglu et al. (2024) points (with the ``outlier`` flag)."""
    from scaling.data import load_chinchilla_points

    return load_chinchilla_points()
