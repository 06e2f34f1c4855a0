"""Validate at the door: entry points check what the user passed once; the chain's stages call
unvalidated kernels (``_name`` beside each public ``name``) on the inputs they were handed."""

from __future__ import annotations

import re

import numpy as np
import pytest

import scaling
from scaling.uncertainty import Uncertain

# --------------------------------------------------------------------------------------------
# Monte Carlo draws are checked where they are drawn
# --------------------------------------------------------------------------------------------

BAD_SPREADS = {
    "pue": (Uncertain(p5_ratio=0.5, p95_ratio=2.0, applies_to="value", source="test"),
            "pue must be >= 1 and finite (facility power includes the IT load), got "),
    "mfu": (Uncertain(p5_ratio=0.5, p95_ratio=3.0, source="test"), "mfu must be in (0, 1], got "),
    "network_cost_overhead": (Uncertain(p5_ratio=0.5, p95_ratio=2.0, source="test"),
                              "network_cost_overhead must be >= 1 and finite, got "),
}


@pytest.mark.parametrize("name", sorted(BAD_SPREADS))
def test_draws_outside_the_chains_domain_are_refused_with_the_chains_message(name):
    spread, message = BAD_SPREADS[name]
    with pytest.raises(ValueError, match=re.escape(message) + r".* at position \d+ "):
        scaling.forecast(1e12, cluster="llama3-16k", uncertainty={name: spread},
                         n_samples=1000)


def test_capex_draws_are_not_checked_where_no_price_is_known():
    spread = Uncertain(p5_ratio=0.5, p95_ratio=2.0, source="test")
    chip = scaling.Accelerator(name="no-price", peak_bf16_flop_per_s=1e15, tdp_w=700.0,
                               memory_bytes=80e9, memory_bandwidth_byte_per_s=3e12,
                               release_date="2024-01-01", source="test")
    run = scaling.forecast(1e10, accelerator=chip, n_accelerators=64,
                           assumptions=scaling.Assumptions(mfu=0.4),
                           uncertainty={"server_cost_overhead": spread}, n_samples=200)
    assert np.isnan(run.to_frame()["amortized_cost_usd"]).all()
