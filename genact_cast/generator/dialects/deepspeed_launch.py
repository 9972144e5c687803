"""DeepSpeed v0.17.5's launcher: the `deepspeed` command and its runner, each node's
`deepspeed.launcher.launch` spawning eight processes, and how they end: every process's exit
on success, the kill on Ctrl-C, and on a hung collective every rank's NCCL watchdog, each
launcher's kill and exit code and pdsh's `ssh exited` per node.
"""

from __future__ import annotations

import functools
import shlex
from datetime import datetime

from genact_cast.generator.dialects import (
    deepspeed_srun,
    deepspeed_works,
    pdsh_interrupt,
    torch_dump,
)
from genact_cast.generator.dialects.base import (
    Incidentals,
    Line,
    Out,
)
from genact_cast.generator.dialects.deepspeed_lines import (
    ACCELERATOR,
    LAUNCH_DEVICES,
    LAUNCH_ENV,
    LAUNCH_EXITS,
    LAUNCH_KILLING,
    LAUNCH_MAPPING,
    LAUNCH_NNODES,
    LAUNCH_SIZE,
    LAUNCH_SPAWNED,
    LAUNCH_SUCCESS,
    LAUNCH_WORLD,
    NO_HOSTFILE,
    RUNNER_CMD,
    RUNNER_IP,
    WORKERS,
    command,
    dist,
    dist_world_size,
    encoded_world_info,
    engine_initialized,
    exits,
    killing,
    line,
    nnodes,
    rank_mapping,
    ssh_exited,
    visible_devices,
    world_info_dict,
)
from genact_cast.generator.dialects.deepspeed_pdsh import Pdsh
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.rank_watchdog import faulty_rank_lines, watchdog_records
from genact_cast.generator.dialects.runner_interrupt import runner_interrupted
from genact_cast.generator.events import (
    Failed,
    Launched,
)
from genact_cast.generator.rng import Rng

PYTHON = "/usr/bin/python"
TIMEOUT_MS = 30 * 60 * 1000  # deepspeed/constants.py: default_pg_timeout


@functools.lru_cache(maxsize=8)
def _unquoted(typed: tuple[str, ...]) -> tuple[str, ...]:
    """The words of the arguments `typed`, as the shell passes them: shlex's tokenizer is
    slow, and a launch asks for them once per command it prints (the same arguments)."""
    return tuple(word for argument in typed for word in shlex.split(argument))


class Launcher(Pdsh):
    """The command typed, the launch on every node, and the processes' ends."""

    resume_step: int  # the step the launch resumed from (0: none)
    ssh_open: str | None = None  # a lost host whose ssh pdsh still waits on

    def trainer_args(self) -> list[str]:
        """The training script's arguments as typed at the shell (the dialect fills them)."""
        raise NotImplementedError

    def trainer_works(self, step: int) -> int:
        """The Trainer's works on the default group in this launch before `step` (its logs,
        saves and evaluation batches; the dialect counts them)."""
        raise NotImplementedError

    def autotp_default_works(self, step: int) -> int:
        """The default group's works in this launch while an AutoTP all-reduce of `step`
        hangs on the tensor_parallel group (the dialect counts them)."""
        raise NotImplementedError

    def _argv(self) -> list[str]:
        """The same arguments as the script receives them, the shell's quoting undone."""
        return list(_unquoted(tuple(self.trainer_args())))

    def _script(self, local_rank: int | None = None) -> list[str]:
        """launch.py's command for a local rank: `--local_rank=N` after the script."""
        rank = [] if local_rank is None else [f"--local_rank={local_rank}"]
        return ["train.py", *rank, *self._argv()]

    def launch_words(self) -> list[str]:
        if self.srun:
            return deepspeed_srun.command(self.facts, ["train.py", *self.trainer_args()])
        # NCCL_DEBUG set for the runner, which exports the NCCL_* variables it finds to every
        # node (runner.py's EXPORT_ENVS); a large job leaves it unset (nccl_startup).
        env = ["NCCL_DEBUG=INFO"] if self.facts.nccl_debug else []
        return env + command(
            nodes=self.facts.nodes,
            hostfile="hostfile",
            script="train.py",
            args=self.trainer_args(),
        )

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self.attempt = event.attempt
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=False)
            if event.attempt
            else Incidentals(f, 0)
        )
        self.clock.at(event.t)
        if self.srun:
            return self._torchrun_launched(event)
        world = encoded_world_info(self.hosts, 8)
        # The runner's command line: on several nodes PDSHRunner.parse_user_args quotes an
        # argument holding a space (multinode_runner.py:63-71); alone, it joins them as they are.
        argv = self._argv()
        if f.nodes > 1:
            argv = [f'"{w.replace(chr(34), chr(92) + chr(34))}"' if " " in w else w for w in argv]
        script = " ".join(["train.py", *argv])
        workdir = f"/home/{f.user}/llm-train"
        # The launcher on the machine typed on: importing deepspeed logs the accelerator and
        # the default checkpoint engine (before torch.distributed: rank -1).
        # Importing torch and deepspeed takes the runner a second or two; its lines follow a
        # few ms apart.
        draw = Rng(f.seed * 389 + event.attempt)
        clock = [event.t + draw.uniform(1.0, 2.5)]

        def next_moment() -> datetime:
            clock[0] += draw.uniform(0.0005, 0.006)
            return self.facts.moment(clock[0])

        head = [
            line(next_moment(), ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
            dist(next_moment(), engine_initialized(False), rank=-1),
        ]
        debug = f.nccl_debug
        exports = "export NCCL_DEBUG=INFO; " if debug else ""
        # PDSHRunner passes --enable_each_rank_log on to every node's launch.py
        # (multinode_runner.py:113-114 at v0.17.5), the default's too: the string "None"
        # (runner.py:176-179) is true, and launch.py reads it as no folder (launch.py:209)
        each = " --enable_each_rank_log=None"
        if f.nodes > 1:
            address = self.incidentals.address(0)
            head += [
                line(
                    next_moment(), RUNNER_IP, f"Using IP address of {address} for node {f.master}"
                ),
                line(
                    next_moment(),
                    WORKERS,
                    "Running on the following workers: " + ",".join(self.hosts),
                ),
                line(
                    next_moment(),
                    RUNNER_CMD,
                    f"cmd = pdsh -S -f 1024 -w {','.join(self.hosts)} {exports}"
                    f"export PYTHONPATH={workdir};  cd {workdir}; {PYTHON} -u -m "
                    f"deepspeed.launcher.launch --world_info={world} --node_rank=%n "
                    f"--master_addr={address} --master_port={f.port}{each} {script}",
                ),
            ]
        else:
            head += [
                line(
                    next_moment(),
                    NO_HOSTFILE,
                    "Unable to find hostfile, will proceed with training with local resources "
                    "only.",
                    level="WARNING",
                ),
                line(
                    next_moment(),
                    RUNNER_CMD,
                    f"cmd = {PYTHON} -u -m deepspeed.launcher.launch --world_info={world} "
                    f"--master_addr=127.0.0.1 --master_port={f.port} --enable_each_rank_log=None "
                    f"{script}",
                ),
            ]
        per_node: list[list[tuple[str, str]]] = []
        world_dict, mapping = world_info_dict(self.hosts, 8), rank_mapping(self.hosts, 8)
        # launch.py's command list for a local rank: the same but for --local_rank.
        ranked = self._script(0)
        before = ", ".join(f"'{w}'" for w in [PYTHON, "-u", ranked[0]])
        after = ", ".join(f"'{w}'" for w in ranked[2:])
        for node in range(f.nodes):
            records: list[tuple[str, str]] = [
                (ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
                ("logging.py:107:log_dist", f"[Rank -1] {engine_initialized(False)}"),
                *([(LAUNCH_ENV, f"{node} NCCL_DEBUG=INFO")] if debug else []),
                (LAUNCH_WORLD, world_dict),
                (LAUNCH_NNODES, nnodes(f.nodes, 8, node)),
                (LAUNCH_MAPPING, mapping),
                (LAUNCH_SIZE, dist_world_size(f.gpus)),
                (LAUNCH_DEVICES, visible_devices(8)),
            ]
            for local, pid in enumerate(self._pids(node)):
                words = f"{before}, '--local_rank={local}', {after}"
                records.append((LAUNCH_SPAWNED, f"process {pid} spawned with command: [{words}]"))
            # Each training process imports deepspeed in turn.
            for _ in range(8):
                records += [
                    (ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
                    ("logging.py:107:log_dist", f"[Rank -1] {engine_initialized(False)}"),
                ]
            per_node.append(records)
        # The launcher runs on the machine typed on; pdsh tags only the nodes' own output.
        return [Line(text) for text in head] + self._merge(clock[0] + 1.4, per_node, 1)

    def _torchrun_launched(self, event: Launched) -> list[Out]:
        """Under srun + torchrun (deepspeed_srun): every node's torchrun banner, then, once
        the rendezvous has the nodes, each node's local rank 0 importing deepspeed (the
        accelerator and the default checkpoint engine, before torch.distributed: rank -1),
        under the tee's prefix."""
        banners = deepspeed_srun.banners(self, event.t)
        draw = Rng(self.facts.seed * 389 + event.attempt)
        records = [
            (ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
            ("logging.py:107:log_dist", f"[Rank -1] {engine_initialized(False)}"),
        ]
        per_node = [list(records) for _ in range(self.facts.nodes)]
        return banners + self._merge(event.t + draw.uniform(3.0, 6.0), per_node, 1)

    def _exited(self, t: float) -> list[Out]:
        """The script has returned: every node's launcher sees its eight processes exit (the
        runner says nothing on success; torchrun's agents say it at INFO, unseen)."""
        if self.srun:
            return []
        done = [
            [(LAUNCH_SUCCESS, f"Process {pid} exits successfully.") for pid in self._pids(node)]
            for node in range(self.facts.nodes)
        ]
        return self._merge(t + 1.0, done, 7)

    def stopped(self, t: float) -> list[Out]:
        """Ctrl-C. On several nodes it reaches the runner and pdsh, not the launchers: pdsh
        lists its threads, the runner's second SIGINT aborts it and its pkill ends the
        launchers out of sight (pdsh_interrupt). On one node the runner's launcher is local,
        in the terminal's process group: it kills its processes and exits (no return code
        yet), and the runner, which has no handler there, ends with KeyboardInterrupt
        (runner_interrupt). The training processes, in the same process group, get the
        SIGINT too, but print nothing: their KeyboardInterrupt comes only when the main
        thread's wait on the GPU returns, and launch.py's handler SIGTERMs them at once
        (launch.py:317-336 -> terminate_process_tree, :119-130, one after the other as each
        exits), which ends a process with no handler of its own before that (the workers'
        tracebacks of a real single-node Ctrl-C, textgen#40 on DeepSpeed's launcher, come from
        processes idle in Python's time.sleep, not waiting on a GPU)."""
        if self.srun:
            # srun's two Ctrl-C and each node's torchrun (megatron_interrupt, several nodes)
            from genact_cast.generator.dialects.megatron_interrupt import interrupted_lines

            f = self.facts
            launches = deepspeed_srun.fresh(self.attempt)
            return interrupted_lines(f, self.incidentals, self.attempt, launches, t)
        if self.facts.nodes > 1:
            return [Line(text) for text in self._pdsh_interrupted(self.hosts)]
        per_node = [
            [
                *((LAUNCH_KILLING, killing(pid)) for pid in self._pids(node)),
                (
                    "launch.py:328:sigkill_handler",
                    "Main process received SIGINT, exiting",
                ),
            ]
            for node in range(self.facts.nodes)
        ]
        # the runner has no handler on one node: KeyboardInterrupt at runner.py:626
        ended = [Line(text) for text in runner_interrupted()]
        return [*self._merge(t, per_node, 8), *ended]

    def _pdsh_interrupted(self, reading: list[str], lost: str | None = None) -> list[str]:
        """pdsh's and the runner's kill command's lines on Ctrl-C, with `reading` the hosts
        whose ssh is still open; `lost` a host that went down (its ssh among them)."""
        f = self.facts
        draw = Rng(f.seed * 661 + self.attempt)
        pids = pdsh_interrupt.ssh_pids(draw.integer(20_000, 3_000_000), self.hosts)
        open_pids = [pids[self.hosts.index(host)] for host in reading]
        lines = pdsh_interrupt.interrupted(f.master, reading, open_pids)
        if lost is None:
            return lines  # every pkill finds its launcher: silent
        # The other launchers have exited: each pkill matches nothing, as its ssh ends.
        keys = {host: draw.random() for host in self.hosts}
        done = sorted((host for host in self.hosts if host != lost), key=keys.__getitem__)
        return lines + pdsh_interrupt.kill_command(f.master, done, lost)

    def hang_interrupted(self) -> list[Out]:
        """Before the command is typed again after a lost host: pdsh still waits on that
        host's ssh (it joins every thread; v0.17.5 passes no -u command timeout, and the
        runner waits on pdsh, runner.py:626), so the operator's Ctrl-C ends it."""
        lost, self.ssh_open = self.ssh_open, None
        if lost is None:
            return []
        lines = self._pdsh_interrupted([lost], lost)
        return [Line("^C" + lines[0]), *(Line(text) for text in lines[1:])]

    def _failed(self, event: Failed, before: Facts) -> list[Out]:
        """Every rank was in the hung collective: each one's NCCL watchdog gives up and aborts
        its process, a few ms apart; every node's launcher kills the rest of its processes and
        exits with the code, and pdsh reports each node's ssh. The deepspeed launcher does not
        restart: the operator runs it again. The faulty GPU's process reports its CUDA error
        at the fault (on `before`'s clock, the log's before the hang), where the fault gives
        it one; where it died, its launcher kills the rest at once (`_died`)."""
        if self.srun:
            return deepspeed_srun.failed(self, event, before)
        f = self.facts
        node = event.rank // 8
        out: list[Out] = []
        if event.errors:
            texts = faulty_rank_lines(before, event, event.rank)
            per_node = [[("", text) for text in texts] if n == node else [] for n in range(f.nodes)]
            out = self._merge(event.t_fault, per_node, 3)
        if not event.watchdog:
            return out + self._died(event)
        # A worker that died (ends "dies") is its own launcher's at once, on several nodes
        # too: launch.py polls its processes every second and on the first non-zero return
        # code kills every process it spawned and exits with it (launch.py:317-355 at
        # v0.17.5), and pdsh reports that node's ssh then. Only the other nodes' ranks are
        # left in the collective for their watchdogs (review-mg11 D1).
        gone = node if event.ends == "dies" else None
        if gone is not None:
            shifted, self.facts = self.facts, before  # the log's clock before the hang
            out += self._launcher_ends(event, event.t_fault + self._poll(event), {gone})
            self.facts = shifted
        out += self._watchdogs(event, node, gone)
        # Each node's launcher kills on its own children's exit only (launch.py:338-353 at
        # v0.17.5: sigkill_handler on a non-zero `process.returncode`), so the nodes whose
        # ranks aborted on their watchdogs. A lost host's launcher is gone with its ranks: it
        # prints nothing, and pdsh's ssh to it stays open (review-mg13 D2: it printed its
        # kills and `return code = -6` with the others, and pdsh its ssh's 250).
        left = {n for n in range(f.nodes) if n != gone and (event.same_node or n != node)}
        if not event.same_node and f.nodes > 1:
            self.ssh_open = self.hosts[node]
        return out + self._launcher_ends(event, event.t + 2.0, left)

    def _watchdogs(self, event: Failed, node: int, gone: int | None) -> list[Out]:
        """Every rank's watchdog block but the faulty one's and a lost host's, each node's
        ranks' lines in time order (the ranks share its stderr)."""
        f = self.facts
        out: list[Out] = []
        # init_distributed's default_pg_timeout: DEEPSPEED_TIMEOUT, 30 minutes unless set.
        # The log runs torch_dump's minute behind the run's from here (Log.present): the
        # watchdogs find the timeout a minute before they take their processes down.
        # The collective the run was in, `event.within` the step's works on its group, as
        # this launch's processes count them (deepspeed_works): AutoTP's all-reduce on the
        # tensor_parallel group, ZeRO-3's gradient reduce-scatter on its clone of the world
        # group or its parameter all-gather on the world group zero.Init gave the parameters.
        steps = event.step - self.resume_step
        others = self.trainer_works(event.step) if f.tp == 1 else 0
        own = deepspeed_works.collective(f, event.op, steps, event.within, others)
        # Every rank's block: each watchdog aborts its own process (the launchers' -6), and
        # pdsh passes on every node's stderr, as srun does for Megatron's (one write each).
        # Every rank's watchdog but the faulty one's, which ended with its error, and those
        # of a host that was lost, which print nothing more.
        # (under srun + torchrun the console shows each node's local rank 0 alone)
        ranks = [
            rank
            for rank in range(0, f.gpus, 8 if self.srun else 1)
            if not (event.errors and rank == event.rank)
            and (event.same_node or rank // 8 != node)
            and rank // 8 != gone
        ]
        records = watchdog_records(f, event, ranks, TIMEOUT_MS, collective=own)
        wait = torch_dump.DUMP_WAIT_SECONDS
        by_rank: dict[int, list[str]] = {}
        for rank, text in records:
            by_rank.setdefault(rank, []).append(text)
        found: list[list[tuple[str, str]]] = [[] for _ in range(f.nodes)]
        watchdog: list[list[tuple[str, str]]] = [[] for _ in range(f.nodes)]
        draw = Rng(f.seed * 59 + event.seq)
        year = f.moment(event.t - wait).year
        # torch 2.9's HeartbeatMonitor takes the dump signal on the default group alone, so
        # its lines name default_pg with that group's works where the hang was on ZeRO's or
        # AutoTP's tensor_parallel group (as hf_watchdog's do for a mesh group's).
        default = None
        if f.tp > 1:
            default = self.autotp_default_works(event.step)
        elif event.op == "_REDUCE_SCATTER_BASE":
            default = deepspeed_works.default_works_at_reduce(f, steps, event.within, others)
        for rank, texts in by_rank.items():
            early, late = torch_dump.node_with_dump(texts, year, draw, default)
            found[rank // 8] += [("", text) for text in early]
            watchdog[rank // 8] += [("", text) for text in late]
        # each node's ranks share its stderr: their records in time order
        found = [
            [("", text) for text in torch_dump.in_time_order([t for _, t in node])]
            for node in found
        ]
        watchdog = [
            [("", text) for text in torch_dump.in_time_order([t for _, t in node])]
            for node in watchdog
        ]
        out += self._merge(event.t - wait, found, 4)
        out += self._merge(event.t, watchdog, 5)
        return out

    def _poll(self, event: Failed) -> float:
        """From the fault to the launcher's sight of the dead worker: its exit (a fraction
        of a second) and the rest of launch.py's one-second poll (launch.py:339-355)."""
        draw = Rng(self.facts.seed * 631 + event.seq)
        return draw.uniform(0.05, 0.4) + draw.uniform(0.0, 1.0)

    def _launcher_ends(self, event: Failed, t: float, nodes: set[int]) -> list[Out]:
        """The launchers of `nodes` kill their processes from `t` (launch.py:319) and exit
        with the first non-zero code, -6 for an abort (:325), and pdsh reports each of
        those nodes' ssh."""
        f = self.facts
        # launch.py rebinds `cmd` for each process it spawns (v0.17.5 :221-243), so its
        # sigkill_handler (:325) names the last one's, the node's highest local rank.
        words = [PYTHON, "-u", *self._script(f.gpus // f.nodes - 1)]
        killed = [
            [(LAUNCH_KILLING, killing(pid)) for pid in self._pids(n)] if n in nodes else []
            for n in range(f.nodes)
        ]
        out = self._merge(t, killed, 6)
        ends = [[(LAUNCH_EXITS, exits(words, -6))] if n in nodes else [] for n in range(f.nodes)]
        out += self._merge(t + 0.1, ends, 7, level="ERROR")
        if f.nodes > 1:
            # sys.exit(-6) leaves each shell an exit status of 250.
            draw = Rng(f.seed * 577 + event.seq)
            keys = {host: draw.random() for host in self.hosts}  # as each ssh ends
            hosts = [self.hosts[n] for n in sorted(nodes)]
            order = sorted(hosts, key=keys.__getitem__)
            out.append(Line("\r\n".join(ssh_exited(f.master, host, 250) for host in order)))
        return out

    def _died(self, event: Failed) -> list[Out]:
        """A worker died (`event.watchdog` false: one node, where its launcher is the only
        one): launch.py polls its processes every second, and on the first non-zero return
        code its sigkill_handler kills every process it spawned and exits with that code
        (deepspeed/launcher/launch.py:317-355 at v0.17.5)."""
        f = self.facts
        words = [PYTHON, "-u", *self._script(f.gpus // f.nodes - 1)]
        killed = [
            [(LAUNCH_KILLING, killing(pid)) for pid in self._pids(node)] for node in range(f.nodes)
        ]
        out = self._merge(event.t, killed, 6)
        ends = [[(LAUNCH_EXITS, exits(words, -6))] for _ in range(f.nodes)]
        later = event.t + Rng(f.seed * 619 + event.seq).uniform(0.3, 1.5)
        return out + self._merge(later, ends, 7, level="ERROR")
