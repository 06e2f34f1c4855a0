"""Validate at the door: entry points check what the user passed once; the chain's stages call
unvalidated kernels (``_name`` beside each public ``name``) on the inputs they were handed."""

from __future__ import annotations

import cProfile
import pstats
import re
from pathlib import Path

import numpy as np
import pytest

import scaling
from scaling import throughput
from scaling.uncertainty import Uncertain

PACKAGE = Path(scaling.__file__).resolve().parent
#: Largest share of the package's own calls that may be input checks (scaling._validation) in
#: a warm forecast: 57% (477 of 830) when every stage checked its arrays again.
MAX_VALIDATION_SHARE = 0.35


# --------------------------------------------------------------------------------------------
# the door checks, the stages do not
# --------------------------------------------------------------------------------------------

def _calls(function):
    """(calls of scaling._validation, calls of the package's own functions) of ``function()``."""
    profile = cProfile.Profile()
    profile.enable()
    function()
    profile.disable()
    validation = own = 0
    for (filename, _, _), (_, n_calls, *_) in pstats.Stats(profile).stats.items():
        path = Path(filename).resolve()
        if PACKAGE in path.parents:
            own += n_calls
            validation += n_calls if path == PACKAGE / "_validation.py" else 0
    return validation, own


def test_a_warm_forecast_checks_its_inputs_at_the_door_not_in_every_stage():
    scaling.forecast(1e12, cluster="llama3-16k")    # the tables and the catalog read
    throughput.clear_cache()                        # the layout searched again
    validation, own = _calls(lambda: scaling.forecast(1e12, cluster="llama3-16k"))
    assert validation > 0 and own > 0
    assert validation / own < MAX_VALIDATION_SHARE, (
        f"{validation} of the package's {own} calls are input checks "
        f"({validation / own:.0%}; at most {MAX_VALIDATION_SHARE:.0%})")

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
