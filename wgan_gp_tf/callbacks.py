"""Keras callbacks for a `WGANGP` run: samples, checkpoints, logs, stopping.

They act on the trainer's iteration count (generator updates, restored with
the checkpoint), not on Keras's per-fit batch index, so file names, checkpoint
numbers and TensorBoard steps continue across a resumed run.
"""

import json
import math
import os

import keras
import tensorflow as tf

from wgan_gp_tf import evaluation, models
from wgan_gp_tf.images import image_grid, write_png


def all_finite(logs):
    """Whether every metric in a Keras `logs` dict is a finite number."""
    return all(math.isfinite(float(value)) for value in (logs or {}).values())


class _EveryIterations(keras.callbacks.Callback):
    """Calls `run(iteration)` after each compiled call that ends on a multiple.

    Not after a call whose losses were NaN or infinite (`finite` says whether
    the last call's were): nothing is written from a diverged model.
    """

    def __init__(self, every):
        super().__init__()
        self.every = every
        self.finite = True

    def on_train_batch_end(self, batch, logs=None):
        self.finite = all_finite(logs)
        iteration = self.model.iterations_done
        if iteration % self.every == 0 and self.finite:
            self.run(iteration)

    def run(self, iteration):
        raise NotImplementedError


class SampleGrid(_EveryIterations):
    """Saves a grid of samples from one fixed noise batch, like the original.

    Files are `<directory>/<iteration, 8 digits>.png`; the grid also goes to
    TensorBoard when a summary writer is given.
    """

    def __init__(self, generator, directory, every, rows, seed, writer=None):
        super().__init__(every)
        self.generator = generator
        self.directory = directory
        self.rows = rows
        self.writer = writer
        # Fixed by the seed alone, so a resumed run draws the same batch.
        self.noise = models.sample_latent(
            generator.prior, [rows * rows, generator.latent_dim], seed)

    def run(self, iteration):
        images = self.generator(self.noise, training=False)
        grid = image_grid(self.generator.to_unit_range(images), self.rows)
        os.makedirs(self.directory, exist_ok=True)
        write_png(grid, os.path.join(self.directory, f"{iteration:08d}.png"))
        if self.writer is not None:
            with self.writer.as_default():
                tf.summary.image("samples", grid[None], step=iteration)


class ToyPlot(_EveryIterations):
    """Saves `<directory>/<iteration, 8 digits>.png` pictures of a toy problem."""

    def __init__(self, critic, generator, dataset, directory, every, seed):
        super().__init__(every)
        self.critic = critic
        self.generator = generator
        self.dataset = dataset
        self.directory = directory
        self.seed = seed

    def run(self, iteration):
        from wgan_gp_tf import plots  # matplotlib loads for toy runs only.

        os.makedirs(self.directory, exist_ok=True)
        plots.save_toy_figure(self.critic, self.generator, self.dataset, iteration,
                              os.path.join(self.directory, f"{iteration:08d}.png"), self.seed)


class Checkpoint(_EveryIterations):
    """Saves a `tf.train.CheckpointManager` every so many iterations and at the end.

    The manager writes each checkpoint completely before pointing its state
    file at it, so a run killed mid-save resumes from the previous one.
    """

    def __init__(self, manager, every):
        super().__init__(every)
        self.manager = manager

    def run(self, iteration):
        self.manager.save(checkpoint_number=iteration)

    def on_train_end(self, logs=None):
        iteration = self.model.iterations_done
        if self.finite and checkpoint_iteration(self.manager.latest_checkpoint) != iteration:
            self.run(iteration)


def checkpoint_iteration(path):
    """The iteration a checkpoint path `.../ckpt-<iteration>` was saved at.

    Returns:
        The iteration, or `None` for `path=None` (no checkpoint yet).
    """
    return None if path is None else int(path.rsplit("-", 1)[1])


class ScalarLog(keras.callbacks.Callback):
    """Writes each Keras epoch's metric means to TensorBoard at the iteration."""

    def __init__(self, writer):
        super().__init__()
        self.writer = writer

    def on_epoch_end(self, epoch, logs=None):
        iteration = self.model.iterations_done
        with self.writer.as_default():
            for name, value in (logs or {}).items():
                tf.summary.scalar(name, float(value), step=iteration)
        self.writer.flush()


class Evaluate(_EveryIterations):
    """Evaluates samples every `every` iterations: FID & co. for images, W1 for toys.

    The noise is the same each time (`count` draws by `seed`). Scalars go to
    TensorBoard under `eval/`, and each evaluation is appended to
    `jsonl_path` as one JSON line with its iteration.
    """

    def __init__(self, evaluator, generator, every, count, seed, writer, jsonl_path):
        super().__init__(every)
        self.evaluator = evaluator
        self.generator = generator
        self.count = count
        self.seed = seed
        self.writer = writer
        self.jsonl_path = jsonl_path

    def run(self, iteration):
        results = evaluation.evaluate_generator(self.evaluator, self.generator,
                                                self.count, self.seed)
        with self.writer.as_default():
            for name, value in results.items():
                if isinstance(value, float | int) and name != "samples":
                    tf.summary.scalar(f"eval/{name}", value, step=iteration)
        self.writer.flush()
        with open(self.jsonl_path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"iteration": iteration, **results}) + "\n")


class StopOnNonFinite(keras.callbacks.Callback):
    """Ends `fit` after the first compiled call whose losses are NaN or infinite.

    Attributes:
        iteration: the iteration that call ended on, or `None` while finite.
    """

    def __init__(self):
        super().__init__()
        self.iteration = None

    def on_train_batch_end(self, batch, logs=None):
        if not all_finite(logs):
            self.iteration = self.model.iterations_done
            self.model.stop_training = True


class StopAtIteration(keras.callbacks.Callback):
    """Ends `fit` once the trainer has done `iterations` generator updates."""

    def __init__(self, iterations):
        super().__init__()
        self.iterations = iterations

    def on_train_batch_end(self, batch, logs=None):
        if self.model.iterations_done >= self.iterations:
            self.model.stop_training = True
