"""Training speed of our trainer against a TF1 graph loop of the original.

Runs, side by side in one process and interleaved over `--repeats` rounds:
the original mnist_gangp.py as a TF1 graph fed through `feed_dict`
(`benchmarks/tf1_baseline.py`), and our `WGANGP.fit` with and without XLA, all
on the real MNIST with the `mnist_mlp` preset. Prints iterations/s (medians)
and the ratios to the baseline.
"""

import dataclasses
import statistics
import time

import _cli
import keras
from absl import flags

import wgan_gp_tf
from benchmarks import tf1_baseline

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.")
flags.DEFINE_integer("iterations", 1000, "Timed iterations per side and round.")
flags.DEFINE_integer("warmup", 200, "Untimed iterations first (XLA compile).")
flags.DEFINE_integer("repeats", 3, "Interleaved rounds.")


class _ExecutionTimes(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def _ours(config, images):
    """A function running `iterations` and returning its iterations/s."""
    model = wgan_gp_tf.training.build_trainer(config)
    dataset = wgan_gp_tf.data.training_batches(
        images, batch_size=config.batch_size, n_critic=config.n_critic,
        seed=config.seed)
    steps = config.execution_steps

    def measure(iterations):
        timer = _ExecutionTimes()
        model.fit(dataset, steps_per_epoch=iterations, epochs=1, verbose=0,
                  callbacks=[timer], shuffle=False)
        # From the end of the first compiled call to the end of the last:
        # the steady state, without fit's set-up.
        return (iterations - steps) / (timer.times[-1] - timer.times[0])

    return measure


def _baseline(config, images):
    original = tf1_baseline.OriginalMNISTGANGP(images, seed=config.seed)

    def measure(iterations):
        start = time.perf_counter()
        original.train(iterations)
        return iterations / (time.perf_counter() - start)

    return measure


def main(argv):
    del argv
    config = wgan_gp_tf.make_config("mnist_mlp", data_dir=FLAGS.data_dir,
                                    iterations=FLAGS.iterations)
    images, _ = config.data_source().load("train", config.data_dir)
    sides = {
        "TF1 graph loop of the original": _baseline(config, images),
        "ours, XLA": _ours(config, images),
        "ours, no XLA": _ours(dataclasses.replace(config, jit_compile=False),
                              images),
    }
    for measure in sides.values():
        measure(FLAGS.warmup)
    rates = {name: [] for name in sides}
    for round_index in range(FLAGS.repeats):
        for name, measure in sides.items():
            rates[name].append(measure(FLAGS.iterations))
        print(f"round {round_index + 1}: " + ", ".join(
            f"{name} {values[-1]:.1f}" for name, values in rates.items()),
            flush=True)
    baseline = statistics.median(rates["TF1 graph loop of the original"])
    print(f"\n{'':34s} {'iterations/s':>12s} {'ratio':>6s}")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:34s} {median:12.1f} {median / baseline:6.2f}")


if __name__ == "__main__":
    _cli.run(main)
