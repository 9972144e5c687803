"""The communicators DeepSpeed v0.17.5's engine splits from the world's at start-up, as
NCCL_DEBUG=INFO prints them on every node: ZeRO's clone of the world group, AutoTP's (DP,
TP) device mesh, and accelerate's own TP mesh. torch 2.9.0 splits a bound device's
communicator eagerly (ncclCommSplit), with the color its `_process_group_color` gives.
"""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.dialects.base import Line, Out
from genact_cast.generator.dialects.deepspeed_pdsh import Pdsh
from genact_cast.generator.rng import Rng

_XX_PRIME_1 = 11400714785074694791
_XX_PRIME_2 = 14029467366897019727
_XX_PRIME_5 = 2870177450012600261
_WORD = 2**64


def process_group_color(ranks: Sequence[int]) -> int:
    """torch 2.9.0's _process_group_color (distributed_c10d.py:5002-5012): abs(hash(tuple
    (ranks))) modulo 2**31, CPython's 64-bit tuple hash (xxHash's round, Objects/
    tupleobject.c since 3.8) of small non-negative ints, which hash to themselves."""
    acc = _XX_PRIME_5
    for rank in ranks:
        acc = (acc + rank * _XX_PRIME_2) % _WORD
        acc = ((acc << 31) | (acc >> 33)) % _WORD
        acc = (acc * _XX_PRIME_1) % _WORD
    acc = (acc + (len(ranks) ^ (_XX_PRIME_5 ^ 3527539))) % _WORD
    if acc == _WORD - 1:
        acc = 1546275796
    signed = acc - _WORD if acc >= _WORD // 2 else acc
    return abs(signed) % 2**31


class Splits(Pdsh):
    """The engine's sub-communicators, each node's lines under pdsh's prefixes."""

    def _zero_split(self) -> list[Out]:
        """NCCL_DEBUG=INFO: ZeRO's clone of the world group (groups._clone_world_group,
        groups.py:500-512 at v0.17.5, from _configure_distributed_model, engine.py:1337-1339):
        DeepSpeed bound each process's device (comm/torch.py:157-163), so torch 2.9.0's
        new_group of every rank splits the world's communicator at once
        (distributed_c10d.py:1907-1911, 2020-2024, 2132-2134 of the wheel: split_from the
        default group's backend, color _process_group_color of the ranks, then
        eager_connect_single_device), the parent's first split. Its first collective comes
        in the first step, so no connections yet."""
        f = self.facts
        if not f.nccl_debug or f.tp > 1:
            return []
        from genact_cast.generator.dialects.nccl_groups import sub_communicators

        pids = {node: self._pids(node) for node in range(f.nodes)}
        text = sub_communicators(
            f,
            self.incidentals,
            [lambda rank: range(f.gpus)],
            pid_of=lambda local: pids[0][local],
            launch=self.attempt,
            nodes=range(f.nodes),
            node_pid=lambda node, local: pids[node][local],
            splits=1,
            tag=lambda rank: self._tag(rank // 8),
            unconnected=(0,),
            color=process_group_color,
        )
        return [Line("\r\n".join(text))] if text else []

    def _mesh_splits(self) -> list[Out]:
        """NCCL_DEBUG=INFO: the (DP, TP) mesh's communicators as init_device_mesh makes them
        (comm/torch.py:420-426 at v0.17.5). DeepSpeed bound each process's device at
        init_process_group (comm/torch.py:157-163), so torch 2.9.0's DeviceMesh splits the
        world's communicator once a dimension, data_parallel then tensor_parallel
        (split_group -> ncclCommSplit, eagerly: nccl_startup.sub_communicators), before
        TpTrainingManager broadcasts the RNG state on the TP group (tp_manager.py:30-32),
        whose rings connect then. The data-parallel groups' first collective is in the first
        step, so no connections yet. With one data-parallel rank each data-parallel group
        is a process alone (split 1); what NCCL prints for a one-rank communicator is not
        pinned here (no source line read, no real log), so those lines are not shown and the
        TP split is the parent's second."""
        f = self.facts
        if not f.nccl_debug:
            return []
        from genact_cast.generator.dialects.nccl_groups import sub_communicators

        def data_parallel(rank: int) -> list[int]:
            return [rank % f.tp + replica * f.tp for replica in range(f.dp)]

        def tensor_parallel(rank: int) -> list[int]:
            return [rank // f.tp * f.tp + member for member in range(f.tp)]

        pids = {node: self._pids(node) for node in range(f.nodes)}
        groups = [tensor_parallel] if f.dp == 1 else [data_parallel, tensor_parallel]
        text = sub_communicators(
            f,
            self.incidentals,
            groups,
            pid_of=lambda local: pids[0][local],
            launch=self.attempt,
            nodes=range(f.nodes),
            node_pid=lambda node, local: pids[node][local],
            splits=2 if f.dp == 1 else 1,
            tag=lambda rank: self._tag(rank // 8),
            unconnected=() if f.dp == 1 else (0,),
        )
        if f.dp > 1:
            text += self._accelerate_split(pids)
        return [Line("\r\n".join(text))] if text else []

    def _accelerate_split(self, pids: dict[int, list[int]]) -> list[str]:
        """accelerate 1.11.0's own mesh under DeepSpeed TP: `_prepare_deepspeed` builds a 1-D
        ("tp",) mesh of autotp_size ranks (accelerator.py:2077-2090) before
        deepspeed.initialize. Smaller than the world, it is no default group: torch 2.9.0
        splits the world's communicator once more (device_mesh.py:557-639, split_group's one
        row [0, tp)): the first tp ranks bring up a communicator of their own (the parent's
        third split), every other process takes no color (ProcessGroupNCCL's
        performNocolorSplit; NCCL init.cc:2268) and is in no group of that mesh, which
        nothing asks for under DeepSpeed (the data loader reads its size alone,
        data_loader.py:1109-1120), so the run goes on. DeepSpeedExamples' hf_integration
        run.sh says these ranks fail in init_device_mesh; torch 2.9.0's DeviceMesh
        (device_mesh.py:641-670) only leaves their dimension without a group name. No
        collective runs on it: no connections."""
        from genact_cast.generator.dialects import nccl
        from genact_cast.generator.dialects.nccl_groups import sub_communicators

        f = self.facts
        members = list(range(f.tp))
        text = sub_communicators(
            f,
            self.incidentals,
            [lambda rank: members],
            pid_of=lambda local: pids[0][local],
            launch=self.attempt + 7,
            local_ranks=members,
            nodes=(0,),
            splits=3,
            tag=lambda rank: self._tag(rank // 8),
            unconnected=(0,),
        )
        rng = Rng(f.seed * 8111 + self.attempt)
        others: list[tuple[float, str]] = []
        for rank in range(f.tp, f.gpus):
            node, local = divmod(rank, 8)
            pid = pids[node][local]
            where = nccl.Where(f.hosts[node], pid, pid, local)
            others.append((rng.random(), self._tag(node) + nccl.no_color(where, rank)))
        return text + [line for _, line in sorted(others)]
