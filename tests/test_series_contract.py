"""Series in, Series out: the README's promise for the pure vectorised functions.

Every public vectorised function is called with one pandas Series (a non-default index) and
scalars for its other arguments; it must return a Series with the same index (or, for a
function that returns several values, Series in each). The same call with a list gives an
ndarray and with a scalar a Python scalar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling import chain, clusters, cost, hardware, inference, laws, training_state
from scaling.studies import limits
from scaling import emissions
from scaling import batch_size
from scaling import checkpointing as ckpt
from scaling import reliability as rel

H100 = "H100-SXM"
INDEX = pd.Index(["small", "medium", "large"], name="run")


def s(*values):
    return pd.Series(values, index=INDEX, dtype=float)


#: (name, function of one argument x, Series x). x is the argument that varies.
FUNCTIONS = [
    # laws
    ("laws.chinchilla_loss", lambda x: laws.chinchilla_loss(x, 1e12), s(1e9, 1e10, 1e11)),
    ("laws.chinchilla_loss[n_tokens]", lambda x: laws.chinchilla_loss(7e10, x),
     s(1e11, 1e12, 1e13)),
    ("laws.compute_optimal", lambda x: laws.compute_optimal(x), s(1e22, 1e24, 1e26)),
    ("batch_size.critical_batch_tokens", lambda x: batch_size.critical_batch_tokens(x),
     s(1e22, 1e24, 1e26)),
    ("batch_size.global_batch_tokens", lambda x: batch_size.global_batch_tokens(
        x, "kaplan2020_critical"), s(1e22, 1e24, 1e26)),
    ("laws.optimal_loss", lambda x: laws.optimal_loss(x), s(1e22, 1e24, 1e26)),
    ("laws.optimal_tokens_for_params", lambda x: laws.optimal_tokens_for_params(x),
     s(1e9, 1e10, 1e11)),
    ("laws.optimal_params_for_tokens", lambda x: laws.optimal_params_for_tokens(x),
     s(1e11, 1e12, 1e13)),
    ("laws.tokens_per_param", lambda x: laws.tokens_per_param(x), s(1e22, 1e24, 1e26)),
    ("laws.reducible_loss", lambda x: laws.reducible_loss(x), s(2.0, 2.5, 3.0)),
    ("laws.compute_for_loss", lambda x: laws.compute_for_loss(x), s(2.0, 2.5, 3.0)),
    ("laws.training_flop", lambda x: laws.training_flop(x, 1e12), s(1e9, 1e10, 1e11)),
    ("laws.kaplan_loss", lambda x: laws.kaplan_loss(x, 1e11), s(1e8, 1e9, 1e10)),
    ("laws.effective_tokens", lambda x: laws.effective_tokens(x, 1e11), s(1e11, 4e11, 1e12)),
    ("laws.effective_params", lambda x: laws.effective_params(x, 1e11), s(1e9, 1e10, 1e11)),
    ("laws.data_constrained_loss", lambda x: laws.data_constrained_loss(x, 1e12, 1e11),
     s(1e9, 1e10, 1e11)),
    # throughput, time, power, energy, dollars
    ("hardware.sustained_flop_per_s", lambda x: hardware.sustained_flop_per_s(989e12, x, 0.4),
     s(8, 1024, 16384)),
    ("hardware.model_flop_utilisation",
     lambda x: hardware.model_flop_utilisation(x, 1024, 989e12), s(1e17, 3e17, 4e17)),
    ("chain.training_time_s", lambda x: chain.training_time_s(x, 1e18), s(1e22, 1e23, 1e24)),
    ("chain.accelerators_at_mfu",
     lambda x: chain.accelerators_at_mfu(x, 1e6, 989e12, 0.4), s(1e22, 1e23, 1e24)),
    ("clusters.peak_it_power_w", lambda x: clusters.peak_it_power_w(x, 700.0, 1.8),
     s(8, 1024, 16384)),
    ("clusters.facility_power_w", lambda x: clusters.facility_power_w(x, 700.0, 1.8, 1.1),
     s(8, 1024, 16384)),
    ("clusters.average_power_per_accelerator_w",
     lambda x: clusters.average_power_per_accelerator_w(700.0, 1.8, 0.75, x), s(1.1, 1.2, 1.5)),
    ("clusters.energy_j", lambda x: clusters.energy_j(x, 3600.0), s(1e6, 1e7, 1e8)),
    ("clusters.n_racks", lambda x: clusters.n_racks(x, 1.2e5), s(1e6, 1e7, 1e8)),
    ("clusters.floor_area_m2", lambda x: clusters.floor_area_m2(x), s(1, 10, 100)),
    ("clusters.training_tokens_per_s", lambda x: clusters.training_tokens_per_s(x, 7e10),
     s(1e17, 1e18, 1e19)),
    ("clusters.data_ingestion_byte_per_s", lambda x: clusters.data_ingestion_byte_per_s(x),
     s(1e5, 1e6, 1e7)),
    ("clusters.allreduce_time_s", lambda x: clusters.allreduce_time_s(1e9, x, 5e10),
     s(2, 64, 1024)),
    ("cost.capex_breakdown_usd", lambda x: cost.capex_breakdown_usd(x, 30e3)["hardware_usd"],
     s(8, 1024, 16384)),
    ("cost.amortized_hardware_cost_usd",
     lambda x: cost.amortized_hardware_cost_usd(x, 86400.0 * 30), s(1e6, 1e8, 1e9)),
    ("cost.energy_cost_usd", lambda x: cost.energy_cost_usd(x), s(1e9, 1e12, 1e15)),
    ("cost.rental_cost_usd", lambda x: cost.rental_cost_usd(x, 2.0), s(1e3, 1e6, 1e7)),
    ("cost.discounted_rental_usd_per_hour",
     lambda x: cost.discounted_rental_usd_per_hour(x), s(2.0, 3.0, 4.0)),
    # reliability
    ("reliability.interruption_rate_per_s", lambda x: rel.interruption_rate_per_s(x),
     s(1024, 16384, 100_000)),
    ("reliability.mtbf_s", lambda x: rel.mtbf_s(x), s(1024, 16384, 100_000)),
    ("checkpointing.young_interval_s", lambda x: ckpt.young_interval_s(60.0, x),
     s(1e3, 1e4, 1e5)),
    ("checkpointing.daly_interval_s", lambda x: ckpt.daly_interval_s(60.0, x),
     s(1e3, 1e4, 1e5)),
    ("checkpointing.optimal_interval_s", lambda x: ckpt.optimal_interval_s(60.0, x),
     s(1e3, 1e4, 1e5)),
    ("checkpointing.restart_goodput", lambda x: ckpt.restart_goodput(x, 60.0),
     s(1e3, 1e4, 1e5)),
    ("checkpointing.checkpoint_bytes", lambda x: ckpt.checkpoint_bytes(x), s(1e9, 1e10, 1e11)),
    ("checkpointing.checkpoint_write_time_s", lambda x: ckpt.checkpoint_write_time_s(x),
     s(1e12, 1e13, 1e14)),
    ("checkpointing.checkpoint_time_s", lambda x: ckpt.checkpoint_time_s(x),
     s(1e9, 1e10, 1e11)),
    ("checkpointing.required_write_bandwidth_byte_per_s",
     lambda x: ckpt.required_write_bandwidth_byte_per_s(x, 60.0), s(1e9, 1e10, 1e11)),
    ("checkpointing.required_checkpoint_time_s",
     lambda x: ckpt.required_checkpoint_time_s(x, 1e5), s(0.5, 0.8, 0.9)),
    ("checkpointing.required_restart_time_s",
     lambda x: ckpt.required_restart_time_s(x, 1e5), s(0.5, 0.8, 0.9)),
    ("checkpointing.required_mtbf_s", lambda x: ckpt.required_mtbf_s(x), s(0.5, 0.8, 0.9)),
    ("reliability.max_accelerators", lambda x: rel.max_accelerators(x), s(0.5, 0.8, 0.9)),
    ("reliability.lost_cost_usd", lambda x: rel.lost_cost_usd(x, 0.9), s(1e6, 1e7, 1e8)),
    ("checkpointing.optimal_checkpointing", lambda x: ckpt.optimal_checkpointing(x, 60.0),
     s(1e3, 1e4, 1e5)),
    ("reliability.elastic_goodput", lambda x: rel.elastic_goodput(x, 128, rejoin_time_s=20.0),
     s(1024, 16384, 1_000_000)),
    ("reliability.job_goodput", lambda x: rel.job_goodput(x), s(1024, 16384, 100_000)),
    ("reliability.job_goodput[elastic]",
     lambda x: rel.job_goodput(x, recovery="elastic", hot_spare_fraction=0.02),
     s(1024, 16384, 100_000)),
    ("cost.depreciated_value_usd", lambda x: cost.depreciated_value_usd(3e4, x),
     s(-1.0, 0.0, 2.5)),
    ("emissions.emissions_tco2e", lambda x: emissions.emissions_tco2e(x, 400.0),
     s(1e9, 1e12, 1e15)),
    ("emissions.market_based_intensity_g_per_kwh",
     lambda x: emissions.market_based_intensity_g_per_kwh(400.0, x), s(0.0, 0.5, 1.0)),
    ("ReliabilityAssumptions.goodput", lambda x: rel.ReliabilityAssumptions().goodput(x),
     s(1024, 16384, 100_000)),
    ("ReliabilityAssumptions.mtbf_s", lambda x: rel.ReliabilityAssumptions().mtbf_s(x),
     s(1024, 16384, 100_000)),
    # servers, racks and cooling (clusters); owning against renting (cost)
    ("training_state.accelerators_for_memory",
     lambda x: training_state.accelerators_for_memory(x, 80e9), s(1e9, 1e10, 1e11)),
    ("clusters.whole_servers", lambda x: clusters.whole_servers(x, 8), s(7.5, 96, 1000)),
    ("clusters.server_power_w", lambda x: clusters.server_power_w(x, 1.8, 8),
     s(400, 700, 1000)),
    ("clusters.racks_needed", lambda x: clusters.racks_needed(x, 4), s(1, 12, 100)),
    ("clusters.max_servers_per_rack", lambda x: clusters.max_servers_per_rack(x, 10e3),
     s(3e4, 6e4, 1.2e5)),
    ("clusters.cooling_type", lambda x: clusters.cooling_type(x, 30e3), s(1e4, 4e4, 1.2e5)),
    ("cost.rental_cost_over_time_usd",
     lambda x: cost.rental_cost_over_time_usd(x, 96, 2.0), s(3600, 86400, 1e6)),
    ("cost.break_even_time_s", lambda x: cost.break_even_time_s(x, 1.0, 2.0),
     s(1e5, 1e6, 1e7)),
    # inference
    ("inference.lifetime_flop", lambda x: inference.lifetime_flop(x, 1e12, 1e13),
     s(1e9, 1e10, 1e11)),
    ("inference.usd_per_flop", lambda x: inference.usd_per_flop(x, 989e12, 0.4),
     s(1.0, 2.0, 3.0)),
    ("inference.chinchilla_quality_loss", lambda x: inference.chinchilla_quality_loss(x),
     s(1e9, 1e10, 1e11)),
    ("inference.inference_optimal",
     lambda x: inference.inference_optimal(x, 1e13).n_params, s(2.2, 2.4, 2.6)),
    # limits
    ("limits.tokens_for_params", lambda x: limits.tokens_for_params(x),
     s(1e9, 1e10, 1e11)),
    ("limits.compute_for_params", lambda x: limits.compute_for_params(x),
     s(1e9, 1e10, 1e11)),
    ("limits.data_wall_params", lambda x: limits.data_wall_params(x), s(1e12, 1e13, 1e14)),
    ("limits.data_wall_compute_flop", lambda x: limits.data_wall_compute_flop(x),
     s(1e12, 1e13, 1e14)),
    ("limits.epochs_needed", lambda x: limits.epochs_needed(x, 1e12), s(1e12, 4e12, 1e13)),
    ("limits.repetition_loss_floor", lambda x: limits.repetition_loss_floor(x, 1e12),
     s(1e9, 1e10, 1e11)),
    ("limits.accelerators_needed",
     lambda x: limits.accelerators_needed(x, 1e7, accelerator=H100), s(1e23, 1e24, 1e25)),
    ("limits.facility_power_needed_w",
     lambda x: limits.facility_power_needed_w(x, 1e7, accelerator=H100), s(1e23, 1e24, 1e25)),
    ("limits.training_time_in_envelope_s",
     lambda x: limits.training_time_in_envelope_s(x, 1e8, accelerator=H100),
     s(1e23, 1e24, 1e25)),
    ("limits.compute_in_envelope_flop",
     lambda x: limits.compute_in_envelope_flop(x, 1e7, accelerator=H100), s(1e6, 1e7, 1e8)),
    ("limits.facility_power_for_params_w",
     lambda x: limits.facility_power_for_params_w(x, 1e7, accelerator=H100),
     s(1e9, 1e10, 1e11)),
    ("limits.training_time_for_params_s",
     lambda x: limits.training_time_for_params_s(x, 1e8, accelerator=H100),
     s(1e9, 1e10, 1e11)),
    ("limits.power_wall_params",
     lambda x: limits.power_wall_params(x, 1e7, accelerator=H100), s(1e6, 1e7, 1e8)),
]


@pytest.mark.parametrize("name, function, x", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_series_in_series_out(name, function, x):
    out = function(x)
    parts = out if isinstance(out, tuple) else (out,)
    for part in parts:
        assert isinstance(part, pd.Series), f"{name} returned {type(part).__name__}"
        assert part.index.equals(INDEX), f"{name} lost the index"
    as_list = function(list(x))
    for part in (as_list if isinstance(as_list, tuple) else (as_list,)):
        assert isinstance(part, np.ndarray) and part.shape == (3,), name
    single = function(x.iloc[1])
    for part in (single if isinstance(single, tuple) else (single,)):
        assert isinstance(part, (float, int, bool, str)), f"{name}: {type(part).__name__}"
    for part, series_part in zip(single if isinstance(single, tuple) else (single,), parts):
        if isinstance(part, str):
            assert part == series_part.iloc[1]
        else:
            assert np.isclose(part, series_part.iloc[1], rtol=1e-12, equal_nan=True), name


def test_every_vectorised_law_is_covered_and_the_facade_forwards_the_same_functions():
    covered = {name.split(".")[-1] for name, _, _ in FUNCTIONS}
    vectorised = {"chinchilla_loss", "compute_optimal", "optimal_loss",
                  "optimal_tokens_for_params", "tokens_per_param", "compute_for_loss",
                  "training_flop", "kaplan_loss", "data_constrained_loss"}
    assert vectorised <= covered
    for name in vectorised & set(scaling.__all__):
        assert getattr(scaling, name) is getattr(laws, name)
