"""Every tqdm bar a multi-node DeepSpeed run relays through pdsh starts after the host's
prefix with tqdm's carriage return, so that the terminal draws it over the prefix as it
draws every redraw (tqdm std.py status_printer writes '\\r' + status each time, the first
included; pdsh prefixes each line it relays). review-mg14 D4: trl's `Converting ... to
ChatML` bars kept their prefix, as the one bar whose words the dialect did not list."""

from __future__ import annotations

import re

from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of

# tqdm's format_meter: `desc: NN%|bar| n/total [elapsed<remaining, rate]`
BAR = re.compile(r": *\d+%\|[^|]*\| *[\d.]+\w?/[\d.]+\w? \[")
RELAYED = re.compile(r"(?P<host>[a-z]+-\d{3}): (?P<rest>.*)")


def relayed_bars(options: RecordOptions) -> list[str]:
    """The rest of every pdsh-relayed line that holds a bar, after its `host: ` prefix."""
    text = output_of(generate(options).events)
    rests = []
    for line in text.split("\r\n"):
        found = RELAYED.match(line)
        if found and BAR.search(found["rest"]):
            rests.append(found["rest"])
    return rests


def test_every_relayed_bar_starts_with_its_carriage_return() -> None:
    # 41113: Llama-3-70B fine-tuned on ShareGPT-style turns over pdsh (2 nodes): trl's ChatML
    # conversion, then its tokenizing and packing maps, and every rank's checkpoint-shard bars.
    # (41109's OLMo-2-13B runs on one node since this session's plan changes: no pdsh.)
    options = RecordOptions(
        seed=41113, framework="deepspeed", kind="sft", failures=2, cols=1000, color=False
    )
    rests = relayed_bars(options)
    words = {re.sub(r":.*", "", rest.lstrip("\r")).split(" ")[0] for rest in rests}
    assert {"Converting", "Tokenizing", "Packing"} <= words, words
    assert [rest for rest in rests if not rest.startswith("\r")] == []
