"""Tests of scaling.studies.limits: the data wall and the power wall.

Reference values are named after their source; tolerances follow the published precision.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import scaling
from scaling import laws
from scaling.studies import limits
from scaling.assumptions import Assumptions
from scaling.chain import chain_inputs, run_chain

# Villalobos et al. (2024), arXiv:2211.04325v2, Fig. 1 / Fig. 5 caption: the stock is used up at
# "around 4e14 tokens, corresponding to training compute of ~5e28 FLOP for non-overtrained
# models" (20 tokens per parameter, their Eq. 3). One significant figure.
VILLALOBOS2024_FIG1_STOCK_TOKENS = 4e14
VILLALOBOS2024_FIG1_COMPUTE_FLOP = 5e28
VILLALOBOS2024_TOKENS_PER_PARAM = 20
# Villalobos et al. (2024) abstract / Epoch blog: effective stock ~300T, 90% CI 100T-1000T.
VILLALOBOS2024_EFFECTIVE_STOCK = (3e14, 1e14, 1e15)
# Villalobos et al. (2024) footnote 23: overtraining by 5x uses sqrt(5) times more data than a
# compute-optimal model at the same compute.
VILLALOBOS2024_OVERTRAIN_FACTOR = 5
# Besiroglu et al. (2024) frontier test vector (scaling_laws.md Sec. 8, derived from the
# published constants): N* = 6.187e11, D* = 1.024e13 at 3.8e25 FLOP. Four significant figures.
BESIROGLU2024_FRONTIER_3P8E25 = (6.187e11, 1.024e13)
# Muennighoff et al. (2023) Eq. 5 with R*_D = 15.387756: D'/D = 0.984 at 2 epochs, 0.931 at 4,
# 0.828 at 8, 0.661 at 16 (scaling_laws.md Sec. 5, three decimals).
MUENNIGHOFF2023_DATA_VALUE = {2: 0.984, 4: 0.931, 8: 0.828, 16: 0.661}
# Muennighoff et al. (2023) Eq. 17: U_N = 0.051 U_D (compute-optimal size for the unique data).
MUENNIGHOFF2023_UN_PER_UD = 0.051


# ------------------------------------------------------------------------------------------
# sourced constants
# ------------------------------------------------------------------------------------------


def test_limits_csv_every_row_has_source_and_units():
    table = limits.limits_table()
    assert table["source"].str.len().min() > 20
    assert set(table["kind"]) == {"text_stock", "dataset", "power_envelope"}
    stocks = limits.limits_table("text_stock")
    assert stocks["tokens"].notna().all()
    assert (stocks["tokens_ci_lower"] < stocks["tokens"]).all()
    assert (stocks["tokens"] < stocks["tokens_ci_upper"]).all()
    assert limits.limits_table("power_envelope")["power_w"].notna().all()


def test_villalobos2024_effective_stock_300t_ci_100t_1000t():
    stock = limits.text_stock()
    assert (stock.tokens, stock.tokens_ci_lower, stock.tokens_ci_upper) == pytest.approx(
        VILLALOBOS2024_EFFECTIVE_STOCK, rel=1e-12)
    assert stock.ci_level == 0.90
    assert "2211.04325" in stock.source


def test_villalobos2024_unique_stock_is_effective_over_epoch_multiplier():
    effective = limits.text_stock(limits.DEFAULT_EFFECTIVE_STOCK)
    unique = limits.text_stock(limits.DEFAULT_UNIQUE_STOCK)
    m = limits.VILLALOBOS2024_EPOCH_MULTIPLIER
    assert unique.tokens == pytest.approx(effective.tokens / m, rel=1e-12)
    assert unique.tokens_ci_lower == pytest.approx(effective.tokens_ci_lower / m, rel=1e-12)
    assert unique.tokens_ci_upper == pytest.approx(effective.tokens_ci_upper / m, rel=1e-12)


def test_stargate_abilene_envelope_1p2_gw():
    assert limits.power_envelope_w("stargate_abilene") == pytest.approx(1.2e9)


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="villalobos2024_effective_stock"):
        limits.text_stock("common_crawl_2099")
    with pytest.raises(ValueError, match="stargate_abilene"):
        limits.power_envelope_w("dyson_sphere")
    with pytest.raises(ValueError, match="power_envelope"):
        limits.limits_table("gpu")


# ------------------------------------------------------------------------------------------
# data wall
# ------------------------------------------------------------------------------------------


def test_villalobos2024_fig1_4e14_tokens_is_5e28_flop_at_20_tokens_per_param():
    flop = limits.data_wall_compute_flop(
        VILLALOBOS2024_FIG1_STOCK_TOKENS, tokens_per_param=VILLALOBOS2024_TOKENS_PER_PARAM)
    assert flop == pytest.approx(VILLALOBOS2024_FIG1_COMPUTE_FLOP, rel=0.1)


def test_villalobos2024_overtraining_5x_uses_sqrt5_more_data():
    compute = 1e27
    n_opt = math.sqrt(compute / (6 * VILLALOBOS2024_TOKENS_PER_PARAM))
    ratio = VILLALOBOS2024_TOKENS_PER_PARAM * VILLALOBOS2024_OVERTRAIN_FACTOR
    n_over = math.sqrt(compute / (6 * ratio))
    d_opt = limits.tokens_for_params(n_opt, tokens_per_param=20)
    d_over = limits.tokens_for_params(n_over, tokens_per_param=ratio)
    assert d_over / d_opt == pytest.approx(math.sqrt(VILLALOBOS2024_OVERTRAIN_FACTOR), rel=1e-9)


def test_besiroglu2024_frontier_inverse_at_3p8e25_flop():
    n_star, d_star = BESIROGLU2024_FRONTIER_3P8E25
    assert limits.tokens_for_params(n_star) == pytest.approx(d_star, rel=1e-3)
    assert limits.compute_for_params(n_star) == pytest.approx(3.8e25, rel=2e-3)
    assert limits.data_wall_params(d_star) == pytest.approx(n_star, rel=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1e20, max_value=1e32),
       st.sampled_from(["besiroglu2024", "hoffmann2022", "hoffmann2022_tex", "muennighoff2023"]))
def test_data_wall_inverts_compute_optimal_frontier(compute_flop, law):
    opt = laws.compute_optimal(compute_flop, law)
    tokens = limits.tokens_for_params(opt.n_params, law)
    assert tokens == pytest.approx(opt.n_tokens, rel=1e-9)
    assert limits.data_wall_params(opt.n_tokens, law) == pytest.approx(opt.n_params, rel=1e-9)
    assert limits.data_wall_compute_flop(opt.n_tokens, law) == pytest.approx(compute_flop, rel=1e-9)


def test_data_wall_broadcasts_over_stock_interval_and_keeps_series():
    mid, lo, hi = VILLALOBOS2024_EFFECTIVE_STOCK
    walls = limits.data_wall_params(np.array([lo, mid, hi]))
    assert isinstance(walls, np.ndarray) and np.all(np.diff(walls) > 0)
    series = pd.Series([lo, hi], index=["p5", "p95"])
    out = limits.data_wall_params(series)
    assert isinstance(out, pd.Series) and list(out.index) == ["p5", "p95"]
    assert isinstance(limits.data_wall_params(mid), float)


def test_data_wall_table_flags_sizes_beyond_stock():
    table = limits.data_wall_table([1e12, 1e14], stock_tokens=3e14, unique_tokens=6e13)
    assert list(table["beyond_wall"]) == [False, True]
    row = table.iloc[1]
    assert row["stock_fraction"] == pytest.approx(row["n_tokens"] / 3e14)
    assert row["epochs_over_unique"] == pytest.approx(row["n_tokens"] / 6e13)
    assert row["compute_flop"] == pytest.approx(6 * row["n_params"] * row["n_tokens"])


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="NaN"):
        limits.data_wall_params(float("nan"))
    with pytest.raises(ValueError, match="> 0"):
        limits.tokens_for_params(-1.0)
    with pytest.raises(ValueError, match="tokens_per_param"):
        limits.tokens_for_params(1e12, tokens_per_param=0)
    with pytest.raises(ValueError, match="unknown law"):
        limits.data_wall_params(3e14, "chinchilla")
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        limits.repetition_table(1e14, 6e13, [0.5, 2])


# ------------------------------------------------------------------------------------------
# repeated data (Muennighoff et al. 2023)
# ------------------------------------------------------------------------------------------


def test_muennighoff2023_value_of_repeated_tokens():
    epochs = list(MUENNIGHOFF2023_DATA_VALUE)
    table = limits.repetition_table(1e12, 1e11, epochs)
    assert table["effective_data_fraction"].to_numpy() == pytest.approx(
        list(MUENNIGHOFF2023_DATA_VALUE.values()), abs=5e-4)


def test_muennighoff2023_excess_parameters_decay_with_un_0p051_ud():
    unique = 6e13
    table = limits.repetition_table(1e14, unique, [1])
    u_n = MUENNIGHOFF2023_UN_PER_UD * unique
    r_n = 1e14 / u_n - 1
    r_star = laws.MUENNIGHOFF2023_DECAY["r_star_params"]
    expected = u_n + u_n * r_star * (1 - math.exp(-r_n / r_star))
    # U_N/U_D is printed to two significant figures (0.051; README 0.05099)
    assert table["effective_params"].iloc[0] == pytest.approx(expected, rel=5e-3)


def test_repetition_penalty_grows_with_epochs_and_first_epoch_is_free():
    table = limits.repetition_table(1e14, 6e13, [1, 2, 4, 8, 16, 64])
    assert table["loss_penalty"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(table["loss_penalty"]) > 0)
    assert np.all(np.diff(table["loss"]) < 0)  # more epochs still help, ever less
    assert np.all(table["compute_efficiency"] <= 1.0 + 1e-12)


def test_repetition_loss_floor_is_limit_of_many_epochs():
    floor = limits.repetition_loss_floor(1e14, 6e13)
    far = limits.repetition_table(1e14, 6e13, [1e4])["loss"].iloc[0]
    near = limits.repetition_table(1e14, 6e13, [10])["loss"].iloc[0]
    assert far == pytest.approx(floor, abs=1e-6)
    assert near > far >= floor
    with pytest.raises(ValueError, match="r_star_tokens"):
        limits.repetition_loss_floor(1e14, 6e13, r_star_tokens=math.inf)


def test_repetition_loss_floor_reads_the_decay_table_at_call_time(tmp_path, monkeypatch):
    from scaling import data

    before = limits.repetition_loss_floor(1e14, 6e13)
    original = data.data_path("muennighoff2023_decay.csv")
    copy = tmp_path / original.name
    r_star = repr(laws.MUENNIGHOFF2023_DECAY['r_star_tokens'])
    assert r_star in original.read_text()
    copy.write_text(original.read_text().replace(r_star, "30"))
    monkeypatch.setattr(data, "data_path",
                        lambda name: copy if name == copy.name else original.parent / name)
    data.reload()
    try:
        # more value from repeated tokens: a lower floor, without re-importing limits
        assert limits.repetition_loss_floor(1e14, 6e13) < before
    finally:
        monkeypatch.undo()
        data.reload()
    assert limits.repetition_loss_floor(1e14, 6e13) == before


def test_repetition_equivalent_compute_matches_frontier_loss():
    table = limits.repetition_table(1e13, 1e14, [1, 3])
    frontier = laws.optimal_loss(table["equivalent_compute_flop"].to_numpy(), "muennighoff2023")
    assert frontier == pytest.approx(table["loss"].to_numpy(), rel=1e-9)


# ------------------------------------------------------------------------------------------
# power wall
# ------------------------------------------------------------------------------------------

# Sevilla et al. (2024), "Can AI scaling continue through 2030?" (Epoch AI), power section as
# summarised in public talk notes (https://kb.iter.ca/journals/2024-10-17.html): the Llama 3.1
# 405B run drew ~27 MW; a 2030 frontier run of 5,000x its compute, on hardware 4x more
# energy-efficient, in fp8 instead of 16-bit (2x) and 3x longer would draw ~5.6 GW.
SEVILLA2024_LLAMA3_POWER_W = 27e6
SEVILLA2024_2030_POWER_W = 5.6e9
SEVILLA2024_2030_COMPUTE_FACTOR = 5000
SEVILLA2024_2030_EFFICIENCY_FACTOR = 4
SEVILLA2024_2030_DURATION_FACTOR = 3
# Llama 3 405B: 16,384 H100, 3.8e25 FLOP (Llama Team 2024, arXiv:2407.21783, Sec. 3.3).
LLAMA3_N_GPUS = 16_384
LLAMA3_COMPUTE_FLOP = 3.8e25
DAY_S = 86_400.0


#: Sevilla et al. (2024) assume a constant utilisation and no failures; their figures are
#: reproduced with the generation-default MFU, failure-free (the step-time model's counts
#: differ, see test_step_time_* below).
CONSTANT_MFU = Assumptions(mfu_model="generation_default", include_failures=False)
FAILURE_FREE = Assumptions(include_failures=False)


def _llama3_deadline_s(accelerator):
    """Deadline at which the Llama 3 budget needs exactly 16,384 accelerators."""
    per_gpu = limits.accelerators_needed(LLAMA3_COMPUTE_FLOP, 1.0, accelerator=accelerator,
                                         assumptions=CONSTANT_MFU)
    return per_gpu / LLAMA3_N_GPUS


def test_sevilla2024_llama3_405b_cluster_about_27_mw():
    # Epoch's cluster power: chips x TDP x 1.82 x PUE; 1.25 is Epoch's non-hyperscaler PUE.
    # "~27 MW" carries two significant figures, and the 1.82 multiplier is itself rounded.
    h100 = "H100-SXM"
    deadline = _llama3_deadline_s(h100)
    power = limits.facility_power_needed_w(LLAMA3_COMPUTE_FLOP, deadline, accelerator=h100,
                                           assumptions=CONSTANT_MFU.replace(pue=1.25))
    assert power == pytest.approx(SEVILLA2024_LLAMA3_POWER_W, rel=0.05)


def test_sevilla2024_2030_frontier_run_about_5p6_gw():
    import dataclasses

    from scaling.hardware import accelerator

    h100 = accelerator("H100-SXM")
    future = dataclasses.replace(
        h100, name="H100x4-efficiency",
        peak_bf16_flop_per_s=h100.peak_bf16_flop_per_s * SEVILLA2024_2030_EFFICIENCY_FACTOR,
        peak_fp8_flop_per_s=h100.peak_fp8_flop_per_s * SEVILLA2024_2030_EFFICIENCY_FACTOR,
        peak_bf16_sparse_flop_per_s=h100.peak_bf16_sparse_flop_per_s
        * SEVILLA2024_2030_EFFICIENCY_FACTOR,
    )
    deadline = 100 * DAY_S
    today = limits.facility_power_needed_w(LLAMA3_COMPUTE_FLOP, deadline, accelerator=h100,
                                           assumptions=CONSTANT_MFU)
    in_2030 = limits.facility_power_needed_w(
        LLAMA3_COMPUTE_FLOP * SEVILLA2024_2030_COMPUTE_FACTOR,
        deadline * SEVILLA2024_2030_DURATION_FACTOR, accelerator=future,
        assumptions=CONSTANT_MFU.replace(precision="fp8"))
    assert SEVILLA2024_LLAMA3_POWER_W * in_2030 / today == pytest.approx(
        SEVILLA2024_2030_POWER_W, rel=0.01)


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=1e24, max_value=1e31), st.floats(min_value=DAY_S, max_value=3e8),
       st.sampled_from(["H100-SXM", "GB200", "TPU-v5p", "MI300X"]),
       st.floats(min_value=0.2, max_value=0.6))
def test_power_wall_functions_invert_each_other(compute, deadline, name, mfu):
    """The power a deadline needs holds whole accelerators: one fewer than the requirement's
    continuous count, at most, so the envelope's time is at most one accelerator slower."""
    kwargs = dict(accelerator=name, assumptions=Assumptions(mfu=mfu, include_failures=False))
    count = limits.accelerators_needed(compute, deadline, **kwargs)
    assume(count >= 10)
    power = limits.facility_power_needed_w(compute, deadline, **kwargs)
    whole = math.floor(count * (1 + 1e-12))
    assert limits.training_time_in_envelope_s(compute, power, **kwargs) == pytest.approx(
        deadline * count / whole, rel=1e-9)
    assert limits.compute_in_envelope_flop(power, deadline, **kwargs) == pytest.approx(
        compute * whole / count, rel=1e-9)


def test_power_scales_with_precision_goodput_and_basis():
    from scaling.hardware import accelerator

    acc = accelerator("H100-SXM")
    args = (1e25, 100 * DAY_S)
    bf16 = limits.facility_power_needed_w(*args, accelerator=acc, assumptions=CONSTANT_MFU)
    fp8 = limits.facility_power_needed_w(*args, accelerator=acc,
                                         assumptions=CONSTANT_MFU.replace(precision="fp8"))
    assert bf16 / fp8 == pytest.approx(acc.peak_fp8_flop_per_s / acc.peak_bf16_flop_per_s)
    # with failures the count rises by 1 / goodput at the count found (the chain's goodput)
    failing = CONSTANT_MFU.replace(include_failures=True)
    count = limits.accelerators_needed(*args, accelerator=acc, assumptions=failing)
    goodput = run_chain(chain_inputs(args[0], accelerator=acc, n_accelerators=count,
                                     n_params=float(laws.compute_optimal(args[0]).n_params),
                                     assumptions=failing))["goodput"]
    with_failures = limits.facility_power_needed_w(*args, accelerator=acc,
                                                   assumptions=failing)
    assert with_failures == pytest.approx(bf16 / goodput, rel=1e-9)
    average = limits.facility_power_needed_w(*args, accelerator=acc, power_basis="average",
                                             assumptions=CONSTANT_MFU)
    assert average / bf16 == pytest.approx(acc.server_power_fraction)


def test_step_time_power_wall_counts_the_plan_at_the_count_it_needs():
    """With the step-time default the count for a deadline is a fixed point: the plan's MFU at
    that count finishes the run on time (the batch-size wall and the bubble lower it)."""
    from scaling.chain import chain_inputs
    from scaling.hardware import accelerator

    acc = accelerator("GB200")
    count = limits.accelerators_needed(1e28, 100 * DAY_S, accelerator=acc,
                                       assumptions=FAILURE_FREE)
    size = float(laws.compute_optimal(1e28).n_params)
    inputs = chain_inputs(1e28, accelerator=acc, n_accelerators=count, n_params=size,
                          assumptions=FAILURE_FREE)
    # at that count the layouts' own MFU (between the two whole counts around it) finishes the
    # run on time
    # to the solver's root tolerance (interpolating between whole counts leaves ~1e-8)
    assert 1e28 / (count * 2.5e15 * inputs["mfu"]) == pytest.approx(100 * DAY_S, rel=1e-8)
    np.testing.assert_allclose(count, 1e28 / (100 * DAY_S * 2.5e15 * inputs["mfu"]), rtol=0.02)
    constant = limits.accelerators_needed(1e28, 100 * DAY_S, accelerator=acc,
                                          assumptions=CONSTANT_MFU)
    assert count > constant  # the step-time whole-run MFU is below the 0.375 imputation


def test_cluster_supplies_accelerator_pue_and_mfu():
    from scaling.clusters import Cluster

    custom = Cluster(name="test", accelerator="GB200", n_accelerators=1000, pue=1.3, mfu=0.5)
    via_cluster = limits.facility_power_needed_w(1e27, 1e7, accelerator=custom)
    direct = limits.facility_power_needed_w(1e27, 1e7, accelerator="GB200",
                                            assumptions=Assumptions(pue=1.3, mfu=0.5))
    assert via_cluster == pytest.approx(direct)
    # the assumptions, when set, override the cluster's PUE and MFU
    overridden = limits.facility_power_needed_w(1e27, 1e7, accelerator=custom,
                                                assumptions=Assumptions(pue=1.1, mfu=0.4))
    default_chip = limits.facility_power_needed_w(1e27, 1e7, accelerator="GB200",
                                                  assumptions=Assumptions(pue=1.1, mfu=0.4))
    assert overridden == pytest.approx(default_chip)


def test_power_wall_table_columns_and_consistency():
    table = limits.power_wall_table([1e12, 1e14], 365 * DAY_S, accelerator="GB200",
                                    assumptions=FAILURE_FREE)
    assert list(table.columns) == ["scenario", "n_params", "n_tokens", "compute_flop", "time_s",
                                   "n_accelerators", "facility_power_w", "average_power_w",
                                   "energy_j"]
    assert table["scenario"].iloc[0] == "GB200 bf16, 365 days"
    assert np.all(table["average_power_w"] < table["facility_power_w"])
    assert table["energy_j"].to_numpy() == pytest.approx(
        (table["average_power_w"] * table["time_s"]).to_numpy())


def test_power_wall_bad_inputs():
    with pytest.raises(ValueError, match="mfu"):
        limits.facility_power_needed_w(1e27, 1e7, accelerator="H100-SXM",
                                       assumptions=Assumptions(mfu=0.0))
    with pytest.raises(ValueError, match="power_basis"):
        limits.facility_power_needed_w(1e27, 1e7, accelerator="H100-SXM", power_basis="max")
    with pytest.raises(ValueError, match="accelerator 'H900'.*valid names: .*H100-SXM"):
        limits.facility_power_needed_w(1e27, 1e7, accelerator="H900")
    with pytest.raises(ValueError, match="accelerator must be"):
        limits.facility_power_needed_w(1e27, 1e7, accelerator=42)
    with pytest.raises(ValueError, match="NaN"):
        limits.training_time_in_envelope_s(1e27, float("nan"), accelerator="H100-SXM")
    with pytest.raises(ValueError, match="fp8"):
        limits.facility_power_needed_w(1e27, 1e7, accelerator="A100-SXM4-80GB",
                                       assumptions=Assumptions(precision="fp8"))


def test_training_time_for_params_matches_composition():
    year = 365.25 * DAY_S
    compute = limits.compute_for_params(1e14)
    direct = limits.training_time_in_envelope_s(compute, 1.2e9, accelerator="GB200",
                                                assumptions=FAILURE_FREE)
    gb200 = "GB200"
    assert limits.training_time_for_params_s(1e14, 1.2e9, accelerator=gb200,
                                             assumptions=FAILURE_FREE) == pytest.approx(direct)
    # the inverses meet: at the power a one-year run needs, the run takes about a year (the
    # step-time MFU changes in small steps with the count, so up to a few percent less; the
    # envelope holds whole accelerators, so a hair more where the last one is cut off)
    power = limits.facility_power_for_params_w(1e14, year, accelerator=gb200,
                                               assumptions=FAILURE_FREE)
    back = limits.training_time_for_params_s(1e14, power, accelerator=gb200,
                                             assumptions=FAILURE_FREE)
    assert year / 1.1 <= back <= year * (1 + 1e-3)
    assert limits.power_wall_params(power, year, accelerator=gb200,
                                    assumptions=FAILURE_FREE) == pytest.approx(1e14, rel=0.05)
    constant = CONSTANT_MFU
    power = limits.facility_power_for_params_w(1e14, year, accelerator=gb200,
                                               assumptions=constant)
    assert limits.training_time_for_params_s(1e14, power, accelerator=gb200,
                                             assumptions=constant) == pytest.approx(year,
                                                                                    rel=1e-6)
    assert limits.power_wall_params(power, year, accelerator=gb200,
                                    assumptions=constant) == pytest.approx(1e14, rel=1e-6)
    sizes = limits.power_wall_params(np.array([1e9, 5e9]), year, accelerator="GB200",
                                     assumptions=FAILURE_FREE)
    assert sizes[1] > sizes[0]


# ------------------------------------------------------------------------------------------
# sensitivity and charts
# ------------------------------------------------------------------------------------------


def test_sensitivity_table_one_at_a_time_sorted_by_swing():
    def output(*, a, b):
        return a * b**2

    # limits.sensitivity_table became the package's one sensitivity function
    table = scaling.sensitivity(output, {"a": 1.0, "b": 2.0},
                                {"a": (0.5, 2.0), "b": (1.0, 4.0)})
    assert list(table["input"]) == ["b", "a"]
    b = table.iloc[0]
    assert (b["output_base"], b["output_low"], b["output_high"]) == (4.0, 1.0, 16.0)
    assert b["swing"] == 15.0  # |high - low| (was the max/min ratio 16)
    assert table.iloc[1]["swing"] == 6.0
    assert table.iloc[1]["low_setting"] == "0.5"
    with pytest.raises(ValueError, match="sensitivity input 'c'.*valid names: a, b"):
        scaling.sensitivity(output, {"a": 1.0, "b": 2.0}, {"c": (1, 2)})
    with pytest.raises(ValueError, match="pair"):
        scaling.sensitivity(output, {"a": 1.0, "b": 2.0}, {"a": (1, 2, 3)})
    # a swing is a difference, so negative outputs are fine; non-finite ones are refused
    assert scaling.sensitivity(output, {"a": 1.0, "b": 2.0},
                               {"a": (-1.0, 2.0)})["swing"].iloc[0] == 12.0
    with pytest.raises(ValueError, match="output must be finite"):
        scaling.sensitivity(output, {"a": 1.0, "b": 2.0}, {"a": (float("inf"), 2.0)})


def test_charts_build_with_log_axes_and_tooltips():
    from scaling.plots import limits as plots

    walls = limits.data_wall_table([1e12, 1e13, 1e14]).assign(law="besiroglu2024")
    stock = limits.text_stock()
    stocks = pd.DataFrame([{"stock": "effective", **stock._asdict()}])
    spec = plots.data_wall_chart(walls, stocks).to_dict()
    assert spec["layer"][3]["encoding"]["x"]["scale"]["type"] == "log"
    assert "tooltip" in spec["layer"][3]["encoding"]
    reps = limits.repetition_table(1e14, 6e13, [1, 2, 4])
    assert "tooltip" in plots.repetition_chart(reps).to_dict()["layer"][1]["encoding"]
    power = limits.power_wall_table([1e12, 1e14], 365 * DAY_S, accelerator="GB200",
                                    assumptions=FAILURE_FREE)
    envelopes = limits.limits_table("power_envelope").reset_index()[["name", "power_w"]]
    assert plots.power_wall_chart(power, envelopes).to_dict()["layer"]
    from scaling.plots.sensitivity import tornado_chart

    sens = scaling.sensitivity(lambda *, a: a, {"a": 1.0}, {"a": (0.5, 2.0)})
    assert tornado_chart(sens, output_title="output [s]").to_dict()["layer"]
    with pytest.raises(ValueError, match="needs columns"):
        plots.repetition_chart(reps.drop(columns="loss"))


def test_time_to_train_chart_draws_band_when_intervals_present():
    from scaling.plots import limits as plots

    frame = pd.DataFrame({"cluster": ["a", "a"], "n_params": [1e12, 1e14],
                          "time_days": [10.0, 1e5], "time_days_ci_lower": [5.0, 5e4],
                          "time_days_ci_upper": [20.0, 2e5]})
    spec = plots.time_to_train_chart(frame).to_dict()
    assert len(spec["layer"]) == 2 and spec["layer"][0]["mark"]["type"] == "area"
    no_band = plots.time_to_train_chart(frame[["cluster", "n_params", "time_days"]]).to_dict()
    assert len(no_band["layer"]) == 1


def _no_count_reason(compute_flop, n_params, **assumptions):
    from scaling.chain import setup
    from scaling.clusters import as_machine
    from scaling.solve import accelerators_for_deadline
    machine = setup(as_machine(None, "H100-SXM", 1), Assumptions(**assumptions))
    solution = accelerators_for_deadline(machine, compute_flop, 86400.0, n_params=n_params,
                                         strict=False)
    assert np.isnan(solution.value)
    return solution.reasons[0]


def test_why_no_count_names_what_binds_when_failures_do_not():
    """Past the deadline with failures off, the reason is never failures: the batch-size wall
    (the batch cannot occupy 1e12 accelerators), the plans searched too slow even on 1e12
    (a batch large enough to occupy them), or the constant MFU."""
    wall = _no_count_reason(1e36, 1e10, include_failures=False)
    assert "batch-size wall" in wall
    slow = _no_count_reason(1e36, 1e10, include_failures=False, global_batch_tokens=1e15)
    assert "plans searched stay too slow" in slow and "layout_search='fine'" in slow
    constant = _no_count_reason(1e40, 1e10, include_failures=False, mfu=0.4)
    assert "at the constant MFU 0.4" in constant and "layout_search" not in constant
    for reason in (wall, slow, constant):
        assert "interrupted" not in reason and "goodput" not in reason
