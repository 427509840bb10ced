"""Wall time to reach a target FID: our trainer against the original's TF1 loop.

    python scripts/time_to_quality.py --data_dir=../shared/data/mnist --target_fid=150 --seeds=3

For each seed, trains `mnist_mlp` with our `WGANGP.fit` (one `fit` call, as
`train.py` runs it) and with the TF1 graph replica of the original loop
(`benchmarks/tf1_baseline.py`), one after the other in this process, stopping each
at the first evaluation whose FID (reference CNN, `--eval_samples` images
against the test split) is at most `--target_fid`. Only training is timed:
evaluations pause the clock. Ours includes its XLA compilation. Prints each
race and the medians over seeds.
"""

import statistics
import time

import _cli
import keras
import numpy as np
from absl import flags

import wgan_gp_tf
from benchmarks import tf1_baseline

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.")
flags.DEFINE_float("target_fid", 150.0, "FID to reach.")
flags.DEFINE_integer("eval_every", 500, "Iterations between evaluations.", lower_bound=100)
flags.DEFINE_integer("eval_samples", 5000, "Images per evaluation.", lower_bound=100)
flags.DEFINE_integer("max_iterations", 30_000, "Give up after this many.")
flags.DEFINE_integer("seeds", 1, "Races per side, seeds 0, 1, ...", lower_bound=1)


class _Race:
    """Training time and iterations until an evaluation reaches the target."""

    def __init__(self, name, evaluator):
        self.name = name
        self.evaluator = evaluator
        self.seconds = 0.0
        self.iterations = 0
        self.fid = float("inf")
        self._started = None

    def start_clock(self):
        self._started = time.perf_counter()

    def checkpoint(self, iterations, sample):
        """Stops the clock, evaluates; returns whether the target is reached."""
        self.seconds += time.perf_counter() - self._started
        self.iterations = iterations
        self.fid = self.evaluator(sample(FLAGS.eval_samples))["fid"]
        print(f"{self.name}: iteration {iterations}, {self.seconds:.1f} s, "
              f"FID {self.fid:.1f}", flush=True)
        done = self.fid <= FLAGS.target_fid or iterations >= FLAGS.max_iterations
        self.start_clock()
        return done


class _RaceCallback(keras.callbacks.Callback):
    def __init__(self, race, sample):
        super().__init__()
        self.race, self.sample = race, sample

    def on_train_begin(self, logs=None):
        self.race.start_clock()

    def on_train_batch_end(self, batch, logs=None):
        iteration = self.model.iterations_done
        if iteration % FLAGS.eval_every == 0 and self.race.checkpoint(iteration, self.sample):
            self.model.stop_training = True


def _ours(images, evaluator, seed):
    config = wgan_gp_tf.make_config("mnist_mlp", data_dir=FLAGS.data_dir, seed=seed,
                                    iterations=FLAGS.eval_every)
    model = wgan_gp_tf.training.build_trainer(config)
    stream = wgan_gp_tf.data.training_batches(images, batch_size=config.batch_size,
                                              n_critic=config.n_critic, seed=seed)
    race = _Race(f"ours, XLA, seed {seed}", evaluator)
    callback = _RaceCallback(
        race, lambda count: wgan_gp_tf.evaluation.sample_generator(model, count, seed=99))
    model.fit(stream, steps_per_epoch=FLAGS.max_iterations, epochs=1, verbose=0,
              callbacks=[callback])
    return race


def _original(images, evaluator, seed):
    original = tf1_baseline.OriginalMNISTGANGP(images, seed=seed)
    race = _Race(f"TF1 loop of the original, seed {seed}", evaluator)

    def sample(count):
        return np.reshape(original.sample(count), (count, *images.shape[1:]))

    race.start_clock()
    iterations = 0
    while True:
        original.train(FLAGS.eval_every)
        iterations += FLAGS.eval_every
        if race.checkpoint(iterations, sample):
            return race


def main(argv):
    del argv
    mnist = wgan_gp_tf.data.get("mnist")
    images, _ = mnist.load("train", FLAGS.data_dir)
    evaluator = mnist.evaluator(FLAGS.data_dir)
    races = {"TF1 loop of the original": [], "ours, XLA": []}
    for seed in range(FLAGS.seeds):
        races["ours, XLA"].append(_ours(images, evaluator, seed))
        races["TF1 loop of the original"].append(_original(images, evaluator, seed))

    print(f"\ntarget FID {FLAGS.target_fid}, {FLAGS.eval_samples} samples, evaluated "
          f"every {FLAGS.eval_every} iterations, medians over {FLAGS.seeds} seed(s)")
    print(f"{'':28s} {'iterations':>10s} {'seconds':>8s} {'it/s':>6s}   per seed (s)")
    medians = {}
    for name, results in races.items():
        seconds = statistics.median(race.seconds for race in results)
        iterations = statistics.median(race.iterations for race in results)
        medians[name] = seconds
        per_seed = " ".join(f"{race.seconds:.1f}" for race in results)
        print(f"{name:28s} {iterations:10.0f} {seconds:8.1f} "
              f"{sum(r.iterations for r in results) / sum(r.seconds for r in results):6.1f}"
              f"   {per_seed}")
    reached = all(race.fid <= FLAGS.target_fid for results in races.values() for race in results)
    if reached:
        ratio = medians["TF1 loop of the original"] / medians["ours, XLA"]
        print(f"time-to-quality ratio (original / ours): {ratio:.2f}")
    else:
        print(f"not every race reached FID {FLAGS.target_fid} within {FLAGS.max_iterations}")


if __name__ == "__main__":
    _cli.run(main)
