"""The Python tracebacks a torchrun (or a launcher that runs torch's `run`) ends with: the
ChildFailedError of a torchrun that has used its --max_restarts, and the SignalException of
an agent stopped by a death signal, with torch 2.9.0's frames and Python 3.12's carets."""

import re
from collections.abc import Sequence
from datetime import datetime

# torch 2.9.0's ChildFailedError, as a torchrun that has used its --max_restarts ends: the
# agent returns FAILED (elastic/agent/server/api.py:898-913), launch_agent raises the error
# (launcher/api.py:293), @record re-raises it (elastic/multiprocessing/errors/__init__.py:357)
# and Python prints the traceback and the error's message (errors/__init__.py:178-197, 247-303
# at the 2.9.0 wheel). The frames are those of real torch 2.9 logs with Python 3.12
# (tests/data/real_logs/torch29_child_failed.txt).
Frame = tuple[str, int, str, str]  # path, line, function, the line's code
# torchrun's own frames down to torch's `run` (the NGC image and python:3.12 alike).
_TORCHRUN_FRAMES: tuple[Frame, ...] = (
    ("elastic/multiprocessing/errors/__init__.py", 357, "wrapper", "return f(*args, **kwargs)"),
    ("run.py", 936, "main", "run(args)"),
)
# From `run` on: the frames of every launcher that calls torch's `run` (accelerate too).
_RUN_FRAMES: tuple[Frame, ...] = (
    ("run.py", 927, "run", "elastic_launch("),
    (
        "launcher/api.py",
        156,
        "__call__",
        "return launch_agent(self._config, self._entrypoint, list(args))",
    ),
    ("launcher/api.py", 293, "launch_agent", "raise ChildFailedError("),
)
# The console script's `sys.exit(main())`: pip writes it on line 8 (a python:3.12 image),
# the NGC containers' torchrun has it on line 7 (both in real torch 2.9 logs).
_SCRIPT_LINE = {"site-packages": 8, "dist-packages": 7}
SIGNALS = {2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"}


def _carets(code: str) -> str:
    """Python 3.12's markers under the call a frame was in, where that call is not the whole
    line: `main()` in `sys.exit(main())`, what a `return` returns or `result =` is given;
    "" for a whole line."""
    if code.startswith("sys.exit("):
        start, end = len("sys.exit("), len(code) - 1
    elif code.startswith("return "):
        start, end = len("return "), len(code)
    elif re.match(r"\w+ = ", code):  # what an assignment is given
        start, end = code.index(" = ") + 3, len(code)
    else:
        return ""
    return " " * (4 + start) + "^" * (end - start)


def child_failed(
    *,
    script: str,
    host: str,
    moment: datetime,
    rank: int,
    local_rank: int,
    pid: int,
    signum: int,
    packages: str = "site-packages",
    outer: Sequence[Frame] = (),
    exitcode: int = 0,
) -> list[str]:
    """What a torchrun (or a launcher that runs torch's `run`, `outer` its own frames as
    (path, line, function, code)) prints as it exits after its last restart: the traceback
    of the ChildFailedError and its message, one failure (the worker whose signal the
    agent saw first; the node's others it had stopped itself) as its root cause."""
    lines = _traceback(_RUN_FRAMES, packages, outer)
    failure = [
        "[0]:",
        f"  time      : {moment:%Y-%m-%d_%H:%M:%S}",
        f"  host      : {host}",
        f"  rank      : {rank} (local_rank: {local_rank})",
        f"  exitcode  : {exitcode or -signum} (pid: {pid})",
        "  error_file: <N/A>",
        # A worker that exited (`exitcode`, an uncaught exception's 1) without @record's
        # error file: errors/__init__.py's pointer to it, as real logs show it.
        "  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html"
        if exitcode
        else f"  traceback : Signal {signum} ({SIGNALS[signum]}) received by PID {pid}",
    ]
    title = f"{script} FAILED"
    width = min(max(len(title), *(len(text) for text in failure)), 60)
    lines += [
        # str(error) starts with its message's newline: the type's line ends in ": "
        "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
        "=" * width,
        title,
        "-" * width,
        "Failures:",
        "  <NO_OTHER_FAILURES>",
        "-" * width,
        "Root Cause (first observed failure):",
        *failure,
        "=" * width,
    ]
    return lines


def _traceback(run_frames: Sequence[Frame], packages: str, outer: Sequence[Frame]) -> list[str]:
    """Python 3.12's traceback from torchrun's console script (or a launcher's own frames,
    `outer`) down through torch's `run` and `run_frames`."""
    torch = f"/usr/local/lib/python3.12/{packages}/torch/distributed"
    own = tuple(run_frames) if outer else _TORCHRUN_FRAMES + tuple(run_frames)
    frames = list(outer) or [
        ("/usr/local/bin/torchrun", _SCRIPT_LINE[packages], "<module>", "sys.exit(main())")
    ]
    frames += [(f"{torch}/{path}", line, name, code) for path, line, name, code in own]
    lines = ["Traceback (most recent call last):"]
    for path, line, name, code in frames:
        lines += [f'  File "{path}", line {line}, in {name}', f"    {code}"]
        marks = _carets(code)
        if marks:
            lines.append(marks)
    return lines


# torch 2.9.0's agent taking a death signal (SIGTERM from Slurm, SIGINT from a Ctrl-C) while
# its monitor loop sleeps: the termination handler raises SignalException (elastic/
# multiprocessing/api.py:85), SimpleElasticAgent.run logs it and shuts the workers down
# (agent/server/api.py:717-728), launch_agent re-raises it without closing the rendezvous
# (launcher/api.py:284, 301-305) and Python prints it (the 2.9.0 wheel's lines; the frames'
# shape, carets and message are a real Python 3.12 torchrun's, index:11265493140).
_SIGNAL_FRAMES: tuple[Frame, ...] = (
    *_RUN_FRAMES[:-1],
    ("launcher/api.py", 284, "launch_agent", "result = agent.run()"),
    ("elastic/metrics/api.py", 138, "wrapper", "result = f(*args, **kwargs)"),
    ("elastic/agent/server/api.py", 717, "run", "result = self._invoke_run(role)"),
    ("elastic/agent/server/api.py", 881, "_invoke_run", "time.sleep(monitor_interval)"),
    (
        "elastic/multiprocessing/api.py",
        85,
        "_terminate_process_handler",
        'raise SignalException(f"Process {os.getpid()} got signal: {sigval}", sigval=sigval)',
    ),
)


def signal_exception(
    *, agent: int, signum: int, packages: str = "site-packages", outer: Sequence[Frame] = ()
) -> list[str]:
    """The traceback a torchrun (or a launcher that runs torch's `run`) ends with when a
    death signal stops it: `Process N got signal: S` (Python 3.12 formats the Signals
    member as its number)."""
    return [
        *_traceback(_SIGNAL_FRAMES, packages, outer),
        "torch.distributed.elastic.multiprocessing.api.SignalException: "
        f"Process {agent} got signal: {signum}",
    ]


# torch 2.9.0's agent whose own worker group failed, with restarts left, after another
# node's agent gave up: that torchrun raised ChildFailedError and, in launch_agent's
# `finally`, closed the rendezvous (launcher/api.py:311-313 -> dynamic_rendezvous.py:1278-1309),
# so this one's restart (agent/server/api.py:910, the FAILED branch) re-rendezvouses
# (:708, :685, :500) into a closed rendezvous: the join op's ERROR_CLOSED raises
# RendezvousClosedError (dynamic_rendezvous.py:1170, :676), which nothing in the agent or
# launch_agent catches (api.py:716-733, launcher/api.py:306-310): torchrun ends with it,
# with no message. The frames are the 2.9.0 wheel's (tests/data/real_logs/
# torch29_rendezvous_closed.txt); the shape is a real torchrun's (pytorch/pytorch#147064,
# torch 2.6 with Python 3.11; pytorch/pytorch#91943 for the frames below _restart_workers).
_AGENT = "elastic/agent/server/api.py"
_PROF = _SIGNAL_FRAMES[3]  # the @prof wrapper of every agent method (metrics/api.py:138)
_CLOSED_FRAMES: tuple[Frame, ...] = (
    *_SIGNAL_FRAMES[:5],
    (
        "elastic/agent/server/api.py",
        910,
        "_invoke_run",
        "self._restart_workers(self._worker_group)",
    ),
    _PROF,
    (
        "elastic/agent/server/api.py",
        708,
        "_restart_workers",
        "self._initialize_workers(worker_group)",
    ),
    _PROF,
    (_AGENT, 685, "_initialize_workers", "self._rendezvous(worker_group)"),
    _PROF,
    (
        _AGENT,
        500,
        "_rendezvous",
        "rdzv_info = spec.rdzv_handler.next_rendezvous()",
    ),
    (
        "elastic/rendezvous/dynamic_rendezvous.py",
        1170,
        "next_rendezvous",
        "self._op_executor.run(join_op, deadline, self._get_deadline)",
    ),
    ("elastic/rendezvous/dynamic_rendezvous.py", 676, "run", "raise RendezvousClosedError"),
)


def rendezvous_closed(*, packages: str = "site-packages", outer: Sequence[Frame] = ()) -> list[str]:
    """The traceback a torchrun (or a launcher that runs torch's `run`, `outer` its frames)
    ends with when its restart meets a rendezvous another node's torchrun closed."""
    return [
        *_traceback(_CLOSED_FRAMES, packages, outer),
        "torch.distributed.elastic.rendezvous.api.RendezvousClosedError",
    ]
