"""`run(config)`: one training run, from data to an exported generator.

The run folder (`config.output_dir`) holds `config.json`, `checkpoints/`,
`samples/` and `logs/` (TensorBoard). Running the same config again resumes
from the last checkpoint, with the same data, noise and weights as an
uninterrupted run.
"""

import contextlib
import dataclasses
import functools
import logging
import math
import os

import tensorflow as tf

from wgan_gp_tf import evaluation, serving
from wgan_gp_tf.core import WGANGP, distribute
from wgan_gp_tf.errors import DivergedError
from wgan_gp_tf.training import (
    callbacks,
    checkpoints,
    exports,
    hardware,
    presets,
    run_folder,
    stopping,
    workers,
)
from wgan_gp_tf.training.build import build_trainer
from wgan_gp_tf.training.progress import IterationProgress

logger = logging.getLogger(__name__)

# `on_nan="restore"` gives up after this many roll-backs in one run.
MAX_NAN_RESTORES = 3

# Losses beyond this size mean the critic has escaped its constraint (a
# penalised critic's scores stay within a few units of its data's distances).
RUNAWAY_LOSS = 1e6


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What `run` did.

    Attributes:
        start_iteration: the iteration training resumed from (0 if new).
        iteration: the iteration reached.
        export_path: the SavedModel version written, or `None` if there was
            nothing to train or export, the data set is not exported, the run
            was stopped by a signal, or this process is not the chief.
        metrics: the final evaluation, if there was one.
        model: the trained `WGANGP`, on every worker of a multi-worker run
            (only the chief exports and evaluates).
        stopped_by: the signal (`"SIGINT"`, `"SIGTERM"`) that stopped the run
            before `config.iterations`, its last iteration checkpointed.
    """

    start_iteration: int
    iteration: int
    export_path: str | None
    metrics: dict | None = None
    model: WGANGP | None = dataclasses.field(default=None, repr=False, compare=False)
    stopped_by: str | None = None


def run(config, verbose="auto", strategy=None):
    """Trains (or resumes) the run that `config` describes, then evaluates and exports.

    The data set decides how samples are judged and whether the generator is
    exported (toy problems are judged by their W1 estimate, and not
    exported). In a multi-worker run every worker trains and only the chief
    writes the run folder and the export; the others read its checkpoints.
    The chief holds the run folder while it runs: a second run into it is
    refused. SIGINT or SIGTERM ends training after the current compiled call,
    with a checkpoint of its last iteration, and without an export.

    Args:
        config: a `TrainConfig`.
        verbose: 1 (or `"auto"`) for a progress bar over the run's iterations,
            2 for a line per epoch (for logs), 0 for none.
        strategy: a `tf.distribute.Strategy` to use instead of creating the
            one `config.strategy` names.

    Returns:
        A `RunResult`.

    Raises:
        ConfigError: a run folder of another configuration, a folder that
            cannot be written, or a batch that does not split over the replicas.
        RunInUseError: another process is training in the run folder.
        WorkerLostError: another worker of a multi-worker run died or froze.
        CheckpointError: the run folder's checkpoints are all damaged.
        DataError: the data cannot be loaded.
        DivergedError: the losses became NaN or infinite, past what
            `config.on_nan` allows.
    """
    # A multi-worker strategy must exist before TensorFlow runs any op.
    strategy = strategy or distribute.make_strategy(config.strategy)
    distribute.check_batch_size(strategy, config.batch_size)
    chief = distribute.is_chief(strategy)
    if chief:
        hardware.warn_if_slow_here(config, strategy)
    source = config.data_source()
    training_data = source.training_data(
        batch_size=config.batch_size, skip_bad_images=config.skip_bad_images,
        cache_images=config.cache_images, labelled=config.conditional)
    if chief and source.exportable:
        # Refused now, not after hours of training.
        serving.check_export_dir(config.export_dir)
    checkpoint_dir = os.path.join(config.output_dir, run_folder.CHECKPOINTS)
    with run_folder.lock(config.output_dir) if chief else contextlib.nullcontext():
        run_folder.prepare(config, write=chief)
        with workers.reporting_lost_workers(strategy, checkpoint_dir):
            return _train(config, strategy, source, training_data, chief, verbose)


def _train(config, strategy, source, training_data, chief, verbose):
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    model = build_trainer(config, strategy)
    checkpoint_dir = os.path.join(config.output_dir, run_folder.CHECKPOINTS)
    checkpoints.restore_latest(model, checkpoint_dir)
    start = model.iterations_done
    logger.info("%s", describe(config, source, training_data, model, strategy))
    if start >= config.iterations:
        if chief and source.exportable and not exports.has_export(config, start):
            logger.warning("%s has no export of iteration %d (was the last run stopped while "
                           "exporting?); exporting it now", config.export_dir, start)
            return _finish(model, config, source, exports.find_evaluator(config), start)
        logger.info("%s already has %d iterations; nothing to train", config.output_dir, start)
        return RunResult(start, start, None, model=model)

    evaluator = exports.find_evaluator(config) if chief else None
    divergence, interrupt = stopping.StopOnNonFinite(), stopping.StopOnSignal()
    run_callbacks = [divergence, interrupt, stopping.StopAtIteration(config.iterations)]
    if chief:
        run_callbacks += _writing_callbacks(config, source, evaluator, checkpoint_dir)
    for restores in range(MAX_NAN_RESTORES + 1):
        history = _fit(model, config, training_data, run_callbacks, verbose)
        if divergence.iteration is None:
            break
        _restore_after_divergence(model, config, checkpoint_dir, divergence.iteration,
                                  restores)
        divergence.iteration = None
    last_epoch = {name: values[-1] for name, values in history.history.items() if values}
    if interrupt.received:
        logger.warning("stopped by %s at iteration %d, which is checkpointed; rerun to "
                       "resume", interrupt.received, model.iterations_done)
        return RunResult(start, model.iterations_done, None, model=model,
                         stopped_by=interrupt.received)
    _warn_if_run_away(last_epoch)
    if not chief:
        return RunResult(start, model.iterations_done, None, model=model)
    return _finish(model, config, source, evaluator, start, last_epoch)


def _finish(model, config, source, evaluator, start, last_epoch=None):
    """Evaluates the trained generator and exports it, if its data set is exported."""
    result = functools.partial(RunResult, start, model.iterations_done, model=model)
    final_metrics = evaluation.evaluate_generator(evaluator, model, config.eval_samples,
                                                  config.seed)
    if not source.exportable:
        logger.info("%s: %s; its generators are not exported", config.dataset, final_metrics)
        return result(None, final_metrics)
    with exports.export_lock(config.export_dir):
        export_path = exports.export_run(model, config, last_epoch,
                                         _epoch_length(config) if last_epoch else None,
                                         final_metrics)
    logger.info("exported the generator to %s", export_path)
    return result(export_path, final_metrics)


def _warn_if_run_away(last_epoch):
    """Says so when the losses are finite but huge: a critic whose constraint lost."""
    huge = {name: value for name, value in last_epoch.items()
            if abs(float(value)) > RUNAWAY_LOSS}
    if huge:
        logger.warning(
            "the critic has run away (%s over the last epoch): its Lipschitz constraint is "
            "not holding, and the generator is likely collapsed; raise --penalty_weight or "
            "lower the learning rates",
            ", ".join(f"{name} {float(value):.3g}" for name, value in huge.items()))


def describe(config, source, training_data, model, strategy):
    """The lines a run starts with: what is trained, on what, where it writes."""
    title = config.preset
    if config.preset in presets.preset_names():
        title += f" ({presets.get_preset(config.preset).source})"
    start = model.iterations_done
    where = (f"resumed {config.output_dir} at iteration {start}" if start
             else f"new run in {config.output_dir}")
    critic_size, generator_size = (
        sum(int(tf.size(weight)) for weight in network.trainable_weights)
        for network in (model.critic, model.generator))
    devices = ", ".join(device.name for device in tf.config.list_logical_devices())
    return "\n".join([
        f"{title}: {config.iterations:,} iterations; {where}",
        f"  data      {config.dataset}, {training_data.description()}"
        f"{f' from {config.data_dir}' if config.data_dir else ''}",
        f"  networks  {config.architecture}: critic {critic_size:,} and generator "
        f"{generator_size:,} parameters"
        + (f"; conditional on {config.num_classes} classes (AC-GAN)" if config.conditional
           else ""),
        f"  training  {_penalty_line(config)}, "
        f"n_critic {config.n_critic}, batch {config.batch_size}, seed {config.seed}",
        f"  devices   {strategy.num_replicas_in_sync} replica(s) of {devices}; "
        f"XLA {'on' if model.jit_compile else 'off'}",
        f"  writes    samples every {config.sample_every:,} iterations, checkpoints every "
        f"{config.checkpoint_every:,}; "
        + (f"the export to {config.export_dir}" if source.exportable
           else f"no export ({config.dataset} generators are not exported)")])


def _penalty_line(config):
    if config.penalty == "none":
        return "no penalty"
    if config.penalty == "clip":
        return f"weights clipped to ±{config.clip_value:g}"
    return f"{config.penalty} penalty (weight {config.penalty_weight:g})"


def _epoch_length(config):
    # A Keras epoch here is a stretch of iterations between samples or
    # checkpoints, so that each resume point starts an epoch, and no longer
    # than the run (the progress bar of 20 iterations counts to 20).
    return math.gcd(config.sample_every, config.checkpoint_every, config.iterations)


def _fit(model, config, training_data, run_callbacks, verbose):
    """Trains from the model's iteration on; returns the Keras `History`."""
    start = model.iterations_done
    stream = training_data.batches(batch_size=config.batch_size,
                                   per_iteration=model.real_batches_per_iteration,
                                   seed=config.seed, value_range=model.output_range,
                                   start_iteration=start)
    epoch_length = _epoch_length(config)
    try:
        progress = IterationProgress(config.iterations, 1 if verbose == "auto" else verbose)
        return model.fit(stream, steps_per_epoch=epoch_length,
                         epochs=math.ceil(config.iterations / epoch_length),
                         initial_epoch=start // epoch_length,
                         callbacks=[*run_callbacks, progress], verbose=0, shuffle=False,
                         stop_on_nan=False)
    except tf.errors.InvalidArgumentError:
        # A file of an image folder that fails to decode surfaces here, unnamed.
        training_data.explain_read_failure()
        raise


def _restore_after_divergence(model, config, checkpoint_dir, iteration, restores):
    """Rolls back to the last checkpoint with new noise, or raises `DivergedError`."""
    message = (f"losses became NaN or infinite in the iterations up to {iteration} "
               f"(checked every {config.execution_steps})")
    saved = checkpoints.saved_checkpoints(checkpoint_dir)
    if not saved:
        raise DivergedError(
            f"{message}; no checkpoint was written before it, so there is nothing to roll "
            f"back to: lower the learning rates, or checkpoint more often (--checkpoint_every)")
    if config.on_nan == "stop":
        raise DivergedError(f"{message}; the last good checkpoint, {saved[0]}, is intact: "
                            f"rerun to resume from it, or pass --on_nan=restore to roll back "
                            f"and go on with new noise")
    if restores == MAX_NAN_RESTORES:
        raise DivergedError(f"{message}; still diverging after {restores} restores of "
                            f"{saved[0]}")
    checkpoints.restore_latest(model, checkpoint_dir)
    model.reseed(config.seed + restores + 1)
    logger.warning("%s; restored %s (iteration %d), going on with new noise",
                   message, saved[0], model.iterations_done)


def _writing_callbacks(config, source, evaluator, checkpoint_dir):
    """The callbacks that write samples, logs, evaluations and checkpoints."""
    writer = tf.summary.create_file_writer(os.path.join(config.output_dir, "logs"))
    written = [
        callbacks.ScalarLog(writer),
        callbacks.SampleGrid(os.path.join(config.output_dir, "samples"), config.sample_every,
                             config.grid_size, config.seed, writer,
                             draw=functools.partial(evaluation.picture_for, source)),
    ]
    if config.eval_every:
        written.append(callbacks.Evaluate(
            evaluator, config.eval_every, config.eval_samples, config.seed, writer,
            os.path.join(config.output_dir, "metrics.jsonl")))
    # Last: a checkpoint marks its iteration done, so everything written for
    # that iteration must be on disk before it; a resume starts after it.
    written.append(callbacks.Checkpoint(checkpoint_dir, config.checkpoint_every,
                                        config.max_checkpoints, restore=False))
    return written
