"""An explicit user value always wins (issue 16, item 3).

Every field of ``Assumptions`` (with the fields of the ``ReliabilityAssumptions`` and
``PriceAssumptions`` it holds) and every argument of ``explorer.what_if`` is given a value that
differs from what the chain would otherwise use: from a catalog cluster that has its own PUE
and resilience row, at a date (``as_of``) that moves prices. The chain must use the value given.
A field or argument added later without a case here fails the completeness tests.
"""

from __future__ import annotations

import dataclasses
import inspect
import math

import pytest

import scaling
from scaling.apps import explorer
from scaling.assumptions import Assumptions
from scaling.chain import setup
from scaling.clusters import as_machine
from scaling.cost import committed_use_discount
from scaling.rental import rental_usd_per_hour_at

CLUSTER = "llama3-16k"          # H100, PUE 1.1, Meta's resilience row (restart 150 s)
AS_OF = 2027.5                  # a date that moves rent, hardware value and electricity
CHIP = scaling.accelerator("H100-SXM")


def _setup(**changes):
    return setup(as_machine(CLUSTER), Assumptions(as_of=AS_OF).replace(**changes))


def _run(**changes):
    return scaling.estimate_run(1e24, cluster=CLUSTER,
                                assumptions=Assumptions(as_of=AS_OF).replace(**changes))


def _constant(name):
    return lambda s: s.constants[name]


#: field -> (explicit value, what the chain uses, the expected use). ``check`` reads a
#: ``Setup`` (resolved machine and assumptions) unless the case says ``run``.
CASES = {
    # Assumptions
    "mfu": (0.37, "run", lambda r: r.mfu, 0.37),
    "mfu_model": ("generation_default", "run", lambda r: r.throughput.source,
                  "generation_default"),
    "global_batch_tokens": (2 ** 22, "run", lambda r: r.step_time.global_batch_tokens, 2 ** 22),
    # a user's own law (a constant 2M tokens) is the batch the plan takes
    "batch_size_law": (lambda compute_flop: 2.0 ** 21, "run",
                       lambda r: r.step_time.global_batch_tokens, 2 ** 21),
    "run_efficiency": (0.5, "setup", lambda s: s.assumptions.run_efficiency, 0.5),
    # 1 = the fastest plan: no layout-gap share in the step
    "layout_gap": (1.0, "run", lambda r: r.step_time.breakdown_s["layout_gap_s"], 0.0),
    "layout_search": ("fine", "setup", lambda s: s.throughput.layout_search, "fine"),
    "precision": ("fp8", "setup", _constant("peak_flop_per_s"), CHIP.peak_fp8_flop_per_s),
    "pue": (1.31, "setup", _constant("pue"), 1.31),
    "include_failures": (False, "run", lambda r: r.goodput, 1.0),
    "as_of": (2026.0, "setup", lambda s: s.assumptions.as_of, 2026.0),
    "valuation": ("none", "setup", lambda s: s.assumptions.valuation, "none"),
    "dollars": (2023, "setup", lambda s: s.assumptions.dollars, 2023),
    "deflator": ("cpi", "setup", lambda s: s.assumptions.deflator, "cpi"),
    "region": ("FR", "setup", lambda s: s.assumptions.region, "FR"),
    "carbon_free_energy_fraction": (0.5, "setup", _constant("carbon_free_energy_fraction"),
                                    0.5),
    "carbon_intensity_g_per_kwh": (123.0, "setup", _constant("carbon_intensity_g_per_kwh"),
                                   123.0),
    # ReliabilityAssumptions
    "failure_rate_per_accelerator_hour": (3e-5, "setup",
                                          _constant("failure_rate_per_accelerator_hour"), 3e-5),
    "checkpoint_time_s": (42.0, "setup", lambda s: s.reliability.checkpoint_time_s, 42.0),
    "checkpoint_write_bandwidth_byte_per_s": (
        1e12, "setup", lambda s: s.reliability.checkpoint_write_bandwidth_byte_per_s, 1e12),
    "checkpoint_bytes_per_param": (16.0, "setup",
                                   lambda s: s.reliability.checkpoint_bytes_per_param, 16.0),
    "restart_time_s": (99.0, "setup", _constant("restart_time_s"), 99.0),
    "scaling_exponent": (1.1, "setup", _constant("scaling_exponent"), 1.1),
    "recovery": ("elastic", "setup", _constant("recovery_elastic"), 1.0),
    "hot_spare_fraction": (0.01, "setup", _constant("hot_spare_fraction"), 0.01),
    "checkpoint_overhead_fraction": (0.02, "setup",
                                     _constant("checkpoint_overhead_fraction"), 0.02),
    "replica_size": (64, "setup", lambda s: s.reliability.replica_size, 64),
    "cluster_resilience": (False, "setup", _constant("restart_time_s"),
                           scaling.checkpointing.DEFAULT_RESTART_TIME_S),
    # PriceAssumptions
    "server_cost_overhead": (1.8, "setup", _constant("server_cost_overhead"), 1.8),
    "network_cost_overhead": (1.3, "setup", _constant("network_cost_overhead"), 1.3),
    "facility_capex_usd_per_w": (12.0, "setup", _constant("facility_capex_usd_per_w"), 12.0),
    "amortization": ("straight_line", "setup", _constant("amortization_rate_per_year"),
                     1.0 / scaling.cost.EPOCH_SERVER_LIFETIME_YEARS),
    "depreciation_rate_per_year": (0.2, "setup", _constant("amortization_rate_per_year"), 0.2),
    "lifetime_years": (4.0, "setup", lambda s: s.assumptions.prices.lifetime_years, 4.0),
    # the case: a value equal to the undated default is still the user's value
    "electricity_usd_per_kwh": (scaling.cost.DEFAULT_ELECTRICITY_USD_PER_KWH, "setup",
                                _constant("electricity_usd_per_kwh"),
                                scaling.cost.DEFAULT_ELECTRICITY_USD_PER_KWH),
    "rental_usd_per_hour": (2.0, "setup", _constant("rental_usd_per_hour"), 2.0),
    "accelerator_price_usd": (25_000.0, "setup", _constant("price_usd"), 25_000.0),
    "rental_discount": ("1yr", "setup", _constant("rental_usd_per_hour"),
                        rental_usd_per_hour_at(CHIP, AS_OF)
                        * (1 - committed_use_discount("1yr", "aws"))),
    "rental_provider": ("google", "setup", lambda s: s.assumptions.prices.rental_provider,
                        "google"),
}


#: Further changes a case needs so that the default would differ: 2023's electricity price is
#: not 2025's (a later date holds 2025's, the last in the table).
EXTRA = {"electricity_usd_per_kwh": {"as_of": 2023.0}}


def _all_fields():
    a = Assumptions()
    names = {f.name for f in dataclasses.fields(a)} - {"reliability", "prices"}
    for nested in (a.reliability, a.prices):
        names |= {f.name for f in dataclasses.fields(nested)}
    return names


def test_every_assumption_field_has_a_case():
    assert _all_fields() == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_explicit_assumption_wins(name):
    value, where, read, expected = CASES[name]
    changes = {name: value, **EXTRA.get(name, {})}
    result = _run(**changes) if where == "run" else _setup(**changes)
    got = read(result)
    if isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-12), name
    else:
        assert got == expected, name


def test_the_default_would_have_differed():
    """The explicit values above are not what the chain uses without them (else the test
    proves nothing): the dated electricity, rent and hardware value differ."""
    s = _setup()
    assert _setup(**EXTRA["electricity_usd_per_kwh"]).constants[
        "electricity_usd_per_kwh"] != scaling.cost.DEFAULT_ELECTRICITY_USD_PER_KWH
    assert s.constants["rental_usd_per_hour"] != 2.0
    assert s.constants["price_usd"] != 25_000.0
    assert s.constants["pue"] == 1.1 and s.constants["restart_time_s"] == 150.0


# --------------------------------------------------------------------------------------------
# what_if
# --------------------------------------------------------------------------------------------

BASE = {"n_params": 8e9, "accelerator": "H100-SXM", "n_accelerators": 64, "as_of": AS_OF}

#: argument -> (value, read from the WhatIf, expected).
WHAT_IF = {
    "n_params": (9e9, lambda w: w.n_params, 9e9),
    "n_tokens": (1e11, lambda w: w.n_tokens, 1e11),
    "compute_flop": (1e21, lambda w: w.compute_flop, 1e21),
    "cluster": (CLUSTER, lambda w: w.cluster, CLUSTER),
    "accelerator": ("H200-SXM", lambda w: w.accelerator, "H200-SXM"),
    "n_accelerators": (48, lambda w: w.n_accelerators, 48),
    "mfu": (0.33, lambda w: w.mfu, 0.33),
    "precision": ("fp8", lambda w: w.run.peak_flop_per_s, CHIP.peak_fp8_flop_per_s),
    "pue": (1.4, lambda w: w.pue, 1.4),
    "failure_rate_per_accelerator_hour": (
        1e-4, lambda w: w.run.assumptions.reliability.failure_rate_per_accelerator_hour, 1e-4),
    "restart_time_s": (77.0, lambda w: w.run.restart_time_s, 77.0),
    "checkpoint_time_s": (33.0, lambda w: w.run.checkpoint_time_s, 33.0),
    "price_usd": (25_000.0, lambda w: w.chips_usd / w.n_accelerators, 25_000.0),
    "rental_usd_per_hour": (2.0, lambda w: w.rental_cost_usd / w.accelerator_hours, 2.0),
    "electricity_usd_per_kwh": (0.0826,
                                lambda w: w.energy_cost_usd / w.energy_mwh / 1000.0, 0.0826),
    "as_of": (2026.0, lambda w: w.run.assumptions.as_of, 2026.0),
    "law": ("hoffmann2022", lambda w: w.n_tokens,
            float(scaling.laws.optimal_tokens_for_params(8e9, "hoffmann2022"))),
    "model": ("Llama 3 8B", lambda w: w.run.model.name, "Llama 3 8B"),
    "n_active_params": (2e9, lambda w: w.compute_flop,
                        float(scaling.training_flop(
                            2e9, scaling.laws.optimal_tokens_for_params(2e9))) * 1.0),
    "run_efficiency": (0.5, lambda w: w.run.assumptions.run_efficiency, 0.5),
    "batch_size_law": ("kaplan2020_critical", lambda w: w.run.assumptions.batch_size_law,
                       "kaplan2020_critical"),
    "assumptions": (Assumptions(pue=1.45), lambda w: w.pue, 1.45),
}


def _what_if_call(name, value):
    kwargs = dict(BASE)
    if name == "cluster":
        kwargs.pop("accelerator")
        kwargs.pop("n_accelerators")
    if name == "compute_flop":
        kwargs.pop("n_params")
    if name == "model":
        kwargs.pop("n_params")
    if name == "n_active_params":
        kwargs["n_params"] = 8e9       # a mixture of experts: 8B in total, 2B active
    kwargs[name] = value
    return explorer.what_if(**kwargs)


def test_every_what_if_argument_has_a_case():
    assert set(inspect.signature(explorer.what_if).parameters) == set(WHAT_IF)


@pytest.mark.parametrize("name", sorted(WHAT_IF))
def test_an_explicit_what_if_argument_wins(name):
    value, read, expected = WHAT_IF[name]
    got = read(_what_if_call(name, value))
    if isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-9), name
    else:
        assert got == expected, name


def test_what_if_rent_is_not_replaced_by_the_dated_price():
    """The issue's example: rental_usd_per_hour=2.0 with as_of=2027.5 charged $3.49/h."""
    given = explorer.what_if(70e9, accelerator="H100-SXM", n_accelerators=1024,
                             rental_usd_per_hour=2.0, as_of=AS_OF)
    assert given.rental_cost_usd == pytest.approx(2.0 * given.accelerator_hours)
    dated = explorer.what_if(70e9, accelerator="H100-SXM", n_accelerators=1024, as_of=AS_OF)
    assert dated.rental_cost_usd / dated.accelerator_hours == pytest.approx(
        rental_usd_per_hour_at(CHIP, AS_OF))
    assert not math.isclose(dated.rental_cost_usd, given.rental_cost_usd)


def test_cli_price_flags_reach_the_chain(capsys):
    from scaling.apps import cli

    code = cli.main(["run", "--flop", "1e22", "--accelerator", "H100-SXM", "--count", "64",
                     "--as-of", "2027-07", "--rental-usd-per-hour", "2", "--pue", "1.4",
                     "--electricity-usd-per-kwh", "0.0826", "--price-usd", "25000",
                     "--columns", "pue,rental_usd_per_hour"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1.4" in out and "2" in out
    args = cli.build_parser().parse_args(
        ["run", "--flop", "1e22", "--accelerator", "H100-SXM", "--count", "64",
         "--rental-usd-per-hour", "2", "--price-usd", "25000",
         "--electricity-usd-per-kwh", "0.0826", "--pue", "1.4"])
    a = cli._assumptions(args)
    assert (a.prices.rental_usd_per_hour, a.prices.accelerator_price_usd,
            a.prices.electricity_usd_per_kwh, a.pue) == (2.0, 25_000.0, 0.0826, 1.4)
