"""The model as DeepSpeed v0.17.5 handles it under ZeRO-3 (the parameter tensors zero.Init
counts, the gradient bucket a reduce-scatter carries) and under AutoTP (rank 0's slices, the
TP group's all-reduces)."""

from __future__ import annotations

from typing import NamedTuple

from genact_cast.generator import lora
from genact_cast.generator.dialects import hf_model
from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.c10d_watchdog import label
from genact_cast.generator.dialects.facts import Facts

REDUCE_BUCKET = 500_000_000  # stage3.py:151, reduce_bucket_size's default (ds_config sets none)
ALLGATHER_BUCKET = 500_000_000  # zero/config.py, allgather_bucket_size's default
SUB_GROUP_SIZE = 1_000_000_000  # zero/config.py:172, sub_group_size's default
NF4_CONSTANTS = lora.FROZEN_BYTES["qlora"] - 0.5  # absmax per block, double-quantized


class Zero3Memory(NamedTuple):
    """What rank 0's allocator holds (bytes) at each of stage3.py's `see_memory_usage`."""

    begin: float  # Stage 3 initialize beginning, DeepSpeedZeRoOffload initialize [begin]
    model: float  # from DeepSpeedZeRoOffload initialize [end] to Before creating fp32
    fp32: float  # After creating fp32 partitions .. Before initializing optimizer states
    optimizer: float  # After initializing optimizer states
    final: float  # After initializing ZeRO optimizer
    copied: float  # the trainable bf16 partitions, copied into one flat buffer
    gradient: float  # initialize_optimizer_states' fp32 gradient buffer, freed after
    subgroups: int  # the `After creating fp16 partitions: N` count

    def in_gib(self) -> Zero3Memory:
        """The sizes in GiB, as see_memory_usage divides them (by 1024**3)."""
        gib = 2**30
        return self._replace(
            begin=self.begin / gib,
            model=self.model / gib,
            fp32=self.fp32 / gib,
            optimizer=self.optimizer / gib,
            final=self.final / gib,
            copied=self.copied / gib,
            gradient=self.gradient / gib,
        )


def zero3_memory(facts: Facts) -> Zero3Memory:
    """ZeRO-3 partitions every parameter over the whole data-parallel group (the printed
    zero_hpz_partition_size 1): the bf16 weights (frozen ones too, under LoRA) from zero.Init,
    then for the trainable parameters alone the fp32 copies (_create_fp32_partitions), Adam's
    two fp32 moments (initialize_optimizer_states), and the bf16 gradient partitions plus
    one reduce bucket (stage3.py:555-570). A 4-bit model is not built under zero.Init
    (transformers 4.57.1 modeling_utils.py:4372-4376): every rank holds it whole until
    DeepSpeedZeRoOffload converts its parameters (parameter_offload.py:131, 203-221); the
    packed NF4 weights (bf16 storage) are partitioned then, their quantization constants,
    which are no parameters, stay whole."""
    world = facts.dp
    trainable = hf_model.trainable(facts)
    every = hf_model.parameters(facts)  # a multimodal checkpoint's vision tower too
    if facts.method == "qlora":
        embeddings = (
            hf_model.embedding_rows(facts) * facts.hidden * (1 if margs.family(facts).tied else 2)
        )
        quantized = hf_model.built(facts) - embeddings
        packed = quantized * 0.5 + (every - quantized) * 2
        constants = quantized * NF4_CONSTANTS
        begin, model = packed + constants, packed / world + constants
    else:
        begin = model = 2 * every / world
    fp32 = model + 4 * trainable / world
    optimizer = fp32 + 8 * trainable / world
    final = optimizer + 2 * trainable / world + 2 * REDUCE_BUCKET
    partition = int(trainable // world)
    subgroups = max(1, -(-partition // SUB_GROUP_SIZE))
    copied = 2 * trainable / world
    gradient = 4 * min(partition, SUB_GROUP_SIZE)  # the largest subgroup's numel
    return Zero3Memory(begin, model, fp32, optimizer, final, copied, gradient, subgroups)


def state_dict_tensors(facts: Facts) -> int:
    """Tensors in the model's state dict (zero.Init's `num_params`): the embedding,
    the output layer unless tied, the final norm, and per layer q/k/v/o, two norms, the
    family's q/k/v biases or q/k norms, and the MLP's three projections (a router and three
    per expert, shared or routed, in a mixture of experts)."""
    family = margs.family(facts)
    layer = 4 + 2 + (3 if family.qkv_bias else 0) + (2 if family.qk_norm else 0)
    if facts.experts:
        layer += 1 + 3 * (facts.experts + facts.shared_experts)
    else:
        layer += 3
    return 2 + (0 if family.tied else 1) + layer * facts.layers + hf_model.extra_tensors(facts)


# ZeRO's data-parallel group without an mpu or a mesh: groups._clone_world_group (groups.py:
# 500-512, 544-557 at v0.17.5), `dist.new_group(ranks=range(world_size))`, the process's
# first group after the default one, made without a group_desc (torch 2.9.0 names it
# "undefined"); engine.py:1337-1339 makes it in _configure_distributed_model.
ZERO_GROUP = label(1, 1, "undefined")
SUB_GROUP = 1_000_000_000  # sub_group_size's default (DeepSpeedZeroConfig); ds_config sets none


def backward_numels(facts: Facts) -> list[int]:
    """Whole gradients in the order the backward pass produces them, as zero3_numels's.
    Only parameters that require a gradient have the hook that puts theirs in the ipg
    bucket (stage3.py:1175-1199 at v0.17.5): under LoRA the adapters alone, each targeted
    Linear's lora_B (out x r) then lora_A (r x in), the frozen weights none."""
    family = margs.family(facts)
    head_dim = family.head_dim or facts.hidden // facts.heads
    q_dim, kv_dim = facts.heads * head_dim, facts.kv_heads * head_dim
    ffn = facts.expert_ffn or facts.ffn
    d = facts.hidden
    if facts.method != "full":
        r = facts.lora_rank
        mlps = facts.experts + facts.shared_experts if facts.experts else 1
        # down, up, gate of each MLP, then o, v, k, q: (out, in) of each adapted Linear
        shapes = [(d, ffn), (ffn, d), (ffn, d)] * mlps
        shapes += [(d, q_dim), (kv_dim, d), (kv_dim, d), (q_dim, d)]
        return [numel for out, into in shapes for numel in (out * r, r * into)] * facts.layers
    # down, up, gate, post-attention norm, o, v, k, q, input norm: the backward order
    layer = [ffn * d] * 3 + [d, q_dim * d]
    layer += [kv_dim * d] * 2 + [q_dim * d, d]
    return layer * facts.layers


class Zero2Memory(NamedTuple):
    """What rank 0's allocator holds (bytes) at each `see_memory_usage` of ZeRO stage 2's
    DeepSpeedZeroOptimizer (stage_1_and_2.py:600/602/608 at v0.17.5)."""

    before: float  # Before initializing optimizer states: bf16 shard, fp32 partition
    optimizer: float  # After initializing optimizer states, and after the ZeRO optimizer
    gradient: float  # initialize_optimizer_states' fp32 gradient partition, freed after

    def in_gib(self) -> Zero2Memory:
        gib = 2**30
        return Zero2Memory(self.before / gib, self.optimizer / gib, self.gradient / gib)


def autotp_sliced(facts: Facts) -> int:
    """The parameters AutoTP training slices over the TP group: the Linear layers of the
    layer classes tp_parser found (replace_wo_policy -> AutoTP._replace_module, auto_tp.py at
    v0.17.5), column-parallel ones with their biases (LinearLayer), row-parallel o_proj,
    down_proj, out_proj and fc2 without (LinearAllreduce adds its bias whole). The embedding,
    the output layer (set_lm_head returns at once in training mode, replace_module.py:338)
    and the norms stay whole on every rank."""
    family = margs.family(facts)
    head_dim = family.head_dim or facts.hidden // facts.heads
    q_dim, kv_dim = facts.heads * head_dim, facts.kv_heads * head_dim
    bias = (q_dim + 2 * kv_dim) if family.qkv_bias else 0
    attention = facts.hidden * (q_dim + 2 * kv_dim) + bias + q_dim * facts.hidden
    layer = attention + 3 * facts.hidden * facts.ffn
    tower = hf_model.vision(facts)
    vision = 0
    if tower is not None:
        h, ffn = tower.hidden, tower.ffn
        vision = tower.layers * (3 * (h * h + h) + h * h + (h * ffn + ffn) + ffn * h)
    return layer * facts.layers + vision


def autotp_local(facts: Facts) -> int:
    """Parameters world rank 0 holds after tp_model_init: what the Trainer's banner counts
    there (get_model_param_count sums p.numel(), trainer_pt_utils.py:1099-1113 at 4.57.1)."""
    sliced = autotp_sliced(facts)
    return hf_model.parameters(facts) - sliced + sliced // facts.tp


def zero2_memory(facts: Facts) -> Zero2Memory:
    """ZeRO-2 under AutoTP: each rank holds its slice of the layers and the rest whole
    (autotp_local) in bf16; the optimizer partitions its fp32 copy of those
    (single_partition_of_fp32_groups), Adam's two fp32 moments and, in
    initialize_optimizer_states, a zero fp32 gradient it frees again, over the
    data-parallel group (a full fine-tune: every parameter trains)."""
    local = autotp_local(facts)
    partition = local / facts.dp
    before = 2 * local + 4 * partition
    return Zero2Memory(before, before + 8 * partition, 4 * partition)


# The module each model class lives in (transformers 4.57.1's models/<type>/modeling_<type>.py)
# and the decoder layer AutoTP.tp_parser finds in its ModuleList: one instance a class
# (AutoTP.in_module_list), the linear layers before a norm or named o_proj/down_proj/out_proj
# kept as all-reduce layers. Gemma 3 brings its SigLIP vision tower's encoder layers first
# (Gemma3Model builds vision_tower before language_model), whose `ln` at index 0 takes
# the layer list's last entry, mlp.fc2.
_VISION_LAYER = ("transformers.models.siglip.modeling_siglip.SiglipEncoderLayer",
                 ("self_attn.out_proj", "mlp.fc2"))  # fmt: skip


def autotp_layers(model_class: str) -> list[tuple[str, tuple[str, str]]]:
    """(class path, its two all-reduce layers) as AutoTP.tp_parser returns them for a dense
    decoder model of transformers 4.57.1."""
    prefix = model_class.removesuffix("ForCausalLM").removesuffix("ForConditionalGeneration")
    module = prefix.lower()
    decoder = f"transformers.models.{module}.modeling_{module}.{prefix}DecoderLayer"
    layers = [(decoder, ("self_attn.o_proj", "mlp.down_proj"))]
    if model_class.endswith("ForConditionalGeneration"):
        layers.insert(0, _VISION_LAYER)
    return layers


# AutoTP's tensor_parallel group as c10d's watchdog names it: DeepSpeed binds each process's
# device at init_process_group (comm/torch.py:157-163 at v0.17.5), so torch 2.9's DeviceMesh
# builds each dimension of groups.py:97's (data_parallel, tensor_parallel) mesh with one
# split_group call (device_mesh.py:608-638 of the 2.9.0 wheel), which takes one group name
# (distributed_c10d.py split_group, _process_group_name) and makes one ProcessGroupNCCL on
# every rank: data_parallel's is the process's first after the default group, tensor_parallel's
# the second.
AUTOTP_GROUP = label(2, 2, "mesh_tensor_parallel")
# The TP group's works before the first step's forward: TpTrainingManager's RNG broadcast
# (tp_manager.py:30-32), then the engine's first-batch check on the Trainer's keyword inputs
# (engine.py:474-499: broadcast_object_list, two works, and an all-reduce).
AUTOTP_START_WORKS = 4
# Norm groups of the Trainer's optimizer (weight decay and none): ZeRO-2 all-reduces each
# group's squared norm over the model-parallel group at every step (stage_1_and_2.py:1837).
AUTOTP_NORM_GROUPS = 2


# zero/config.py:218 at v0.17.5: stage3_param_persistence_threshold's default (the ds_config
# sets none, so the Trainer fills no "auto" for it).
PERSISTENCE_THRESHOLD = 100_000


def zero3_counted(facts: Facts) -> int:
    """The non-embedding elements num_parameters(exclude_embeddings=True) finds whole on each
    rank between micro batches under ZeRO-3 (the Trainer calls floating_point_ops after the
    step's forward and backward, trainer.py:2690 at transformers 4.57.1). A partitioned
    parameter's data is torch.empty(0) (partition_parameters.py:300-309 free_param); only
    the persistent ones, ds_numel at most the threshold (:1186-1192, parameter_offload.py:
    262-274), stay gathered (stage3.py:2075-2077 gathers them again after every step):
    norms, biases, small routers, and the small LoRA matrices (r x in, out x r; a QLoRA
    weight is its packed storage, counted at its full size, modeling_utils.py:1729-1738)."""
    config = hf_model.config_of(facts)
    if config is None:
        return hf_model.non_embedding(facts)
    packed = facts.method == "qlora"
    numels: list[tuple[int, int]] = []  # (ds_numel, what num_parameters counts)
    for numel, linear in hf_model.layer_shapes(config):
        stored = (numel + 1) // 4 if packed and linear else numel
        counted = stored * 4 if packed and linear else numel
        numels += [(stored, counted)] * facts.layers
    h = int(config["hidden_size"])
    numels.append((h, h))  # the final norm
    if not bool(config.get("tie_word_embeddings")):  # lm_head, which bitsandbytes leaves whole
        out = int(config["vocab_size"]) * h
        numels.append((out, out))
    rank = facts.lora_rank
    if facts.adapters and rank:
        for fan_in, fan_out in hf_model.adapted_linears(config):  # lora_A, lora_B: fp32
            numels += [(rank * fan_in, rank * fan_in), (fan_out * rank, fan_out * rank)]
    return sum(counted for stored, counted in numels if stored <= PERSISTENCE_THRESHOLD)


PREFETCH_BUCKET = 50_000_000  # stage3_prefetch_bucket_size's default (`Prefetch bucket size`)


def forward_trace(facts: Facts) -> list[int]:
    """ds_numel of each parameter ZeRO-3 gathers, in the order the forward pass's modules
    use them (the trace PartitionedParameterCoordinator replays): the embedding, then each
    layer's q, k, v, o projections, the router and each MLP's gate, up and down (under LoRA
    each Linear's weight, then its lora_A and lora_B; QLoRA's weight its packed storage),
    the output layer unless tied. Persistent parameters (at most the threshold: norms,
    biases, small adapters) stay gathered and are never fetched. [] where the config is not
    tabled."""
    config = hf_model.config_of(facts)
    if config is None:
        return []
    h, vocab = int(config["hidden_size"]), int(config["vocab_size"])
    linears = hf_model.adapted_linears(config)
    experts = int(config.get("num_local_experts") or config.get("num_experts") or 0)
    per_layer = len(linears) // int(config["num_hidden_layers"])
    rank = facts.lora_rank if facts.method != "full" else 0
    trace = [vocab * h]
    for index, (into, out) in enumerate(linears):
        if experts and index % per_layer == 4:  # after the attention: the router
            trace.append(experts * h)
        numel = into * out
        trace.append((numel + 1) // 4 if facts.method == "qlora" else numel)
        if rank:
            trace += [rank * into, out * rank]
    if not config.get("tie_word_embeddings"):
        trace.append(vocab * h)
    return [numel for numel in trace if numel > PERSISTENCE_THRESHOLD]
