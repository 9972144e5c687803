"""LoRA and QLoRA in the Hugging Face Trainer's flow: trl 0.24.0's ModelConfig flags, and what
the Trainer (transformers 4.57.1) logs when its model is a peft 0.17.1 PeftModel. Shared by
the hf dialect and the DeepSpeed dialect, which runs the same train.py under the Trainer.

What the flow prints, read in those releases' wheels:
- train.py parses trl's ModelConfig (TrlParser, as trl/scripts/sft.py does) and passes
  `get_peft_config(model_args)` to SFTTrainer (trl/trainer/utils.py:643-665: a LoraConfig of
  lora_r, lora_alpha, lora_dropout, lora_target_modules); `--load_in_4bit` makes a
  BitsAndBytesConfig with bnb_4bit_quant_type, bnb_4bit_use_double_quant from
  `--use_bnb_nested_quant`, and bnb_4bit_quant_storage from `--dtype` (utils.py:617-625),
  which FSDP needs as a float type to shard the 4-bit weights.
- Neither trl 0.24.0 nor transformers 4.57.1 calls peft's print_trainable_parameters, and
  trl's sft.py does not either: its `trainable params: ... || all params: ...` line is not
  printed. The Trainer's `Number of trainable parameters` (trainer.py:2528) counts the
  parameters with requires_grad: the adapters alone.
- A save with a PeftModel: `Trainer._save` logs `Saving model checkpoint to` (trainer.py:4309)
  and calls PeftModel.save_pretrained (trainer.py:4311-4333), which writes
  adapter_model.safetensors and adapter_config.json without a log line (peft_model.py:178-
  375); then the tokenizer's lines. No config.json, no shards.
- A resume reads the checkpoint the same way (`Loading model from`, trainer.py:2934).
"""

from __future__ import annotations

from datetime import datetime

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import saving, tokenizer_saved
from genact_cast.generator.lora import targets_named


def peft_args(f: Facts) -> list[str]:
    """The ModelConfig flags of a LoRA or QLoRA run (trl/trainer/model_config.py:115-178 at
    v0.24.0); none for a full fine-tune."""
    if f.method == "full":
        return []
    args = [
        "--use_peft",
        f"--lora_r={f.lora_rank}",
        f"--lora_alpha={f.lora_alpha}",
        f"--lora_dropout={f.lora_dropout:g}",
        # list[str]: HfArgumentParser gives it nargs="+", one word a module
        "--lora_target_modules",
        *targets_named(f.arch),
    ]
    if f.method == "qlora":
        args += [
            "--load_in_4bit",
            "--bnb_4bit_quant_type=nf4",
            "--use_bnb_nested_quant",
            "--dtype=bfloat16",  # compute dtype and quant storage (utils.py:621, :624)
        ]
    return args


def adapter_saved(moment: datetime, done: datetime, folder: str, *, chat: bool) -> list[str]:
    """`Trainer._save` of a PeftModel: its own line, the silent adapter save, the tokenizer
    (the first line stamped `moment`, the rest `done`: hf_saves hands their seconds on)."""
    return [saving(moment, folder), *tokenizer_saved(done, folder, chat=chat)]
