"""The job run again after a crash, as a person runs it (issue 18 item 4): back at the prompt
they read the error first, so the command starts a pause after the prompt (it began 0.03 s
after it, a 1,400-key command keyed in the 4 s a relaunch has); where the command is the
last one or extends it at its end (DeepSpeed's and the Trainer's --resume_from_checkpoint),
bash's history gives it back whole (readline's previous-history on Up draws the line at the
cursor) and only the words added are keyed."""

from __future__ import annotations

import pytest

from genact_cast.asciicast import Event
from genact_cast.generator import RecordOptions, generate, make_plan
from tests.helpers import plain

# (framework, seed) with a relaunch typed at the prompt, one failure each
RELAUNCHED = [("torchtitan", 7009), ("megatron", 7002), ("deepspeed", 7002), ("hf", 7002)]
PAUSE = 1.0  # seconds of the cast, at speed 1, before anything of the command shows


def relaunches(framework: str, seed: int) -> list[tuple[int, list[Event]]]:
    """Each prompt after the first, with the events up to the command's Enter."""
    options = RecordOptions(
        seed=seed, framework=framework, failures=1, cols=1000, color=False, duration=120.0
    )
    plan = make_plan(options)
    prompt = f"{plan.user}@{plan.host(0)}:~/llm-train$ "
    events = [e for e in generate(options).events if e.code == "o"]
    found = []
    for index, event in enumerate(events):
        if index and plain(event.data).endswith(prompt):
            ends = [j for j in range(index + 1, len(events)) if events[j].data == "\r\n"]
            if ends:  # (the prompt the cast ends on has nothing typed)
                found.append((index, events[index : ends[0] + 1]))
    return found


@pytest.mark.parametrize(("framework", "seed"), RELAUNCHED)
def test_the_command_comes_after_a_pause_to_read_the_crash(framework: str, seed: int) -> None:
    found = relaunches(framework, seed)
    assert found, "no relaunch"
    for _, events in found[:1]:  # the run's relaunch (an export's prompt may follow)
        pause = (events[1].time_us - events[0].time_us) / 1e6
        assert pause >= PAUSE, (framework, pause)


@pytest.mark.parametrize(("framework", "seed"), [("torchtitan", 7009), ("deepspeed", 7002)])
def test_a_command_that_extends_the_last_comes_back_from_history(framework: str, seed: int) -> None:
    """torchtitan's relaunch is its first command again (the checkpoint folder resumes it);
    DeepSpeed's adds --resume_from_checkpoint at the end: the line the first launch typed
    appears in one write, and what follows it is keyed one key a write."""
    options = RecordOptions(seed=seed, framework=framework, failures=1, cols=1000, color=False)
    plan = make_plan(options)
    events = [e for e in generate(options._replace(duration=120.0)).events if e.code == "o"]
    prompt = f"{plan.user}@{plan.host(0)}:~/llm-train$ "
    first = next(i for i, e in enumerate(events) if plain(e.data).endswith(prompt))
    typed = ""
    for event in events[first + 1 :]:
        if event.data == "\r\n":
            break
        typed += event.data
    _, again = relaunches(framework, seed)[0]
    recalled = again[1].data
    assert recalled == typed  # the whole first command, one write
    keyed = again[2:-1]
    assert all(len(e.data) == 1 for e in keyed)
    relaunched = recalled + "".join(e.data for e in keyed)
    assert relaunched.startswith(typed)
    if framework == "deepspeed":
        assert relaunched.removeprefix(typed).startswith(" --resume_from_checkpoint")
