"""Keras callbacks for `WGANGP.fit` that write: sample grids, checkpoints, evaluations, logs.

They count the trainer's iterations (generator updates, restored with a
checkpoint), not Keras's per-fit batch index, so file names, checkpoint
numbers and TensorBoard steps continue across a resumed run. Those that act
"every N iterations" act after each compiled call that ends on a multiple of
N, and not after one whose losses were NaN or infinite: nothing is written
from a diverged model.
"""

import json
import logging
import math
import os
import time

import keras
import tensorflow as tf

from wgan_gp_tf import evaluation, files
from wgan_gp_tf.core.guards import all_finite
from wgan_gp_tf.images import write_png
from wgan_gp_tf.training import checkpoints

logger = logging.getLogger(__name__)


class _EveryIterations(keras.callbacks.Callback):
    """Calls `run(iteration)` every `every` iterations, or at each epoch's end if `None`."""

    def __init__(self, every):
        super().__init__()
        self.every = every
        self.finite = True

    def on_train_batch_end(self, batch, logs=None):
        self.finite = all_finite(logs)
        iteration = self.model.iterations_done
        if self.every and iteration % self.every == 0 and self.finite:
            self.run(iteration)

    def on_epoch_end(self, epoch, logs=None):
        if self.every is None and self.finite:
            self.run(self.model.iterations_done)

    def run(self, iteration):
        raise NotImplementedError


def _image_grid(model, iteration, rows, seed):
    del iteration
    return evaluation.plots.sample_grid(model, rows, seed)


class SampleGrid(_EveryIterations):
    """Saves a grid of samples from one fixed noise batch, like the original's `out/N.png`.

    Files are `<directory>/<iteration, 8 digits>.png`; the grid also goes to
    TensorBoard when a summary writer is given. Besides every `every`
    iterations, a grid is drawn after the first compiled call of a new run
    (iteration 1 with `steps_per_execution=1`, as the original's `out/0.png`)
    and at the end of training, so that every run leaves a picture of its
    start and of its end; a grid already on disk is not drawn again.

    Args:
        directory: where the PNG files go; created if missing.
        every: iterations between grids, or `None` for one at the end of each
            epoch.
        rows: the grid is `rows x rows` samples.
        seed: fixes the noise, so that every grid shows the same draws.
        writer: a `tf.summary` writer, or `None`.
        draw: `draw(model, iteration, rows, seed) -> uint8 [H, W, C]`, what to
            picture; by default the sampling generator's images (see
            `wgan_gp_tf.evaluation.picture_for` for text and the toys). A
            `draw` that returns a string (generated text) has it written
            to `<iteration>.txt`, and to TensorBoard as text.
    """

    def __init__(self, directory, every=None, rows=6, seed=0, writer=None, draw=None):
        super().__init__(every)
        self.directory = directory
        self.rows = rows
        self.seed = seed
        self.writer = writer
        self.draw = draw or _image_grid

    def on_train_begin(self, logs=None):
        self.first_call = self.model.iterations_done == 0

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.first_call:
            self._run_unless_drawn()
        self.first_call = False

    def on_train_end(self, logs=None):
        self._run_unless_drawn()

    def _run_unless_drawn(self):
        iteration = self.model.iterations_done
        if self.finite and not any(os.path.exists(self._path(iteration, suffix))
                                   for suffix in (".png", ".txt")):
            self.run(iteration)

    def _path(self, iteration, suffix):
        return os.path.join(self.directory, f"{iteration:08d}{suffix}")

    def run(self, iteration):
        picture = self.draw(self.model, iteration, self.rows, self.seed)
        os.makedirs(self.directory, exist_ok=True)
        if isinstance(picture, str):
            files.write_text(self._path(iteration, ".txt"), picture)
        else:
            write_png(picture, self._path(iteration, ".png"))
        if self.writer is not None:
            with self.writer.as_default():
                if isinstance(picture, str):
                    tf.summary.text("samples", picture, step=iteration)
                else:
                    tf.summary.image("samples", picture[None], step=iteration)


class Checkpoint(_EveryIterations):
    """Saves everything a resume needs every `every` iterations and at the end.

    Args:
        directory: the checkpoint folder.
        every: iterations between checkpoints, or `None` for one at the end
            of each epoch.
        max_to_keep: checkpoints kept.
        restore: at the start of `fit`, restore the newest checkpoint in
            `directory`, if any: weights, optimisers, noise state and the
            iteration count carry on from it.
    """

    def __init__(self, directory, every=1000, max_to_keep=3, restore=True):
        super().__init__(every)
        self.directory = directory
        self.max_to_keep = max_to_keep
        self.restore = restore
        self.manager = None

    def set_model(self, model):
        super().set_model(model)
        self.manager = checkpoints.checkpoint_manager(model, self.directory, self.max_to_keep)

    def on_train_begin(self, logs=None):
        if self.restore:
            checkpoints.restore_latest(self.model, self.directory)

    def run(self, iteration):
        path = self.manager.save(checkpoint_number=iteration)
        logger.info("checkpointed iteration %d: %s", iteration, path)

    def on_train_end(self, logs=None):
        iteration = self.model.iterations_done
        latest = checkpoints.checkpoint_iteration(self.manager.latest_checkpoint)
        if self.finite and latest != iteration:
            self.run(iteration)


class Evaluate(_EveryIterations):
    """Evaluates samples every `every` iterations: FID & co. for images, W1 for toys.

    The noise is the same each time (`count` draws by `seed`). Scalars go to
    TensorBoard under `eval/`, and each evaluation is appended to
    `jsonl_path` as one JSON line with its iteration.

    Args:
        evaluator: a callable of samples returning a dict of metrics, e.g.
            `wgan_gp_tf.evaluation.evaluator_for(wgan_gp_tf.data.get("mnist"))`.
        every: iterations between evaluations, or `None` for each epoch's end.
        count: samples per evaluation.
        seed: fixes their noise.
        writer: a `tf.summary` writer, or `None`.
        jsonl_path: a file to append each evaluation to, or `None`: the
            metrics, the iteration, the `wall_time` (Unix seconds) at which
            the evaluation started and its length, `eval_seconds`. A fit
            that resumes from an earlier iteration first drops the lines of
            later iterations, which it evaluates again, so that each
            iteration has one line.
    """

    def __init__(self, evaluator, every=None, count=10_000, seed=0, writer=None,
                 jsonl_path=None):
        super().__init__(every)
        self.evaluator = evaluator
        self.count = count
        self.seed = seed
        self.writer = writer
        self.jsonl_path = jsonl_path
        self.results = None

    def on_train_begin(self, logs=None):
        if self.jsonl_path is None or not os.path.exists(self.jsonl_path):
            return
        start = self.model.iterations_done
        with open(self.jsonl_path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        kept = [line for line in lines if line.strip() and _iteration_of(line) <= start]
        if len(kept) < len(lines):
            files.write_text(self.jsonl_path, "".join(line + "\n" for line in kept))

    def run(self, iteration):
        started = time.time()
        self.results = evaluation.evaluate_generator(self.evaluator, self.model, self.count,
                                                     self.seed)
        timing = {"wall_time": started, "eval_seconds": time.time() - started}
        if self.writer is not None:
            with self.writer.as_default():
                for name, value in self.results.items():
                    if isinstance(value, float | int) and name != "samples":
                        tf.summary.scalar(f"eval/{name}", value, step=iteration)
            self.writer.flush()
        if self.jsonl_path is not None:
            with open(self.jsonl_path, "a", encoding="utf-8") as file:
                file.write(json.dumps({"iteration": iteration, **self.results, **timing})
                           + "\n")


def _iteration_of(line):
    """The iteration of a line of `Evaluate`'s JSONL file; a torn last line counts as late."""
    try:
        return json.loads(line)["iteration"]
    except (ValueError, KeyError, TypeError):
        return math.inf


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
