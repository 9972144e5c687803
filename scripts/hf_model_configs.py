"""transformers' own `Model config ...` and `Generate config ...` messages for every
architecture the HF and DeepSpeed dialects table a config.json for.

For each catalog architecture with a family in genact_cast/generator/data/hf_configs, writes
the config.json the dialect's log reads (its family's Hub file at the architecture's sizes)
to a temporary folder, loads it with `AutoConfig.from_pretrained` as the training script
does, and records `"Model config " + str(config)` (configuration_utils.py:839) and
`"Generate config " + str(GenerationConfig.from_model_config(config))`
(generation/configuration_utils.py:986). Needs transformers 4.57.1 (no torch), in a scratch
environment: it is not a dependency of genact-cast.

    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install transformers==4.57.1
    /tmp/tf/bin/python -m scripts.hf_model_configs -o tests/data/hf/model_configs.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

from genact_cast.generator.catalog import architectures
from genact_cast.generator.dialects import hf_config


def messages() -> dict[str, dict[str, str]]:
    # imported by name: transformers is no dependency of genact-cast, nor typed here
    transformers = importlib.import_module("transformers")
    version = transformers.__version__
    if version != hf_config.RELEASE:
        raise SystemExit(f"transformers {version} is installed; this needs {hf_config.RELEASE}")
    AutoConfig, GenerationConfig = transformers.AutoConfig, transformers.GenerationConfig
    found: dict[str, dict[str, str]] = {}
    for arch in architectures():
        config = hf_config.hub_config(arch)
        if config is None:
            continue
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "config.json").write_text(json.dumps(config), encoding="utf-8")
            loaded = AutoConfig.from_pretrained(folder)
        found[arch.name] = {
            "model_config": f"Model config {loaded}",
            "generate_config": f"Generate config {GenerationConfig.from_model_config(loaded)}",
        }
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, type=Path, help="JSON file to write")
    args = parser.parse_args(argv)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        importlib.import_module("transformers")
    except ImportError:
        print("scripts.hf_model_configs needs transformers 4.57.1 (pip install it in a venv)")
        return 1
    text = json.dumps(messages(), indent=1, sort_keys=True) + "\n"
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
