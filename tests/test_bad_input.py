"""Bad input, through the API and the command line, gets a clear error in the user's terms.

Each case calls the package the way a user might get it wrong and asserts

* the error class (``ValueError``, or its subclass :class:`scaling.InfeasibleRunError` for runs
  that cannot be done as asked; the CLI's exit status 2 with one line on stderr);
* that the message names the argument the user passed and what is allowed (the words
  listed with the case, compared case-insensitively);
* that no numpy or pandas message leaks through and no numpy ``RuntimeWarning`` (divide by
  zero, overflow) is emitted on the way.

``SILENT_BEFORE`` and ``UNHELPFUL_BEFORE`` at the end list the cases that, before issue 11
(main at a9977e6), returned a result without any error, or raised an error that leaked a
numpy/Python message, named no argument, gave no limit or did not suggest the closest name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pytest

import scaling
from scaling.apps import cli
from scaling import clusters, cost, hardware, inference, laws
from scaling.studies import limits, planning
from scaling import checkpointing, reliability
from scaling.studies import run_time, systems
import scaling.studies.backtesting
import scaling.emissions  # noqa: F401
import scaling.apps.explorer
import scaling.studies.explorer  # noqa: F401
import scaling.studies.trends  # noqa: F401
from scaling.studies import hardware as study_hardware
from scaling.studies import laws as study_laws, reliability as study_reliability
import scaling.model_shape  # noqa: F401
import scaling.studies.outlook
import scaling.parallelism  # noqa: F401
import scaling.plan_search  # noqa: F401
import scaling.trends  # noqa: F401
import scaling.valuation  # noqa: F401
import scaling.plots.hardware  # noqa: F401  (scaling.plots.hardware.landscape_chart)
import scaling.plots.explore  # noqa: F401  (scaling.plots.explore.run_cost_chart)
import scaling.plots.utilisation  # noqa: F401  (scaling.plots.utilisation.breakdown_chart)
from scaling.assumptions import Assumptions
from scaling.errors import InfeasibleRunError
from scaling.model_shape import ModelShape
from scaling.reliability import ReliabilityAssumptions, Resilience


def _walls():
    from scaling.studies import walls
    return walls


#: A two-point utilisation curve for the walls' threshold reader.
_WALL_CURVE = pd.DataFrame({"compute_flop": [1e24, 1e25], "mfu": [0.5, 0.3]})

#: Phrases of numpy/pandas/Python internals that must never reach the user.
LEAKS = ("could not convert", "operands could not be broadcast", "ufunc", "object of type",
         "expected non-negative integer", "nonetype", "unsupported operand", "not subscriptable",
         "has no attribute", "shape mismatch", "truth value of an array", "isoformat",
         "invalid literal", "only length-1", "cannot reshape", "only 0-dimensional",
         "division by zero", "is not iterable")

H100 = "H100-SXM"


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable
    error: type
    words: tuple


def case(id_, call, error, *words):
    return pytest.param(Case(id_, call, error, words), id=id_)


def _pts():
    """Six clean points of the besiroglu2024 law (enough for a fit)."""
    n = np.array([1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e8, 1e9])
    d = n * 20
    return n, d, np.asarray(laws.chinchilla_loss(n, d))


def _fit(**kwargs):
    n, d, y = _pts()
    return scaling.fit_chinchilla(n, d, y, **kwargs)


def _run(**kwargs):
    base = dict(accelerator=H100, n_accelerators=1024)
    base.update(kwargs)
    return scaling.estimate_run(1e23, **base)


def _plan(**kwargs):
    base = dict(deadline_s=30 * 86400, accelerator=H100)
    base.update(kwargs)
    return scaling.plan_training(8e9, 2e11, **base)


def _cluster(**kwargs):
    base = dict(name="mine", accelerator=H100, n_accelerators=1024)
    base.update(kwargs)
    return scaling.Cluster(**base)


def _accelerator(**kwargs):
    base = dict(name="chip", peak_bf16_flop_per_s=1e15, memory_bytes=80e9,
                memory_bandwidth_byte_per_s=3e12, tdp_w=700.0, release_date="2024-01-01",
                source="test")
    base.update(kwargs)
    return scaling.Accelerator(**base)


def _forecast(**kwargs):
    base = dict(cluster="llama3-16k")
    base.update(kwargs)
    return scaling.forecast([7e10, 4e11], **base)


E = ValueError
INF = InfeasibleRunError

API_CASES = [
    # ---- misspelt names: the closest valid one is suggested -----------------------------------
    case("cluster-misspelt", lambda: scaling.cluster("fronteir"), E,
         "cluster", "did you mean 'frontier'"),
    case("accelerator-misspelt", lambda: scaling.accelerator("H10-SXM"), E,
         "accelerator", "did you mean 'H100-SXM'"),
    case("estimate_run-accelerator-misspelt", lambda: _run(accelerator="B2000"), E,
         "accelerator", "did you mean 'B200'"),
    case("law-misspelt", lambda: scaling.compute_optimal(1e25, law="besiroglu"), E,
         "law", "did you mean 'besiroglu2024'"),
    case("kaplan-constants-misspelt",
         lambda: scaling.laws.kaplan_loss(1e9, 1e10, constants="sumary"), E,
         "constants", "did you mean 'summary'", "joint_fit"),
    case("precision-misspelt", lambda: Assumptions(precision="bf61"), E,
         "precision", "did you mean 'bf16'"),
    case("batch-size-law-misspelt", lambda: Assumptions(batch_size_law="kaplan2020"), E,
         "batch_size_law", "kaplan2020_critical", "deepseek2024"),
    case("batch-size-law-number", lambda: Assumptions(batch_size_law=3e6), E,
         "batch_size_law", "callable"),
    case("layout-search-misspelt", lambda: Assumptions(layout_search="finer"), E,
         "layout_search", "fine", "practical"),
    case("layout-search-number", lambda: scaling.plan_parallelism(
        7e10, "H100-SXM", 64, layout_search=2), E, "layout_search", "practical"),
    case("layout-search-with-constant-mfu",
         lambda: Assumptions(layout_search="fine", mfu=0.4), E, "layout_search", "mfu"),
    case("walls-fall-fraction-one", lambda: _walls().walls(_WALL_CURVE, fall_fraction=1.0), E,
         "fall_fraction", "(0, 1)"),
    case("peak-precision-misspelt",
         lambda: scaling.accelerator(H100).peak_flop_per_s("fp9"), E,
         "precision", "did you mean 'fp8'", "bf16"),
    case("landscape-precision-misspelt",
         lambda: study_hardware.accelerator_landscape("bf6"), E, "precision", "did you mean 'bf16'"),
    case("assumption-misspelt", lambda: Assumptions().replace(restart_time=20), E,
         "assumption", "did you mean 'restart_time_s'"),
    case("failure-source-misspelt",
         lambda: reliability.failure_rate_per_accelerator_hour("llama3_450b"), E,
         "source", "did you mean 'llama3_405b'"),
    case("rental-term-misspelt",
         lambda: cost.committed_use_discount("1y"), E, "term", "did you mean '1yr'"),
    case("rental-provider-misspelt",
         lambda: cost.committed_use_discount("1yr", provider="asw"), E,
         "provider", "did you mean 'aws'"),
    case("text-stock-misspelt", lambda: limits.text_stock("villalobos2024_efective"), E,
         "text stock", "did you mean"),
    case("power-envelope-misspelt", lambda: limits.power_envelope_w("stargate_abilen"), E,
         "power envelope", "did you mean 'stargate_abilene'"),
    case("limits-kind-misspelt", lambda: limits.limits_table("text-stock"), E,
         "kind", "did you mean 'text_stock'"),
    case("power-basis-misspelt",
         lambda: limits.facility_power_needed_w(1e25, 1e7, accelerator=H100, power_basis="peek"), E,
         "power_basis", "did you mean 'peak'"),
    case("cooling-misspelt", lambda: _cluster(cooling="liqiud"), E,
         "cooling", "did you mean 'liquid'"),
    case("reference-run-misspelt", lambda: systems.reference_compute_flop("gpt4"), E,
         "reference run", "did you mean"),
    case("forecast-quantity-misspelt",
         lambda: scaling.forecast_sensitivity(1e12, cluster="llama3-16k", quantity="time_day"),
         E, "quantity", "did you mean 'time_days'"),
    case("uncertain-input-misspelt",
         lambda: _forecast(uncertainty={"mfuu": None}), E, "did you mean 'mfu'"),
    case("rent-option-misspelt",
         lambda: _plan().rent_usd_per_s("ondemand"), E, "option", "did you mean 'on_demand'"),
    case("landscape-metric-misspelt",
         lambda: scaling.plots.hardware.landscape_chart(study_hardware.accelerator_landscape(),
                                                        metric="flop_per_watt"), E,
         "metric", "did you mean"),
    case("plan-type-misspelt", lambda: _plan(accelerator="H100 SXM5 80G"), E,
         "accelerator", "did you mean"),
    case("schedule-misspelt",
         lambda: scaling.plan_search.plan_parallelism("Llama 3 8B", H100, 64, schedule="1f1d"), E,
         "schedule", "did you mean '1f1b'"),
    case("recompute-misspelt",
         lambda: scaling.plan_search.plan_parallelism("Llama 3 8B", H100, 64, recompute="ful"), E,
         "recompute", "did you mean 'full'"),
    case("emissions-region-misspelt",
         lambda: scaling.estimate_run(1e24, cluster="llama3-16k",
                                      assumptions=scaling.Assumptions(region="US-TXX")), E,
         "region", "did you mean"),
    case("model-attention-misspelt",
         lambda: scaling.model_shape.ModelShape(name="m", n_layers=2, d_model=64, n_heads=4,
                                                d_ff=256, vocab_size=1000, seq_len=128,
                                                attention="gq"), E,
         "attention", "did you mean 'gqa'"),
    case("backtest-cost-kind-misspelt",
         lambda: scaling.backtest(runs=scaling.data.load_table("training_runs").head(1).assign(
             cost_kind="epoch_amortised_hardware_energy_2023usd")), E, "cost_kind", "did you mean"),
    case("cluster-not-a-name", lambda: scaling.cluster(16384), E,
         "cluster", "must be a name", "valid names"),
    case("accelerator-not-a-name", lambda: _run(accelerator=3.0), E,
         "accelerator", "catalog name"),

    # ---- a string where a sequence of names goes is one name, not its characters ----------------
    # (these succeed: see test_single_name_is_not_read_as_characters)

    # ---- counts are whole numbers -------------------------------------------------------------
    case("estimate_run-half-accelerator", lambda: _run(n_accelerators=0.5), E,
         "n_accelerators", "whole number"),
    case("estimate_run-fractional-accelerators", lambda: _run(n_accelerators=1000.5), E,
         "n_accelerators", "whole number"),
    case("estimate_run-bool-accelerators", lambda: _run(n_accelerators=True), E,
         "n_accelerators", "whole number"),
    case("estimate_run-string-accelerators", lambda: _run(n_accelerators="1024"), E,
         "n_accelerators", "whole number"),
    case("estimate_run-zero-accelerators", lambda: _run(n_accelerators=0), E,
         "n_accelerators", ">= 1"),
    case("estimate_run-nan-accelerators", lambda: _run(n_accelerators=math.nan), E,
         "n_accelerators", "nan"),
    case("cluster-fractional-count", lambda: _cluster(n_accelerators=0.5), E,
         "n_accelerators", "whole number"),
    case("forecast-fractional-count", lambda: _forecast(n_accelerators=2.5), E,
         "n_accelerators", "whole number"),
    case("largest-fractional-count",
         lambda: scaling.largest_trainable("frontier", deadline_s=1e6, n_accelerators=0.5), E,
         "n_accelerators", "whole number"),
    case("forecast-fractional-samples", lambda: _forecast(uncertainty=True, n_samples=10.5), E,
         "n_samples", "whole number"),
    case("forecast-bool-samples", lambda: _forecast(uncertainty=True, n_samples=True), E,
         "n_samples"),
    case("fit-fractional-bootstrap", lambda: _fit(n_bootstrap=2.5), E,
         "n_bootstrap", "whole number"),
    case("fit-negative-bootstrap", lambda: _fit(n_bootstrap=-1), E,
         "n_bootstrap", "whole number"),
    case("fit-string-bootstrap", lambda: _fit(n_bootstrap="10"), E,
         "n_bootstrap", "whole number"),
    case("run_time_samples-fractional", lambda: run_time.run_time_samples("frontier",
                                                                         n_samples=0.5), E,
         "n_samples", "whole number"),
    case("reliability_table-half", lambda: study_reliability.reliability_table(0.5), E,
         "n_accelerators", "whole number"),
    case("reliability_table-fraction",
         lambda: study_reliability.reliability_table([1024, 1500.5]), E,
         "n_accelerators", "whole number"),
    case("reliability-sensitivity-fraction",
         lambda: study_reliability.goodput_sensitivity([0.5]), E, "n_accelerators", "whole number"),
    case("reliability-assumptions-goodput-fraction",
         lambda: reliability.ReliabilityAssumptions().goodput(10.5), E,
         "n_accelerators", "whole number"),
    case("reliability-assumptions-mtbf-fraction",
         lambda: reliability.ReliabilityAssumptions().mtbf_s(0.25), E,
         "n_accelerators", "whole number"),
    case("whole_servers-fractional-per-server",
         lambda: clusters.whole_servers(96, 2.5), E, "accelerators_per_server", "whole number"),
    case("racks_needed-fractional-servers",
         lambda: clusters.racks_needed(1.5, 4), E, "n_servers", "whole number"),
    case("rental_over_time-fractional-accelerators",
         lambda: cost.rental_cost_over_time_usd(3600.0, 0.5, 2.0), E,
         "n_accelerators", "whole number"),
    case("server_power-fractional-per-server",
         lambda: clusters.server_power_w(700.0, 1.8, 7.5), E,
         "accelerators_per_server", "whole number"),
    case("plan-assumptions-fractional-per-server",
         lambda: planning.PlanAssumptions(accelerators_per_server=0.5), E,
         "accelerators_per_server", "whole number"),
    case("plan-assumptions-string-per-rack",
         lambda: planning.PlanAssumptions(servers_per_rack="4"), E,
         "servers_per_rack", "whole number"),
    case("accelerator-fractional-domain", lambda: _accelerator(scale_up_domain_size=1.5), E,
         "scale_up_domain_size", "whole number"),
    case("sample_params-fractional-n", lambda: _fit(n_bootstrap=20).sample_params(2.5), E,
         "n", "whole number"),
    case("allreduce-fractional-ranks",
         lambda: clusters.allreduce_time_s(1e9, 7.5, 5e10), E, "n_ranks", "whole number"),
    case("reported-benchmark-fractional",
         lambda: systems.ReportedBenchmark(system="x", measure="m", precision="fp8",
                                           sparse=False, flop_per_s=1e18,
                                           n_accelerators=0.5, headline=True, source="s"),
         E, "n_accelerators", "whole number"),
    case("reliability_table-string",
         lambda: study_reliability.reliability_table("1024"), E, "n_accelerators",
         "whole number"),
    case("job_goodput-recovery-misspelt",
         lambda: reliability.job_goodput(1024, recovery="elastc"), E, "recovery",
         "'elastic'"),
    case("job_goodput-recovery-array-misspelt",
         lambda: reliability.job_goodput([1024, 2048], recovery=["restart", "elastc"]), E,
         "recovery", "'restart', 'elastic'"),

    # ---- bools and strings are refused where numbers go --------------------------------------
    case("compute-string", lambda: scaling.estimate_run("1e23", accelerator=H100,
                                                         n_accelerators=8), E,
         "compute_flop", "number", "'1e23'"),
    case("chinchilla_loss-string",
         lambda: scaling.chinchilla_loss("7e10", 1.4e12), E, "n_params", "number"),
    case("chinchilla_loss-bool", lambda: scaling.chinchilla_loss(True, 1.4e12), E,
         "n_params", "number", "True"),
    case("compute_optimal-string-list",
         lambda: scaling.compute_optimal(["1e24", "1e25"]), E, "compute_flop", "number"),
    case("training_flop-bool-tokens",
         lambda: scaling.training_flop(7e10, False), E, "n_tokens", "number"),
    case("forecast-string-sizes", lambda: scaling.forecast(["7e10"], cluster="frontier"), E,
         "n_params", "number"),
    case("sustained-string-count",
         lambda: hardware.sustained_flop_per_s(989e12, 8, "0.4"), E, "mfu", "number"),
    case("model_flop_utilisation-string-rate",
         lambda: hardware.model_flop_utilisation("4e17", 1024, 989e12), E,
         "model_flop_per_s", "number"),
    case("model_flop_utilisation-zero-count",
         lambda: hardware.model_flop_utilisation(4e17, 0, 989e12), E,
         "n_accelerators", "positive"),
    case("model_flop_utilisation-negative-peak",
         lambda: hardware.model_flop_utilisation(4e17, 1024, -989e12), E,
         "peak_flop_per_s", "positive"),
    case("accelerator-string-peak", lambda: _accelerator(peak_bf16_flop_per_s="1e15"), E,
         "peak_bf16_flop_per_s", "single number"),
    case("accelerator-bool-tdp", lambda: _accelerator(tdp_w=True), E,
         "tdp_w", "single number"),
    case("accelerator-string-price", lambda: _accelerator(price_usd="30000"), E,
         "price_usd", "single number"),
    case("cluster-string-pue", lambda: _cluster(pue="1.2"), E, "pue", "single number"),
    case("assumptions-bool-mfu", lambda: Assumptions(mfu=True), E, "mfu", "single number"),
    case("assumptions-string-pue", lambda: Assumptions(pue="1.1"), E, "pue", "single number"),
    case("reliability-string-restart",
         lambda: Assumptions().replace(restart_time_s="20"), E,
         "restart_time_s", "single number"),
    case("prices-string-electricity",
         lambda: Assumptions().replace(electricity_usd_per_kwh="0.08"), E,
         "electricity_usd_per_kwh", "single number"),
    case("uncertain-bool", lambda: scaling.Uncertain(p5_ratio=True, p95_ratio=2.0,
                                                     source="s"), E,
         "p5_ratio", "single number"),
    case("plan-string-deadline", lambda: _plan(deadline_s="30 days"), E,
         "deadline_s", "single number"),
    case("plan-assumptions-string-horizon",
         lambda: planning.PlanAssumptions(horizon_s="3 years"), E, "horizon_s", "number"),
    case("size_cluster-string-budget",
         lambda: scaling.size_cluster(H100, budget_usd="1e9"), E, "budget_usd", "single number"),
    case("fit-string-delta", lambda: _fit(delta="0.001"), E, "delta", "number"),
    case("fit-string-confidence", lambda: _fit(confidence="0.9"), E,
         "confidence", "number"),
    case("fit-bool-confidence", lambda: _fit(confidence=True), E, "confidence", "single number"),
    case("reported-benchmark-string-flop",
         lambda: systems.ReportedBenchmark(system="x", measure="m", precision="fp8",
                                           sparse=False, flop_per_s="1e18",
                                           n_accelerators=8, headline=True, source="s"),
         E, "flop_per_s", "single number"),
    case("goodput-string-mtbf", lambda: checkpointing.restart_goodput("3600", 60.0), E,
         "mtbf_s", "number"),
    case("facility_power-bool-pue",
         lambda: clusters.facility_power_w(1024, 700.0, 1.8, True), E, "pue", "number"),
    case("energy_cost-string", lambda: cost.energy_cost_usd(3.6e9, "0.1"), E,
         "electricity_usd_per_kwh", "number"),
    case("inference-string-tokens",
         lambda: inference.lifetime_flop(7e10, 1.4e12, "1e13"), E, "inference_tokens", "number"),
    case("n_params-none-in-list", lambda: scaling.chinchilla_loss([7e10, None], 1.4e12), E,
         "n_params", "nan"),

    # ---- seeds are validated by name ------------------------------------------------------------
    case("fit-negative-seed", lambda: _fit(n_bootstrap=5, seed=-1), E,
         "seed", "whole number >= 0"),
    case("fit-fractional-seed", lambda: _fit(n_bootstrap=5, seed=1.5), E,
         "seed", "whole number >= 0"),
    case("fit-string-seed", lambda: _fit(n_bootstrap=5, seed="0"), E,
         "seed", "whole number >= 0"),
    case("forecast-negative-seed", lambda: _forecast(uncertainty=True, seed=-1), E,
         "seed", "whole number >= 0"),
    case("forecast-bool-seed", lambda: _forecast(uncertainty=True, seed=True), E, "seed"),
    case("sample_params-negative-seed",
         lambda: _fit(n_bootstrap=20).sample_params(5, seed=-3), E, "seed", "whole number >= 0"),
    case("run_time_samples-negative-seed",
         lambda: run_time.run_time_samples("frontier", n_samples=100, seed=-1), E,
         "seed", "whole number >= 0"),

    # ---- mismatched lengths name both arguments ----------------------------------------------
    case("fit-lengths",
         lambda: scaling.fit_chinchilla([1e8, 1e9, 1e10], [1e9, 1e10, 1e11, 1e12],
                                        [3.0, 2.8, 2.5, 2.3]), E,
         "n_params", "n_tokens", "3", "4"),
    case("forecast-lengths",
         lambda: scaling.forecast([7e10, 4e11], n_tokens=[1e12, 2e12, 3e12],
                                  cluster="frontier"), E, "n_params", "n_tokens"),
    case("chinchilla_loss-lengths",
         lambda: scaling.chinchilla_loss([7e10, 4e11], [1e12, 2e12, 3e12]), E,
         "n_params", "n_tokens", "same length"),
    case("training_flop-lengths",
         lambda: scaling.training_flop(np.ones(2) * 1e9, np.ones(3) * 1e10), E,
         "n_params", "n_tokens", "same length"),
    case("goodput-lengths",
         lambda: checkpointing.restart_goodput([3600.0, 7200.0], [60.0, 30.0, 10.0]), E,
         "mtbf_s", "checkpoint_time_s", "same length"),
    case("sustained-lengths",
         lambda: hardware.sustained_flop_per_s(989e12, [8, 16], [0.4, 0.5, 0.3]), E,
         "n_accelerators", "mfu", "same length"),
    case("model_flop_utilisation-lengths",
         lambda: hardware.model_flop_utilisation([4e17, 5e17], [8, 16, 32], 989e12), E,
         "model_flop_per_s", "n_accelerators", "same length"),
    case("facility_power-lengths",
         lambda: clusters.facility_power_w([8, 16], 700.0, 1.8, [1.1, 1.2, 1.3]), E,
         "n_accelerators", "pue", "same length"),
    case("effective_tokens-lengths",
         lambda: laws.effective_tokens([1e12, 2e12], [1e11, 1e11, 1e11]), E,
         "n_tokens", "unique_tokens", "same length"),
    case("lifetime_flop-lengths",
         lambda: inference.lifetime_flop([7e10, 8e10], [1e12] * 3, 1e13), E,
         "n_params", "n_tokens", "same length"),
    case("energy_cost-lengths",
         lambda: cost.energy_cost_usd([1e9, 2e9], [0.1, 0.2, 0.3]), E,
         "energy_j", "electricity_usd_per_kwh", "same length"),
    case("estimate_run-lengths",
         lambda: scaling.estimate_run([1e23, 1e24], accelerator=H100,
                                      n_accelerators=[8, 16, 32]), E,
         "compute_flop", "n_accelerators", "same length"),

    case("trends-negative-seed",
         lambda: scaling.trends.typical_accelerator_draws(2026, n=10, seed=-1), E,
         "seed", "whole number >= 0"),

    # ---- other out-of-range or wrongly shaped arguments ----------------------------------------
    case("percentiles-out-of-range",
         lambda: _forecast(uncertainty=True, n_samples=100, keep_samples=True).percentiles(
             "time_s", probabilities=[0.5, 1.5]), E, "probabilities", "[0, 1]"),
    case("derived-confidence-out-of-range",
         lambda: _fit().derived(confidence=1.5), E, "confidence", "(0, 1)"),
    case("repetition-table-list-size",
         lambda: limits.repetition_table([1e10], 1e11, [1, 2, 4]), E,
         "n_params", "single number"),

    # ---- runs that cannot be done as asked: cause and limit ---------------------------------
    case("run-billion-accelerators-slow-restart",
         lambda: _run(n_accelerators=1e9, assumptions=Assumptions(mfu=0.4).replace(
             restart_time_s=1e10)), INF, "interrupted every", "restart", "accelerators"),
    case("run-huge-restart",
         lambda: _run(assumptions=Assumptions().replace(restart_time_s=1e9)), INF,
         "restart", "not even one accelerator"),
    case("forecast-1e30-params",
         lambda: scaling.forecast([1e30], cluster="llama3-16k"), INF,
         "fits in memory", "needs at least"),
    case("plan-one-second", lambda: _plan(deadline_s=1), INF, "deadline_s", "too short"),
    case("max_accelerators-unreachable",
         lambda: reliability.max_accelerators(0.999, 600.0, 3600.0), INF,
         "target_goodput", "not even one accelerator"),
    case("max_accelerators-unreachable-array",
         lambda: reliability.max_accelerators([0.5, 0.999], 600.0, 3600.0), INF,
         "target_goodput", "0.999", "not even one accelerator"),
    case("size_cluster-tiny-budget", lambda: scaling.size_cluster(H100, budget_usd=1.0), INF,
         "budget_usd", "one H100-SXM"),
    case("size_cluster-tiny-power", lambda: scaling.size_cluster(H100, power_w=100.0), INF,
         "power_w", "one H100-SXM"),
    case("deadline-forecast-infeasible",
         lambda: scaling.forecast_for_deadline([1e13], deadline_s=86400.0, accelerator=H100),
         INF, "deadline_s", "accelerators"),

    # ---- wrong kinds of arguments ---------------------------------------------------------------
    case("backtest-list",
         lambda: scaling.backtest(runs=[{"name": "x"}]), E, "runs", "DataFrame"),
    case("assumptions-dict", lambda: _run(assumptions={"mfu": 0.4}), E,
         "assumptions", "scaling.Assumptions"),
    case("compare_clusters-number", lambda: systems.compare_clusters(3), E,
         "names", "cluster names"),
    case("compare_systems-list-of-numbers",
         lambda: systems.compare_systems([1, 2]), E, "cluster_names", "name"),
    case("law-list", lambda: scaling.compute_optimal(1e25, law=[1, 2, 3]), E,
         "law", "LAW_PARAMETERS"),
    case("law-negative-exponent",
         lambda: scaling.compute_optimal(1e25, law={"E": 1.8, "A": 400, "B": 400,
                                                    "alpha": -0.3, "beta": 0.3}), E,
         "alpha", "positive"),
    case("uncertainty-string", lambda: _forecast(uncertainty="yes"), E,
         "uncertainty", "True, False"),
    case("plan-assumptions-wrong-type", lambda: _plan(plan_assumptions=Assumptions()), E,
         "plan_assumptions", "PlanAssumptions"),
    case("cluster-and-accelerator",
         lambda: scaling.estimate_run(1e23, cluster="frontier", accelerator=H100), E,
         "cluster", "accelerator"),

    # ---- out-of-range values ------------------------------------------------------------------
    case("mfu-above-one", lambda: Assumptions(mfu=1.5), E, "mfu", "(0, 1]"),
    case("pue-below-one", lambda: Assumptions(pue=0.9), E, "pue", ">= 1"),
    case("negative-compute", lambda: scaling.estimate_run(-1e23, accelerator=H100, n_accelerators=8), E,
         "compute_flop", "positive"),
    case("infinite-size", lambda: scaling.chinchilla_loss(math.inf, 1e12), E,
         "n_params", "finite"),
    case("loss-below-E", lambda: scaling.laws.compute_for_loss(1.5), E,
         "target_loss", "irreducible"),
    case("tokens-per-param-zero", lambda: _forecast(tokens_per_param=0), E,
         "tokens_per_param", "positive"),
    case("plan-negative-deadline", lambda: _plan(deadline_s=-5), E,
         "deadline_s", "positive"),
    case("pilot-fraction-above-one", lambda: _plan().pilot(fraction=2.0, duration_s=86400), E,
         "fraction", "(0, 1]"),
    case("buy_vs_rent-zero-occupancy", lambda: _plan().buy_vs_rent(0.0), E,
         "occupancy", "(0, 1]"),
    case("break_even_table-occupancy-above-one",
         lambda: planning.break_even_table(_plan(), occupancy=1.5), E, "occupancy", "(0, 1]"),
    case("buy_vs_rent_sensitivity-string-occupancy",
         lambda: planning.buy_vs_rent_sensitivity(_plan(), occupancy="70%", ranges={}), E,
         "occupancy"),
    case("ownership_cost-negative-occupancy",
         lambda: cost.ownership_cost_usd(3600.0, 1e6, 1e4, 1.2e4, -0.5,
                                         colocation_usd_per_kw_month=184.06,
                                         electricity_usd_per_kwh=0.08), E,
         "occupancy", "(0, 1]"),
    case("rental_over_time-occupancy-above-one",
         lambda: cost.rental_cost_over_time_usd(3600.0, 8, 2.0, 1.5), E, "occupancy", "(0, 1]"),
    case("quantiles-out-of-range",
         lambda: run_time.run_time_quantiles(["frontier"], quantiles=[0.5, 1.5],
                                            n_samples=100), E, "quantiles", "[0, 1]"),
    case("fit-too-few-points",
         lambda: scaling.fit_chinchilla([1e8, 1e9], [1e9, 1e10], [3.0, 2.8]), E,
         "too few points", "6"),
    case("fit-negative-loss", lambda: scaling.fit_chinchilla(*_pts()[:2], -_pts()[2]), E,
         "loss", "positive"),
    case("days-empty", lambda: systems.compare_systems(["frontier"], days=[]), E,
         "days", "positive"),
]


# ---- the time axis, emissions and the step-time model (issues 9 and 10) -------------------
# Cases for the APIs issues 9 and 10 added, written after they merged (main at 0cdecf7);
# SILENT_BEFORE_CLEANUP and UNHELPFUL_BEFORE_CLEANUP below list those that were silent or
# unhelpful there.

def _shape(**kwargs):
    base = dict(name="m", n_layers=2, d_model=64, n_heads=4, d_ff=256, vocab_size=1000,
                seq_len=128)
    base.update(kwargs)
    return ModelShape(**base)


def _parallel(**kwargs):
    return scaling.plan_parallelism("Llama 3 8B", H100, 64, **kwargs)


def _what(**kwargs):
    base = dict(accelerator=H100, n_accelerators=1024)
    base.update(kwargs)
    return scaling.apps.explorer.what_if(7e10, **base)


def _deadline(n=(1e10,), **kwargs):
    base = dict(deadline_s=90 * 86400.0, accelerator=H100)
    base.update(kwargs)
    return scaling.forecast_for_deadline(list(n), **base)


def _budget_runs():
    return pd.DataFrame({"year": [2030], "n_params": [1e12], "capex_usd": [1e9]})


def _constant(value, year, **kwargs):
    kwargs.setdefault("index_column", "cpi_u_index")
    return scaling.valuation.to_constant_usd(value, year, 2023,
                                             scaling.data.load_table("cpi_us"), **kwargs)


def _resilience(**kwargs):
    base = dict(name="x", restart_time_s=20.0, checkpoint_time_s=0.0)
    base.update(kwargs)
    return Resilience(**base)

API_CASES += [
    # ---- Assumptions: the time axis and emissions --------------------------------------------
    case("assumptions-as_of-text", lambda: Assumptions(as_of="next year"),
         E, "as_of", "decimal year", "'YYYY-MM-DD'"),
    case("assumptions-as_of-too-early", lambda: Assumptions(as_of=1800),
         E, "as_of", "between 2015 and 2200"),
    case("assumptions-as_of-before-the-data", lambda: Assumptions(as_of=2014.9),
         E, "as_of", "between 2015 and 2200", "first year of the dated data"),
    case("estimate_run-as_of-before-release",
         lambda: _run(accelerator="B300", assumptions=Assumptions(as_of=2024)),
         INF, "as_of=2024", "B300 was released (2025-08-22)",
         "as_of from 2025-08-22 on"),
    case("assumptions-as_of-bool", lambda: Assumptions(as_of=True), E, "as_of", "boolean"),
    case("assumptions-as_of-bad-month", lambda: Assumptions(as_of="2024-13"),
         E, "as_of", "month must be in 1..12"),
    case("assumptions-valuation-misspelt", lambda: Assumptions(valuation="straightline"),
         E, "valuation", "did you mean 'straight_line'"),
    case("assumptions-dollars-year-outside-table", lambda: Assumptions(dollars=2050),
         E, "dollars", "'nominal' or a base year", "2050"),
    case("assumptions-dollars-text-year", lambda: Assumptions(dollars="2023"),
         E, "dollars", "'nominal' or a base year"),
    case("assumptions-dollars-without-as_of", lambda: _run(assumptions=Assumptions(dollars=2023)),
         E, "dollars=2023", "as_of"),
    case("assumptions-deflator-misspelt", lambda: Assumptions(deflator="ppl"),
         E, "deflator", "did you mean 'ppi'"),
    case("assumptions-region-not-a-name", lambda: Assumptions(region=42),
         E, "region", "must be a name", "valid names"),
    case("assumptions-region-unknown", lambda: Assumptions(region="Texas"),
         E, "region", "valid names", "US-TX"),
    case("assumptions-carbon-free-above-one", lambda: Assumptions(carbon_free_energy_fraction=1.5),
         E, "carbon_free_energy_fraction", "[0, 1]"),
    case("assumptions-carbon-free-text", lambda: Assumptions(carbon_free_energy_fraction="all"),
         E, "carbon_free_energy_fraction", "single number"),
    case("assumptions-negative-intensity", lambda: Assumptions(carbon_intensity_g_per_kwh=-5),
         E, "carbon_intensity_g_per_kwh", ">= 0"),
    case("assumptions-mfu-model-misspelt", lambda: Assumptions(mfu_model="steptime"),
         E, "mfu_model", "did you mean 'step_time'"),
    case("assumptions-zero-batch", lambda: Assumptions(global_batch_tokens=0),
         E, "global_batch_tokens", "positive"),
    case("assumptions-text-batch", lambda: Assumptions(global_batch_tokens="4M"),
         E, "global_batch_tokens", "single number"),
    case("assumptions-include-failures-text", lambda: Assumptions(include_failures="no"),
         E, "include_failures", "True or False"),

    # ---- estimate_run(model=...) and ModelShape ----------------------------------------------
    case("estimate_run-model-misspelt", lambda: _run(model="Llama 3 450B"),
         E, "model", "did you mean 'Llama 3 405B'"),
    case("estimate_run-model-wrong-kind", lambda: _run(model=[1, 2]),
         E, "model", "ModelShape", "model name"),
    case("estimate_run-model-tiny-count", lambda: _run(model=1e3),
         E, "n_params", ">= 4e+07", "ModelShape"),
    case("model-zero-layers", lambda: _shape(n_layers=0), E, "n_layers", ">= 1"),
    case("model-fractional-layers", lambda: _shape(n_layers=2.5), E, "n_layers", "whole number"),
    case("model-text-width", lambda: _shape(d_model="64"), E, "d_model", "whole number"),
    case("model-heads-not-dividing-width", lambda: _shape(d_model=66),
         E, "d_model", "n_heads", "head_dim"),
    case("model-moe-top_k-above-experts", lambda: _shape(n_experts=8, top_k=9, moe_d_ff=128),
         E, "top_k", "n_experts=8"),
    case("model-moe-without-expert-width", lambda: _shape(n_experts=8, top_k=2),
         E, "moe_d_ff", "> 0"),
    case("model-top_k-without-experts", lambda: _shape(top_k=2), E, "top_k", "n_experts > 0"),
    case("model-gated-mlp-text", lambda: _shape(gated_mlp="yes"), E, "gated_mlp", "True or False"),
    case("model-mla-without-rank", lambda: _shape(attention="mla"), E, "kv_lora_rank", "> 0"),
    case("model-kv-heads-not-dividing", lambda: _shape(n_kv_heads=3), E, "n_heads", "n_kv_heads"),
    case("estimate_run-bad-model-shape",
         lambda: _run(model=_shape(n_experts=4, top_k=8, moe_d_ff=64)),
         E, "top_k", "n_experts"),

    # ---- plan_parallelism --------------------------------------------------------------------
    case("plan_parallelism-tp-not-dividing-heads", lambda: _parallel(tp=3),
         E, "tp=3", "must divide the 32 attention heads"),
    case("plan_parallelism-layout-too-large", lambda: _parallel(tp=8, pp=4, dp=4),
         E, "tp x pp x dp", "128", "64 accelerators"),
    case("plan_parallelism-zero-tp", lambda: _parallel(tp=0), E, "tp", "whole number >= 1"),
    case("plan_parallelism-fractional-pp", lambda: _parallel(pp=2.5), E, "pp", "whole number >= 1"),
    case("plan_parallelism-text-dp", lambda: _parallel(dp="8"), E, "dp", "whole number >= 1"),
    case("plan_parallelism-zero-stage-4", lambda: _parallel(zero_stage=4),
         E, "zero_stage", "0, 1, 2, 3"),
    case("plan_parallelism-pp-beyond-layers", lambda: _parallel(pp=64), E, "pp=64", "32 layers"),
    case("plan_parallelism-ep-on-dense", lambda: _parallel(ep=2), E, "ep=2", "dense model"),
    case("plan_parallelism-zero-stage-bool", lambda: _parallel(zero_stage=True),
         E, "zero_stage", "0, 1, 2"),
    case("plan_parallelism-recompute-fraction",
         lambda: _parallel(recompute="full", recompute_fraction=1.5),
         E, "recompute_fraction", "(0, 1]"),
    case("plan_parallelism-precision", lambda: _parallel(precision="fp16"),
         E, "precision", "did you mean", "bf16"),
    case("plan_parallelism-negative-batch", lambda: _parallel(global_batch_tokens=-4e6),
         E, "global_batch_tokens", "positive"),
    case("plan_parallelism-list-batch", lambda: _parallel(global_batch_tokens=[4e6, 8e6]),
         E, "global_batch_tokens", "single number"),
    case("plan_parallelism-text-compute", lambda: _parallel(compute_flop="1e24"),
         E, "compute_flop", "single number"),
    case("plan_parallelism-fractional-count",
         lambda: scaling.plan_parallelism("Llama 3 8B", H100, 64.5),
         E, "n_accelerators", "whole number"),
    case("plan_parallelism-zero-micro-batch", lambda: _parallel(micro_batch=0),
         E, "micro_batch", "whole number >= 1"),
    case("plan_parallelism-cluster-misspelt",
         lambda: scaling.plan_parallelism("Llama 3 8B", cluster="fronteir"),
         E, "cluster", "did you mean 'frontier'"),
    case("plan_parallelism-dp-overlap", lambda: _parallel(dp_overlap=1.5),
         E, "dp_overlap", "[0, 1]"),
    case("plan_parallelism-no-hardware", lambda: scaling.plan_parallelism("Llama 3 8B"),
         E, "accelerator", "n_accelerators", "cluster"),
    case("plan_parallelism-virtual-without-pipeline", lambda: _parallel(pp=1, virtual_stages=2),
         E, "virtual_stages", "pp > 1"),
    case("plan_parallelism-model-misspelt",
         lambda: scaling.plan_parallelism("Llama 3 80B", H100, 64),
         E, "model", "did you mean"),

    # ---- min_accelerators_for_state and shape_from_params ------------------------------------
    case("min_accelerators-model-misspelt",
         lambda: scaling.min_accelerators_for_state("Llama 3 40B", H100),
         E, "model", "did you mean"),
    case("min_accelerators-accelerator-misspelt",
         lambda: scaling.min_accelerators_for_state(1e12, "GB20O"),
         E, "accelerator", "did you mean 'GB200'"),
    case("min_accelerators-precision",
         lambda: scaling.min_accelerators_for_state(1e12, H100, precision="fp16"),
         E, "precision", "bf16"),
    case("min_accelerators-negative-size", lambda: scaling.min_accelerators_for_state(-1e9, H100),
         E, "n_params", "positive"),
    case("shape_from_params-too-small", lambda: scaling.model_shape.shape_from_params(1e5),
         E, "n_params", ">= 4e+07"),
    case("shape_from_params-list", lambda: scaling.model_shape.shape_from_params([1e9, 2e9]),
         E, "n_params", "single number"),
    case("shape_from_params-zero-head-dim",
         lambda: scaling.model_shape.shape_from_params(1e9, head_dim=0),
         E, "head_dim", "whole number >= 1"),
    case("shape_from_params-zero-seq-len",
         lambda: scaling.model_shape.shape_from_params(1e9, seq_len=0),
         E, "seq_len", "whole number >= 1"),
    case("training_state-precision", lambda: scaling.training_state.training_state_bytes(1e9, "fp32"),
         E, "precision", "bf16"),

    # ---- trends and typical accelerators -----------------------------------------------------
    case("typical-year-1900", lambda: scaling.trends.typical_accelerator(1900),
         E, "year", "between", "2040"),
    case("typical-fractional-year", lambda: scaling.trends.typical_accelerator(2030.5),
         E, "year", "whole calendar year"),
    case("typical-text-year", lambda: scaling.trends.typical_accelerator("2030"),
         E, "year", "calendar year"),
    case("accelerator-typical-bad-year", lambda: scaling.accelerator("typical-20x0"),
         E, "typical-20x0", "typical-<year>"),
    case("accelerator-typical-beyond-trends", lambda: scaling.accelerator("typical-2100"),
         E, "typical-2100", "2040"),
    case("typical-basis-misspelt",
         lambda: scaling.trends.typical_accelerator(2030, basis="frontiers"),
         E, "basis", "did you mean 'frontier'"),
    case("typical-draws-zero", lambda: scaling.trends.typical_accelerator_draws(2030, n=0),
         E, "n", "whole number >= 1"),
    case("typical-draws-fractional-seed",
         lambda: scaling.trends.typical_accelerator_draws(2030, n=10, seed=1.5),
         E, "seed", "whole number >= 0"),
    case("fit_trend-quantity-misspelt", lambda: scaling.trends.fit_trend("peak_flops"),
         E, "quantity", "did you mean 'peak_flop_per_s'"),

    # ---- valuation ---------------------------------------------------------------------------
    case("as_year-text", lambda: scaling.dates.as_year("next year"),
         E, "as_of", "decimal year"),
    case("as_year-none-in-list", lambda: scaling.dates.as_year([2024, None]),
         E, "as_of", "None"),
    case("to_constant_usd-year-beyond-table",
         lambda: _constant(100.0, 2035),
         E, "price_index", "2035", "available"),
    case("to_constant_usd-not-a-table",
         lambda: scaling.valuation.to_constant_usd(100.0, 2020, 2023, [1, 2, 3]),
         E, "price_index", "DataFrame"),
    case("to_constant_usd-text-value",
         lambda: _constant("100", 2020),
         E, "value_usd", "number"),
    case("to_constant_usd-index-column-misspelt",
         lambda: _constant(100.0, 2020, index_column="cpi_index"),
         E, "index_column", "did you mean 'cpi_u_index'"),
    case("hardware_value-method-misspelt",
         lambda: scaling.valuation.hardware_value_usd(3e4, 2025, 2023, method="linear"),
         E, "method", "valid names"),
    case("accelerator_value-anchor-misspelt",
         lambda: scaling.valuation.accelerator_value_usd(H100, 2025, anchor="purchase"),
         E, "anchor", "valid names"),
    case("price_index-misspelt", lambda: scaling.valuation.price_index("ppx"),
         E, "deflator", "did you mean 'ppi'"),

    # ---- emissions ---------------------------------------------------------------------------
    case("emissions-lookup-region-misspelt",
         lambda: scaling.emissions.location_intensity_g_per_kwh("US-TXX"),
         E, "region", "did you mean 'US-TX'"),
    case("emissions-table-region-unknown",
         lambda: scaling.emissions.carbon_intensity_g_per_kwh(
             "Mars", 2020, scaling.emissions.grid_intensity_table()),
         E, "region", "valid names"),
    case("emissions-negative-energy", lambda: scaling.emissions.emissions_tco2e(-1.0, 400.0),
         E, "energy_j", ">= 0"),
    case("emissions-lengths",
         lambda: scaling.emissions.emissions_tco2e([1e9, 2e9], [400.0, 300.0, 200.0]),
         E, "energy_j", "carbon_intensity_g_per_kwh", "same length"),
    case("emissions-market-fraction-above-one",
         lambda: scaling.emissions.market_based_intensity_g_per_kwh(400.0, 1.5),
         E, "carbon_free_energy_fraction", "[0, 1]"),
    case("emissions-year-text",
         lambda: scaling.emissions.location_intensity_g_per_kwh("US", year="soon"),
         E, "year", "decimal year"),

    # ---- outlook -----------------------------------------------------------------------------
    case("outlook-fractional-year",
         lambda: scaling.studies.outlook.future_runs(1e12, [2030.5], uncertainty=False),
         E, "years", "whole calendar years"),
    case("outlook-text-year",
         lambda: scaling.studies.outlook.future_runs(1e12, ["soon"], uncertainty=False),
         E, "years", "whole calendar years"),
    case("outlook-no-years", lambda: scaling.studies.outlook.frontier_compute_trend([]),
         E, "years", "at least one"),
    case("outlook-budget-cost-misspelt",
         lambda: scaling.studies.outlook.first_year_within_budget(_budget_runs(), 1e10, cost="capex"),
         E, "cost", "did you mean 'capex_usd'"),
    case("outlook-budget-runs-list", lambda: scaling.studies.outlook.first_year_within_budget([1, 2], 1e10),
         E, "runs", "DataFrame"),
    case("outlook-budget-text",
         lambda: scaling.studies.outlook.first_year_within_budget(_budget_runs(), "1e10"),
         E, "budget_usd", "single number"),
    case("outlook-anchor-without-date",
         lambda: scaling.studies.outlook.frontier_compute_trend([2030], anchor={"compute_flop": 1e25}),
         E, "anchor", "date"),
    case("outlook-frontier-trend-before-its-data",
         lambda: scaling.studies.outlook.frontier_compute_trend([1950]),
         E, "years", "from 2010 on", "frontier training compute trend (2010-2024)", "1950"),
    case("trend-predict-before-its-data",
         lambda: scaling.trends.hardware_trends().fit("peak_flop_per_s").predict(2010),
         E, "year", "from 2018 on", "peak_flop_per_s trend", "2010"),
    case("outlook-region-unknown",
         lambda: scaling.studies.outlook.emissions_by_region(["US", "Texas"], compute_flop=1e24,
                                                   cluster="llama3-16k"),
         E, "region", "valid names"),
    case("outlook-site-negative-budget",
         lambda: scaling.studies.outlook.site_outlook([2030], budget_usd=-1.0),
         E, "budget_usd", "positive"),

    # ---- explorer ----------------------------------------------------------------------------
    case("what_if-mfu-above-one", lambda: _what(mfu=1.5), E, "mfu", "(0, 1]"),
    case("what_if-budget-and-size",
         lambda: scaling.apps.explorer.what_if(7e10, compute_flop=1e24, accelerator=H100,
                                          n_accelerators=8),
         E, "compute_flop", "n_params"),
    case("what_if-as_of-text", lambda: _what(as_of="someday"), E, "as_of", "decimal year"),
    case("what_if-price-text", lambda: _what(price_usd="30000"), E, "price_usd", "single number"),
    case("what_if-cluster-misspelt", lambda: scaling.apps.explorer.what_if(7e10, cluster="fronteir"),
         E, "cluster", "did you mean 'frontier'"),
    case("what_if-no-count", lambda: scaling.apps.explorer.what_if(7e10, accelerator=H100),
         E, "n_accelerators", "accelerator"),
    case("what_if-negative-restart", lambda: _what(restart_time_s=-1.0),
         E, "restart_time_s", ">= 0"),
    case("what_if-fractional-count", lambda: _what(n_accelerators=10.5),
         E, "n_accelerators", "whole number"),
    case("widget-machine-twice",
         lambda: scaling.apps.explorer.widget(cluster="frontier", accelerator=H100), E,
         "cluster or accelerator", "not both"),
    case("widget-no-count", lambda: scaling.apps.explorer.widget(accelerator=H100), E,
         "n_accelerators", "accelerator"),
    case("widget-cluster-misspelt", lambda: scaling.apps.explorer.widget(cluster="fronteir"),
         E, "cluster", "did you mean 'frontier'"),
    case("run_cost_chart-a-result",
         lambda: scaling.plots.explore.run_cost_chart(_what()), E,
         "table must be a pandas.DataFrame", "cost_breakdown()"),
    case("breakdown_chart-no-shares",
         lambda: scaling.plots.utilisation.breakdown_chart(
             pd.DataFrame({"model": ["m"], "system": ["s"]})), E, "breakdown_chart", "share"),
    case("breakdown_chart-unknown-component",
         lambda: scaling.plots.utilisation.breakdown_chart(
             pd.DataFrame({"model": ["m"], "system": ["s"], "compute share": [1.0]}),
             components=["compute", "bubble"]), E, "breakdown_chart", "bubble share"),
    case("goodput_grid-negative-restart",
         lambda: scaling.studies.explorer.goodput_grid([1024], restart_times_s=[-1.0],
                                               failure_rate_multipliers=[1.0]),
         E, "restart_times_s", ">= 0"),
    case("size_sweep-clusters-number", lambda: scaling.studies.explorer.size_sweep([7e10], 3),
         E, "clusters", "cluster names"),

    # ---- backtest and cost_backtest ----------------------------------------------------------
    case("backtest-method-misspelt", lambda: scaling.backtest(method="leave-one-out"),
         E, "method", "did you mean 'leave_one_out'"),
    case("backtest-loo-runs-list",
         lambda: scaling.backtest(runs=[{"name": "x"}], method="leave_one_out"),
         E, "runs", "DataFrame"),
    case("backtest-dated-text", lambda: scaling.backtest(dated="yes"), E, "dated", "True or False"),
    case("cost_backtest-dollars-outside-table",
         lambda: scaling.studies.backtesting.cost_backtest(dollars=2050),
         E, "dollars", "base year"),
    case("cost_backtest-dollars-text", lambda: scaling.studies.backtesting.cost_backtest(dollars="2023"),
         E, "dollars", "base year"),
    case("cost_backtest-runs-list", lambda: scaling.studies.backtesting.cost_backtest(runs=[1, 2]),
         E, "runs", "DataFrame"),

    # ---- forecast and forecast_for_deadline --------------------------------------------------
    case("forecast-no-sizes", lambda: scaling.forecast([], cluster="llama3-16k"),
         E, "n_params", "at least one size"),
    case("forecast-negative-seed-without-uncertainty", lambda: _forecast(seed=-1),
         E, "seed", "whole number >= 0"),
    case("forecast-fractional-samples-without-uncertainty", lambda: _forecast(n_samples=0.5),
         E, "n_samples", "whole number"),
    case("forecast-tokens-per-param-lengths", lambda: _forecast(tokens_per_param=[20, 20, 20]),
         E, "tokens_per_param", "n_params", "2"),
    case("forecast-keep-samples-text", lambda: _forecast(keep_samples="yes"),
         E, "keep_samples", "True or False"),
    case("deadline-list", lambda: _deadline(deadline_s=[86400.0, 2 * 86400.0]),
         E, "deadline_s", "single number"),
    case("deadline-zero", lambda: _deadline(deadline_s=0.0), E, "deadline_s", "positive"),
    case("deadline-accelerator-misspelt", lambda: _deadline(accelerator="H10-SXM"),
         E, "accelerator", "did you mean 'H100-SXM'"),
    case("deadline-no-sizes", lambda: _deadline(n=()), E, "n_params", "at least one size"),
    case("deadline-one-sample", lambda: _deadline(uncertainty=True, n_samples=1),
         E, "n_samples", ">= 2"),
    case("deadline-negative-seed", lambda: _deadline(seed=-2), E, "seed", "whole number >= 0"),

    # ---- ReliabilityAssumptions, Resilience, Cluster -----------------------------------------
    case("reliability-recovery-misspelt", lambda: ReliabilityAssumptions(recovery="elastc"),
         E, "recovery", "did you mean 'elastic'"),
    case("reliability-replica-zero", lambda: ReliabilityAssumptions(replica_size=0),
         E, "replica_size", "whole number >= 1"),
    case("reliability-replica-fraction", lambda: ReliabilityAssumptions(replica_size=127.5),
         E, "replica_size", "whole number"),
    case("reliability-spare-one", lambda: ReliabilityAssumptions(hot_spare_fraction=1.0),
         E, "hot_spare_fraction", "[0, 1)"),
    case("reliability-spare-text", lambda: ReliabilityAssumptions(hot_spare_fraction="5%"),
         E, "hot_spare_fraction", "single number"),
    case("reliability-overhead-negative",
         lambda: ReliabilityAssumptions(checkpoint_overhead_fraction=-0.1),
         E, "checkpoint_overhead_fraction", "[0, 1)"),
    case("reliability-cluster-resilience-text",
         lambda: ReliabilityAssumptions(cluster_resilience="yes"),
         E, "cluster_resilience", "True or False"),
    case("cluster-resilience-wrong-type", lambda: _cluster(resilience="fast"),
         E, "resilience", "Resilience"),
    case("resilience-negative-restart",
         lambda: _resilience(restart_time_s=-5.0),
         E, "restart_time_s", ">= 0"),
    case("resilience-recovery-misspelt",
         lambda: _resilience(recovery="elastc"),
         E, "recovery", "did you mean 'elastic'"),
    case("resilience-spare-one",
         lambda: _resilience(hot_spare_fraction=1.0),
         E, "hot_spare_fraction", "[0, 1)"),
    case("cluster-region-not-text", lambda: _cluster(region=5), E, "region", "string"),
    case("cluster-region-misspelt",
         lambda: scaling.estimate_run(1e23, cluster=_cluster(region="US-TXX")),
         E, "Cluster 'mine': region", "did you mean 'US-TX'"),
]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("bad", API_CASES)
def test_api_bad_input(bad):
    with pytest.raises(bad.error) as info:
        bad.call()
    message = str(info.value)
    lowered = message.lower()
    for word in bad.words:
        assert word.lower() in lowered, f"{word!r} not in message: {message}"
    for leak in LEAKS:
        assert leak not in lowered, f"internal message leaked: {message}"


# ---- the command line: exit status 2, one line naming the option ---------------------------

CLI_CASES = [
    case("cli-negative-params", ["forecast", "--cluster", "frontier", "--params", "-1e11"], 2,
         "--params", "positive"),
    case("cli-text-params", ["forecast", "--cluster", "frontier", "--params", "big"], 2,
         "--params", "not a number"),
    case("cli-cluster-misspelt", ["forecast", "--cluster", "fronteir", "--params", "1e11"], 2,
         "cluster", "did you mean 'frontier'"),
    case("cli-law-misspelt",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--law", "hoffman2022"], 2,
         "law", "did you mean 'hoffmann2022'"),
    case("cli-mfu-above-one",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--mfu", "1.5"], 2,
         "--mfu", "(0, 1]"),
    case("cli-fractional-samples",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--uncertainty",
          "--samples", "2.5"], 2, "--samples", "whole number"),
    case("cli-negative-seed",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--seed", "-1"], 2,
         "--seed", "non-negative"),
    case("cli-fractional-count",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "0.5"], 2,
         "--count", "positive integer"),
    case("cli-accelerator-misspelt",
         ["run", "--flop", "1e23", "--accelerator", "H10-SXM", "--count", "8"], 2,
         "accelerator", "did you mean 'H100-SXM'"),
    case("cli-precision", ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8",
                           "--precision", "fp16"], 2, "--precision", "bf16"),
    case("cli-zero-days", ["largest", "--cluster", "frontier", "--days", "0"], 2,
         "--days", "positive"),
    case("cli-columns-misspelt", ["clusters", "--columns", "nme"], 2,
         "--columns", "did you mean 'name'"),
    case("cli-out-suffix", ["clusters", "--out", "clusters.txt"], 2, "--out", ".csv"),
    case("cli-infeasible-run",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8",
          "--params", "1e13"], 2, "no parallel plan", "fully sharded"),
    case("cli-unknown-command", ["forcast"], 2, "invalid choice", "forecast"),
    case("cli-tokens-and-ratio",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--tokens", "1e12",
          "--tokens-per-param", "20"], 2, "--tokens", "not allowed with"),
]


CLI_CASES += [
    case("cli-as-of-text",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8", "--as-of", "next year"],
         2, "--as-of", "decimal year"),
    case("cli-as-of-too-early",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8", "--as-of", "1800"],
         2, "--as-of", "between 2015 and 2200"),
    case("cli-as-of-before-release",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8", "--as-of", "2021"],
         2, "--as-of", "before H100-SXM was released (2022-09-20)"),
    case("cli-region-misspelt",
         ["run", "--flop", "1e23", "--accelerator", H100, "--count", "8", "--region", "US-TXX"],
         2, "--region", "did you mean 'US-TX'"),
    case("cli-region-unknown-forecast",
         ["forecast", "--cluster", "frontier", "--params", "1e11", "--region", "Texas"],
         2, "--region", "valid names"),
    case("cli-as-of-largest",
         ["largest", "--cluster", "frontier", "--days", "30", "--as-of", "2024-13"],
         2, "--as-of", "month"),
]


#: The machine, named one way in every command (issue 14): --cluster NAME, or --accelerator
#: NAME with --count N; `deadline` answers the count.
CLI_CASES += [
    case("cli-machine-missing", ["forecast", "--params", "1e11"], 2,
         "name the machine", "--cluster", "--accelerator", "--count"),
    case("cli-machine-both",
         ["run", "--flop", "1e23", "--cluster", "frontier", "--accelerator", H100, "--count", "8"],
         2, "--cluster", "--accelerator", "not both"),
    case("cli-accelerator-without-count", ["largest", "--accelerator", H100, "--days", "30"], 2,
         "--accelerator needs --count"),
    case("cli-count-alone", ["run", "--flop", "1e23", "--count", "8"], 2,
         "name the machine", "--cluster"),
    case("cli-forecast-accelerator-misspelt",
         ["forecast", "--accelerator", "H10-SXM", "--count", "8", "--params", "1e11"], 2,
         "--accelerator", "did you mean 'H100-SXM'"),
    case("cli-forecast-zero-count",
         ["forecast", "--accelerator", H100, "--count", "0", "--params", "1e11"], 2,
         "--count", "positive integer"),
    case("cli-run-cluster-misspelt", ["run", "--flop", "1e23", "--cluster", "fronteir"], 2,
         "--cluster", "did you mean 'frontier'"),
    case("cli-largest-fractional-count",
         ["largest", "--cluster", "frontier", "--count", "2.5", "--days", "30"], 2,
         "--count", "positive integer"),
    case("cli-deadline-count",
         ["deadline", "--accelerator", H100, "--count", "8", "--params", "1e11", "--days", "30"],
         2, "--count", "answers how many accelerators", "--accelerator alone"),
    case("cli-deadline-machine-missing", ["deadline", "--params", "1e11", "--days", "30"], 2,
         "name the machine", "--cluster", "--accelerator"),
    case("cli-deadline-both",
         ["deadline", "--cluster", "frontier", "--accelerator", H100, "--params", "1e11",
          "--days", "30"], 2, "--cluster", "--accelerator", "not both"),
    case("cli-deadline-zero-days",
         ["deadline", "--accelerator", H100, "--params", "1e11", "--days", "0"], 2,
         "--days", "positive"),
    case("cli-deadline-negative-days",
         ["deadline", "--accelerator", H100, "--params", "1e11", "--days", "30", "-9e1"], 2,
         "--days", "positive"),
    case("cli-deadline-negative-params",
         ["deadline", "--cluster", "frontier", "--params", "-1e11", "--days", "30"], 2,
         "--params", "positive"),
    case("cli-deadline-unreachable",
         ["deadline", "--accelerator", H100, "--params", "1e15", "--days", "1"], 2,
         "--days", "too short"),
]


@pytest.mark.parametrize("bad", CLI_CASES)
def test_cli_bad_input(bad, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(bad.call)
    captured = capsys.readouterr()
    assert code == bad.error
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    lowered = lines[0].lower()
    for word in bad.words:
        assert word.lower() in lowered, f"{word!r} not in: {lines[0]}"
    for leak in LEAKS:
        assert leak not in lowered


# ---- results that used to be silent -------------------------------------------------------

def test_published_parameter_table_is_read_only():
    before = scaling.compute_optimal(1e25)
    with pytest.raises(TypeError):
        scaling.LAW_PARAMETERS["besiroglu2024"]["E"] = 0.5
    with pytest.raises(TypeError):
        scaling.LAW_PARAMETERS["mine"] = {"E": 1.0}
    with pytest.raises(TypeError):
        laws.KAPLAN2020["summary"]["alpha_n"] = 1.0
    with pytest.raises(TypeError):
        reliability.FAILURE_RATES["llama3_405b"] = (1.0, "made up")
    assert scaling.compute_optimal(1e25) == before
    # law_parameters hands out a copy the caller may change freely
    copy = scaling.laws.law_parameters("besiroglu2024")
    copy["E"] = 0.5
    assert scaling.laws.law_parameters("besiroglu2024")["E"] == 1.8172


@pytest.mark.parametrize("names", ["frontier", ("frontier",)])
def test_single_name_is_not_read_as_characters(names):
    table = systems.compare_clusters(names)
    assert list(table["name"]) == ["frontier"]


@pytest.mark.parametrize("call, check", [
    (lambda: study_laws.parameter_table("hoffmann2022"),
     lambda t: list(t.index) == ["hoffmann2022"]),
    (lambda: planning.compare_accelerators(8e9, 2e11, deadline_s=30 * 86400,
                                           accelerators=H100, occupancy=0.5),
     lambda t: list(t["accelerator"]) == [H100]),
    (lambda: run_time.time_by_mfu_and_precision("frontier", precisions="bf16", mfu=0.4),
     lambda t: set(t["precision"]) == {"bf16"} and len(t) == 1),
], ids=["parameter_table", "compare_accelerators", "time_by_mfu_and_precision"])
def test_one_name_where_names_go(call, check):
    # before issue 11 each of these read the string as its characters ("unknown law 'h'")
    assert check(call())


def test_compare_systems_takes_one_name():
    table = systems.compare_systems("frontier", days=30)
    assert list(table.index) == ["frontier"]


def test_required_times_out_of_reach_are_documented_nan():
    # a sweep over job sizes: NaN marks the sizes where the target is out of reach
    mtbf = np.array([3.6e5, 3600.0])
    pause = checkpointing.required_checkpoint_time_s(0.9, mtbf, restart_time_s=600.0)
    restart = checkpointing.required_restart_time_s(0.99, mtbf, checkpoint_time_s=600.0)
    assert pause[0] > 0 and math.isnan(pause[1])
    assert math.isnan(restart[1])


def test_max_accelerators_nan_when_asked():
    values = reliability.max_accelerators([0.5, 0.999], 600.0, 3600.0, infeasible="nan")
    assert values[0] >= 1 and math.isnan(values[1])


def test_fit_on_pure_noise_is_not_converged():
    rng = np.random.default_rng(2)
    points = scaling.data.load_chinchilla_points().query("~outlier")
    shuffled = rng.permutation(points["loss"].to_numpy())  # before: converged, B = 7e79
    with pytest.warns(scaling.errors.FitWarning, match="converged=False"):
        fit = scaling.fit_chinchilla(points["n_params"], points["n_tokens"], shuffled)
    assert not fit.converged
    assert fit.reason
    assert "problem" in fit.summary().columns
    assert "not converged" in repr(fit)


#: Cases that returned a result without any error before issue 11 (this file run against main
#: at a9977e6, the parent of the branch). Two more, "goodput_at_scale-half" and
#: "goodput_at_scale-string", went with goodput_at_scale in issue 14 (the same checks run
#: through reliability_table).
SILENT_BEFORE = (
    "reliability_table-fraction", "reliability-sensitivity-fraction",
    "reliability-assumptions-goodput-fraction", "reliability-assumptions-mtbf-fraction",
    "whole_servers-fractional-per-server", "racks_needed-fractional-servers",
    "rental_over_time-fractional-accelerators", "server_power-fractional-per-server",
    "sample_params-fractional-n", "allreduce-fractional-ranks", "reported-benchmark-fractional",
    "compute-string", "chinchilla_loss-string",
    "chinchilla_loss-bool", "compute_optimal-string-list", "forecast-string-sizes",
    "sustained-string-count", "fit-string-delta", "fit-string-confidence",
    "goodput-string-mtbf", "facility_power-bool-pue", "energy_cost-string",
    "inference-string-tokens", "derived-confidence-out-of-range",
    "max_accelerators-unreachable", "max_accelerators-unreachable-array",
)

#: Cases whose error before issue 11 leaked a numpy/Python message (TypeError, "operands could
#: not be broadcast", "expected non-negative integer", "kth out of bounds"), gave no limit
#: ("about 0 accelerators", "too small") or did not suggest the closest name. (Nine more
#: failed only on wording, e.g. "an integer >= 0" where the suite asks "a whole number".)
UNHELPFUL_BEFORE = (
    "kaplan-constants-misspelt", "peak-precision-misspelt", "landscape-precision-misspelt",
    "failure-source-misspelt", "rental-term-misspelt", "rental-provider-misspelt",
    "landscape-metric-misspelt", "schedule-misspelt", "recompute-misspelt",
    "emissions-region-misspelt", "model-attention-misspelt", "backtest-cost-kind-misspelt",
    "reported-benchmark-string-flop", "fit-negative-seed", "fit-fractional-seed",
    "fit-string-seed", "sample_params-negative-seed", "chinchilla_loss-lengths",
    "training_flop-lengths", "goodput-lengths", "sustained-lengths", "facility_power-lengths",
    "effective_tokens-lengths", "lifetime_flop-lengths", "energy_cost-lengths",
    "estimate_run-lengths", "trends-negative-seed", "percentiles-out-of-range",
    "repetition-table-list-size", "run-huge-restart", "forecast-1e30-params",
    "size_cluster-tiny-budget", "size_cluster-tiny-power", "compare_clusters-number",
)


#: Cases for the APIs of issues 9 and 10 that returned a result without any error on main at
#: 0cdecf7 (this file run against it).
SILENT_BEFORE_CLEANUP = (
    "model-gated-mlp-text", "plan_parallelism-tp-not-dividing-heads",
    "plan_parallelism-fractional-pp", "plan_parallelism-text-dp",
    "plan_parallelism-pp-beyond-layers", "plan_parallelism-ep-on-dense",
    "plan_parallelism-zero-stage-bool", "plan_parallelism-recompute-fraction",
    "plan_parallelism-text-compute", "backtest-dated-text", "forecast-no-sizes",
    "forecast-negative-seed-without-uncertainty",
    "forecast-fractional-samples-without-uncertainty", "forecast-keep-samples-text",
    "deadline-no-sizes", "deadline-negative-seed", "resilience-negative-restart",
    "resilience-recovery-misspelt", "resilience-spare-one",
)

#: Cases whose error on main at 0cdecf7 leaked a Python/numpy message ("Invalid isoformat
#: string", "only 0-dimensional arrays", "invalid literal for int()", "float division by
#: zero", a KeyError, an AttributeError, numpy's broadcasting error, a divide-by-zero
#: RuntimeWarning), named no argument or the wrong one, or did not suggest the closest name.
#: (Ten more failed only on wording: "must be an integer" where the suite asks "a whole
#: number", "1e7" printed as "1e+07", a region error that did not say it was the cluster's.)
UNHELPFUL_BEFORE_CLEANUP = (
    "assumptions-as_of-text", "model-text-width", "plan_parallelism-layout-too-large",
    "plan_parallelism-zero-tp", "plan_parallelism-precision", "plan_parallelism-list-batch",
    "plan_parallelism-zero-micro-batch", "shape_from_params-list",
    "shape_from_params-zero-head-dim", "accelerator-typical-bad-year",
    "accelerator-typical-beyond-trends", "typical-draws-fractional-seed", "as_year-text",
    "to_constant_usd-index-column-misspelt", "emissions-lengths", "emissions-year-text",
    "outlook-text-year", "outlook-budget-cost-misspelt", "outlook-budget-runs-list",
    "outlook-anchor-without-date", "what_if-as_of-text", "size_sweep-clusters-number",
    "backtest-method-misspelt", "backtest-loo-runs-list", "forecast-tokens-per-param-lengths",
    "deadline-list", "reliability-recovery-misspelt", "cli-as-of-text", "cli-region-misspelt",
    "cli-region-unknown-forecast",
)


def test_the_before_lists_name_cases_of_this_file():
    ids = {p.values[0].id for p in API_CASES + CLI_CASES}
    assert set(SILENT_BEFORE) <= ids and set(UNHELPFUL_BEFORE) <= ids
    assert set(SILENT_BEFORE_CLEANUP) <= ids and set(UNHELPFUL_BEFORE_CLEANUP) <= ids
    assert len(ids) == len(API_CASES) + len(CLI_CASES) >= 100
