"""Training throughput of a preset, in real images/s, by strategy, precision and XLA.

Builds the preset's trainer once per variant (by default float32, bfloat16 and
float16, each with and without XLA, under each `--strategies` entry; on a CPU
float16, which has no fast kernels there, is left out, and so is XLA for the
convolutional networks, slower than oneDNN's: docs/benchmarks.md), trains each on random
images of the preset's shape, interleaved over `--repeats` rounds, and prints
the medians and their ratios to the first variant. Real images/s =
iterations/s x n_critic x global batch size. `train.py` leaves XLA off for
convolutional networks on a CPU; `--xla=off,on` forces it on to show why. Several
replicas always train without XLA, so those variants run with XLA off only.
`--logical_cpus=2` splits the CPU into two devices for `mirrored` to use.
`--generator_ema=0,0.999` measures the cost of averaging the generator.

    python scripts/throughput.py --preset=mnist_dcgan --iterations=20
    python scripts/throughput.py --preset=mnist_mlp --strategies=default,mirrored \
        --logical_cpus=2 --precisions=none --xla=off
"""

import dataclasses
import statistics
import time

import _cli
import numpy as np
from absl import flags

import wgan_gp_tf
from wgan_gp_tf import training

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", "mnist_dcgan", "The preset to measure.")
flags.DEFINE_integer("iterations", 20, "Timed iterations per variant and round.")
flags.DEFINE_integer("repeats", 2, "Interleaved rounds.")
flags.DEFINE_list("precisions", None,
                  "mixed_precision values; default none,bfloat16,float16 (no float16 on a CPU).")
flags.DEFINE_list("xla", None, "XLA settings to measure; default off,on (on a CPU, off for "
                  "convolutional networks).")
flags.DEFINE_list("strategies", ["default"], "tf.distribute strategies to measure.")
flags.DEFINE_integer("logical_cpus", 1, "Split the CPU into this many logical devices.")
flags.DEFINE_list("generator_ema", ["0"], "generator_ema values to measure (0: no average).")


def _variant(config, strategy, precision, xla, ema):
    """A function running `iterations` and returning iterations/s."""
    config = dataclasses.replace(config, mixed_precision=precision, generator_ema=ema)
    shape = config.data_source().shape
    model = training.build_trainer(config, strategy)
    model.jit_compile = xla
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (1000, *shape), dtype=np.uint8)
    labels = rng.integers(0, config.num_classes, 1000) if config.conditional else None
    batches = wgan_gp_tf.data.training_batches(
        images, batch_size=config.batch_size, per_iteration=model.real_batches_per_iteration,
        seed=0, value_range=model.output_range, labels=labels)
    model.fit(batches, steps_per_epoch=1, epochs=1, verbose=0)  # Traces and compiles.

    def measure(iterations):
        start = time.perf_counter()
        model.fit(batches, steps_per_epoch=iterations, epochs=1, verbose=0)
        return iterations / (time.perf_counter() - start)

    return measure


def _default_variants(config):
    """`(precisions, XLA settings)` worth timing on this machine."""
    import tensorflow as tf  # Here, once `_cli.run` has imported it quietly.

    if tf.config.list_physical_devices("GPU"):
        return ["none", "bfloat16", "float16"], ["off", "on"]
    xla_helps = training.build_trainer(config).jit_compile
    return ["none", "bfloat16"], ["off", "on"] if xla_helps else ["off"]


def main(argv):
    del argv
    if FLAGS.logical_cpus > 1:
        wgan_gp_tf.core.distribute.split_cpu(FLAGS.logical_cpus)
    config = training.make_config(FLAGS.preset, steps_per_execution=1)
    default_precisions, default_xla = _default_variants(config)
    strategies = {name: wgan_gp_tf.core.distribute.make_strategy(name)
                  for name in FLAGS.strategies}
    variants = {(name, precision, xla, ema): _variant(config, strategy, precision, xla == "on",
                                                      float(ema))
                for name, strategy in strategies.items()
                for precision in FLAGS.precisions or default_precisions
                for xla in FLAGS.xla or default_xla
                for ema in FLAGS.generator_ema
                if xla == "off" or strategy.num_replicas_in_sync == 1}
    rates = {key: [] for key in variants}
    for round_index in range(FLAGS.repeats):
        for key, measure in variants.items():
            rates[key].append(measure(FLAGS.iterations))
        print(f"round {round_index + 1}: " + ", ".join(
            f"{name}/{precision}/XLA {xla}/EMA {ema} {values[-1]:.2f} it/s"
            for (name, precision, xla, ema), values in rates.items()), flush=True)
    images_per_iteration = config.n_critic * config.batch_size
    reference = statistics.median(next(iter(rates.values())))
    print(f"\n{FLAGS.preset}: batch {config.batch_size}, n_critic {config.n_critic}")
    print(f"{'strategy':9s} {'replicas':>8s} {'precision':10s} {'XLA':4s} {'EMA':6s} "
          f"{'iterations/s':>12s} {'images/s':>9s} {'ratio':>6s}")
    for (name, precision, xla, ema), values in rates.items():
        median = statistics.median(values)
        replicas = strategies[name].num_replicas_in_sync
        print(f"{name:9s} {replicas:8d} {precision:10s} {xla:4s} {ema:6s} {median:12.2f} "
              f"{median * images_per_iteration:9.1f} {median / reference:6.2f}")


if __name__ == "__main__":
    _cli.run(main)
