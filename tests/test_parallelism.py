"""Step time and memory (scaling.parallelism), plan search (scaling.plan_search), model shapes
(scaling.model_shape) and calibration (scaling.studies.calibration), checked against published
figures.

Calibration: the one fitted constant, MATMUL_EFFICIENCY, comes from Narayanan et al. (2021)
Table 1 only (data/parallel_benchmarks.csv, calibration_set == "fit"). Every other published
figure below is out of sample for it. DP_OVERLAP (0.6) is an assumption chosen by hand while
looking at OPT-175B and Figure 10, so those two are not out of sample for that constant.
"""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from scaling.errors import InfeasibleRunError
from scaling.model_shape import (
    SHAPE_RULE, ModelShape, fit_shape_rule, model_configs, named_shape, shape_from_params,
)
from scaling.parallelism import MATMUL_EFFICIENCY, ParallelLayout
from scaling.training_state import min_accelerators_for_state, training_state_bytes
from scaling.plan_search import optimal_batch_tokens, plan_parallelism
from scaling.studies.calibration import (
    calibrate, leave_one_out, megatron_flop_per_token, parallel_benchmarks, predict_runs,
)


@pytest.fixture(scope="module")
def predictions():
    return predict_runs().set_index("name")


# ------------------------------------------------------------------------------------------
# model shapes
# ------------------------------------------------------------------------------------------

def test_model_configs_parameter_counts_match_reported():
    table = model_configs()
    ratio = table["n_params"] / table["n_params_reported"]
    # DeepMind's relative position encodings (Gopher, Chinchilla) and Falcon's extra norms
    # are not counted: within 8%; every other published count within 3.5% (counts are
    # published to two or three significant digits, e.g. Megatron-LM 1.7B is 1.65B)
    loose = table["family"].isin(["gopher", "chinchilla", "falcon"])
    assert ratio[loose].between(0.92, 1.04).all()
    assert ratio[~loose].between(0.965, 1.035).all()
    assert table["source"].str.contains("arXiv|model card|config").all()


def test_llama3_2024_table3_405b_parameter_count():
    shape = named_shape("Llama 3 405B")
    assert shape.n_params == pytest.approx(405e9, rel=0.01)
    assert shape.n_active_params == shape.n_params


def test_deepseek_v3_2024_671b_total_37b_active():
    shape = named_shape("DeepSeek-V3")
    assert shape.n_params == pytest.approx(671e9, rel=0.005)
    assert shape.n_active_params == pytest.approx(37e9, rel=0.03)
    mixtral = named_shape("Mixtral 8x7B")
    assert mixtral.n_params == pytest.approx(46.7e9, rel=0.01)
    assert mixtral.n_active_params == pytest.approx(12.9e9, rel=0.01)


def test_flop_per_token_is_palm_and_megatron_convention():
    gpt3 = named_shape("GPT-3 175B")
    # PaLM App. B: 6N + 12 L H Q T (full attention); N here counts matmul weights
    full = gpt3.flop_per_token(attention="full")
    expected = 6 * gpt3.matmul_params_per_token + 12 * 96 * 12288 * 2048
    assert full == pytest.approx(expected, rel=1e-12)
    assert gpt3.flop_per_token(attention="causal") < full
    assert gpt3.flop_per_token(attention="none") == 6 * gpt3.matmul_params_per_token
    # Megatron-LM Eq. 3 = 4/3 of the layer FLOP (recomputation) + logits
    assert megatron_flop_per_token(gpt3) / full == pytest.approx(4 / 3, rel=0.02)


def test_shape_rule_reproduces_published_table():
    table = model_configs()
    # MaxText's benchmark configs are scaled by a formula (global_parameter_scale), not the
    # shapes of trained models, so the rule is not held to them
    dense = table[(table["n_experts"] == 0) & (table["family"] != "maxtext")]
    for row in dense.itertuples():
        shape = shape_from_params(row.n_params_reported)
        assert shape.n_params == pytest.approx(row.n_params_reported, rel=0.01), row.name
        # depth and width within a factor 1.5 of the published model of that size
        assert 1 / 1.5 <= shape.n_layers / row.n_layers <= 1.5, row.name
        assert 1 / 1.5 <= shape.d_model / row.d_model <= 1.5, row.name


def test_shape_rule_constants_refit_from_table():
    fit = fit_shape_rule()
    assert fit["depth_coefficient"] == pytest.approx(SHAPE_RULE["depth_coefficient"], rel=2e-3)
    assert fit["depth_exponent"] == pytest.approx(SHAPE_RULE["depth_exponent"], abs=2e-4)
    assert fit["n_models"] >= 25


def test_model_shape_validation_names_the_argument():
    with pytest.raises(ValueError, match="top_k"):
        ModelShape(n_layers=2, d_model=64, n_heads=4, d_ff=128, n_experts=4, top_k=5,
                   moe_d_ff=32)
    with pytest.raises(ValueError, match="did you mean 'Llama 3 405B'"):
        named_shape("Llama 3 405")
    with pytest.raises(ValueError, match="n_params"):
        shape_from_params(10.0)


# ------------------------------------------------------------------------------------------
# batch size and memory
# ------------------------------------------------------------------------------------------

def test_deepseek_llm_2024_batch_law():
    # B_opt = 0.2920 C^0.3271 (arXiv:2401.02954, Sec. 3.1); DeepSeek LLM 67B at ~8e23 FLOP
    # trained with about 19M tokens per batch
    assert optimal_batch_tokens(1.0) == pytest.approx(0.2920)
    assert optimal_batch_tokens(8e23) == pytest.approx(19e6, rel=0.05)
    array = optimal_batch_tokens(np.array([1e20, 1e24]))
    assert array[1] / array[0] == pytest.approx(1e4 ** 0.3271)
    series = optimal_batch_tokens(pd.Series([1e22], index=["x"]))
    assert list(series.index) == ["x"]


def test_zero_2020_sixteen_bytes_per_parameter():
    assert training_state_bytes(1e9) == 16e9
    assert training_state_bytes(1e9, "fp8") == 17e9


def test_gpt3_175b_adam_does_not_fit_one_8xa100_server():
    with pytest.raises(InfeasibleRunError, match=r"at least \d+ A100-SXM4-80GB"):
        plan_parallelism("GPT-3 175B", "A100-SXM4-80GB", 8, global_batch_tokens=3.2e6)


def test_gpt3_175b_fits_tensor8_pipeline8_on_64_a100():
    result = plan_parallelism("GPT-3 175B", "A100-SXM4-80GB", 64, global_batch_tokens=3.2e6,
                              tp=8, pp=8)
    assert result.layout.tp == 8 and result.layout.pp == 8 and result.layout.dp == 1
    total = sum(result.memory_bytes.values())
    assert total <= result.usable_memory_bytes
    # 16 bytes x 175B / 64 = 44 GB of training state per GPU
    state = total - result.memory_bytes["memory_activations_bytes"]
    assert state == pytest.approx(16 * 175e9 / 64, rel=0.08)


def test_minimum_gb200_holding_100t_parameter_training_state():
    count = min_accelerators_for_state(1e14, "GB200")
    assert count == math.ceil(16e14 / (186e9 * 0.9))
    assert 9_000 < count < 10_000


# ------------------------------------------------------------------------------------------
# published throughput and MFU
# ------------------------------------------------------------------------------------------

MEGATRON_ROWS = [name for name in parallel_benchmarks()["name"] if name.startswith("Megatron-LM")]


@pytest.mark.parametrize("name", MEGATRON_ROWS)
def test_narayanan2021_table1_per_gpu_throughput_within_15_percent(predictions, name):
    """In sample for the one calibrated constant (fitted on these ten rows)."""
    assert predictions.loc[name, "ratio"] == pytest.approx(1.0, abs=0.15)


def test_narayanan2021_figure10_zero3_declines_while_ptdp_holds():
    """ZeRO-3 without model parallelism vs tensor + pipeline parallelism, 175B, fixed batch.

    Shape only: the predicted ZeRO-3 decline (about 10% from 384 to 1,536 GPUs) is much
    smaller than the paper's; its hierarchical collectives over 8 NICs per node hide most of
    the parameter traffic.
    """
    settings = dict(global_batch_tokens=1536 * 2048, flash_attention=False,
                    sequence_parallel=False, dropout=True)
    zero3, ptdp = [], []
    for n in (384, 768, 1536):
        z = plan_parallelism("GPT-3 175B", "A100-SXM4-80GB", n, tp=1, pp=1, dp=n,
                             zero_stage=3, **settings)
        p = plan_parallelism("GPT-3 175B", "A100-SXM4-80GB", n, tp=8, zero_stage=0,
                             recompute="full", recompute_fraction=1.0, **settings)
        zero3.append(z.flop_per_s_per_accelerator())
        ptdp.append(p.flop_per_s_per_accelerator())
    assert zero3[0] > zero3[1] > zero3[2]
    assert zero3[2] / zero3[0] < 0.92          # ZeRO-3 per-GPU throughput falls
    assert ptdp[2] / ptdp[0] > 0.95            # PTD-P holds within 5%
    assert zero3[2] / zero3[0] < ptdp[2] / ptdp[0]


@pytest.mark.parametrize("name, reported", [
    ("Llama 3 405B 8192 GPUs 8k", 0.43),
    ("Llama 3 405B 16384 GPUs 8k", 0.41),
    ("Llama 3 405B 16384 GPUs 128k", 0.38),
])
def test_llama3_2024_table4_mfu_within_5_points(predictions, name, reported):
    assert predictions.loc[name, "predicted_mfu"] == pytest.approx(reported, abs=0.05)


def test_llama3_2024_table4_long_context_mfu_lower(predictions):
    long = predictions.loc["Llama 3 405B 16384 GPUs 128k", "predicted_mfu"]
    assert long < predictions.loc["Llama 3 405B 16384 GPUs 8k", "predicted_mfu"]
    assert long < predictions.loc["Llama 3 405B 8192 GPUs 8k", "predicted_mfu"]


@pytest.mark.parametrize("name, reported", [
    ("GPT-3 175B (PaLM Table 3)", 0.213),
    pytest.param("Gopher 280B (PaLM Table 3)", 0.325, marks=pytest.mark.xfail(
        strict=True, reason="honest miss: predicted ~41% against 32.5% (TPU v3, layout "
                            "partly unknown)")),
    ("MT-NLG 530B (PaLM Table 3)", 0.302),
    ("PaLM 540B (PaLM Table 3)", 0.462),
])
def test_chowdhery2022_palm_table3_mfu_within_7_points(predictions, name, reported):
    assert predictions.loc[name, "predicted_mfu"] == pytest.approx(reported, abs=0.07)


@pytest.mark.parametrize("name, reported", [
    ("OPT-175B 147 TFLOP/s", 147e12), ("BLOOM-176B ~150 TFLOP/s", 150e12)])
def test_opt2022_and_bloom2022_per_gpu_throughput_within_15_percent(predictions, name,
                                                                     reported):
    assert predictions.loc[name, "predicted_value"] == pytest.approx(reported, rel=0.15)


def test_deepseek_v3_2024_h800_hours_within_1p3x(predictions):
    hours = predictions.loc["DeepSeek-V3 pre-training", "predicted_value"]
    assert 2.788e6 / 1.3 <= hours <= 2.788e6 * 1.3


def test_small_model_on_512_h100_much_lower_mfu_than_405b_on_16k_and_says_why():
    small = plan_parallelism(1e9, "H100-SXM", 512)
    large = plan_parallelism("Llama 3 405B", "H100-SXM", 16384,
                             global_batch_tokens=16 * 2**20)
    assert small.mfu < 0.6 * large.mfu
    # the batch (from the law) cannot occupy 512 GPUs: idle accelerators, and the breakdown
    # shows overheads beyond compute
    assert small.n_accelerators_used < 512
    assert "Batch-size wall" in small.limit
    share = 1 - small.breakdown_s["compute_s"] / small.step_time_s
    assert share > 1 - large.breakdown_s["compute_s"] / large.step_time_s


# ------------------------------------------------------------------------------------------
# calibration out of sample
# ------------------------------------------------------------------------------------------

def test_calibrate_reproduces_the_module_constant():
    fit = calibrate()
    assert fit["matmul_efficiency"] == pytest.approx(MATMUL_EFFICIENCY["default"], abs=0.002)
    assert fit["n_runs"] == 10
    assert fit["log_rmse"] < 0.05


def test_leave_one_out_reports_out_of_sample_errors_beside_baselines():
    loo = leave_one_out()
    assert len(loo) == len(parallel_benchmarks())
    assert {"fold_error", "generation_default_fold_error", "constant_fold_error"} <= set(
        loo.columns)
    fit_rows = loo[loo["in_calibration_set"]]
    # each calibration run predicted by a fit without it
    assert fit_rows["matmul_efficiency"].nunique() > 1
    assert (loo["fold_error"] >= 1).all()
    # out of sample the step-time model beats the constant 0.4 in median
    assert loo["fold_error"].median() < loo["constant_fold_error"].median()


# ------------------------------------------------------------------------------------------
# contract of the search and its result
# ------------------------------------------------------------------------------------------

def test_breakdown_sums_to_step_time_and_memory_fits():
    result = plan_parallelism("Llama 3 70B", "H100-SXM", 1024, global_batch_tokens=4e6)
    assert sum(result.breakdown_s.values()) == pytest.approx(result.step_time_s, rel=1e-9)
    assert sum(result.memory_bytes.values()) <= result.usable_memory_bytes
    assert result.tokens_per_s == pytest.approx(result.global_batch_tokens / result.step_time_s)
    frame = result.to_frame()
    assert set(frame["kind"]) == {"time", "memory"}
    assert "mfu" in result.summary().index
    assert "Parallel plan" in result._repr_html_()
    assert isinstance(result.layout, ParallelLayout)


def test_idle_accelerators_reported_and_mfu_counts_them():
    result = plan_parallelism("Llama 3 8B", "H100-SXM", 100_000, global_batch_tokens=4e6)
    assert result.n_accelerators_used < 100_000
    assert result.mfu == pytest.approx(result.mfu_used * result.n_accelerators_used / 100_000)
    assert result.max_useful_accelerators >= result.n_accelerators_used
    assert any("idle" in note for note in result.notes)


def test_faster_scale_out_network_never_slows_a_run():
    slow = plan_parallelism(7e10, "H100-SXM", 2048, scale_out_bandwidth_byte_per_s=5e9)
    fast = plan_parallelism(7e10, "H100-SXM", 2048, scale_out_bandwidth_byte_per_s=5e10)
    assert fast.step_time_s < slow.step_time_s


def test_named_cluster_supplies_hardware():
    result = plan_parallelism("Llama 3 405B", cluster="llama3-16k",
                              global_batch_tokens=16 * 2**20)
    assert result.n_accelerators == 16384 and result.accelerator.name == "H100-SXM"


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="precision"):
        plan_parallelism(1e9, "H100-SXM", 8, precision="fp4")
    with pytest.raises(ValueError, match="n_accelerators"):
        plan_parallelism(1e9, "H100-SXM", 0)
    with pytest.raises(ValueError, match="unknown accelerator"):
        plan_parallelism(1e9, "H1000", 8)
    with pytest.raises(ValueError, match="unknown cluster"):
        plan_parallelism(1e9, cluster="llama3-16")
    with pytest.raises(ValueError, match="recompute"):
        ParallelLayout(recompute="some")
    with pytest.raises(ValueError, match="needs more than"):
        plan_parallelism(1e9, "H100-SXM", 8, tp=8, pp=2, dp=1, cp=1)


def test_fp8_mixture_of_experts_search_runs_and_uses_expert_parallelism():
    shape = replace(named_shape("DeepSeek-V3"), name="DeepSeek-V3")
    result = plan_parallelism(shape, "H800-SXM", 2048, precision="fp8",
                              global_batch_tokens=15360 * 4096, schedule="dualpipe")
    assert result.layout.ep > 1
    assert 0.1 < result.mfu < 0.7


def test_catalog_interconnect_columns_complete():
    from scaling.data import load_table

    acc = load_table("accelerators")
    assert (acc["scale_up_domain_size"] >= 1).all()
    assert (acc["scale_out_bandwidth_byte_per_s"] > 0).all()
    assert (acc["scale_up_bandwidth_byte_per_s"] > 0).all()
    assert acc["interconnect_source"].str.len().gt(30).all()
    domains = acc.set_index("name")["scale_up_domain_size"]
    assert domains["H100-SXM"] == 8 and domains["GB200"] == 72 and domains["MI300X"] == 8
    clusters = load_table("clusters")
    assert (clusters["scale_out_bandwidth_byte_per_s"] > 0).all()


def test_korthikanti2022_activation_memory_34_bytes_per_hidden_element():
    """Korthikanti et al. (2022), Sec. 4: a GPT layer without recomputation keeps
    ``sbh (34 + 5as/h)`` bytes of activations; with fused attention the ``5as/h`` score term is
    gone, leaving 34 bytes per token per hidden unit (two layer-norm inputs of 2 each, the
    attention block's 11, the MLP's 19)."""
    from scaling.model_shape import as_model_shape
    from scaling.plan_search import plan_parallelism

    shape = as_model_shape("MPT-7B")
    step = plan_parallelism(shape, "A100-SXM4-80GB", 8, global_batch_tokens=8 * shape.seq_len,
                            tp=1, pp=1, dp=8, cp=1, micro_batch=1, zero_stage=3,
                            recompute="none", dropout=True)
    tokens = shape.seq_len
    logits = tokens * shape.vocab_size * 4.0
    per_token_per_layer = (step.memory_bytes["memory_activations_bytes"] - logits) / (
        tokens * shape.n_layers)
    assert per_token_per_layer / shape.d_model == pytest.approx(34.0, rel=1e-9)
