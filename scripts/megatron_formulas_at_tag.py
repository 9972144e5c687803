"""Megatron-LM's own FLOPs and theoretical memory for a fixture's parsed arguments.

Reads `num_floating_point_operations` (megatron/training/training.py) and
theoretical_memory_usage.py at a tag from a bare mirror of NVIDIA/Megatron-LM and runs them
on the arguments a fixture under tests/data/megatron/ holds (the tag's own validate_args
made them: scripts/megatron_arguments.py), printing what the tests compare with:

    python -m scripts.megatron_formulas_at_tag MIRROR core_v0.14.0 \\
        tests/data/megatron/arguments-deepseek-v3.tsv --padded-vocab 129280 --batch 4096 \\
        --microbatches 64
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import math
import types
from typing import Any

from scripts import release_run


def _function(source: str, name: str) -> Any:
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    names: dict[str, Any] = {"math": math}
    exec(compile(ast.Module(body=[node], type_ignores=[]), name, "exec"), names)
    return names[name]


def _args(fixture: str, padded_vocab: int) -> types.SimpleNamespace:
    """The fixture's `name<TAB>value` rows as the values argparse and validate_args left."""
    args = types.SimpleNamespace()
    with open(fixture, encoding="utf-8") as table:
        rows = table.read().splitlines()
    for row in rows:
        if row.startswith("#"):
            continue
        name, value = row.split("\t", 1)
        try:
            setattr(args, name, ast.literal_eval(value))
        except (ValueError, SyntaxError):
            setattr(args, name, value)
    args.padded_vocab_size = padded_vocab  # the tokenizer sets it, after the dump
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror")
    parser.add_argument("tag")
    parser.add_argument("fixture")
    parser.add_argument("--padded-vocab", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--microbatches", type=int, default=None)
    options = parser.parse_args()

    def show(path: str) -> str:
        return release_run.git(options.mirror, "show", f"{options.tag}:{path}").decode()

    flops = _function(show("megatron/training/training.py"), "num_floating_point_operations")
    print(
        "num_floating_point_operations:",
        repr(flops(_args(options.fixture, options.padded_vocab), options.batch)),
    )
    memory: dict[str, Any] = {}
    exec(compile(show("megatron/training/theoretical_memory_usage.py"), "tmu", "exec"), memory)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        memory["report_theoretical_memory"](
            _args(options.fixture, options.padded_vocab),
            num_microbatches=options.microbatches,
            verbose=True,
        )
    print(printed.getvalue(), end="")


if __name__ == "__main__":
    main()
