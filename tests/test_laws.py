"""Tests of scaling.laws against published values.

Test vectors: /work/shared/reference/scaling_laws.md Sec. 8 (derived from the published
constants), Hoffmann et al. (2022) Table 3 and Fig. 4, Kaplan et al. (2020) Eq. 1.5,
Muennighoff et al. (2023) datablations README.
"""

import math

import numpy as np
import pandas as pd
import pytest

from scaling import laws
from scaling.laws import (
    LAW_PARAMETERS, chinchilla_loss, compute_for_loss, compute_optimal, data_constrained_loss, effective_params, effective_tokens, kaplan_loss, law_parameters, optimal_loss, tokens_per_param, training_flop,
)
from scaling.studies.laws import compute_optimal_table, parameter_table

# ---- compute-optimal frontier (Hoffmann Eq. 4), test vectors printed to 4 s.f. ------------------
# (law, C [FLOP], N_opt, D_opt, D/N, loss at optimum)
FRONTIER_VECTORS = [
    ("besiroglu2024", 5.76e23, 7.225e10, 1.329e12, 18.4, 1.9744),
    ("besiroglu2024", 1e24, 9.586e10, 1.739e12, 18.1, 1.9597),
    ("besiroglu2024", 3.8e25, 6.187e11, 1.024e13, 16.5, 1.8917),
    ("besiroglu2024", 1e26, 1.016e12, 1.641e13, 16.1, 1.8799),
    ("hoffmann2022_tex", 5.76e23, 4.036e10, 2.379e12, 58.9, 1.9184),
    ("hoffmann2022_tex", 1e26, 4.250e11, 3.922e13, 92.3, 1.7946),
    ("hoffmann2022", 5.76e23, 3.219e10, 2.982e12, 92.6, 1.9307),
    ("hoffmann2022", 1e26, 3.305e11, 5.043e13, 152.6, 1.7991),
]
FOUR_SIG_FIG = 5e-4  # half a unit in the 4th significant figure, relative


@pytest.mark.parametrize("law,c,n_opt,d_opt,ratio,loss", FRONTIER_VECTORS)
def test_scaling_laws_md_sec8_frontier_vectors(law, c, n_opt, d_opt, ratio, loss):
    opt = compute_optimal(c, law)
    assert opt.n_params == pytest.approx(n_opt, rel=FOUR_SIG_FIG)
    assert opt.n_tokens == pytest.approx(d_opt, rel=FOUR_SIG_FIG)
    assert tokens_per_param(c, law) == pytest.approx(ratio, abs=0.05)  # printed to 0.1
    assert optimal_loss(c, law) == pytest.approx(loss, abs=5e-5)  # printed to 1e-4


def test_besiroglu2024_default_gives_72b_at_gopher_budget():
    # Besiroglu et al. (2024) Sec. 2.3 / scaling_laws.md: N* = 72.3B, D* = 1.33T at 5.76e23
    opt = compute_optimal(laws.GOPHER_COMPUTE_FLOP)
    assert opt.n_params == pytest.approx(72.3e9, rel=1e-3)
    assert opt.n_tokens == pytest.approx(1.33e12, rel=4e-3)


def test_hoffmann2022_fig4_tex_constants_give_40b_at_gopher_budget():
    # Hoffmann et al. (2022) Fig. 4 caption: Approach 3 projects ~40B parameters for Gopher's
    # budget; the unrounded TeX constants give 40.4B, the rounded printed ones 32.2B.
    assert compute_optimal(5.76e23, "hoffmann2022_tex").n_params == pytest.approx(40.4e9,
                                                                                   rel=2e-3)
    assert compute_optimal(5.76e23, "hoffmann2022").n_params == pytest.approx(32.2e9, rel=2e-3)


@pytest.mark.parametrize("law,g,a", [("besiroglu2024", 0.1196, 0.5126),
                                     ("hoffmann2022_tex", 1.3000, 0.4565),
                                     ("hoffmann2022", 1.3447, 0.4516)])
def test_scaling_laws_md_sec8_g_and_a(law, g, a):
    table = parameter_table([law])
    assert table.loc[law, "a"] == pytest.approx(a, abs=5e-5)
    # G is N_opt at C/6 = 1
    assert compute_optimal(6.0, law).n_params == pytest.approx(g, abs=5e-5)


# ---- Hoffmann et al. (2022) Table 3 (Approach 1): N, C [FLOP], D [tokens] as printed ----------
HOFFMANN2022_TABLE3 = [
    (400e6, 1.92e19, 8.0e9, 0.1e9),
    (1e9, 1.21e20, 20.2e9, 0.1e9),
    (10e9, 1.23e22, 205.1e9, 0.1e9),
    (175e9, 3.85e24, 3.7e12, 0.1e12),
    (280e9, 9.90e24, 5.9e12, 0.1e12),
    (520e9, 3.43e25, 11.0e12, 0.1e12),
    (1e12, 1.27e26, 21.2e12, 0.1e12),
    (10e12, 1.30e28, 216.2e12, 0.1e12),
]
# The 67B row (5.76e23 FLOP, "1.5 Trillion" tokens) is left out: with its tokens rounded to two
# significant figures it gives 6ND/C = 1.047 (scaling_laws.md Sec. 1.3).


@pytest.mark.parametrize("n_params,compute,n_tokens,last_digit", HOFFMANN2022_TABLE3)
def test_hoffmann2022_table3_rows_satisfy_6nd(n_params, compute, n_tokens, last_digit):
    ratio = training_flop(n_params, n_tokens) / compute
    # scaling_laws.md Sec. 8: C = 6ND within 0.2 %, unless the rounding of the printed numbers
    # allows more: half the last digit of the tokens plus half the third significant figure of
    # the FLOP. That matters for 175B ("3.7 Trillion", 6ND/C = 1.009) and 10T (0.998).
    flop_rounding = 0.5 * 10 ** (math.floor(math.log10(compute)) - 2) / compute
    tolerance = max(2e-3, 0.5 * last_digit / n_tokens + flop_rounding)
    assert ratio == pytest.approx(1.0, abs=tolerance)


@pytest.mark.parametrize("n_params,compute,n_tokens,last_digit", HOFFMANN2022_TABLE3)
def test_hoffmann2022_table3_about_20_tokens_per_param(n_params, compute, n_tokens, last_digit):
    # Table 3: D/N from 20.0 to 21.6
    assert 19.9 <= n_tokens / n_params <= 21.7


# ---- Kaplan et al. (2020) ---------------------------------------------------------------------


def test_kaplan2020_eq15_n1e8_d1e7():
    # scaling_laws.md Sec. 8: L(1e8, 1e7) ~ 4.36 with the Eq. 1.1/1.2 constants (printed 3 s.f.)
    assert kaplan_loss(1e8, 1e7) == pytest.approx(4.36, abs=0.006)


@pytest.mark.parametrize("constants", ["summary", "joint_fit"])
def test_kaplan2020_limits_reduce_to_single_variable_laws(constants):
    k = laws.KAPLAN2020[constants]
    # D -> infinity: L(N) = (N_c/N)^alpha_N (Eq. 1.1); N -> infinity: L(D) = (D_c/D)^alpha_D
    n = 1e9
    assert kaplan_loss(n, 1e40, constants=constants) == pytest.approx(
        (k["n_c"] / n) ** k["alpha_n"], rel=1e-9)
    d = 1e10
    assert kaplan_loss(1e60, d, constants=constants) == pytest.approx(
        (k["d_c"] / d) ** k["alpha_d"], rel=1e-9)


def test_kaplan2020_unknown_constants_listed():
    with pytest.raises(ValueError, match="joint_fit"):
        kaplan_loss(1e8, 1e7, constants="table9")


# ---- Muennighoff et al. (2023) ----------------------------------------------------------------


def test_muennighoff2023_datablations_readme_values():
    # huggingface/datablations README, "Parametric Fit": Figure 1 (right) models
    assert data_constrained_loss(6.34e9, 242e9, 25e9) == pytest.approx(2.2256440889984477,
                                                                       rel=1e-12)
    assert data_constrained_loss(8.67e9, 178e9, 25e9) == pytest.approx(2.2269634075087867,
                                                                       rel=1e-12)


def test_muennighoff2023_value_of_repeated_tokens():
    # scaling_laws.md Sec. 5 [D]: D'/D = 0.984 at 2 epochs, 0.931 at 4, 0.828 at 8, 0.661 at 16,
    # 0.379 at 40 (3 s.f.)
    epochs = np.array([2, 4, 8, 16, 40])
    ratio = effective_tokens(epochs * 1e9, 1e9) / (epochs * 1e9)
    np.testing.assert_allclose(ratio, [0.984, 0.931, 0.828, 0.661, 0.379], atol=6e-4)
    # one epoch: no decay; saturation at U (1 + R*_D)
    assert effective_tokens(1e9, 1e9) == pytest.approx(1e9)
    assert effective_tokens(1e15, 1e9) == pytest.approx(1e9 * (1 + 15.387756), rel=1e-9)


def test_muennighoff2023_reduces_to_chinchilla_without_decay():
    n, d, u = 2e9, 8e10, 1e10
    assert data_constrained_loss(n, d, u, r_star_tokens=math.inf,
                                 r_star_params=math.inf) == pytest.approx(
        chinchilla_loss(n, d, "muennighoff2023"), rel=1e-12)
    # with unique data >= tokens the repeated-data penalty vanishes
    assert data_constrained_loss(n, d, d) <= chinchilla_loss(n, d, "muennighoff2023") + 1e-12


def test_effective_params_only_shrink_excess_parameters():
    # a small model relative to the unique data keeps N' = N
    assert effective_params(1e8, 1e12) == pytest.approx(1e8)
    assert effective_params(1e12, 1e9) < 1e12


def test_effective_tokens_refuses_more_unique_than_total():
    with pytest.raises(ValueError, match="unique_tokens must be <= n_tokens"):
        effective_tokens(1e9, 2e9)


# ---- inverse, training compute ----------------------------------------------------------------


@pytest.mark.parametrize("law", sorted(LAW_PARAMETERS))
def test_compute_for_loss_inverts_optimal_loss(law):
    budgets = np.array([1e20, 5.76e23, 1e26])
    np.testing.assert_allclose(compute_for_loss(optimal_loss(budgets, law), law), budgets,
                               rtol=1e-9)


def test_compute_for_loss_refuses_loss_below_e():
    with pytest.raises(ValueError, match="irreducible loss E"):
        compute_for_loss(1.5, "besiroglu2024")


def test_training_flop_kaplan2020_table1_attention_term():
    # Kaplan Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn per token; training = 3x forward
    n, d, layers, width, ctx = 1.3e9, 2.6e10, 24, 2048, 2048
    expected = d * (6 * n + 6 * layers * ctx * width)
    assert training_flop(n, d, n_layers=layers, d_model=width, seq_len=ctx) == pytest.approx(
        expected, rel=1e-12)
    assert training_flop(n, d) == pytest.approx(6 * n * d, rel=1e-12)


def test_training_flop_needs_all_attention_arguments():
    with pytest.raises(ValueError, match="seq_len"):
        training_flop(1e9, 1e10, n_layers=24, d_model=2048)


# ---- types in, types out; Monte Carlo broadcasting --------------------------------------------


def test_scalar_ndarray_series_in_same_kind_out():
    c = [1e21, 1e24]
    assert isinstance(compute_optimal(1e21).n_params, float)
    arr = compute_optimal(np.array(c))
    assert isinstance(arr.n_params, np.ndarray) and arr.n_params.shape == (2,)
    series = pd.Series(c, index=["small", "large"])
    out = compute_optimal(series)
    assert isinstance(out.n_tokens, pd.Series) and list(out.n_tokens.index) == ["small", "large"]
    np.testing.assert_allclose(out.n_params.to_numpy(), arr.n_params)
    for func in (tokens_per_param, optimal_loss):
        assert isinstance(func(1e21), float)
        assert isinstance(func(series), pd.Series)
    assert isinstance(chinchilla_loss(1e9, 2e10), float)
    loss = chinchilla_loss(pd.Series([1e9, 2e9]), pd.Series([2e10, 4e10]))
    assert isinstance(loss, pd.Series)
    assert isinstance(compute_for_loss(pd.Series([2.0, 2.1])), pd.Series)
    assert isinstance(training_flop(np.array([1e9]), np.array([1e10])), np.ndarray)
    assert isinstance(kaplan_loss(pd.Series([1e8]), 1e7), pd.Series)
    assert isinstance(data_constrained_loss(6.34e9, 242e9, 25e9), float)


def test_array_valued_law_broadcasts_like_repeated_scalar_calls():
    names = ["besiroglu2024", "hoffmann2022_tex", "hoffmann2022"]
    stacked = {k: np.array([law_parameters(n)[k] for n in names])
               for k in ("E", "A", "B", "alpha", "beta")}
    out = compute_optimal(1e24, stacked)
    for i, name in enumerate(names):
        assert out.n_params[i] == pytest.approx(compute_optimal(1e24, name).n_params, rel=1e-12)
    grid = compute_optimal(np.array([1e22, 1e24])[:, None], stacked)
    assert grid.n_params.shape == (2, 3)


def test_compute_optimal_table_long_form():
    table = compute_optimal_table([1e22, 1e24], laws=["besiroglu2024", "hoffmann2022"])
    assert list(table.columns) == ["law", "compute_flop", "n_params", "n_tokens",
                                   "tokens_per_param", "loss"]
    assert len(table) == 4
    np.testing.assert_allclose(6 * table["n_params"] * table["n_tokens"], table["compute_flop"],
                               rtol=1e-12)


def test_law_parameter_sets_carry_sources():
    for name, spec in LAW_PARAMETERS.items():
        assert spec["source"].strip(), name
        assert set(spec) >= {"E", "A", "B", "alpha", "beta", "source"}


# ---- bad input --------------------------------------------------------------------------------


def test_unknown_law_lists_valid_names():
    with pytest.raises(ValueError) as info:
        compute_optimal(1e24, "chinchilla")
    for name in LAW_PARAMETERS:
        assert name in str(info.value)


@pytest.mark.parametrize("bad", [0.0, -1e9, np.nan, np.inf])
def test_non_positive_or_nan_inputs_refused(bad):
    with pytest.raises(ValueError, match="n_params"):
        chinchilla_loss(bad, 1e10)
    with pytest.raises(ValueError, match="compute_flop"):
        compute_optimal(np.array([1e20, bad]))


def test_law_mapping_missing_keys_or_bad_values():
    with pytest.raises(ValueError, match="missing"):
        law_parameters({"E": 1.7, "A": 400.0})
    bad = dict(law_parameters("besiroglu2024"), alpha=np.nan)
    with pytest.raises(ValueError, match="alpha"):
        law_parameters(bad)
    with pytest.raises(ValueError, match="valid names"):
        law_parameters(3.14)


# ---- charts (scaling.plots.laws) ----------------------------------------------------------------


def test_law_charts_have_log_axes_with_units_and_tooltips():
    from scaling.plots.laws import frontier_chart, loss_vs_compute_chart, tokens_per_param_chart

    table = compute_optimal_table(np.geomspace(1e20, 1e26, 7), ["besiroglu2024", "hoffmann2022"])
    for chart in (tokens_per_param_chart(table), frontier_chart(table, "n_tokens"),
                  loss_vs_compute_chart(table, table)):
        spec = chart.to_dict()
        layer = spec["layer"][-1]["encoding"]
        assert "[FLOP]" in layer["x"]["title"] and layer["x"]["scale"]["type"] == "log"
        assert "[" in layer["y"]["title"]
        assert "tooltip" in layer
    with pytest.raises(ValueError, match="missing"):
        tokens_per_param_chart(table.drop(columns="law"))
    with pytest.raises(ValueError, match="quantity"):
        frontier_chart(table, "loss")


def test_compute_optimal_table_accepts_a_single_law_or_labelled_mapping():
    single = compute_optimal_table([1e24], "hoffmann2022")
    assert list(single["law"]) == ["hoffmann2022"]
    labelled = compute_optimal_table([1e24], {"tex": "hoffmann2022_tex",
                                             "custom": law_parameters("besiroglu2024")})
    assert list(labelled["law"]) == ["tex", "custom"]
    assert labelled["n_params"].iloc[1] == pytest.approx(9.586e10, rel=5e-4)  # Sec. 8 vector


def test_reducible_loss_is_target_minus_e_and_refuses_targets_at_or_below_e():
    from scaling.laws import LAW_PARAMETERS, reducible_loss

    e = LAW_PARAMETERS["besiroglu2024"]["E"]
    assert reducible_loss(2.0) == pytest.approx(2.0 - e, rel=1e-12)
    with pytest.raises(ValueError, match="irreducible loss"):
        reducible_loss(e)
