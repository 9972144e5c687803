"""A shell prompt, and the launch command typed in at human speed."""

from __future__ import annotations

import math

from genact_cast.generator.console import Console, usable_width
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.rng import Rng
from genact_cast.generator.style import RESET, Text

WHERE = "~/llm-train"


def prompt(plan: RunPlan, *, color: bool) -> Text:
    user_host = f"{plan.user}@{plan.master}"
    width = len(user_host) + len(WHERE) + 3
    if not color:
        return Text(f"{user_host}:{WHERE}$ ", width)
    return Text(f"\x1b[1;32m{user_host}{RESET}:\x1b[1;34m{WHERE}{RESET}$ ", width)


def command_words(plan: RunPlan) -> list[str]:
    """The torchrun command of this cluster, as a list of shell words."""
    config = f"configs/{plan.run_name}.yaml"
    if plan.nodes == 1:
        launcher = ["torchrun", "--standalone", "--nproc_per_node=8", "--max-restarts=3"]
    else:
        launcher = [
            "torchrun",
            f"--nnodes={plan.nodes}",
            "--nproc_per_node=8",
            "--max-restarts=3",
            "--rdzv_backend=c10d",
            f"--rdzv_endpoint={plan.master}:{plan.master_port}",
        ]
    debug = ["NCCL_DEBUG=INFO"] if plan.nccl_debug else []
    return [*debug, *launcher, "train.py", "--config", config]


def command_lines(words: list[str], first_width: int, width: int) -> list[str]:
    """Lines to type: long commands continue with ' \\' as a person would type them."""
    lines: list[str] = []
    line = ""
    limit = first_width
    for index, word in enumerate(words):
        candidate = f"{line} {word}" if line else word
        if line and len(candidate) + 2 > limit:
            lines.append(line + " \\")
            line, limit = word, width - 2  # after the '> ' continuation prompt
        else:
            line = candidate
        # A word longer than a line (a config path on a narrow terminal) is split after a
        # slash if it can be: bash joins a backslash-newline inside a word too.
        room = limit if index == len(words) - 1 else limit - 2
        while " " not in line and len(line) > room:
            # Never cut at the word's end: the next word's space would be lost.
            bound = min(room, limit - 1)
            cut = line.rfind("/", 0, bound) + 1 or bound
            lines.append(line[:cut] + "\\")
            line, limit = line[cut:], width - 2
            room = limit if index == len(words) - 1 else limit - 2
    lines.append(line)
    return lines


def typed_command(plan: RunPlan, words: list[str] | None = None) -> str:
    """The launch command (or `words`) as typed: lines joined by newlines, continued with ' \\'."""
    width = usable_width(plan.options.cols)
    first = width - prompt(plan, color=False).width
    return "\n".join(command_lines(words or command_words(plan), first, width))


def launch(
    con: Console,
    plan: RunPlan,
    budget: float,
    rng: Rng,
    words: list[str] | None = None,
    *,
    fold: bool = True,
    shown: bool = True,
) -> None:
    """Type the command at the prompt (`shown`: written here, else already on the line).
    Folded (`fold`), it continues with ' \\' lines; else it is one line, which the terminal
    wraps at its last column as it wraps any typing."""
    if fold:
        keys = typed_command(plan, words).replace("\n", "\r")
    else:
        keys = " ".join(words or command_words(plan))
    # One pause to think, one per keystroke (longer after a space), one before Enter.
    raw = [rng.uniform(0.6, 1.4)]
    # Rng.uniform and Rng.chance inlined (the same draws and sums): a framework's command
    # is a thousand keys or more.
    draw = rng.random
    for key in keys:
        delay = 0.04 + (0.13 - 0.04) * draw()
        if key == " ":
            delay += 0.02 + (0.1 - 0.02) * draw()
        if draw() < 0.04:
            delay += 0.2 + (0.6 - 0.2) * draw()  # a hesitation
        raw.append(delay)
    raw.append(rng.uniform(0.3, 0.7))
    scale = budget / math.fsum(raw)

    if shown:
        con.tape.write(prompt(plan, color=con.style.color).ansi)
    con.tape.sleep(raw[0] * scale)
    con.tape.keystrokes(
        ["\r\n> " if key == "\r" else key for key in keys],
        [delay * scale for delay in raw[1:-1]],
    )
    con.tape.sleep(raw[-1] * scale)
    con.tape.write("\r\n")


# A person back at the prompt after a crash reads the error before anything is typed: a
# pause of its own (1.2-2.8 s of the cast at speed 1), not a share of the keystrokes' budget
# (a 1,400-key command retyped in the 4 s a relaunch has started 0.03 s after the prompt,
# issue 18 item 4). At most half of what the relaunch has.
RELAUNCH_THOUGHT = 2.0
KEY_SECONDS = (0.04, 0.13)  # one keystroke, as `launch` types them


def relaunch(
    con: Console, plan: RunPlan, budget: float, rng: Rng, words: list[str], recalled: str | None
) -> None:
    """Run the job again: the prompt, a pause to read the crash, then the command. Where it
    is the last one typed, or that one with words added at its end (--resume_from_checkpoint),
    bash's history gives it back whole (Up: readline draws the line at the cursor) and only
    the added words are typed; else it is typed anew, as `launch` types it."""
    keys = " ".join(words)
    if recalled is None or not keys.startswith(recalled):
        thought = min(RELAUNCH_THOUGHT * rng.uniform(0.6, 1.4), budget / 2)
        con.tape.write(prompt(plan, color=con.style.color).ansi)
        con.tape.sleep(thought)
        launch(con, plan, budget - thought, rng, words=words, fold=False, shown=False)
        return
    added = keys[len(recalled) :]
    delays = [KEY_SECONDS[0] + (KEY_SECONDS[1] - KEY_SECONDS[0]) * rng.random() for _ in added]
    enter = rng.uniform(0.3, 0.7)
    up = rng.uniform(0.2, 0.5)  # the Up key, and a look at the line it brings back
    # Keystrokes at a person's pace where the relaunch has the time, faster where it has not
    # (at most half of it); the pause to read the crash takes the rest.
    typing = math.fsum([up, *delays, enter])
    scale = min(1.0, budget / 2 / typing)
    thought = budget - typing * scale
    con.tape.write(prompt(plan, color=con.style.color).ansi)
    con.tape.sleep(thought)
    con.tape.write(recalled)
    con.tape.sleep(up * scale)
    con.tape.keystrokes(list(added), [delay * scale for delay in delays])
    con.tape.sleep(enter * scale)
    con.tape.write("\r\n")
