"""Erdil & Schneider-Joseph (2024), "Data movement limits to frontier model training"
(arXiv:2411.01137): the package's step-time model under a reconstruction of the paper's
assumptions (scaling.studies.walls.paper_assumptions: H100, three months, failure-free,
per-step utilisation, Kaplan et al.'s critical batch, the "fine" layout search that splits
sequences down to 128-token chunks and lets tensor parallelism span nodes up to one head per
accelerator; the package's shapes, latencies and overlap), beside the paper's two thresholds.

The largest three-month run is reproduced: 1e31 FLOP, as the paper (on 1.4e11 H100 at MFU
0.009; 3e31 does not finish). The fall of utilisation is not, within 2x, under the module's
reading of "significantly" (a fall by a fifth, fixed before): 3e27 FLOP against the paper's
1e28, where the MFU sits within 1% of the threshold; read as a fall by a third it is 3e28.
That test is marked xfail(strict=True), so that it fails loudly the day a change closes the
gap. With the "practical" search (whole sequences per replica, tensor parallelism inside a
node) the walls were 1e26 and 1e27.
"""

from __future__ import annotations

import numpy as np
import pytest

from scaling.studies import walls
from scaling.units import SECONDS_PER_DAY

#: The grid the thresholds are read on [FLOP] (half-decades around the package's walls).
GRID = (1e24, 1e26, 1e27, 10 ** 27.5, 1e28, 10 ** 28.5, 1e29, 1e30, 1e31, 10 ** 31.5)

#: The package's per-step utilisation of a three-month H100 run under the reconstruction, at
#: three computes (measured on this branch; rel 10%).
PACKAGE_CURVE = {1e24: 0.51, 1e26: 0.53, 1e28: 0.41}


@pytest.fixture(scope="module")
def curve():
    return walls.utilisation_curve(GRID)


def test_paper_figures_are_the_abstracts():
    assert walls.ERDIL2024_UTILISATION_FALL_FLOP == 1e28
    assert walls.ERDIL2024_LARGEST_RUN_FLOP == 1e31
    assert walls.THREE_MONTHS_S == 90 * 86400


def test_paper_assumptions_search_the_fine_layouts():
    a = walls.paper_assumptions()
    assert a.layout_search == "fine"
    assert a.batch_size_law == "kaplan2020_critical"
    assert (a.include_failures, a.run_efficiency, a.layout_gap) == (False, 1.0, 1.0)


def test_utilisation_curve_at_three_points(curve):
    by_flop = dict(zip(curve.compute_flop, curve.mfu))
    for flop, mfu in PACKAGE_CURVE.items():
        assert by_flop[flop] == pytest.approx(mfu, rel=0.10), flop
    # it falls with compute, and past the wall no count finishes, with the reason given
    assert by_flop[1e26] > by_flop[1e28] > by_flop[1e29] > by_flop[1e30] > by_flop[1e31]
    assert np.isnan(by_flop[10 ** 31.5])
    # past the wall the finest split still leaves accelerators idle: the batch-size wall
    # (about 6e11 of 1e12 busy), not failures (the run is failure-free)
    reason = curve.limit.iloc[-1]
    assert "batch-size wall" in reason
    assert "interrupted" not in reason and "goodput" not in reason


def test_package_thresholds_under_the_reconstruction(curve):
    found = walls.walls(curve)
    # the fall by a fifth is read at 3e27 on the edge: its MFU is 0.795 of the first row's,
    # against 0.8 (a change of half a percent there reads it at 1e28, the paper's figure, and
    # the strict xfail below then fails loudly); by a third it is 3e28
    by_flop = dict(zip(curve.compute_flop, curve.mfu))
    assert by_flop[10 ** 27.5] / by_flop[1e24] == pytest.approx(0.795, abs=0.004)
    assert found["utilisation_fall_flop"] == pytest.approx(10 ** 27.5)
    assert walls.walls(curve, fall_fraction=2 / 3)["utilisation_fall_flop"] == pytest.approx(
        10 ** 28.5)
    assert found["largest_run_flop"] == pytest.approx(1e31)


def test_erdil2024_largest_three_month_run_within_2x(curve):
    """The paper's second threshold: a run beyond about 1e31 FLOP is infeasible even at low
    utilisation (abstract); the package's largest three-month H100 run under the
    reconstruction, at MFU under 0.01."""
    found = walls.walls(curve)
    assert 0.5 <= found["largest_run_ratio"] <= 2.0
    last = curve[curve.compute_flop == found["largest_run_flop"]].iloc[0]
    assert last.mfu < 0.01 and last.n_accelerators > 1e11


def test_the_practical_search_puts_the_largest_run_a_thousand_times_lower():
    """What the fine search buys: with whole sequences per replica and tensor parallelism
    inside a node, the same reconstruction finishes 1e27 FLOP but not 3e27 (issue 18,
    before this change)."""
    practical = walls.paper_assumptions().replace(layout_search="practical")
    curve = walls.utilisation_curve((1e24, 1e27, 10 ** 27.5), assumptions=practical)
    assert np.isfinite(curve.mfu.iloc[1]) and np.isnan(curve.mfu.iloc[2])
    assert walls.walls(curve)["largest_run_flop"] == pytest.approx(1e27)


@pytest.mark.xfail(strict=True, reason=(
    "issue 18, first threshold not reproduced within 2x: under the reconstruction the MFU "
    "declines from 0.53 at 1e26 to 0.41 at 1e28 and halves by 3e28; read as a fall by a fifth "
    "(FALL_FRACTION, fixed before) it falls at 3e27 (0.32x the paper's 1e28), as a fall by a "
    "third at 3e28 (3.2x); the paper's definition could not be read here"))
def test_erdil2024_utilisation_fall_within_2x(curve):
    assert 0.5 <= walls.walls(curve)["utilisation_fall_ratio"] <= 2.0


def test_erdil2024_latency_floor_is_reported_and_below_the_deadline_where_a_run_finishes():
    """Issue 18, item 3: the latency wall, steps x the fixed latencies of one step, is part of
    each step time the solver uses, so a run that finishes has it below the deadline."""
    curve = walls.utilisation_curve([1e24, 1e26])
    finished = curve[np.isfinite(curve["mfu"])]
    assert len(finished) == 2
    assert (finished["latency_step_s"] > 0).all()
    assert (finished["latency_floor_days"] * SECONDS_PER_DAY < walls.THREE_MONTHS_S).all()
    assert (finished["latency_step_s"] < finished["step_time_s"]).all()

