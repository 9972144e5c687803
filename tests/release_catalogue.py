"""A framework release's line catalogue (presenters/frameworks/<framework>/catalogue.tsv) and
the lines of a generated cast read back against it.

A catalogue row is `key<TAB>file:line<TAB>format`: the format string of that release with its
fields written as placeholders ({int} {float} {sci} {word} {any} {date} {dots} {rule}).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import NamedTuple

from genact_cast.generator import RecordOptions, generate, make_plan, tables
from tests.helpers import output_of, plain

PLACEHOLDERS = {
    "{int}": r" *-?\d+",
    "{float}": r" *-?\d+\.\d+",
    "{num}": r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?",  # Python's `:,` thousands
    "{sci}": r"-?\d\.\d{6}E[+-]\d\d",
    "{word}": r"\S+",
    "{any}": r".*",
    "{date}": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "{stamp}": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}",
    "{dots}": r"\.*",
    "{rule}": r"-+",
    # a JSON object logged over several lines (a config's repr): this line holds its "{",
    # the lines after it the rest, read back with json.loads (`unmatched`)
    "{json}": r"\{",
}
_FIELD = re.compile("|".join(re.escape(key) for key in PLACEHOLDERS))

# Lines the framework does not print itself: torchrun's glog lines and c10d's C++ log lines
# (megatron and deepspeed run under torchrun or its elastic agent; their catalogue is the
# torchrun/NCCL one), NCCL's INFO lines, and the shell.
OTHERS = re.compile(
    r"(?:\^C)?[IWE]\d{4} \d\d:\d\d:\d\d\.\d{6,9} "  # glog / c10 stamp (a Ctrl-C's echo)
    r"|\S+:\d+:\d+ \[\d+\] NCCL "  # NCCL_DEBUG=INFO
    r"|NCCL version "
    r"|/\S+/torch/\S+\.py:\d+: (?:User|Future)Warning: |  warnings\.warn\("  # torch's warnings
    r"|\[rank\d+\]:\[[EW]"  # the watchdog's rank-prefixed C++ lines
    r"|total \S+$|-rw-r--r-- |drwxr-xr-x "  # ls -lh of the exported model
    # c10's trace when the watchdog's exception ends the process (torch 2.6 on), and the
    # blank lines between its parts
    r"|(?:\[rank\d+\]:)?(?:Exception raised from \w+ at |frame #\d+: "
    r"|terminate called after throwing an instance of 'c10::DistBackendError'$|  what\(\):  \[|$)"
    # Python's faulthandler dump after the abort, where the framework enabled it (torchtitan's
    # @record: tests/test_torchtitan_faulthandler.py holds it against real dumps)
    r"|Fatal Python error: Aborted$|Thread 0x[0-9a-f]{16} \(most recent call first\):$"
    r"|  File \"[^\"]+\", line \d+ in \S+$|  <no Python frame>$"
    # the suffix c10 gives a CUDA error (c10_cuda_check_implementation), as the faulty GPU's
    # process reports it
    # torch's own frame and exception where a restarted worker's set_device fails
    # (megatron_cuda_init: torch/cuda/__init__.py:567 at v2.9.0)
    r"|    torch\._C\._cuda_setDevice\(device\)$|torch\.AcceleratorError: CUDA error: .+"
    r"|Search for `cudaError\w+' in https://docs\.nvidia\.com/cuda/cuda-runtime-api/"
    r"group__CUDART__TYPES\.html for more information\.$"
    r"|CUDA kernel errors might be asynchronously reported at some other API call, so the "
    r"stacktrace below might be incorrect\.$|For debugging consider passing CUDA_LAUNCH_BLOCKING=1$"
    r"|Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions\.$"
    # a torchrun past its --max_restarts: the ChildFailedError it exits with, and srun's line
    # for each task that exits (tests/test_torchrun_exit.py holds them against real logs)
    r"|(?:Traceback \(most recent call last\):|  File \"/usr/local/\S+\", line \d+, in \S+"
    r"|    (?:sys\.exit\(main\(\)\)|return f\(\*args, \*\*kwargs\)|run\(args\)|elastic_launch\("
    r"|return launch_agent\(self\._config, self\._entrypoint, list\(args\)\)"
    r"|raise ChildFailedError\(|args\.func\(args\)|multi_gpu_launcher\(args\)"
    r"|distrib_run\.run\(args\)"
    # a torchrun ended by a death signal: its SignalException (torchrun.signal_exception)
    r"|result = agent\.run\(\)|result = f\(\*args, \*\*kwargs\)"
    r"|result = self\._invoke_run\(role\)|time\.sleep\(monitor_interval\)"
    r"|raise SignalException\(f\"Process \{os\.getpid\(\)\} got signal: \{sigval\}\", "
    r"sigval=sigval\))"
    r"|  +\^+"
    r"|torch\.distributed\.elastic\.multiprocessing\.api\.SignalException: "
    r"Process \d+ got signal: \d+"
    r"|torch\.distributed\.elastic\.multiprocessing\.errors\.ChildFailedError: |=+|-+|\S+ FAILED"
    r"|Failures:|  <NO_OTHER_FAILURES>|Root Cause \(first observed failure\):|\[\d+\]:"
    r"|  (?:time      |host      |rank      |exitcode  |error_file|traceback ): .*"
    r"|srun: error: \S+: task \d+: Exited with exit code \d+"
    # Slurm ending the step on a node that went down (srun.py, tests/test_torchrun_exit.py)
    r"|srun: error: Node failure on \S+"
    r"|srun: Job step aborted: Waiting up to \d+ seconds for job step to finish\."
    r"|slurmstepd: error: \*\*\* STEP \d+\.\d+ ON \S+ CANCELLED AT \S+ DUE TO NODE FAILURE, "
    r"SEE SLURMCTLD LOG FOR DETAILS \*\*\*"
    # srun --kill-on-bad-exit ending the step after a task's bad exit
    r"|srun: Terminating StepId=\d+\.\d+"
    r"|slurmstepd: error: \*\*\* STEP \d+\.\d+ ON \S+ CANCELLED AT \S+ "
    r"DUE TO TASK FAILURE \*\*\*)$"
)


class Entry(NamedTuple):
    key: str
    where: str
    pattern: re.Pattern[str]


def catalogue(framework: str) -> list[Entry]:
    path = tables.GENERATOR / "presenters" / "frameworks" / framework / "catalogue.tsv"
    # fields=3: a format may begin with a tab (Megatron's bucket listing).
    found = tables.rows(path, fields=3)
    return [Entry(key, where, re.compile(_compile(fmt))) for key, where, fmt in found]


def _compile(fmt: str) -> str:
    out, last = [], 0
    for found in _FIELD.finditer(fmt):
        out += [re.escape(fmt[last : found.start()]), PLACEHOLDERS[found.group(0)]]
        last = found.end()
    out.append(re.escape(fmt[last:]))
    return "".join(out)


GLUED = re.compile(r"( *\d+%\|[^|]*\| \d+/\d+ \[[^\]]*\])(\S.*)")


def cast_lines(options: RecordOptions, prompt: str | None = None) -> list[str]:
    """The cast's lines as written (no colour, a terminal wide enough that nothing wraps),
    without the shell's prompt (the run's user at its first host unless given) and the
    commands typed at it."""
    if prompt is None:
        plan = make_plan(options)
        prompt = f"{plan.user}@{plan.host(0)}:"
    text = plain(output_of(generate(options).events))
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    typing = False
    for line in lines:
        line = line.split("\r")[-1]
        if line.startswith(prompt) or typing:
            typing = line.endswith("\\")
            continue
        # A logger writes its line where tqdm left the cursor, after the bar: two writes.
        glued = GLUED.fullmatch(line)
        out += [glued[1], glued[2]] if glued else [line]
    while out and not out[-1]:
        out.pop()
    return out


def release_lines(options: RecordOptions) -> list[str]:
    """`cast_lines` of the first minute of `options`, as a release test reads it: no colour,
    1,000 columns (made once per run of the tests; each caller gets its own list)."""
    return list(_release_lines(options))


@functools.cache
def _release_lines(options: RecordOptions) -> tuple[str, ...]:
    return tuple(cast_lines(options._replace(cols=1000, color=False, duration=60.0)))


def unmatched(
    lines: Sequence[str],
    entries: Sequence[Entry],
    *,
    logger: re.Pattern[str] | None = None,
    prefix: str = "",
) -> tuple[list[str], set[str]]:
    """Lines no catalogue entry (nor the launcher's and NCCL's) accounts for, and the keys
    of the entries the lines used. `logger`: the framework's logging format, whose
    `message` group the entries match; `prefix`: what the launcher puts before a rank's
    lines (torchrun's `--local-ranks-filter` writes `[rank0]:`)."""
    used: set[str] = set()
    missing = []
    block: list[str] | None = None  # the JSON object a `{json}` entry's line opened
    host = ""  # pdsh's `host: ` before that line, which it writes before every line
    for line in lines:
        if block is not None:
            if not line.startswith(host):
                missing.append(line)
                continue
            block.append(line.removeprefix(host))
            if _parses("\n".join(block)):
                block = None
            continue
        if OTHERS.match(line) or OTHERS.match(line.removeprefix(prefix)):
            continue  # torchrun's, c10d's and NCCL's lines (their own format tests)
        message: str | None = line
        if logger is not None:
            logged = logger.fullmatch(line)
            message = None if logged is None else logged["message"]
        entry = None
        if message is not None:
            entry = next((e for e in entries if e.pattern.fullmatch(message)), None)
        if entry is None:
            missing.append(line)
        else:
            used.add(entry.key)
            if entry.pattern.pattern.endswith(PLACEHOLDERS["{json}"]):
                block = ["{"]
                found = HOST.match(line)
                host = "" if found is None else found.group(0)
    if block is not None:
        missing.append("\n".join(block))  # an object never closed
    return missing, used


HOST = re.compile(r"[\w.-]+: ")


def _parses(text: str) -> bool:
    """Whether `text` is one whole JSON object as json.dumps(indent=2) writes it, and the
    empty line after it (to_json_string's "\\n" before the handler's own)."""
    body, _, rest = text.rpartition("\n")
    if rest != "":
        return False
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and json.dumps(value, indent=2, sort_keys=True) == body


# Behind pdsh's `host: ` (DeepSpeed's multi-node launch) and torchrun's `[rankN]:`.
NCCL_PREFIX = re.compile(
    r"(?:[\w.-]+: )?(?:\[rank\d+\]:)?\S+:\d+:\d+ \[\d+\] NCCL INFO (?P<message>.*)"
)


def nccl_unmatched(lines: list[str]) -> tuple[list[str], set[str]]:
    """NCCL_DEBUG=INFO lines that no message of the pinned NCCL's catalogue
    (presenters/frameworks/nccl/catalogue.tsv) accounts for, and the keys used."""
    entries = catalogue("nccl")
    used: set[str] = set()
    missing = []
    for line in lines:
        found = NCCL_PREFIX.fullmatch(line)
        if found is None:
            continue
        entry = next((e for e in entries if e.pattern.fullmatch(found["message"])), None)
        if entry is None:
            missing.append(line)
        else:
            used.add(entry.key)
    return missing, used
