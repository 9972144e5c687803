"""Ctrl-C at a multi-node launch, and a launch whose host was lost: what the launchers in
front of the terminal print, held to their sources (review-mg14 R1, R2, D3).

- srun 25.05 stops a step only on a second Ctrl-C within a second (src/srun/srun_job.c
  :1790-1810; real transcripts find_string ids 19507621093, 29249099744);
- torchrun ends on SIGINT with SignalException, in the install's own paths (torch 2.9.0
  launcher/api.py:301-305);
- pdsh lists its threads on the first SIGINT and aborts on the runner's second (pdsh 2.34
  src/pdsh/dsh.c:929-946; DeepSpeed v0.17.5 runner.py:612-624; a real transcript
  find_string id 5323906200), and a pdsh whose host went down returns only once its thread
  is accounted for.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect

from genact_cast.asciicast import Event
from genact_cast.generator import RecordOptions, generate, make_plan, simulate
from tests.helpers import output_of, plain

ROOT = Path(__file__).resolve().parent.parent
GLOG_PATH = re.compile(r"^[IWE]\d{4} [\d:.]+ +\d+ (\S+?)distributed/elastic/")


def stopped(framework: str, seed: int, asks: int = 30) -> tuple[str, str]:
    """The run's text before the viewer's Ctrl-C and from it on."""
    options = RecordOptions(seed=seed, framework=framework, duration=60.0, cols=1000, color=False)
    asked = iter(range(10**6))
    shown: list[Event] = []
    simulate(make_plan(options), shown.append, should_stop=lambda: next(asked) >= asks)
    text = plain(output_of(shown))
    cut = text.index("^C")
    return text[:cut], text[cut:]


def lines_of(text: str) -> list[str]:
    return [line for line in text.split("\r\n") if line.strip()]


def test_multi_node_megatron_stops_on_srun_s_second_ctrl_c() -> None:
    before, after = stopped("megatron", 78)
    hosts = re.search(r"srun --nodes=(\d+)", before)
    assert hosts, "seed 78 runs Megatron under srun"
    nodes = int(hosts[1])
    lines = lines_of(after)
    step = re.fullmatch(r"\^Csrun: interrupt \(one more within 1 sec to abort\)", lines[0])
    assert step, lines[0]
    status = re.fullmatch(rf"srun: (StepId=\d+\.0) tasks 0-{nodes - 1}: running", lines[1])
    assert status, lines[1]
    assert lines[2:5] == [
        f"^Csrun: sending Ctrl-C to {status[1]}",
        "srun: forcing job termination",
        "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.",
    ]
    deaths = [line for line in lines if "Received 2 death signal, shutting down workers" in line]
    closing = [line for line in lines if line.endswith("closing signal SIGINT")]
    assert (len(deaths), len(closing)) == (nodes, 8 * nodes)
    assert re.fullmatch(
        rf"slurmstepd: error: \*\*\* STEP {status[1].removeprefix('StepId=')} ON \S+ "
        r"CANCELLED AT [\d-]+T[\d:]+ DUE to SIGNAL Killed \*\*\*",
        lines[-2],
    )
    # One install prints every torchrun line: the interrupt's paths are the run's own.
    paths = {m[1] for m in map(GLOG_PATH.match, lines_of(before) + lines) if m}
    assert paths == {"torch/"}, paths


def test_single_node_torchrun_ends_with_its_signal_exception() -> None:
    before, after = stopped("megatron", 4202)
    assert "srun" not in before
    lines = lines_of(after)
    agent = re.search(
        r" (\d+) torch/distributed/elastic/agent/server/api\.py:725\] "
        r"Received 2 death signal",
        lines[0],
    )
    assert agent, lines[0]
    assert lines[-2] == (
        "torch.distributed.elastic.multiprocessing.api.SignalException: "
        f"Process {agent[1]} got signal: 2"
    )
    paths = {m[1] for m in map(GLOG_PATH.match, lines_of(before) + lines) if m}
    assert paths == {"torch/"}, paths
    assert all("site-packages" not in line for line in lines)


def test_multi_node_deepspeed_ctrl_c_is_pdsh_s_and_the_runner_s() -> None:
    before, after = stopped("deepspeed", 78)
    listed = re.findall(r"cmd = pdsh -S -f 1024 -w (\S+) ", before)[-1].split(",")
    assert len(listed) > 1
    local = listed[0]
    lines = lines_of(after)
    me = f"pdsh@{local}"
    expected = [
        f"^C{me}: interrupt (one more within 1 sec to abort)",
        f"{me}:  (^Z within 1 sec to cancel pending threads)",
        *(f"{me}: {host}: command in progress" for host in listed),
    ]
    assert lines[: len(expected)] == expected
    signals = lines[len(expected) : len(expected) + 2 * len(listed)]
    assert signals[0::2] == [f"sending SIGTERM to ssh {host}" for host in listed]
    pids = [
        re.fullmatch(rf"sending signal 15 to {host} \[ssh\] pid (\d+)", line)
        for host, line in zip(listed, signals[1::2], strict=True)
    ]
    assert all(pids)
    assert lines[len(expected) + 2 * len(listed)] == f"{me}: interrupt, aborting."
    # The remote launchers' own lines no longer reach this terminal (pkill's SIGTERM ends
    # them after their ssh is gone): no `received SIGINT` from a node.
    assert not any("Main process received" in line for line in lines)


def test_a_pdsh_returns_only_with_every_thread_accounted_for() -> None:
    # 41100 pre-training on 32 nodes lost a host (gpu-029, review-mg14 D3); past 8 nodes the
    # job runs under srun (deepspeed_srun): the first seed from it on 2-8 nodes that loses one.
    from tests.seed_scan import first_run

    options = first_run(
        lambda plan: 1 < plan.nodes <= 8 and not plan.failures[0].same_node,
        41100,
        framework="deepspeed",
        kind="pretrain",
        failures=1,
        cols=1000,
        color=False,
    )
    text = plain(output_of(generate(options).events))
    launches = re.split(r"\r\n\S+@\S+:~/\S+\$ ", text)
    checked = 0
    for launch in launches:
        listed = re.search(r"cmd = pdsh -S -f 1024 -w (\S+) ", launch)
        if not listed or "ssh exited with exit code" not in launch:
            continue
        hosts = listed[1].split(",")
        local = hosts[0]
        ended = set(re.findall(rf"pdsh@{local}: (\S+): ssh exited with exit code 250", launch))
        waiting = set(re.findall(rf"pdsh@{local}: (\S+): command in progress", launch))
        assert ended | waiting == set(hosts)
        if waiting:
            assert f"pdsh@{local}: interrupt, aborting." in launch
            checked += 1
    assert checked == 1


def test_ctrl_c_in_a_real_terminal_reaches_srun_and_pdsh() -> None:
    """`genact-cast run` in a pty, stopped by a real Ctrl-C: srun's two-Ctrl-C protocol in
    front of Megatron's torchruns, pdsh's and the runner's in front of DeepSpeed's."""
    expected = {
        "megatron": [
            r"\^Csrun: interrupt \(one more within 1 sec to abort\)",
            r"\^Csrun: sending Ctrl-C to StepId=\d+\.0",
            r"Received 2 death signal, shutting down workers",
            r"DUE to SIGNAL Killed \*\*\*",
        ],
        "deepspeed": [
            r"\^Cpdsh@\S+: interrupt \(one more within 1 sec to abort\)",
            r"sending signal 15 to \S+ \[ssh\] pid \d+",
            r"pdsh@\S+: interrupt, aborting\.",
        ],
    }
    for framework, patterns in expected.items():
        child = pexpect.spawn(
            sys.executable,
            ["-m", "genact_cast", "run", "--seed", "78", "--framework", framework, "--no-color"],
            cwd=str(ROOT), dimensions=(30, 200), encoding="utf-8", timeout=60,
        )  # fmt: skip
        child.expect(r"loss")  # training has begun
        child.sendcontrol("c")
        for pattern in patterns:
            child.expect(pattern)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0


def test_single_node_deepspeed_runner_ends_with_its_keyboard_interrupt() -> None:
    """review-mg15 R3: on one node DeepSpeed v0.17.5's runner installs no SIGINT handler
    (runner.py:622-624), so the ^C raises KeyboardInterrupt at runner.py:626 `result.wait()`:
    after its local launcher's sigkill_handler lines, Python 3.12's traceback through
    subprocess.py's wait (frames and carets of a real 3.12 interrupt,
    tests/data/real_logs/python312_popen_wait_interrupt.txt)."""
    seed = 41331
    assert make_plan(RecordOptions(seed=seed, framework="deepspeed")).nodes == 1
    _, after = stopped("deepspeed", seed)
    lines = lines_of(after)
    said = next(i for i, line in enumerate(lines) if "Main process received SIGINT" in line)
    assert lines[said + 1] == "Traceback (most recent call last):"
    assert lines[said + 2 : said + 6] == [
        '  File "/usr/local/bin/deepspeed", line 6, in <module>',
        "    main()",
        '  File "/usr/local/lib/python3.12/site-packages/deepspeed/launcher/runner.py", line '
        "626, in main",
        "    result.wait()",
    ]
    real = (ROOT / "tests/data/real_logs/python312_popen_wait_interrupt.txt").read_text()
    tail = [line for line in real.splitlines() if not line.startswith("#")]
    ours = lines[said + 6 : said + 6 + len(tail)]
    assert ours == [
        line.replace("/usr/lib/python3.12/", "/usr/local/lib/python3.12/") for line in tail
    ]
    assert lines[-1].rstrip().endswith("$")  # the prompt: the runner has exited
