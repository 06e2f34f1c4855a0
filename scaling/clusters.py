"""Clusters: named systems, power at the wall, racks, storage and data feeds.

A :class:`Cluster` is a number of one kind of :class:`~scaling.catalog.Accelerator` in a
facility with a PUE and a cooling type. Named systems (Stargate, Frontier, NVIDIA Eos, Azure
Eagle, xAI Colossus, Meta's clusters) come from ``data/clusters.csv`` via :func:`cluster`; a
custom one is ``Cluster(name=..., accelerator="B200", n_accelerators=50_000)`` or
``dataclasses.replace(scaling.cluster("llama3-16k"), n_accelerators=32_768)``.

Power model (Epoch AI, Cottier et al. 2024; training-cost-trends ``cluster_energy_cost``)
-----------------------------------------------------------------------------------------
* peak IT power per accelerator = chip TDP x chip-to-server multiplier (the server's share of
  CPUs, NICs, switches, fans: e.g. DGX H100 10.2 kW / 8 / 0.7 kW = 1.82);
* average wall power per accelerator = peak IT power x average fraction of server power drawn
  in training (0.75 GPUs, 0.43 TPUs) x PUE;
* provisioned (peak) facility power = peak IT power x PUE.

References
----------
Cottier et al. (2024), "The rising costs of training frontier AI models", arXiv:2405.21015;
https://github.com/epoch-research/training-cost-trends
Epoch AI, GPU clusters documentation, https://epoch.ai/data/gpu-clusters-documentation/estimation
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace

import numpy as np

from scaling._validation import (
    as_count_array, as_float_array, check_at_least, check_choice, check_fraction, elementwise,
    check_plausible, like, named_fields, scalar, whole_number,
)
from scaling.assumptions import DEFAULT_PUE, as_assumptions
from scaling.catalog import Accelerator, cluster_row
from scaling.data import cached, cell_number, load_rows
from scaling.hardware import as_accelerator, sustained_flop_per_s
from scaling.laws import FLOP_PER_PARAM_PER_TOKEN
from scaling.parallelism import ring_time_s
from scaling.reliability import Resilience, cluster_resilience
from scaling.results import summary_frame
from scaling import fewer
from scaling.throughput import throughput_model
from scaling.units import M2_PER_SQUARE_FOOT, W_PER_KW

__all__ = [
    "COOLING_TYPES",
    "Cluster",
    "cooling_type",
    "max_servers_per_rack",
    "racks_needed",
    "server_power_w",
    "WHOLE_COUNT_RTOL",
    "whole_accelerators_within",
    "whole_servers",
    "DEFAULT_BYTES_PER_TOKEN",
    "RACK_FLOOR_AREA_M2",
    "STATUSES",
    "allreduce_time_s",
    "as_cluster",
    "as_machine",
    "average_power_per_accelerator_w",
    "cluster",
    "data_ingestion_byte_per_s",
    "default_rack_power_w",
    "energy_j",
    "facility_power_w",
    "floor_area_m2",
    "n_racks",
    "peak_it_power_w",
    "training_tokens_per_s",
]


#: Cooling types with a default rack power in ``data/rack_power.csv``.
COOLING_TYPES = ("air", "liquid")

#: How certain a named system's figures are.
STATUSES = ("reported", "estimate", "rumour")

#: Bytes of stored training text per token: English text averages ~4 characters (UTF-8 bytes)
#: per token with GPT-style BPE tokenizers (OpenAI, "What are tokens and how to count them?",
#: https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them).
DEFAULT_BYTES_PER_TOKEN = 4.0

#: Floor area per rack including aisles, power distribution and support space: ~300 sq ft
#: = 27.9 m^2 (Cortex Construct 2026, "Data Center Construction Cost Per MW",
#: https://cortexconstruct.com/blog/data-center-construction-cost-per-mw).
RACK_FLOOR_AREA_M2 = 300 * M2_PER_SQUARE_FOOT

_NAN = float("nan")

# Why a PUE is at least 1, given in its error message.
_PUE_BOUND_REASON = "facility power includes the IT load"


# --------------------------------------------------------------------------------------------
# power
# --------------------------------------------------------------------------------------------

@elementwise
def average_power_per_accelerator_w(tdp_w, chip_to_server_power, server_power_fraction, pue):
    """Average power at the wall per accelerator during training [W].

    Parameters
    ----------
    tdp_w : float or array_like or Series
        Chip TDP [W], > 0.
    chip_to_server_power : float or array_like or Series
        Server power per chip / chip TDP, >= 1 (Epoch: H100 1.82, A100 2.03).
    server_power_fraction : float or array_like or Series
        Average fraction of server TDP drawn in training, in (0, 1] (Epoch: GPUs 0.75).
    pue : float or array_like or Series
        Power usage effectiveness, >= 1.

    Returns
    -------
    float or ndarray or Series
        Average wall power per accelerator [W].

    Notes
    -----
    .. math:: P_{avg} = P_{TDP} \\cdot k_{server} \\cdot f_{avg} \\cdot \\mathrm{PUE}

    Epoch's hyperscaler H100: 700 W x 1.82 x 0.75 x 1.10 = 1,051 W (Cottier et al. 2024,
    arXiv:2405.21015; training-cost-trends ``cluster_energy_cost``).
    """
    per_chip = _average_power_per_accelerator_w(
        *_power_inputs(tdp_w, chip_to_server_power, server_power_fraction, pue))
    return like(per_chip, tdp_w, chip_to_server_power, server_power_fraction, pue)


def _power_inputs(tdp_w, chip_to_server_power, server_power_fraction, pue):
    """TDP, server factor, power fraction and PUE as float arrays, checked, and checked to
    broadcast together (the per-accelerator power of :func:`facility_power_w` is formed before
    its count is checked)."""
    arrays = (as_float_array("tdp_w", tdp_w),
              check_at_least("chip_to_server_power", chip_to_server_power, 1.0),
              check_fraction("server_power_fraction", server_power_fraction),
              check_at_least("pue", pue, 1.0, why=_PUE_BOUND_REASON))
    np.broadcast_shapes(*(a.shape for a in arrays))
    return arrays


def _average_power_per_accelerator_w(tdp, server, fraction, pue):
    """Unvalidated kernel of :func:`average_power_per_accelerator_w` (inputs checked by the
    caller)."""
    return tdp * server * fraction * pue


@elementwise
def peak_it_power_w(n_accelerators, tdp_w, chip_to_server_power):
    """Provisioned (nameplate) IT power of the servers holding ``n_accelerators`` chips [W].

    Notes
    -----
    .. math:: P_{IT} = n \\cdot P_{TDP} \\cdot k_{server}

    No utilisation fraction and no PUE: this is what the servers can draw at full load.
    """
    count = as_float_array("n_accelerators", n_accelerators)
    tdp = as_float_array("tdp_w", tdp_w)
    server = check_at_least("chip_to_server_power", chip_to_server_power, 1.0)
    return like(_peak_it_power_w(count, tdp, server), n_accelerators, tdp_w,
                chip_to_server_power)


def _peak_it_power_w(count, tdp, server):
    """Unvalidated kernel of :func:`peak_it_power_w` (inputs checked by the caller)."""
    return count * tdp * server


@elementwise
def facility_power_w(n_accelerators, tdp_w, chip_to_server_power, pue, *,
                     server_power_fraction=1.0):
    """Power drawn from the grid by a cluster [W].

    Parameters
    ----------
    n_accelerators : int or array_like or Series
        Number of accelerators, > 0.
    tdp_w, chip_to_server_power, pue : float or array_like or Series
        As in :func:`average_power_per_accelerator_w`.
    server_power_fraction : float or array_like or Series
        Fraction of server TDP drawn, in (0, 1]. The default 1.0 gives the provisioned
        (peak) facility power a site must be built for; Epoch's 0.75 (GPUs) gives the
        average draw during training.

    Returns
    -------
    float or ndarray or Series
        Facility power [W].

    Notes
    -----
    .. math:: P_{facility} = n \\cdot P_{TDP} \\cdot k_{server} \\cdot f \\cdot \\mathrm{PUE}

    Example: 16,384 H100 (Llama 3) at 700 W x 1.82 = 20.9 MW of server nameplate power;
    with Epoch's non-hyperscaler PUE 1.25 that is 26.1 MW, matching Epoch's "~27 MW" for the
    Llama 3.1 405B cluster (Sevilla et al. 2024, "Can AI scaling continue through 2030?").
    """
    tdp, server, fraction, efficiency = _power_inputs(tdp_w, chip_to_server_power,
                                                      server_power_fraction, pue)
    count = as_float_array("n_accelerators", n_accelerators)
    return like(_facility_power_w(count, tdp, server, efficiency, fraction), n_accelerators,
                tdp_w, chip_to_server_power, pue, server_power_fraction)


def _facility_power_w(count, tdp, server, pue, fraction):
    """Unvalidated kernel of :func:`facility_power_w` (inputs checked by the caller)."""
    return count * _average_power_per_accelerator_w(tdp, server, fraction, pue)


@elementwise
def energy_j(power_w, time_s):
    """Energy of a constant power over a duration [J].

    Notes
    -----
    .. math:: E = P \\cdot t
    """
    power = as_float_array("power_w", power_w, allow_zero=True)
    duration = as_float_array("time_s", time_s, allow_zero=True)
    return like(_energy_j(power, duration), power_w, time_s)


def _energy_j(power, duration):
    """Unvalidated kernel of :func:`energy_j` (inputs checked by the caller)."""
    return power * duration


@cached
def _rack_power_table():
    return {row["cooling"]: cell_number(row, "rack_power_w", table="rack_power")
            for row in load_rows("rack_power")}


def default_rack_power_w(cooling: str) -> float:
    """Typical power per rack for a cooling type [W] (``data/rack_power.csv``).

    Air: ~30 kW, the practical ceiling of air-cooled racks; liquid: ~120 kW, a GB200 NVL72
    rack (flashgenius.net NCP-AII guide; factryze.ai DLC watts per rack).
    """
    table = _rack_power_table()
    check_choice("cooling", cooling, sorted(table))
    return float(table[cooling])


@elementwise
def n_racks(it_power_w, rack_power_w):
    """Number of racks needed to hold a given IT power (rounded up).

    Notes
    -----
    .. math:: n_{racks} = \\lceil P_{IT} / P_{rack} \\rceil
    """
    power = as_float_array("it_power_w", it_power_w)
    rack = as_float_array("rack_power_w", rack_power_w)
    return like(np.ceil(power / rack), it_power_w, rack_power_w)


@elementwise
def floor_area_m2(racks, area_per_rack_m2=RACK_FLOOR_AREA_M2):
    """White-space floor area of a number of racks incl. aisles and support space [m^2]."""
    count = as_float_array("racks", racks, allow_zero=True)
    area = as_float_array("area_per_rack_m2", area_per_rack_m2)
    return like(count * area, racks, area_per_rack_m2)


# --------------------------------------------------------------------------------------------
# storage, data and network
# --------------------------------------------------------------------------------------------

@elementwise
def training_tokens_per_s(sustained_flop_per_s, n_params,
                          flop_per_param_per_token=FLOP_PER_PARAM_PER_TOKEN):
    """Training tokens processed per second at a sustained FLOP/s [tokens/s].

    Notes
    -----
    .. math:: \\dot D = R / (6 N)
    """
    rate = as_float_array("sustained_flop_per_s", sustained_flop_per_s)
    params = as_float_array("n_params", n_params)
    per_token = as_float_array("flop_per_param_per_token", flop_per_param_per_token)
    return like(rate / (per_token * params), sustained_flop_per_s, n_params,
                 flop_per_param_per_token)


@elementwise
def data_ingestion_byte_per_s(tokens_per_s, bytes_per_token=DEFAULT_BYTES_PER_TOKEN):
    """Read bandwidth needed to keep the accelerators fed with training data [byte/s].

    Notes
    -----
    .. math:: B_{data} = \\dot D \\cdot b_{token}

    ``bytes_per_token`` defaults to 4 (raw UTF-8 text, ~4 characters per token); use 4 for
    pre-tokenised uint32 ids or 2 for uint16 ids.
    """
    rate = as_float_array("tokens_per_s", tokens_per_s, allow_zero=True)
    per_token = as_float_array("bytes_per_token", bytes_per_token)
    return like(rate * per_token, tokens_per_s, bytes_per_token)


@elementwise
def allreduce_time_s(message_bytes, n_ranks, bandwidth_byte_per_s):
    """Bandwidth term of a ring all-reduce over ``n_ranks`` participants [s].

    Parameters
    ----------
    message_bytes : float or array_like or Series
        Bytes reduced per rank (e.g. gradients of a data-parallel replica shard).
    n_ranks : int or array_like or Series
        Participants, >= 1.
    bandwidth_byte_per_s : float or array_like or Series
        Per-rank scale-out bandwidth in one direction [byte/s] (400 Gb/s NDR = 5e10).

    Notes
    -----
    .. math:: t = 2 \\frac{n - 1}{n} \\frac{S}{B}

    Latency terms are ignored (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce
    algorithms for clusters of workstations", J. Parallel Distrib. Comput. 69(2)).
    """
    size = as_float_array("message_bytes", message_bytes, allow_zero=True)
    ranks = as_count_array("n_ranks", n_ranks)
    bandwidth = as_float_array("bandwidth_byte_per_s", bandwidth_byte_per_s)
    return like(ring_time_s(size, ranks, bandwidth),
                message_bytes, n_ranks, bandwidth_byte_per_s)


# --------------------------------------------------------------------------------------------
# Cluster
# --------------------------------------------------------------------------------------------

@named_fields
@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """A training cluster: ``n_accelerators`` of one accelerator in one facility.

    Parameters
    ----------
    name : str
        Identifier.
    accelerator : Accelerator or str
        The chip (a catalog name is looked up with :func:`scaling.accelerator`).
    n_accelerators : int
        Number of accelerators, > 0.
    pue : float
        Power usage effectiveness, >= 1 (default Epoch's hyperscaler 1.10).
    cooling : {"air", "liquid"}
        Sets the default rack power.
    mfu : float or None
        A constant MFU for every run on this cluster, in (0, 1]; None (default): as the
        assumptions say (:func:`scaling.throughput.throughput_source`: the step-time model
        by default). :meth:`throughput` gives the MFU the chain uses for a run.
    rack_power_w : float or None
        Power per rack [W]; None uses :func:`default_rack_power_w` for ``cooling``.
    reported_power_w, reported_capex_usd : float
        Published power [W] and cost [USD]; NaN when unpublished.
    capex_scope : str
        What ``reported_capex_usd`` covers.
    network : str
        Scale-out fabric.
    scale_out_bandwidth_byte_per_s : float
        Scale-out bandwidth per accelerator, one direction [byte/s]; NaN if unknown.
    status : {"reported", "estimate", "rumour"}
        How certain the figures are; ``estimated_fields`` says which are estimates.
    year : int or None
        Year the system was (or is to be) completed.
    region : str
        Grid region of the site for emissions (``scaling.emissions.list_regions()``, e.g.
        "US-TX", checked when a run uses it); "" when unknown (the chain then uses the US
        average).
    source : str
        Where the figures come from.
    resilience : Resilience or None
        Restart, checkpoint, spare-capacity and recovery assumptions of this system
        (``data/resilience.csv`` for named clusters; None: the package defaults of
        :class:`scaling.reliability.ReliabilityAssumptions`).
    """

    name: str
    accelerator: Accelerator
    n_accelerators: int
    pue: float = DEFAULT_PUE
    cooling: str = "liquid"
    mfu: float | None = None
    rack_power_w: float | None = None
    reported_power_w: float = _NAN
    reported_capex_usd: float = _NAN
    capex_scope: str = ""
    network: str = ""
    scale_out_bandwidth_byte_per_s: float = _NAN
    status: str = "estimate"
    estimated_fields: str = ""
    year: int | None = None
    source: str = "user-defined"
    region: str = ""
    resilience: Resilience | None = None

    def __post_init__(self) -> None:
        label = f"Cluster {self.name!r}:"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("Cluster.name must be a non-empty string")
        try:
            chip = as_accelerator(self.accelerator)
        except ValueError as exc:
            raise ValueError(f"{label} {exc}") from None
        checked = {
            "accelerator": chip,
            "n_accelerators": whole_number(f"{label} n_accelerators", self.n_accelerators),
            "pue": check_plausible(f"{label} pue", scalar(
                f"{label} pue", self.pue, check_at_least, minimum=1.0,
                why=_PUE_BOUND_REASON), "pue"),
            "cooling": check_choice(f"{label} cooling", self.cooling, COOLING_TYPES),
            "status": check_choice(f"{label} status", self.status, STATUSES),
        }
        if self.mfu is not None:
            checked["mfu"] = scalar(f"{label} mfu", self.mfu, check_fraction)
        checked["rack_power_w"] = (default_rack_power_w(checked["cooling"])
                                   if self.rack_power_w is None
                                   else scalar(f"{label} rack_power_w", self.rack_power_w))
        for attr in ("reported_power_w", "reported_capex_usd", "scale_out_bandwidth_byte_per_s"):
            value = getattr(self, attr)
            if not (isinstance(value, float) and math.isnan(value)):
                checked[attr] = scalar(f"{label} {attr} (NaN if unpublished)", value)
        if self.year is not None:
            checked["year"] = whole_number(f"{label} year", self.year)
        if not isinstance(self.region, str):
            raise ValueError(f"{label} region must be a string (e.g. 'US-TX'), got "
                             f"{self.region!r}")
        if self.resilience is not None and not isinstance(self.resilience, Resilience):
            raise ValueError(f"{label} resilience must be a scaling.reliability.Resilience or "
                             f"None, got {type(self.resilience).__name__}")
        for attr, value in checked.items():
            object.__setattr__(self, attr, value)

    def peak_flop_per_s(self, precision: str = "bf16") -> float:
        """Dense peak of the whole cluster [FLOP/s]."""
        return self.n_accelerators * self.accelerator.peak_flop_per_s(precision)

    def throughput(self, compute_flop, *, n_params=None, model=None, assumptions=None):
        """The MFU of a run on this cluster, as the chain sets it
        (:func:`scaling.fewer.best_throughput` of :func:`scaling.throughput.throughput_model`):
        the cluster's own ``mfu``, the assumptions', the generation default or the step-time
        model, at the best count up to the cluster's.

        Parameters
        ----------
        compute_flop : float or ndarray
            Training compute of the run [FLOP].
        n_params, model :
            The model (as in :func:`scaling.estimate_run`).
        assumptions : Assumptions, optional

        Returns
        -------
        scaling.throughput.Throughput
        """
        a = as_assumptions(assumptions)
        machine = throughput_model(accelerator=self.accelerator, assumptions=a, cluster=self)
        return fewer.best_throughput(machine, a.reliability.resolve(self.resilience),
                                     compute_flop, self.n_accelerators, n_params=n_params,
                                     model=model, include_failures=a.include_failures)

    def sustained_flop_per_s(self, compute_flop, *, n_params=None, model=None,
                             assumptions=None):
        """Sustained model FLOP/s of a run on this cluster, peak x the chain's MFU [FLOP/s]
        (:meth:`throughput`, :func:`scaling.hardware.sustained_flop_per_s`)."""
        a = as_assumptions(assumptions)
        mfu = self.throughput(compute_flop, n_params=n_params, model=model, assumptions=a).mfu
        return sustained_flop_per_s(self.accelerator.peak_flop_per_s(a.precision),
                                    self.n_accelerators, mfu)

    def peak_it_power_w(self) -> float:
        """Server nameplate power [W] (:func:`peak_it_power_w`)."""
        chip = self.accelerator
        return peak_it_power_w(self.n_accelerators, chip.tdp_w, chip.chip_to_server_power)

    def peak_facility_power_w(self) -> float:
        """Provisioned facility power, peak IT x PUE [W] (:func:`facility_power_w`)."""
        chip = self.accelerator
        return facility_power_w(self.n_accelerators, chip.tdp_w, chip.chip_to_server_power,
                                self.pue)

    def average_facility_power_w(self) -> float:
        """Average wall power during training [W] (:func:`facility_power_w` with the
        accelerator's ``server_power_fraction``)."""
        chip = self.accelerator
        return facility_power_w(self.n_accelerators, chip.tdp_w, chip.chip_to_server_power,
                                self.pue, server_power_fraction=chip.server_power_fraction)

    def n_racks(self) -> float:
        """Racks for the peak IT power at ``rack_power_w`` (:func:`n_racks`)."""
        return n_racks(self.peak_it_power_w(), self.rack_power_w)

    def floor_area_m2(self) -> float:
        """White-space floor area of the racks [m^2] (:func:`floor_area_m2`)."""
        return floor_area_m2(self.n_racks())

    def energy_j(self, time_s):
        """Energy at the average facility power over ``time_s`` [J] (:func:`energy_j`)."""
        return energy_j(self.average_facility_power_w(), time_s)

    def to_dict(self, compute_flop=None, *, n_params=None, model=None,
                assumptions=None) -> dict:
        """Headline figures as a flat dict (unit-suffixed keys).

        The machine's figures (peak, power, racks, ...); with ``compute_flop``, also the
        ``mfu`` and ``sustained_flop_per_s`` the chain uses for that run (:meth:`throughput`,
        with ``mfu_source``). Without a run, ``mfu`` is shown only when the cluster sets its
        own, which is what the chain then uses.
        """
        out = {
            "name": self.name,
            "accelerator": self.accelerator.name,
            "n_accelerators": self.n_accelerators,
            "peak_flop_per_s": self.peak_flop_per_s(),
        }
        if compute_flop is not None:
            through = self.throughput(compute_flop, n_params=n_params, model=model,
                                      assumptions=assumptions)
            out.update({"mfu": through.mfu, "mfu_source": through.source,
                        "sustained_flop_per_s": self.sustained_flop_per_s(
                            compute_flop, n_params=n_params, model=model,
                            assumptions=assumptions)})
        elif self.mfu is not None:
            out["mfu"] = self.mfu
        return {**out,
                "peak_it_power_w": self.peak_it_power_w(),
                "peak_facility_power_w": self.peak_facility_power_w(),
                "average_facility_power_w": self.average_facility_power_w(),
                "reported_power_w": self.reported_power_w,
                "reported_capex_usd": self.reported_capex_usd,
                "n_racks": self.n_racks(),
                "pue": self.pue,
                "cooling": self.cooling,
                "status": self.status,
                "year": self.year}

    def summary(self, compute_flop=None, **run):
        """Headline figures (pandas.DataFrame indexed by ``quantity``: ``value``, ``unit``);
        the arguments are those of :meth:`to_dict`."""
        return summary_frame(self.to_dict(compute_flop, **run))

    def to_frame(self, compute_flop=None, **run):
        """The headline figures as one row (pandas.DataFrame; arguments of :meth:`to_dict`)."""
        import pandas as pd

        return pd.DataFrame([self.to_dict(compute_flop, **run)])

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


# --------------------------------------------------------------------------------------------
# catalog
# --------------------------------------------------------------------------------------------


def cluster(name: str) -> Cluster:
    """Build a named :class:`Cluster` from ``data/clusters.csv``.

    Raises
    ------
    ValueError
        Unknown name; the message lists the valid ones.
    """
    cluster_row(name)  # an unknown name is refused here, with the closest suggested
    return _build_cluster(name)


def as_cluster(spec) -> Cluster:
    """``spec`` itself if it is a :class:`Cluster`, else the catalog cluster it names.

    Raises
    ------
    ValueError
        ``spec`` is not a Cluster and not a catalog name; the message lists the valid ones.
    """
    return spec if isinstance(spec, Cluster) else cluster(spec)


def as_machine(cluster=None, accelerator=None, n_accelerators=None, *,
               count_required: bool = True) -> Cluster:
    """The machine a run uses, named one of three ways, as a :class:`Cluster`.

    Parameters
    ----------
    cluster : str or Cluster, optional
        A catalog name (``scaling.list_clusters()``) or a :class:`Cluster`.
    accelerator : str or Accelerator, optional
        The chip, with ``n_accelerators`` and without ``cluster`` (a catalog name such as
        ``"H100-SXM"`` or ``"H100"``, or ``"typical-2030"``).
    n_accelerators : int, optional
        Accelerators [count], a whole number >= 1: required with ``accelerator``; with
        ``cluster`` it uses that many of the cluster's accelerators.
    count_required : bool
        False where the count is what is asked for (an inverse): an accelerator alone then
        gives a cluster of one, named after the chip.

    Returns
    -------
    Cluster
        The named or given cluster (with ``n_accelerators`` when given), or, for an
        accelerator and a count, a cluster named ``"<count> x <accelerator>"`` with the
        package defaults (PUE :data:`scaling.assumptions.DEFAULT_PUE`, no resilience row, no
        region).

    Raises
    ------
    ValueError
        Neither or both of ``cluster`` and ``accelerator``; an accelerator without a count;
        unknown names (the closest valid one is suggested); a count that is not a whole
        number >= 1.

    Examples
    --------
    >>> as_machine(accelerator="H100-SXM", n_accelerators=1024).name
    '1024 x H100-SXM'
    >>> as_machine("frontier").n_accelerators
    37632
    """
    if cluster is not None:
        clu = as_cluster(cluster)
        if accelerator is not None and as_accelerator(accelerator) != clu.accelerator:
            raise ValueError(f"give either cluster or accelerator, not both (cluster "
                             f"{clu.name!r} has {clu.accelerator.name})")
        if n_accelerators is None:
            return clu
        count = whole_number("n_accelerators", n_accelerators)
        return clu if count == clu.n_accelerators else replace(clu, n_accelerators=count)
    if accelerator is None:
        raise ValueError("name the machine: a cluster (a catalog name or a Cluster), or an "
                         "accelerator with n_accelerators")
    chip = as_accelerator(accelerator)
    if n_accelerators is None:
        if count_required:
            raise ValueError("n_accelerators is required with accelerator= (or give a "
                             "cluster)")
        return Cluster(name=chip.name, accelerator=chip, n_accelerators=1,
                       source="as_machine: an accelerator; the count is asked for")
    count = whole_number("n_accelerators", n_accelerators)
    return Cluster(name=f"{count} x {chip.name}", accelerator=chip, n_accelerators=count,
                   source="as_machine: an accelerator and a count")


@cached
def _build_cluster(name: str) -> Cluster:
    row = cluster_row(name)
    return Cluster(
        name=name,
        accelerator=as_accelerator(row["accelerator"]),
        n_accelerators=row["n_accelerators"],
        pue=float(row["pue"]),
        cooling=row["cooling"],
        reported_power_w=float(row["reported_power_w"]),
        reported_capex_usd=float(row["reported_capex_usd"]),
        capex_scope=row["capex_scope"],
        network=row["network"],
        scale_out_bandwidth_byte_per_s=float(row["scale_out_bandwidth_byte_per_s"]),
        status=row["status"],
        estimated_fields=row["estimated_fields"],
        year=row["year"],
        source=row["source"],
        region=row["region"],
        resilience=cluster_resilience(name),
    )


# --------------------------------------------------------------------------------------------
# servers, racks and cooling of a right-sized cluster
# --------------------------------------------------------------------------------------------

#: Relative floating-point noise forgiven when a count is rounded to whole units: a count of
#: 96.0000000001 accelerators does not gain a server (:func:`whole_servers`), an envelope of
#: exactly n x the per-accelerator power holds n (:func:`whole_accelerators_within`), a
#: solved requirement of n + 1e-13 is n accelerators (:func:`scaling.solve.whole_counts`).
WHOLE_COUNT_RTOL = 1e-12


@elementwise
def whole_accelerators_within(total, per_accelerator):
    """Whole accelerators a power envelope or a budget holds (no fractional chip).

    Parameters
    ----------
    total : numeric
        The envelope [W] or the budget [USD].
    per_accelerator : numeric
        The same for one accelerator: its power at the wall [W], or its capex with its share
        of servers, network and facility [USD].

    Returns
    -------
    n_accelerators : numeric
        :math:`\\lfloor T / q \\rfloor` [count] (a total of exactly n x q holds n).
    """
    ratio = (as_float_array("total", total, allow_zero=True)
             / as_float_array("per_accelerator", per_accelerator))
    return like(np.floor(ratio * (1 + WHOLE_COUNT_RTOL)), total, per_accelerator)


@elementwise
def whole_servers(n_accelerators, accelerators_per_server):
    """Round an accelerator count up to whole servers.

    Parameters
    ----------
    n_accelerators : numeric
        Accelerators needed (may be fractional). [count]
    accelerators_per_server : numeric
        Accelerators per server. [count]

    Returns
    -------
    n_servers : numeric
        :math:`\\lceil n / a \\rceil` [count], an integer (ndarray of int64 for arrays).
    """
    n = as_float_array("n_accelerators", n_accelerators)
    a = as_count_array("accelerators_per_server", accelerators_per_server)
    result = np.ceil(n / a * (1 - WHOLE_COUNT_RTOL)).astype(np.int64)
    return like(result, n_accelerators, accelerators_per_server)


@elementwise
def server_power_w(tdp_w, chip_to_server_power, accelerators_per_server):
    """Nameplate (maximum) power of one server [W].

    Parameters
    ----------
    tdp_w : numeric
        Accelerator TDP. [W]
    chip_to_server_power : numeric
        Server power per accelerator over chip TDP (Epoch; 1.82 for H100 from the 10.2 kW
        DGX H100). [ratio]
    accelerators_per_server : numeric
        [count]

    Returns
    -------
    server_power_w : numeric
        :math:`P_{server} = a \\cdot k \\cdot TDP`. [W] Power and cooling are provisioned for
        this maximum; average draw in training is lower (``server_power_fraction``).

    Examples
    --------
    >>> round(server_power_w(700, 1.82, 8))
    10192
    """
    count = as_count_array("accelerators_per_server", accelerators_per_server)
    return like(peak_it_power_w(count, tdp_w, chip_to_server_power), tdp_w,
                chip_to_server_power, accelerators_per_server)


@elementwise
def racks_needed(n_servers, servers_per_rack):
    """Racks for a number of servers, :math:`\\lceil s / r \\rceil` [count]."""
    s = as_count_array("n_servers", n_servers)
    r = as_count_array("servers_per_rack", servers_per_rack)
    return like(np.ceil(s / r).astype(np.int64), n_servers, servers_per_rack)


@elementwise
def max_servers_per_rack(rack_power_limit_w, server_power_w):
    """Most servers a rack's power (or cooling) limit allows.

    Parameters
    ----------
    rack_power_limit_w : numeric
        IT power a rack position can supply and cool. [W]
    server_power_w : numeric
        Nameplate power of one server. [W]

    Returns
    -------
    servers_per_rack : numeric
        :math:`\\lfloor L / P_{server} \\rfloor` [count].

    Raises
    ------
    ValueError
        If one server alone exceeds the limit (the room cannot host it at all).
    """
    limit = as_float_array("rack_power_limit_w", rack_power_limit_w)
    power = as_float_array("server_power_w", server_power_w)
    result = np.floor(limit / power).astype(np.int64)
    if (result < 1).any():
        raise ValueError(
            f"a single server of {np.max(power) / W_PER_KW:.1f} kW exceeds the rack limit of "
            f"{np.min(limit) / W_PER_KW:.1f} kW; raise the limit (e.g. liquid cooling) or "
            "use a smaller server"
        )
    return like(result, rack_power_limit_w, server_power_w)


@elementwise
def cooling_type(rack_power_w, air_cooling_max_rack_power_w):
    """Cooling a rack needs: ``"air"`` up to the air ceiling, ``"liquid"`` above.

    Parameters
    ----------
    rack_power_w : numeric
        IT power of the rack. [W]
    air_cooling_max_rack_power_w : numeric
        Highest rack power air cooling handles, e.g.
        ``default_rack_power_w("air")`` (30 kW). [W]

    Returns
    -------
    str or ndarray of str or Series
        One of :data:`COOLING_TYPES` per rack.

    Examples
    --------
    >>> cooling_type(4 * 10.2e3, 30e3), cooling_type(2 * 10.2e3, 30e3)
    ('liquid', 'air')
    """
    power = as_float_array("rack_power_w", rack_power_w)
    limit = as_float_array("air_cooling_max_rack_power_w", air_cooling_max_rack_power_w)
    result = np.where(power > limit, COOLING_TYPES[1], COOLING_TYPES[0])
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(rack_power_w, pd.Series):
        return pd.Series(result, index=rack_power_w.index)
    if result.ndim == 0:
        return str(result)
    return result
