"""Every dialect's NCCL_DEBUG=INFO lines are messages of the NCCL release the dialects pin,
2.27.5 (presenters/frameworks/nccl/catalogue.tsv), behind whatever the launcher puts
before them (torchrun's `[rankN]:`, pdsh's `host: `): the casts of the four release tests."""

from __future__ import annotations

import re
from typing import Any

import pytest

from genact_cast.generator import RecordOptions, catalog, generate, make_plan
from genact_cast.generator.dialects.nccl_startup import debug_info, nvls_channels
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, with_nccl_debug
from tests.release_catalogue import nccl_unmatched, release_lines
from tests.seed_scan import first_run, seed_where
from tests.test_deepspeed_release import CASES as DEEPSPEED_CASES
from tests.test_hf_release import CASES as HF_CASES
from tests.test_megatron_release import CASES as MEGATRON_CASES
from tests.test_torchtitan_release import CASES as TORCHTITAN_CASES

# NCCL prints its INFO lines only where the job sets NCCL_DEBUG=INFO: the release tests' runs
# with it pinned on (--nccl-debug on), those past eight nodes as drawn (unset)
TORCHTITAN = [with_nccl_debug(options) for options in TORCHTITAN_CASES]
HF = [with_nccl_debug(options) for options in HF_CASES]
MEGATRON = [with_nccl_debug(options) for options in MEGATRON_CASES]
DEEPSPEED = [with_nccl_debug(options) for options in DEEPSPEED_CASES]
CASES = [*TORCHTITAN, *HF, *MEGATRON, *DEEPSPEED]


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_every_nccl_line_is_a_message_of_the_pinned_nccl(options: RecordOptions) -> None:
    lines = release_lines(options)
    missing, used = nccl_unmatched(lines)
    assert not missing, missing[:3]
    if options.framework in ("megatron", "deepspeed") and not debug_info(
        facts_for(make_plan(options))
    ):
        # A job on more than eight nodes leaves NCCL_DEBUG unset: no start-up lines.
        assert not any(" NCCL INFO " in line for line in lines)
        return
    assert {"version", "init_start", "coll_channels", "connected_rings"} <= used
    assert {"comm_ranks", "p2p_chunksize", "thread_thresholds"} <= used
    assert "NCCL INFO NCCL version 2.27.5+cuda12.9" in "\n".join(lines)


# NCCL v2.27.5-1's order within one process's start-up (src/init.cc initTransportsRank, then
# devCommSetup and ncclCommInitRankFunc): the key words each of those lines carries.
ORDER = (" nRanks ", "Trees [", "P2P Chunksize", "threadThresholds", " coll channels,")
# Comm rank 0 alone: src/transport.cc:99 `if (comm->rank == 0) INFO(NCCL_INIT, "Check P2P
# Type isAllDirectP2p %d directMode %d", ...)`, called at src/init.cc:1081 between
# computeBuffSizes (P2P Chunksize) and ncclTopoTuneModel (threadThresholds).
ORDER_RANK0 = (
    " nRanks ",
    "Trees [",
    "P2P Chunksize",
    "Check P2P Type",
    "threadThresholds",
    " coll channels,",
    "CC Off, workFifoBytes",
    "- Init COMPLETE",
)
PROCESS = re.compile(r"(\S+:\d+):\d+ \[\d+\] NCCL INFO (.*)")


@pytest.mark.parametrize("options", [TORCHTITAN[0], HF[0], DEEPSPEED[0]], ids=lambda o: o.framework)
def test_init_lines_of_2_27_per_rank_in_order_with_its_defaults(options: RecordOptions) -> None:
    """Review mg3 fault 7 / hfds3 fault 8: each rank prints its place, its P2P chunk and the
    thread thresholds (src/init.cc:998 and 651, src/graph/tuning.cc:541), rank 0 alone the
    work FIFO (init.cc:481), in the init flow's order, with 2.27.5's defaults."""
    facts = facts_for(make_plan(options))
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    assert by_process
    nodes = max(1, facts.gpus // 8)
    # A restart round's workers wait in bootstrapInit for the rank that never came up and
    # print no more (a58a00f): only the launches that finish their init are held here.
    complete = [m for m in by_process.values() if any("Init COMPLETE" in x for x in m)]
    assert complete
    for messages in complete:
        rank = int(next(m for m in messages if " nRanks " in m).split(" rank ")[1].split()[0])
        keys = ORDER_RANK0 if rank == 0 else ORDER
        firsts = [next(i for i, m in enumerate(messages) if key in m) for key in keys]
        assert firsts == sorted(firsts), (rank, keys)
        assert any("CC Off" in m for m in messages) == (rank == 0)
        assert any("Check P2P Type" in m for m in messages) == (rank == 0)
        assert f"nRanks {facts.gpus} nNodes {nodes} localRanks {min(8, facts.gpus)}" in "\n".join(
            messages
        )
        assert f"localRank {rank % 8} MNNVL 0" in "\n".join(messages)
        chunk = 131072 if nodes > 1 else 524288
        assert f"P2P Chunksize set to {chunk}" in messages
        assert f"threadThresholds 8/8/64 | {8 * facts.gpus}/8/64 | 512 | 512" in messages
        if rank == 0:
            assert "CC Off, workFifoBytes 1048576" in messages


def test_nvls_support_and_channels_as_nccl_2_27_5_sets_them() -> None:
    """ncclNvlsInit (src/init.cc:843) prints `NVLS multicast support is [not ]available on dev
    %d (NVLS_NCHANNELS %d)` (src/transport/nvls.cc:200 at v2.27.5-1) before the comm's
    nRanks line (init.cc:998): 16 channels on sm90, on B200 (sm100) 32 across nodes and 24
    within one (nvls.cc:147-149, 193; review-tt4 fault 8), none on an A100."""
    facts = facts_for(make_plan(TORCHTITAN[0]._replace(duration=60.0)))
    for gpu, across, expected in [
        ("B200", True, 32),
        ("B200", False, 24),
        ("H100", True, 16),
        ("H200", False, 16),
        ("A100", True, 0),
    ]:
        assert nvls_channels(facts._replace(gpu=gpu), multi_node=across) == expected, gpu
    options = RecordOptions(
        seed=6008, framework="torchtitan", kind="continue", failures=1, nccl_debug=True
    )
    text = "\n".join(release_lines(options))
    found = re.findall(
        r"NVLS multicast support is available on dev 0 \(NVLS_NCHANNELS (\d+)\)", text
    )
    assert found
    assert "32 nvls channels" in text
    nvls = text.index("NVLS multicast support is")
    assert nvls < text.index(" nRanks ", nvls)


COMM_PLACE = re.compile(r" rank (\d+) nRanks \d+ nNodes \d+ localRanks (\d+) ")
CHANNELS = re.compile(r"^(\d+) coll channels,")
SEND = re.compile(r"^Channel \d+/0 : (\d+)\[\d+\] -> \d+\[\d+\] (?:\[send\] via NET|via P2P)")


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_every_communicator_connects_its_channels_before_connected_all_rings(
    options: RecordOptions,
) -> None:
    """Review tt6 faults 1 and 3. ncclTransportRingConnect (src/transport/generic.cc:17-31 at
    v2.27.5-1) sets up every channel's ring (ncclTransportP2pSetup) before `Connected all
    rings`, and each rank prints its own send connector of every channel (p2p.cc:393 within
    the node, net.cc:218 across nodes; real 8-GPU log: `Channel 23/0 : 1[1] -> 2[2] via
    P2P/CUMEM` just before `Connected all rings, use ring PXN 0 GDR 1`, index id
    60348034222): as many sends as the comm has channels, in every comm of every process the
    cast shows. Each comm's rank 0 alone prints `Check P2P Type isAllDirectP2p %d directMode
    %d` (src/transport.cc:99), 1 0 on an NVSwitch node (index id 24143200807, 2.27)."""
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    rings = 0
    for process, messages in by_process.items():
        channels, sends, firsts = 0, 0, 0
        checks = [m for m in messages if m.startswith("Check P2P Type")]
        for message in messages:
            place = COMM_PLACE.search(message)
            if place:
                firsts += place[1] == "0"
                if place[1] == "0":
                    direct = int(place[2]) > 1
                    assert f"Check P2P Type isAllDirectP2p {int(direct)} directMode 0" in checks
            count = CHANNELS.match(message)
            if count:
                channels, sends = int(count[1]), 0
            elif SEND.match(message):
                sends += 1
            elif message.startswith("Connected all rings"):
                assert sends == channels, (process, sends, channels)
                rings += 1
                sends = 0
            elif message.startswith("Connected all trees"):
                # a tree's connectors print as the rings' do (generic.cc:40-50): another
                # comm's trees between a comm's channels and its rings (HSDP's all-reduce
                # before the experts' rings connect at the grad norm) are not its sends
                sends = 0
        assert len(checks) == firsts, process
    if " NCCL INFO " in "\n".join(release_lines(options)):
        assert rings


@pytest.mark.parametrize("options", TORCHTITAN, ids=lambda o: f"{o.framework}-{o.seed}")
def test_torchtitan_world_trees_connect_at_the_first_all_reduce(options: RecordOptions) -> None:
    """Review tt6 fault 2: with NCCL_RUNTIME_CONNECT's default (src/init.cc:1148 at
    v2.27.5-1) each algorithm connects at the first collective that runs on it
    (src/enqueue.cc:463-472); the world communicator's first is torchtitan v0.2.0's seed
    broadcast (torchtitan/distributed/utils.py:130), on the rings, so its `Connected all
    trees` (src/transport/generic.cc:50) waits for the step's loss all-reduce, and no comm's
    trees connect before the training starts."""
    lines = release_lines(options)
    starts = next(i for i, line in enumerate(lines) if "Training starts at step" in line)
    assert not any("Connected all trees" in line for line in lines[:starts])
    assert any("Connected all rings" in line for line in lines[:starts])


PID_TID = re.compile(r"\S+:(\d+):(\d+) \[\d+\] NCCL INFO ")


@pytest.mark.parametrize("options", [TORCHTITAN[0], HF[0]], ids=lambda o: o.framework)
def test_a_relaunched_worker_gets_a_pid_above_every_thread_the_dead_one_ran(
    options: RecordOptions,
) -> None:
    """Review tt6 fault 11: Linux allocates pids and thread ids from one rising counter, so
    without a wrap a worker torchrun starts after the failure has a pid above every thread
    id the dead workers used (NCCL's `host:pid:tid` prefix, src/debug.cc)."""
    lines = release_lines(options)
    died = next(i for i, line in enumerate(lines) if "failed (exitcode" in line)
    before = [tuple(map(int, m.groups())) for line in lines[:died] if (m := PID_TID.search(line))]
    after = [int(m[1]) for line in lines[died:] if (m := PID_TID.search(line))]
    assert before
    assert after
    assert min(after) > max(tid for _, tid in before)


# NCCL v2.27.5-1's lines of the default mask (INIT | BOOTSTRAP | ENV, src/debug.cc:43) about
# the process around each communicator (review-tt7 fault 1, review-mg6 fault 3), and a real
# 2.27.3 log of the same order (index 24563078160: Init START, `RAS client listening socket
# at ...`, `Bootstrap timings total ...`, `Setting affinity for GPU 0 to 0-31`, nRanks, ...,
# `P2P Chunksize`, `PROFILER/Plugin: Could not find: libnccl-profiler.so. `, `Check P2P
# Type`, `[Proxy Service] Device 0 CPU core 12`, `[Proxy Service UDS] ...`, threadThresholds,
# ..., `CC Off`, `TUNER/Plugin: Could not find: libnccl-tuner.so. Using internal tuner
# plugin.`, Init COMPLETE; its split prints no plugin, RAS or bootstrap line).
NET_MISSING = "NET/Plugin: Could not find: libnccl-net.so. "  # plugin_open.cc:104, :26 no fallback
PROFILER_MISSING = "PROFILER/Plugin: Could not find: libnccl-profiler.so. "
TUNER_MISSING = "TUNER/Plugin: Could not find: libnccl-tuner.so. Using internal tuner plugin."
RAS = "RAS client listening socket at 127.0.0.1<28028>"  # ras/client_support.cc:162
# ncclTopoGetCpuAffinity's set for device 0 (graph/topo.cc:1602, ranges since 2.27): the
# GPU's NUMA node, DGX A100 `nvidia-smi topo -m` GPU0 48-63,176-191 (index 18363675466),
# HGX H100's two 56-core Xeons GPU0-3 0-55,112-167 (MLPerf numa_config, index 13710222479),
# B200's Xeon 8570 likewise (index 62740260253).
DEVICE0_CPUS = {"A100": "48-63,176-191", "H100": "0-55,112-167", "H200": "0-55,112-167"}
DEVICE0_CPUS["B200"] = DEVICE0_CPUS["H100"]
TIMINGS = re.compile(
    r"^Bootstrap timings total (\d+\.\d{6}) \(create (\d+\.\d{6}), send (\d+\.\d{6}), "
    r"recv (\d+\.\d{6}), ring (\d+\.\d{6}), delay (\d+\.\d{6})\)$"
)


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_each_process_prints_its_plugins_ras_bootstrap_affinity_and_proxy_threads(
    options: RecordOptions,
) -> None:
    """Once a process, at its first communicator: the NET plugin look-up before the network
    (plugin/net.cc:238), RAS's client socket in its bootstrapInit (bootstrap.cc:744,
    ras.cc:93-106), the PROFILER look-up after `P2P Chunksize` (init.cc:1079) and the TUNER
    one after `CC Off` (init.cc:1450). For every communicator: `Bootstrap timings` closing
    each bootstrapInit, never a split's bootstrapSplit (bootstrap.cc:767), the affinity
    before its nRanks line (init.cc:831), both proxy service threads after `Check P2P Type`
    (init.cc:1087; proxy.cc:1578, 1769) and the progress thread at its first connection
    (proxy.cc:1362, 911)."""
    facts = facts_for(make_plan(options))
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    if not by_process:
        return
    for process, messages in by_process.items():
        if not any(" nRanks " in m for m in messages):
            continue  # a process whose lines the launcher does not show past its first
        starts = [i for i, m in enumerate(messages) if m.endswith("Init START")]
        inits = [i for i in starts if messages[i].startswith("ncclCommInitRankConfig ")]
        assert messages.count(NET_MISSING) == 1, process
        assert messages.index(NET_MISSING) < min(
            i for i, m in enumerate(messages) if m.startswith("NET/IB : Using")
        )
        assert messages.count(RAS) == 1
        assert messages.index(RAS) == starts[0] + 1
        timings = [i for i, m in enumerate(messages) if m.startswith("Bootstrap timings")]
        assert len(timings) == len(inits), process
        for at in timings:
            found = TIMINGS.match(messages[at])
            assert found, messages[at]
            parts = [float(part) for part in found.groups()]
            # (each part printed to the microsecond: five half-microseconds of rounding)
            assert parts[0] >= sum(parts[1:]) - 3e-6
        affinities = [m for m in messages if m.startswith("Setting affinity for GPU ")]
        assert len(affinities) == len(starts)
        assert all(m.endswith(" to " + facts_cpus(facts.gpu, m)) for m in affinities)
        first_ranks = next(i for i, m in enumerate(messages) if " nRanks " in m)
        assert starts[0] < messages.index(affinities[0]) < first_ranks
        assert messages.count(PROFILER_MISSING) == 1
        chunk = next(i for i, m in enumerate(messages) if m.startswith("P2P Chunksize"))
        assert chunk < messages.index(PROFILER_MISSING)
        threads = next(i for i, m in enumerate(messages) if m.startswith("threadThresholds"))
        assert messages.index(PROFILER_MISSING) < threads
        assert messages.count(TUNER_MISSING) == 1
        complete = next(i for i, m in enumerate(messages) if m.endswith("Init COMPLETE"))
        coll = next(i for i, m in enumerate(messages) if " coll channels," in m)
        assert coll < messages.index(TUNER_MISSING) < complete
        for name in ("[Proxy Service] ", "[Proxy Service UDS] "):
            assert sum(m.startswith(name) for m in messages) == len(starts), name
        # (a communicator whose first collective is an all-to-all connects no ring)
        progress = sum(m.startswith("[Proxy Progress] ") for m in messages)
        assert sum(m.startswith("Connected all rings") for m in messages) <= progress
        assert progress <= len(starts)


def facts_cpus(gpu: str, message: str) -> str:
    """The NUMA node's CPUs of the device the affinity line names: device 0's set, the
    other half of the board for devices 4-7 (DGX A100: pairs of GPUs on NUMA 3, 1, 7, 5)."""
    device = int(message.split("Setting affinity for GPU ")[1].split()[0])
    if gpu == "A100":
        pairs = ["48-63,176-191", "16-31,144-159", "112-127,240-255", "80-95,208-223"]
        return pairs[device // 2]
    return DEVICE0_CPUS[gpu] if device < 4 else "56-111,168-223"


def _btree(nranks: int, rank: int) -> tuple[int, list[int]]:
    """src/graph/trees.cc:32-68 at v2.27.5-1 (ncclGetBtree): the parent and the children
    (child 0, then child 1) of `rank` in the binary tree over `nranks`."""
    bit = 1
    while bit < nranks and not bit & rank:
        bit <<= 1
    if rank == 0:
        return -1, [bit >> 1] if nranks > 1 else []
    up = (rank ^ bit) | (bit << 1)
    up = rank ^ bit if up >= nranks else up
    low = bit >> 1
    children = [rank - low] if low else []
    while low and rank + low >= nranks:
        low >>= 1
    return up, children + ([rank + low] if low else [])


def _mirrored(nranks: int, rank: int) -> tuple[int, list[int]]:
    """trees.cc:70-95 (ncclGetDtree): the second tree, the first's mirror (an even count)
    or its shift by one (odd)."""
    if nranks % 2 == 0:
        up, children = _btree(nranks, nranks - 1 - rank)
        return (-1 if up == -1 else nranks - 1 - up), [nranks - 1 - c for c in children]
    up, children = _btree(nranks, (rank - 1) % nranks)
    return (-1 if up == -1 else (up + 1) % nranks), [(c + 1) % nranks for c in children]


ONE_A_NODE = re.compile(r"^comm 0x[0-9a-f]+ rank (\d+) nRanks (\d+) nNodes \2 localRanks 1 ")
ONE_A_NODE_CASES = {("torchtitan", 23), ("torchtitan", 31), ("torchtitan", 43), ("megatron", 21)}
ONE_A_NODE_CASES.add(("deepspeed", 11))
TREE = re.compile(r"\[(\d+)\] (-?\d+)/(-?\d+)/(-?\d+)->(\d+)->(-?\d+)")


def test_the_double_binary_tree_of_one_gpu_a_node_as_a_real_log_and_trees_cc() -> None:
    """Real 2.27.3 log (index 24563078160), 4 ranks on 4 nodes, rank 0: `Trees [0]
    2/-1/-1->0->-1 [1] -1/-1/-1->0->1`; the reference transcription above gives it."""
    assert _btree(4, 0) == (-1, [2])
    assert _mirrored(4, 0) == (1, [])


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_a_communicator_of_one_gpu_a_node_prints_the_trees_nccl_builds(
    options: RecordOptions,
) -> None:
    """Review tt7 fault 2: where every node holds one rank of the communicator (nNodes =
    nRanks, localRanks 1: Megatron's and torchtitan's groups across nodes), each rank is its
    node's whole chain, so its tree links are the nodes' double binary tree itself
    (graph/connect.cc:136-165: the first half of the channels on the first tree, the
    duplicated half on the second), with no intra-node child."""
    shown = 0
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    for messages in by_process.values():
        for at, message in enumerate(messages):
            place = ONE_A_NODE.match(message)
            if not place:
                continue
            rank, nranks = int(place[1]), int(place[2])
            trees = next(m for m in messages[at:] if m.startswith("Trees "))
            links = TREE.findall(trees)
            count = int(links[-1][0]) + 1
            expected = [_btree(nranks, rank), _mirrored(nranks, rank)]
            for channel, *down, me, up in links:
                parent, children = expected[0 if int(channel) < count // 2 else 1]
                assert int(me) == rank
                assert int(up) == parent, (trees[:80], channel)
                wanted = children + [-1] * (3 - len(children))
                assert [int(d) for d in down] == wanted, (trees[:80], channel)
            shown += 1
    # the cases whose casts show such a communicator (a group across nodes)
    if (options.framework, options.seed) in ONE_A_NODE_CASES:
        assert shown


# What each nvidia-nccl-cu12 wheel on PyPI prints as its version (`strings
# nvidia/nccl/lib/libnccl.so.2 | grep "NCCL version"` of the wheel, 2026-12-06; a real 2.27.5
# log: index 6761907588). torch requires the wheel by version (torch 2.9.0's requires_dist:
# nvidia-nccl-cu12==2.27.5), so a release's build string is the wheel's whatever torch's CUDA.
WHEEL_BUILDS = {
    "2.18.1": "12.1",
    "2.19.3": "12.3",
    "2.20.5": "12.4",
    "2.21.5": "12.4",
    "2.26.2": "12.2",
    "2.27.3": "12.9",
    "2.27.5": "12.9",
}
VERSION = re.compile(r"NCCL version (\d+\.\d+\.\d+)\+cuda(\d+\.\d+)")


def test_one_nccl_release_prints_one_build_string_in_every_dialect() -> None:
    """Review-realism5 FAIL 8: the genact dialect printed `2.27.5+cuda12.8` (torch's CUDA)
    where the framework dialects print the wheel's `2.27.5+cuda12.9`."""
    for row in catalog.frameworks():
        assert row.nccl_cuda == WHEEL_BUILDS[row.nccl], row.torch
    texts = [
        "\n".join(release_lines(options))
        for options in (TORCHTITAN[0], HF[0], MEGATRON[1], DEEPSPEED[0])
    ]
    for options in (
        RecordOptions(seed=7, duration=30.0, nccl_debug=True),  # torch 2.7: NCCL 2.26.2
        RecordOptions(
            seed=11, model="Llama-3-70B", gpu="H200", duration=30.0, nccl_debug=True
        ),  # 2.27.3
    ):
        cast = generate(options._replace(cols=1000, color=False))
        texts.append(output_of(cast.events))
    seen = [found for text in texts for found in VERSION.findall(text)]
    assert {version for version, _ in seen} >= {"2.26.2", "2.27.3", "2.27.5"}
    for version, build in seen:
        assert build == WHEEL_BUILDS[version], version


MOE: dict[str, Any] = {"framework": "torchtitan", "kind": "continue", "failures": 2}
EXPERTS = [
    # A continued MoE run whose expert group is within a node (on main TORCHTITAN[2]; in the
    # date window of N10 that case's seed draws a dense Llama-3-8B)
    with_nccl_debug(
        RecordOptions(
            seed=seed_where(
                lambda plan: bool(plan.arch.experts) and 1 < plan.layout.ep <= 8,
                seeds=range(10046, 10246),
                **MOE,
            ),
            **MOE,
        )
    ),
    # (8400 with its model and cluster pinned: 8406's Qwen3-30B-A3B on 32 B200 is refused by
    # Megatron since its distributed optimizer's state is counted, megatron_memory)
    RecordOptions(
        seed=8400,
        framework="megatron",
        kind="continue",
        failures=1,
        model="Qwen3-30B-A3B",
        gpus=32,
        nccl_debug=True,
    ),
]
P2P_SEND = re.compile(r"^Channel (\d\d)/1 : (\d+)\[\d+\] -> (\d+)\[\d+\] via P2P/CUMEM$")


@pytest.mark.parametrize("options", EXPERTS, ids=lambda o: o.framework)
def test_the_experts_all_to_all_connects_send_recv_channels_to_every_peer(
    options: RecordOptions,
) -> None:
    """Review tt7 fault 3: the MoE token exchange (torchtitan v0.2.0's all_to_all_single on
    the ep mesh, Megatron core_v0.14.0's alltoall dispatcher on the expert group) is NCCL
    grouped send/recv, whose first call sets up connIndex 1 to every peer
    (src/group.cc:131, enqueue.cc:2301-2327 at v2.27.5-1) on its round's channels: 32 p2p
    channels per peer as the comm's own line says, so every channel (device.h:269-274);
    within the node each send prints `Channel %02d/%01d : %d[%d] -> %d[%d] via P2P/%s%s%s`
    (p2p.cc:393), ascending channels per peer at increasing distance (transport.cc:124-160)."""
    facts = facts_for(make_plan(options))
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    senders = 0
    for messages in by_process.values():
        sends = [found.groups() for m in messages if (found := P2P_SEND.match(m))]
        if not sends:
            continue
        senders += 1
        rank = int(sends[0][1])
        peers = [int(peer) for _, _, peer in sends]
        expected = [(rank + d) % facts.ep for d in range(1, facts.ep) for _ in range(32)]
        assert peers[: len(expected)] == expected
        channels = [int(channel) for channel, _, _ in sends[: len(expected)]]
        assert channels == list(range(32)) * (facts.ep - 1)
    assert senders


PER_PEER = re.compile(r"^\d+ coll channels, .* (\d+) p2p channels, (\d+) p2p channels per peer$")
SPAN = re.compile(r" nRanks (\d+) nNodes (\d+) ")


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_p2p_channels_per_peer_follow_the_communicators_span(options: RecordOptions) -> None:
    """ncclTopoComputeP2pChannels (src/graph/paths.cc:798-866 at v2.27.5-1): the channels per
    peer are pow2Up of the fewest any peer gets; over NVLink all of them (32), across nodes
    2 (NCCL_NCHANNELS_PER_NET_PEER's start), halved while 2 x nRanks > 4 x 32, at least one
    (the GPU's one NIC). A real 2.27 log of 8 ranks on 2 nodes: `32 coll channels, 32
    collnet channels, 32 nvls channels, 32 p2p channels, 2 p2p channels per peer` (index
    66280673503)."""
    by_process: dict[str, list[str]] = {}
    for line in release_lines(options):
        found = PROCESS.search(line)
        if found:
            by_process.setdefault(found[1], []).append(found[2])
    checked = 0
    for messages in by_process.values():
        span: tuple[int, int] | None = None
        for message in messages:
            if place := SPAN.search(message):
                span = int(place[1]), int(place[2])
            elif (channels := PER_PEER.match(message)) and span is not None:
                nranks, nodes = span
                expected = 32 if nodes == 1 else 2 if 2 * nranks <= 4 * 32 else 1
                assert (int(channels[1]), int(channels[2])) == (32, expected), span
                checked += 1
    if by_process:
        assert checked


CONNECTOR = re.compile(r"^Channel (\d\d)/(\d) : (\d+)\[\d+\] -> (\d+)\[\d+\] (.*)$")


def test_a_pipeline_stage_connects_its_first_send_then_its_backward_receive() -> None:
    """torchtitan v0.2.0's pipeline schedule begins on pp with stage 0's batched send to
    stage 1 (batch_isend_irecv): NCCL 2.27.5 connects that send alone (connIndex 1 on the
    peer's round's channels, 2 per peer across nodes: enqueue.cc:2301-2327, paths.cc:
    798-866), `[send] via NET/IB/%d/GDRDMA/Shared` (net.cc:218, shared buffers for p2p at
    :199), and no ring until the grad norm's all-reduce over pp (distributed/utils.py:
    441-447)."""
    # (a run from seed 0 that no failure interrupts: once its data set's draw moved
    # (69d190f), seed 0's run drew 8 failures on 2,048 A100 and showed no such send)
    pins: dict[str, Any] = {
        "framework": "torchtitan",
        "model": "Llama-3.1-405B",
        "nccl_debug": True,
    }
    options = first_run(lambda plan: not plan.failures, 0, **pins)
    lines = release_lines(options)
    facts = facts_for(make_plan(options))
    messages = [found[2] for line in lines if (found := PROCESS.search(line))]
    first = next(i for i, m in enumerate(messages) if f" nRanks {facts.pp} nNodes {facts.pp} " in m)
    after = messages[first:]
    # (this launch's: up to the relaunched process's version line)
    after = after[: next((i for i, m in enumerate(after) if m.startswith("NCCL version")), None)]
    # up to the next communicator's start (or a ring's connection: none may come first)
    end = next(i for i, m in enumerate(after) if m.endswith("Init START") or "Connected" in m)
    connectors = [found.groups() for m in after[:end] if (found := CONNECTOR.match(m))]
    sent = [c for c in connectors if c[4] == "[send] via NET/IB/0/GDRDMA/Shared"]
    assert {(conn, me, peer) for _, conn, me, peer, _ in sent} == {("1", "0", "1")}
    assert len(sent) == 2
    assert connectors[:2] == sent
    # then its backward's receive from stage 1 (its own round's 2 channels), before the
    # collectives that follow the backward connect their trees
    received = [
        i
        for i, m in enumerate(after)
        if (found := CONNECTOR.match(m))
        and found.group(2, 3, 4, 5) == ("1", "1", "0", "[receive] via NET/IB/0/GDRDMA/Shared")
    ]
    assert len(received) == 2
    assert received[-1] < next(i for i, m in enumerate(after) if m == "Connected all trees")


START_TID = re.compile(r"(\S+):(\d+):(\d+) \[\d+\] NCCL INFO \S+ comm 0x.*Init START$")


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_each_communicator_comes_up_on_an_init_thread_of_its_own(options: RecordOptions) -> None:
    """Review mg7's observation: every communicator of a process came up on one thread id.
    NCCL 2.27 runs each init as an async job on a thread of its own (ncclAsyncLaunch, then
    the group's job thread), after the earlier ones' proxy threads: a real 2.27.3 log has
    the world's init on 386 and a split's on 507, its services on 508-509 (index
    24563078160)."""
    by_process: dict[tuple[str, str], list[int]] = {}
    for line in release_lines(options):
        found = START_TID.search(line)
        if found:
            by_process.setdefault((found[1], found[2]), []).append(int(found[3]))
    for tids in by_process.values():
        assert tids == sorted(set(tids)), tids
