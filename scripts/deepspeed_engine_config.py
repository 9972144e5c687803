"""DeepSpeed's own `DeepSpeedEngine configuration:` dump for the config a DeepSpeed cast uses.

Extracts deepspeed/ and accelerator/ at a tag from a bare mirror of deepspeedai/DeepSpeed,
imports them with stand-ins for torch and the accelerator (no GPU, no torch needed), builds
the tag's own `DeepSpeedConfig` from the ds_config.json of one genact-cast run and writes
what its `print("DeepSpeedEngine configuration")` logs, one record per line
(`[file:line:function] message`, a message's later lines as they are).

    pip install pydantic hjson psutil py-cpuinfo tqdm numpy packaging
    python -m scripts.deepspeed_engine_config MIRROR v0.17.5 --seed 11 --kind sft \
        -o tests/data/deepspeed/engine-config-seed11-sft.txt
    python -m scripts.deepspeed_engine_config MIRROR v0.17.5 --seed 11 --kind sft --table \
        -o genact_cast/generator/presenters/frameworks/deepspeed/engine_config.tsv

A run with tensor parallelism trains ZeRO-2 with AutoTP (the seed's plan chooses it: seed 11's
fine-tune is TP 8 on 16 GPUs), whose defaults table is its own:

    python -m scripts.deepspeed_engine_config MIRROR v0.17.5 --seed 11 --kind sft --table \
        -o genact_cast/generator/presenters/frameworks/deepspeed/engine_config_autotp.tsv

Nothing of DeepSpeed's source is kept, only what it printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from genact_cast.generator.dialects import deepspeed_config
from genact_cast.generator.presenters.dialect_choice import facts_for
from scripts import release_run

# Stand-ins for torch, triton and the accelerator: classes all the way down (they are
# subclassed, compared and used as decorators at import), real dtype objects where pydantic
# checks them, and a world of WORLD ranks for deepspeed.comm.
STAND_INS = r"""
import abc, importlib.abc, importlib.machinery, os, sys, types

class Meta(abc.ABCMeta):
    def __getattr__(cls, k):
        if k.startswith("__") and k.endswith("__"):
            raise AttributeError(k)
        return make(f"{cls._n}.{k}")
    def __repr__(cls): return cls._n
    def __iter__(cls): return iter([])
    def __bool__(cls): return True
    def __or__(cls, o): return cls
    def __ror__(cls, o): return cls
    def __getitem__(cls, k): return cls
    def __lt__(cls, o): return False
    def __le__(cls, o): return True
    def __gt__(cls, o): return False
    def __ge__(cls, o): return True
    def __call__(cls, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k and not isinstance(a[0], Meta):
            return a[0]
        try:
            return type.__call__(cls, *a, **k)
        except TypeError:
            return make(cls._n + "()")

class Base(metaclass=Meta):
    _n = "torch"
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k:
            return a[0]
        return make(type(self)._n + "()()")
    def __enter__(self): return self
    def __exit__(self, *a): return False
    def __iter__(self): return iter([])
    def __init_subclass__(cls, **k): pass
    def __getattr__(self, k):
        if k.startswith("__"): raise AttributeError(k)
        return make(f"{type(self)._n}().{k}")

def make(name):
    return Meta(name.rsplit(".", 1)[-1], (Base,), {"_n": name})

class Dtype:
    def __init__(self, name): self.name = name
    def __repr__(self): return f"torch.{self.name}"

DTYPES = ("float16", "bfloat16", "float32", "float", "half", "uint8", "int8", "int32", "int64",
          "float64", "bool", "long", "int", "double", "float8_e4m3fn", "float8_e5m2")

class Mod(types.ModuleType):
    def __getattr__(self, k):
        if k.startswith("__") and k.endswith("__"):
            raise AttributeError(k)
        if self.__name__ == "torch" and k == "dtype":
            value = Dtype
        elif self.__name__ == "torch" and k in DTYPES:
            value = Dtype({"float": "float32", "half": "float16"}.get(k, k))
        else:
            value = make(f"{self.__name__}.{k}")
        setattr(self, k, value)
        return value

FAKE = ("torch", "triton", "accelerator", "cpuinfo", "einops", "msgpack", "ninja")
FAKE_DS = ("deepspeed.ops", "deepspeed.accelerator", "deepspeed.inference.v2",
           "deepspeed.model_implementations")

class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if (name.split(".")[0] in FAKE or name.startswith(FAKE_DS)
                or name == "deepspeed.comm" or name.startswith("deepspeed.comm.")):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        m = Mod(spec.name)
        m.__path__ = []
        if spec.name == "torch":
            m.__version__ = "2.7.1+cu128"
        if spec.name == "deepspeed.comm":
            m.is_initialized = lambda: True
            m.get_rank = lambda *a, **k: 0
            m.get_world_size = lambda *a, **k: int(os.environ["WORLD"])
        return m
    def exec_module(self, module): pass

sys.meta_path.insert(0, Finder())

import io, json, logging
import deepspeed
from deepspeed.runtime.config import DeepSpeedConfig
from deepspeed.utils import logger
stream = io.StringIO()
for handler in logger.handlers:
    handler.setFormatter(logging.Formatter("[%(filename)s:%(lineno)d:%(funcName)s] %(message)s"))
    handler.setStream(stream)
config = DeepSpeedConfig(json.load(open(sys.argv[1])))
stream.seek(0)
stream.truncate()
config.print("DeepSpeedEngine configuration")
sys.stdout.write(stream.getvalue())
"""

# Attributes that follow from the run: the dialect computes them.
RUN_DEPENDENT = {
    "comms_config",
    "global_rank",
    "gradient_accumulation_steps",
    "optimizer_name",
    "optimizer_params",
    "scheduler_name",
    "scheduler_params",
    "steps_per_print",
    "train_batch_size",
    "train_micro_batch_size_per_gpu",
    "world_size",
}


def dump(mirror: str, tag: str, config: dict[str, object], world: int) -> str:
    with tempfile.TemporaryDirectory(prefix="ds-config-") as tmp:
        archive = release_run.git(mirror, "archive", tag, "deepspeed", "accelerator", "version.txt")
        archive_path = Path(tmp) / "source.tar"
        archive_path.write_bytes(archive)
        with tarfile.open(archive_path) as tar:
            tar.extractall(tmp, filter="data")
        (Path(tmp) / "dump.py").write_text(STAND_INS, "utf-8")
        (Path(tmp) / "ds_config.json").write_text(json.dumps(config), "utf-8")
        env = {**os.environ, "WORLD": str(world)}
        out = subprocess.run(
            [sys.executable, "dump.py", "ds_config.json"],
            cwd=tmp,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        # What the import logged before the dump (to the handler's first stream) is not part
        # of it; DeepSpeedCommsConfig's module is a stand-in here, so its repr is set right.
        out = out[out.index(f"[{deepspeed_config.CONFIG_HEADER}]") :]
        real = "<deepspeed.comm.config.DeepSpeedCommsConfig"
        return out.replace("<abc.DeepSpeedCommsConfig", real)


def table(text: str) -> list[tuple[str, str]]:
    """The attribute rows of a dump: name and value (a value's later lines joined by \\n)."""
    rows: list[tuple[str, str]] = []
    prefix = f"[{deepspeed_config.CONFIG_ROW}]   "
    for line in text.split("\n"):
        if line.startswith(prefix):
            name, _, rest = line[len(prefix) :].partition(" ")
            value = rest.split(" ", 1)[1] if rest.startswith(".") else rest[1:]
            rows.append((name, value))
        elif line.startswith("["):
            if deepspeed_config.CONFIG_JSON in line:
                break
        elif rows:
            name, value = rows[-1]
            rows[-1] = (name, value + "\\n" + line)
    return rows


def main() -> None:
    parser = release_run.parser(__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="write the defaults table")
    options = parser.parse_args()
    plan = release_run.plan(options, "deepspeed")
    facts = facts_for(plan)
    config = deepspeed_config.ds_config(facts)
    text = dump(options.mirror, options.tag, config, facts.gpus)
    header = (
        f"# DeepSpeed {options.tag}: DeepSpeedConfig.print('DeepSpeedEngine configuration'), "
        f"world size {facts.gpus}, ds_config.json {json.dumps(config)}"
    )
    if options.table:
        rows = [(n, v) for n, v in table(text) if n not in RUN_DEPENDENT]
        body = "\n".join(f"{name}\t{value}" for name, value in rows)
    else:
        body = text.rstrip("\n")
    options.output.write_text(header + "\n" + body + "\n", "utf-8")
    print(f"wrote {options.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
