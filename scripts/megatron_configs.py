"""The fields of the config dataclasses Megatron-LM logs at start-up, read from a tag.

`DistributedDataParallel` logs `Setting up DistributedDataParallel with config {ddp_config}`
and `get_megatron_optimizer` logs `Setting up optimizer with config {config}`: the
dataclasses' own reprs, every field in declaration order; so does the dataset builder
(`Building GPTDataset splits with sizes=... and config={GPTDatasetConfig}`, whose fields
follow its parent BlendedMegatronDatasetConfig's). This reads the two dataclass
definitions from a bare mirror of NVIDIA/Megatron-LM with `ast` (nothing is imported or
run) and writes each field's name, whether its annotation is a string type (its repr is
quoted) and the repr of its default, one row each.

    python -m scripts.megatron_configs MIRROR core_v0.14.0 \
        -o genact_cast/generator/presenters/frameworks/megatron/configs.tsv
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from scripts.release_run import git

SOURCES = {
    "DistributedDataParallelConfig": (
        "megatron/core/distributed/distributed_data_parallel_config.py"
    ),
    "OptimizerConfig": "megatron/core/optimizer/optimizer_config.py",
    "BlendedMegatronDatasetConfig": "megatron/core/datasets/blended_megatron_dataset_config.py",
    "GPTDatasetConfig": "megatron/core/datasets/gpt_dataset.py",
}


class _Dtype:
    """`torch.float32` and the like, as their repr prints them."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, key: str) -> _Dtype:
        return _Dtype(f"{self.name}.{key}")

    def __repr__(self) -> str:
        return self.name


def default_repr(node: ast.expr | None) -> str:
    if node is None:
        return "-"  # required (random_seed, sequence_length): always given
    if isinstance(node, ast.Call):  # field(default=...)
        for keyword in node.keywords:
            if keyword.arg == "default":
                return default_repr(keyword.value)
        raise SystemExit(f"unsupported default {ast.unparse(node)}")
    value = eval(compile(ast.Expression(node), "<default>", "eval"), {"torch": _Dtype("torch")})
    return repr(value)


def fields(source: str, name: str) -> list[tuple[str, bool, str]]:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            out = []
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    annotation = ast.unparse(item.annotation)
                    quoted = annotation in ("str", "Optional[str]")
                    out.append((item.target.id, quoted, default_repr(item.value)))
            return out
    raise SystemExit(f"no class {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mirror")
    parser.add_argument("tag")
    parser.add_argument("-o", "--output", type=Path, required=True)
    options = parser.parse_args()
    rows = [
        f"# Megatron-LM {options.tag}: the fields of the config dataclasses it logs, in",
        "# declaration order (scripts/megatron_configs.py). quoted: a str annotation (repr in",
        "# quotes); default: repr of the field's default.",
        "# class\tfield\tquoted\tdefault",
    ]
    for name, path in SOURCES.items():
        source = git(options.mirror, "show", f"{options.tag}:{path}").decode("utf-8")
        for field, quoted, default in fields(source, name):
            rows.append(f"{name}\t{field}\t{int(quoted)}\t{default}")
    options.output.write_text("\n".join(rows) + "\n", "utf-8")
    print(f"wrote {len(rows) - 4} fields to {options.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
