"""`genact-cast record --live`: a real asciinema recording of the real program in a real shell.

asciinema-automation drives `asciinema rec` in a pseudo-terminal through pexpect. The
recorded shell is clean (`$ ` prompt, no user rc files) and has the run's launch command
(`torchrun ...`) defined as a shell function that starts `genact-cast run` with the same
seed and options, so the viewer sees only the realistic command, typed at human speed.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from genact_cast.atomic import atomic_output, temporary_directory, temporary_writes
from genact_cast.errors import GenactCastError, Terminated
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.presenters.dialect_choice import launch_words
from genact_cast.generator.presenters.genact.launch import command_words, typed_command
from genact_cast.output_target import check_writable
from genact_cast.programs import find_program
from genact_cast.progress import working

PROMPT = "$ "
STARTUP_SECONDS = 20.0  # asciinema, bash and Python starting, on a loaded machine


class LiveRecordingError(GenactCastError):
    """asciinema or the shell did not do what the recording needs."""


def record_live(options: RecordOptions, output: Path, *, overwrite: bool) -> float:
    """Record the run live into `output`; return how long the recording took (seconds)."""
    from asciinema_automation.instruction import ExpectInstruction, SendShellInstruction
    from asciinema_automation.script import Script

    plan = make_plan(options)
    check_writable(output, overwrite=overwrite)
    asciinema = _find("asciinema")
    words = command_words(plan) if options.framework == "genact" else launch_words(plan)
    command = typed_command(plan, words)
    # The launcher is the first word that is not an environment assignment (NCCL_DEBUG=INFO).
    launcher = next(word for word in words if "=" not in word)
    run_seconds = plan.budget.total / options.speed
    started = time.monotonic()

    with temporary_directory("genact-cast-live-") as tmp:
        rc = Path(tmp) / "rc"
        with temporary_writes("the shell's temporary start-up file"):
            rc.write_text(_shell_setup(options, launcher), "utf-8")
        cast = Path(tmp) / "live.cast"
        arguments = [
            "--command", shlex.join(["bash", "--noprofile", "--rcfile", str(rc), "-i"]),
            "--cols", str(options.cols),
            "--rows", str(options.rows),
            "--title", options.title or _live_title(plan.model_name, options.framework),
        ]  # fmt: skip
        if options.idle_time_limit is not None:
            arguments += ["--idle-time-limit", str(options.idle_time_limit)]
        typing = 0.11 / min(options.speed, 4.0)  # a person types faster when asked to hurry
        script = Script(
            outputfile=cast,
            asciinema_arguments=shlex.join(arguments),
            timeout=STARTUP_SECONDS,
            wait=0.4,
            delay=typing,
            standard_deviation=typing / 2,
            instructions=[
                ExpectInstruction(r"\$ ", int(STARTUP_SECONDS)),
                SendShellInstruction(command),
                # The player's terminal restore may come between the newline and the prompt.
                ExpectInstruction(r"\n(?:\x1b\[[0-9;?]*[A-Za-z])*\$ ", run_timeout(run_seconds)),
            ],
        )
        env = {
            "PATH": f"{Path(asciinema).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "ASCIINEMA_CONFIG_HOME": str(Path(tmp) / "config"),  # never touch the user's
            "TERM": os.environ.get("TERM", "xterm-256color"),
        }
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        before = _children(os.getpid())
        try:
            with working("recording live", expected=run_seconds + 5):
                script.execute()
        except Terminated:
            raise  # SIGTERM or SIGHUP: not a failure of the recording
        except Exception as exc:
            raise LiveRecordingError(_explain(exc, run_seconds)) from None
        finally:
            _kill_tree(getattr(script, "process", None), before)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        if not cast.exists() or cast.stat().st_size == 0:
            raise LiveRecordingError("asciinema rec wrote no recording")
        with atomic_output(output, overwrite=overwrite) as stream:
            stream.write(cast.read_bytes())
    return time.monotonic() - started


def _live_title(model: str, framework: str) -> str:
    dialect = "" if framework == "genact" else f", {framework}"
    return f"{model} training, recorded live (genact-cast{dialect})"


def run_timeout(run_seconds: float) -> int:
    """How long to wait for the run to end before calling the recording failed."""
    return int(run_seconds * 2 + STARTUP_SECONDS)


def _shell_setup(options: RecordOptions, launcher: str) -> str:
    """bash's rc file: a plain prompt, and the launcher as a function running the simulation."""
    run = [
        sys.executable, "-m", "genact_cast", "run", "--no-prompt",
        "--seed", str(options.seed),
        "--speed", repr(options.speed),
        "--cols", str(options.cols),
        "--rows", str(options.rows),
        "--color" if options.color else "--no-color",
    ]  # fmt: skip
    if options.duration is not None:
        run += ["--duration", repr(options.duration)]
    for flag, value in (("--model", options.model), ("--gpu", options.gpu),
                        ("--dataset", options.dataset)):  # fmt: skip
        if value is not None:
            run += [flag, value]
    if options.gpus is not None:
        run += ["--gpus", str(options.gpus)]
    for flag, pinned in (("--kind", options.kind), ("--method", options.method),
                         ("--failures", options.failures)):  # fmt: skip
        if pinned is not None:
            run += [flag, str(pinned)]
    if options.framework != "genact":
        run += ["--framework", options.framework]
    if options.start is not None:
        run += ["--start", options.start.isoformat()]
    if options.layout != "log":
        run += ["--layout", options.layout]
    return (
        f"PS1={shlex.quote(PROMPT)}\n"
        "unset PROMPT_COMMAND\n"
        "bind 'set enable-bracketed-paste off' 2>/dev/null\n"
        "HISTFILE=/dev/null\n"
        f"{launcher}() {{ {shlex.join(run)}; }}\n"
    )


def _find(program: str) -> str:
    found = find_program(program)
    if found is None:
        raise LiveRecordingError(f"{program} is not installed (pip install asciinema)")
    return found


def _explain(exc: Exception, run_seconds: float) -> str:
    import pexpect

    if isinstance(exc, pexpect.TIMEOUT):
        return f"the live recording timed out (the run should take about {run_seconds:.0f} s)"
    if isinstance(exc, pexpect.EOF):
        return "asciinema or the shell ended before the run finished"
    if isinstance(exc, pexpect.ExceptionPexpect):
        return f"cannot start asciinema rec: {exc}"
    return f"live recording failed: {exc}"


def _kill_tree(process: object, before: set[int]) -> None:
    """End asciinema and everything under it (its shell runs in a session of its own).

    A signal taken while pexpect starts asciinema (after its fork, before `spawn` returns)
    leaves the script without a `process`: asciinema is then the child this process made
    since `before`, killed with its tree all the same."""
    pid = getattr(process, "pid", None)
    roots = [pid] if pid is not None else sorted(_children(os.getpid()) - before)
    for root in roots:
        for victim in [*_descendants(root), root]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
    for root in roots if pid is None else []:  # else pexpect's `close` reaps it
        with contextlib.suppress(ChildProcessError):
            os.waitpid(root, 0)
    close = getattr(process, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # already gone: nothing to close
            close(force=True)


def _children(pid: int) -> set[int]:
    return set(_process_tree().get(pid, []))


def _descendants(pid: int) -> list[int]:
    children = _process_tree()
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _process_tree() -> dict[int, list[int]]:
    """Each process's children, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    return children
