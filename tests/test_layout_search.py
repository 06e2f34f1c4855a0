"""The layout search as a named assumption (issue 18): ``"practical"`` (default, every
calibration) or ``"fine"`` (context parallelism at every sequence length in chunks of at least
128 tokens, tensor parallelism across scale-up domains), the reconstruction of Erdil &
Schneider-Joseph's (2024) finer splits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import layout_grid
from scaling.assumptions import Assumptions
from scaling.chain import estimate_run
from scaling.errors import InfeasibleRunError
from scaling.model_shape import shape_from_params
from scaling.plan_search import plan_parallelism


def _time_per_token(step) -> float:
    return step.step_time_s / step.global_batch_tokens


def test_the_fine_search_takes_sequences_shorter_than_one_chunk():
    shape = shape_from_params(1e9, seq_len=64)
    step = plan_parallelism(shape, "H100-SXM", 8, global_batch_tokens=64 * 512,
                            layout_search="fine")
    assert step.layout.cp == 1 and 0 < step.mfu <= 1


def test_the_default_is_the_practical_search():
    assert layout_grid.DEFAULT_LAYOUT_SEARCH == "practical"
    assert Assumptions().layout_search == "practical"
    given = plan_parallelism(70e9, "H100-SXM", 1024, global_batch_tokens=4e6)
    named = plan_parallelism(70e9, "H100-SXM", 1024, global_batch_tokens=4e6,
                             layout_search="practical")
    assert given.layout == named.layout and given.step_time_s == named.step_time_s


def test_an_unknown_search_is_refused_with_the_closest_name():
    with pytest.raises(ValueError, match=r"layout_search.*'fine'"):
        Assumptions(layout_search="fin")
    with pytest.raises(ValueError, match=r"layout_search.*practical"):
        plan_parallelism(70e9, "H100-SXM", 64, layout_search="practicle")


def test_a_fine_search_with_a_constant_mfu_is_refused_and_reset():
    with pytest.raises(ValueError, match="layout_search='fine' applies to the step-time model"):
        Assumptions(layout_search="fine", mfu=0.4)
    a = Assumptions(layout_search="fine").at_constant_mfu(mfu=0.4)
    assert a.layout_search == "practical" and a.mfu == 0.4


def test_the_fine_search_splits_short_sequences_where_the_batch_binds():
    """1e27 FLOP's compute-optimal model on 1M H100 with Kaplan's critical batch: the practical
    search runs out of whole sequences (a deep pipeline with few micro-batches), the fine one
    splits them over context-parallel ranks and more than doubles the MFU."""
    shape = shape_from_params(3.3e12)
    kwargs = dict(global_batch_tokens=9.2e7, layout_gap=1.0)
    practical = plan_parallelism(shape, "H100-SXM", 1_000_000, **kwargs)
    fine = plan_parallelism(shape, "H100-SXM", 1_000_000, layout_search="fine", **kwargs)
    assert practical.layout.cp == 1
    assert fine.layout.cp > 1 and shape.seq_len // fine.layout.cp >= 128
    assert fine.mfu > 2 * practical.mfu


def test_the_chain_carries_the_search_and_caches_each_apart():
    kaplan = Assumptions(batch_size_law="kaplan2020_critical", include_failures=False)
    practical = estimate_run(compute_flop=1e27, accelerator="H100-SXM",
                             n_accelerators=1_000_000, assumptions=kaplan)
    fine = estimate_run(compute_flop=1e27, accelerator="H100-SXM", n_accelerators=1_000_000,
                        assumptions=kaplan.replace(layout_search="fine"))
    again = estimate_run(compute_flop=1e27, accelerator="H100-SXM", n_accelerators=1_000_000,
                         assumptions=kaplan)
    assert float(fine.time_s) < float(practical.time_s)
    assert float(again.time_s) == float(practical.time_s)


@settings(max_examples=20, deadline=None)
@given(n_params=st.floats(1e9, 2e12), n=st.sampled_from([8, 64, 512, 4096, 65536]),
       sequences=st.sampled_from([64, 512, 4096]), fixed=st.sampled_from([{}, {"cp": 2}]))
def test_the_fine_search_is_never_slower_than_the_practical_one(n_params, n, sequences, fixed):
    """It only widens the search (a context-parallel size given included): per token, its
    fastest plan is never slower."""
    shape = shape_from_params(n_params)
    kwargs = dict(global_batch_tokens=sequences * shape.seq_len, layout_gap=1.0, **fixed)
    try:
        practical = plan_parallelism(shape, "H100-SXM", n, **kwargs)
    except InfeasibleRunError:
        return
    fine = plan_parallelism(shape, "H100-SXM", n, layout_search="fine", **kwargs)
    assert _time_per_token(fine) <= _time_per_token(practical) * (1 + 1e-9)
    assert np.isfinite(fine.mfu) and 0 < fine.mfu <= 1
