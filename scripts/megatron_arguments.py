"""Megatron-LM's own `arguments` dump for the command a Megatron cast types.

Reads megatron/training/arguments.py at a tag from a bare mirror of NVIDIA/Megatron-LM,
runs its argparse definitions and `validate_args` on the `pretrain_gpt.py` flags of one
genact-cast run (with stand-ins for torch and the hardware queries: an H100 node, bf16),
and writes what `_print_args` prints, one `name<TAB>value` row each.

    python -m scripts.megatron_arguments MIRROR core_v0.14.0 --seed 5 --model Llama-3-70B \
        --kind continue -o genact_cast/generator/presenters/frameworks/megatron/arguments.tsv

The defaults table of the dialect and the test fixtures under tests/data/megatron/ are
written this way; nothing of Megatron's source is kept, only what it printed.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import dataclasses
import enum
import io
import json
import os
import re
import shlex
import sys
import types
from typing import Any

from genact_cast.generator.dialects.megatron import Log
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.presenters.dialect_pacing import logging_interval
from scripts import release_run


class _Anything:
    """Any name the definitions reference and the run does not need."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, key: str) -> _Anything:
        return _Anything(f"{self._name}.{key}")

    def __call__(self, *args: Any, **kwargs: Any) -> _Anything:
        return _Anything(f"{self._name}()")

    def __repr__(self) -> str:
        return self._name

    def __iter__(self) -> Any:
        return iter([])


class _Dtype:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _Names(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        if hasattr(builtins, key):
            return getattr(builtins, key)
        return _Anything(key)


def run_validate(
    mirror: str, tag: str, world: int, argv: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    source = release_run.git(mirror, "show", f"{tag}:megatron/training/arguments.py").decode()
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != "parse_args"]
    torch = types.SimpleNamespace(
        float32=_Dtype("float32"),
        bfloat16=_Dtype("bfloat16"),
        float16=_Dtype("float16"),
        uint8=_Dtype("uint8"),
        dtype=_Dtype,
        is_grad_enabled=lambda: True,
        use_deterministic_algorithms=lambda *_: None,
        cuda=types.SimpleNamespace(get_device_capability=lambda: (9, 0)),
    )
    torch.float, torch.half = torch.float32, torch.float16
    AttnBackend = enum.Enum("AttnBackend", "flash fused unfused local auto")
    names = _Names(
        argparse=argparse,
        os=os,
        json=json,
        re=re,
        dataclasses=dataclasses,
        types=types,
        AttnBackend=AttnBackend,
        torch=torch,
        is_te_min_version=lambda *a, **k: True,
        is_torch_min_version=lambda *a, **k: True,
        get_device_arch_version=lambda: 9,
        get_torch_version=lambda: "2.8.0",
        print_rank_0=print,
        warn_rank_0=lambda message, *a: print(message),
        update_use_dist_ckpt=lambda a: setattr(a, "use_dist_ckpt", a.ckpt_format != "torch"),
    )
    exec(compile(ast.Module(body=list(functions), type_ignores=[]), "arguments.py", "exec"), names)
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser = names["add_megatron_arguments"](parser)
    args = parser.parse_args(argv)
    args.rank, args.world_size = 0, world
    # The examples export it for tensor parallelism; FSDP2 and Megatron-FSDP refuse it.
    if "--use-torch-fsdp2" in argv or "--use-megatron-fsdp" in argv:
        os.environ.pop("CUDA_DEVICE_MAX_CONNECTIONS", None)
    else:
        os.environ["CUDA_DEVICE_MAX_CONNECTIONS"] = "1"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        names["validate_args"](args)
    said = printed.getvalue().split("------------------------ arguments")[0].splitlines()
    return said, [(name, str(value)) for name, value in vars(args).items()]


def main() -> None:
    options = release_run.parser(__doc__.splitlines()[0]).parse_args()
    plan = release_run.plan(options, "megatron")
    facts = facts_for(plan)
    log = Log(facts, color=False, interval=logging_interval(plan))
    words = log.script_words()
    said, rows = run_validate(options.mirror, options.tag, facts.gpus, words)
    header = (
        f"# Megatron-LM {options.tag}: _print_args('arguments', args) after validate_args, "
        f"WORLD_SIZE={facts.gpus} pretrain_gpt.py {shlex.join(words)}"
    )
    lines = [header, *(f"#> {line}" for line in said), *(f"{n}\t{v}" for n, v in rows)]
    text = "\n".join(lines) + "\n"
    options.output.write_text(text, "utf-8")
    print(f"wrote {options.output} ({len(rows)} arguments)", file=sys.stderr)


if __name__ == "__main__":
    main()
