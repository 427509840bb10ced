"""Settings this machine cannot make faster: said once, at the start of a run."""

import logging

import tensorflow as tf

from wgan_gp_tf.core.xla_cache import cpu_flags

logger = logging.getLogger(__name__)

# The x86 instructions that compute in bfloat16 (/proc/cpuinfo's flags).
_BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")


def warn_if_slow_here(config, strategy):
    """Logs a warning for each setting of `config` that slows training on this machine.

    float16 on a CPU (emulated), bfloat16 on a CPU without bfloat16
    instructions (emulated too), and a `mirrored` strategy that found one
    device (it trains as the default strategy would).
    """
    on_gpu = bool(tf.config.list_logical_devices("GPU"))
    if config.mixed_precision == "float16" and not on_gpu:
        logger.warning("--mixed_precision=float16 on a CPU is emulated and much slower than "
                       "float32; pass --mixed_precision=bfloat16 on a CPU with bfloat16 "
                       "instructions, or leave it out")
    flags = cpu_flags()
    if (config.mixed_precision == "bfloat16" and not on_gpu and flags is not None
            and not flags.intersection(_BFLOAT16_FLAGS)):
        logger.warning("--mixed_precision=bfloat16: this CPU has no bfloat16 instructions "
                       "(%s), so bfloat16 is emulated and slower than float32 here; leave "
                       "--mixed_precision out", " or ".join(_BFLOAT16_FLAGS))
    if config.strategy == "mirrored" and strategy.num_replicas_in_sync == 1:
        logger.warning("--strategy=mirrored found one device, so it trains one replica, as the "
                       "default strategy does; it splits the batch over several GPUs (or "
                       "logical CPUs)")
