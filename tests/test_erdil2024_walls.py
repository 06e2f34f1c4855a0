"""Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training"
(arXiv:2411.01137): the package's step-time model under a reconstruction of the paper's
assumptions (scaling.studies.walls.paper_assumptions: H100, three months, failure-free,
per-step utilisation, Kaplan et al.'s critical batch; the package's shapes, latencies and
overlap), beside the paper's two thresholds.

The reproduction within 2x is NOT achieved (issue 18): the package's walls sit two (the fall
of utilisation) and four (the largest three-month run) orders of magnitude below the paper's.
That test is marked xfail(strict=True), so that it fails loudly the day a change closes the
gap, and the package's own thresholds and curve are pinned so that the gap stays stated.
"""

from __future__ import annotations

import numpy as np
import pytest

from scaling.studies import walls
from scaling.units import SECONDS_PER_DAY

#: The grid the thresholds are read on [FLOP] (half-decades up to where the package's wall is).
GRID = (1e24, 1e25, 1e26, 10 ** 26.5, 1e27, 10 ** 27.5, 1e28)

#: The package's per-step utilisation of a three-month H100 run under the reconstruction, at
#: three computes (measured on this branch; rel 10%).
PACKAGE_CURVE = {1e24: 0.51, 1e26: 0.38, 1e27: 0.091}


@pytest.fixture(scope="module")
def curve():
    return walls.utilisation_curve(GRID)


def test_paper_figures_are_the_abstracts():
    assert walls.ERDIL2024_UTILISATION_FALL_FLOP == 1e28
    assert walls.ERDIL2024_LARGEST_RUN_FLOP == 1e31
    assert walls.THREE_MONTHS_S == 90 * 86400


def test_utilisation_curve_at_three_points(curve):
    by_flop = dict(zip(curve.compute_flop, curve.mfu))
    for flop, mfu in PACKAGE_CURVE.items():
        assert by_flop[flop] == pytest.approx(mfu, rel=0.10), flop
    # it falls with compute, and past the wall no count finishes, with the reason given
    assert by_flop[1e24] > by_flop[1e26] > by_flop[1e27]
    assert np.isnan(by_flop[1e28])
    assert "batch-size wall" in curve.limit.iloc[-1]


def test_package_thresholds_under_the_reconstruction(curve):
    found = walls.walls(curve)
    assert found["utilisation_fall_flop"] == pytest.approx(1e26)
    assert found["largest_run_flop"] == pytest.approx(1e27)


@pytest.mark.xfail(strict=True, reason=(
    "issue 18 not reproduced: under the reconstructed assumptions the package's step-time "
    "model puts the fall of utilisation at ~1e26 FLOP (paper 1e28) and the largest "
    "three-month H100 run at ~1e27 FLOP (paper 1e31): the plan search keeps a whole "
    "8k-token sequence per data-parallel replica, tensor parallelism <= 64 and a pipeline "
    "bubble (p-1)/m, where the paper's model (not readable here) evidently allows finer "
    "splits"))
def test_both_thresholds_within_2x_of_the_paper(curve):
    found = walls.walls(curve)
    assert 0.5 <= found["utilisation_fall_ratio"] <= 2.0
    assert 0.5 <= found["largest_run_ratio"] <= 2.0


def test_erdil2024_latency_floor_is_reported_and_below_the_deadline_where_a_run_finishes():
    """Issue 18, item 3: the latency wall, steps x the fixed latencies of one step, is part of
    each step time the solver uses, so a run that finishes has it below the deadline."""
    curve = walls.utilisation_curve([1e24, 1e26])
    finished = curve[np.isfinite(curve["mfu"])]
    assert len(finished) == 2
    assert (finished["latency_step_s"] > 0).all()
    assert (finished["latency_floor_days"] * SECONDS_PER_DAY < walls.THREE_MONTHS_S).all()
    assert (finished["latency_step_s"] < finished["step_time_s"]).all()
