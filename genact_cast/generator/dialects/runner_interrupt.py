"""The `deepspeed` runner's end when Ctrl-C stops a run on one node (review-mg15 R3).

At v0.17.5 the runner installs its sigkill_handler only for a multi-node pdsh launch
(deepspeed/launcher/runner.py:622-624, `if args.launcher == PDSH_LAUNCHER and
multi_node_exec`); on one node the terminal's SIGINT raises KeyboardInterrupt where it waits
for its local launch.py (runner.py:626, `result.wait()`). Python 3.12's Popen.wait catches
it, gives the child the 0.25 s it expects it to need to exit on the same ^C
(`_sigint_wait_secs`), and raises it again: the traceback ends the command, after the
launcher's sigkill_handler lines (launch.py:319-328). The frames: pip's copy of bin/deepspeed
(`main()` on line 6, setup.py's `scripts`), runner.py:626, and subprocess.py 1264 / 2053 /
2011 of Python 3.12 as a real 3.12 KeyboardInterrupt in Popen.wait prints them, carets
included (tests/data/real_logs/python312_popen_wait_interrupt.txt)."""

from __future__ import annotations

_PYTHON = "/usr/local/lib/python3.12"  # python:3.12's stdlib, as hf_warnings' site-packages
_SCRIPT = "/usr/local/bin/deepspeed"

# (path, line, function, the line's code, the call Python 3.12 marks; "" for the whole line)
_FRAMES: tuple[tuple[str, int, str, str, str], ...] = (
    (_SCRIPT, 6, "<module>", "main()", ""),
    (f"{_PYTHON}/site-packages/deepspeed/launcher/runner.py", 626, "main", "result.wait()", ""),
    (
        f"{_PYTHON}/subprocess.py",
        1264,
        "wait",
        "return self._wait(timeout=timeout)",
        "self._wait(timeout=timeout)",
    ),
    (
        f"{_PYTHON}/subprocess.py",
        2053,
        "_wait",
        "(pid, sts) = self._try_wait(0)",
        "self._try_wait(0)",
    ),
    (
        f"{_PYTHON}/subprocess.py",
        2011,
        "_try_wait",
        "(pid, sts) = os.waitpid(self.pid, wait_flags)",
        "os.waitpid(self.pid, wait_flags)",
    ),
)


def runner_interrupted() -> list[str]:
    """The runner's KeyboardInterrupt traceback, as Python 3.12 writes it to stderr."""
    lines = ["Traceback (most recent call last):"]
    for path, lineno, function, code, marked in _FRAMES:
        lines += [f'  File "{path}", line {lineno}, in {function}', f"    {code}"]
        if marked:
            lines.append(" " * (4 + code.index(marked)) + "^" * len(marked))
    return [*lines, "KeyboardInterrupt"]
