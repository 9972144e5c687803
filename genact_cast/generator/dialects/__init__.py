"""Framework dialects: how torchtitan, Megatron-LM, DeepSpeed and the Hugging Face Trainer
print a training run, line by line.

Each module formats that framework's real line shapes from numbers, as pure functions;
`tests/data/real_logs/` holds the real lines each format is held against. The shared
launcher and communication lines (torchrun, NCCL) live in `torchrun` and `nccl`.
"""

from __future__ import annotations
