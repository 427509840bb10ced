"""`run(config)`: one training run, from data to an exported generator.

The run folder (`config.output_dir`) holds `config.json`, `checkpoints/`,
`samples/` and `logs/` (TensorBoard). Running the same config again resumes
from the last checkpoint; a folder that holds a run of another configuration
is refused rather than mixed.
"""

import dataclasses
import functools
import json
import logging
import math
import os
import shutil

import keras
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

from wgan_gp_tf import callbacks as callbacks_lib
from wgan_gp_tf import data, distribute, evaluation, export, models, toys, trainer
from wgan_gp_tf.config import RUN_CONFIG_FILE, TrainConfig
from wgan_gp_tf.errors import ConfigError, DataError, DivergedError, ExportNotFoundError

logger = logging.getLogger(__name__)

# Fields that may change between the runs that share a run folder: how long
# and how often, not what is trained.
RESUMABLE_FIELDS = frozenset({
    "iterations", "data_dir", "output_dir", "export_dir", "sample_every",
    "checkpoint_every", "max_checkpoints", "jit_compile", "steps_per_execution",
    "eval_every", "eval_samples", "skip_bad_images", "cache_images", "on_nan",
    "deterministic", "strategy",
})


# `on_nan="restore"` gives up after this many roll-backs in one run.
MAX_NAN_RESTORES = 3

# A run is refused if its output or export folder has less free space. A
# floor that catches a full disk, not a guarantee: three checkpoints of
# mnist_mlp take under 2 MiB, of celeba_dcgan about 300 MiB.
MIN_FREE_BYTES = 64 * 2**20


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What `run` did.

    Attributes:
        start_iteration: the iteration training resumed from (0 if new).
        iteration: the iteration reached.
        export_path: the SavedModel version written, or `None` if there was
            nothing to train or the run is a toy.
        metrics: the final evaluation, if there was one.
        model: the trained `WGANGP`, on every worker of a multi-worker run
            (only the chief exports and evaluates).
    """

    start_iteration: int
    iteration: int
    export_path: str | None
    metrics: dict | None = None
    model: trainer.WGANGP | None = dataclasses.field(default=None, repr=False, compare=False)


def build_trainer(config, image_shape, strategy=None):
    """Creates and compiles the `WGANGP` for a config, weights seeded.

    Args:
        config: a `TrainConfig`.
        image_shape: `(H, W, C)` of the data.
        strategy: the `tf.distribute.Strategy` to train under; `None` for
            the one in scope.

    Returns:
        A compiled `WGANGP` with all variables (optimiser slots included)
        created.
    """
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        return _build_trainer(config, image_shape, strategy.num_replicas_in_sync)


def _build_trainer(config, image_shape, replicas):
    keras.utils.set_random_seed(config.seed)
    architecture = models.get_architecture(config.architecture)
    critic, generator = models.build(architecture, config.latent_dim, config.prior,
                                     image_shape, config.critic_norm, config.mixed_precision)
    average_generator = None
    if config.generator_ema:
        average_generator = models.build_generator(architecture, config.latent_dim,
                                                   config.prior, image_shape,
                                                   config.mixed_precision)
    model = trainer.WGANGP(critic, generator, seed=config.seed,
                           average_generator=average_generator)

    def adam(learning_rate, updates_per_iteration):
        if config.learning_rate_decay == "linear":
            learning_rate = keras.optimizers.schedules.PolynomialDecay(
                learning_rate, config.iterations * updates_per_iteration,
                end_learning_rate=0.0)
        optimizer = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1,
                                          beta_2=config.beta_2,
                                          epsilon=config.adam_epsilon)
        if config.mixed_precision == "float16":
            return keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    model.compile(
        adam(config.critic_learning_rate, config.n_critic),
        adam(config.generator_learning_rate, 1),
        penalty=config.penalty, penalty_weight=config.penalty_weight,
        n_critic=config.n_critic, clip_value=config.clip_value,
        generator_ema=config.generator_ema,
        # Several replicas train without XLA (see `TrainConfig.jit_compile`).
        jit_compile=models.use_xla(architecture, config.jit_compile) and replicas == 1,
        steps_per_execution=config.execution_steps)
    return model


# What a checkpoint holds that older versions did not write.
_LATER_ROOTS = ("iteration", "critic_weights", "generator_weights")


def checkpoint_manager(model, directory, max_to_keep=3):
    """A `tf.train.CheckpointManager` for everything a resume needs.

    Args:
        model: a compiled `WGANGP`.
        directory: the checkpoint folder.
        max_to_keep: checkpoints kept.

    Returns:
        The manager; `manager.checkpoint` restores into `model`.
    """
    networks = {"critic": model.critic, "generator": model.generator}
    if model.average_generator is not None:
        networks["average_generator"] = model.average_generator
    kept = dict(networks, critic_optimizer=model.critic_optimizer,
                generator_optimizer=model.generator_optimizer,
                seed_state=model.seed_generator.state, iteration=model.iteration)
    # A Keras 3 layer hides the layers it keeps in a Python list from
    # tf.train.Checkpoint, which then saves only what an optimiser also
    # tracks: trainable weights. Batch norm statistics and the averaged
    # generator need their weights listed.
    for name, network in networks.items():
        kept[f"{name}_weights"] = list(network.weights)
    return tf.train.CheckpointManager(tf.train.Checkpoint(**kept), directory, max_to_keep)


def restore_latest(manager):
    """Restores the newest checkpoint of `manager`, if any.

    Checkpoints of earlier versions restore too: without the iteration
    counter (then the generator optimiser's count) or the weight lists.

    Returns:
        The checkpoint path restored, or `None`.
    """
    # Read from disk, not the manager's memory: in a multi-worker run the
    # chief's manager writes the checkpoints that the others restore.
    path = tf.train.latest_checkpoint(manager.directory)
    if not path:
        return None
    checkpoint = manager.checkpoint
    saved_roots = _saved_roots(path)
    if all(name in saved_roots for name in _LATER_ROOTS):
        checkpoint.restore(path).assert_existing_objects_matched()
        return path
    # tf.train.Checkpoint keeps its keyword arguments as attributes.
    older = tf.train.Checkpoint(**{
        name: value for name, value in vars(checkpoint).items()
        if not name.startswith("_") and (name in saved_roots or name not in _LATER_ROOTS)})
    older.restore(path).assert_existing_objects_matched()
    if "iteration" not in saved_roots:
        # Before the trainer counted iterations, the generator optimiser's
        # count was the iteration.
        checkpoint.iteration.assign(checkpoint.generator_optimizer.iterations)
    return path


def _saved_roots(path):
    """The names of the objects a checkpoint file holds at its top level."""
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(tf.train.load_checkpoint(path).get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return {child.local_name for child in graph.nodes[0].children}


def restore_run(config, run_dir):
    """The trainer of a run folder, restored from its last checkpoint.

    Returns:
        `(model, iteration)`.

    Raises:
        ConfigError: the folder has no checkpoint yet.
    """
    model = build_trainer(config, data.image_shape(config.dataset))
    manager = checkpoint_manager(model, os.path.join(run_dir, "checkpoints"))
    if not restore_latest(manager):
        raise ConfigError(f"{run_dir} has no checkpoint yet")
    return model, model.iterations_done


def find_evaluator(config):
    """An evaluator for the run's data set, or `None` without one.

    Toys are judged by their W1 estimate. Images need a reference classifier
    for the data set and its test split; without them there is no
    evaluation, and `eval_every` is an error.
    """
    if toys.is_toy(config.dataset):
        return evaluation.ToyEvaluator(config.dataset)
    try:
        return evaluation.load_evaluator(config.dataset, config.data_dir)
    except (ExportNotFoundError, DataError) as error:
        if config.eval_every:
            raise ConfigError(f"eval_every needs a reference classifier: {error}") from None
        logger.info("no evaluation: %s", error)
        return None


def export_run(model, config, training_metrics=None, metrics_span=None, metrics=None):
    """Exports a run's generator with the run's facts in its `model.json`.

    Args:
        model: the run's `WGANGP`.
        config: the run's `TrainConfig`.
        training_metrics: the trainer's metrics averaged over the last
            `metrics_span` iterations before the export, if known.
        metrics_span: iterations those means cover.
        metrics: the evaluation of the exported generator, if any.

    Returns:
        The path of the new version folder.
    """
    metadata = {
        "preset": config.preset,
        "dataset": config.dataset,
        "architecture": config.architecture,
        "penalty": config.penalty,
        "penalty_weight": config.penalty_weight,
        "seed": config.seed,
        "iterations": model.iterations_done,
        "config": json.loads(config.to_json()),
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
    }
    if training_metrics:
        metadata["training_metrics"] = {
            "span_iterations": metrics_span,
            **{name: float(value) for name, value in training_metrics.items()}}
    if metrics:
        metadata["metrics"] = metrics
    return export.export_generator(model.sampling_generator, config.export_dir, metadata)


def _prepare_run_folder(config, write=True):
    """Refuses a folder of another run; with `write`, records the config in it."""
    path = os.path.join(config.output_dir, RUN_CONFIG_FILE)
    if os.path.exists(path):
        previous = TrainConfig.from_run_folder(config.output_dir)
        changed = [
            f"{field.name}: {getattr(previous, field.name)!r} -> "
            f"{getattr(config, field.name)!r}"
            for field in dataclasses.fields(config)
            if field.name not in RESUMABLE_FIELDS
            and getattr(previous, field.name) != getattr(config, field.name)]
        if changed:
            raise ConfigError(
                f"{config.output_dir} holds a run with another configuration "
                f"({'; '.join(changed)}); pass the same options to resume it, "
                f"or a new --output_dir")
    if not write:
        return
    check_writable(config.output_dir, "output_dir")
    if not toys.is_toy(config.dataset):
        check_writable(config.export_dir, "export_dir")
    os.makedirs(config.output_dir, exist_ok=True)
    temporary = path + ".partial"
    with open(temporary, "w") as stream:
        stream.write(config.to_json() + "\n")
    os.replace(temporary, path)


def check_writable(folder, name):
    """Checks that files can be written in `folder`, without creating it.

    The check writes and removes a probe file in `folder`, or, while it does
    not exist yet, in the nearest folder above it that does.

    Args:
        folder: the folder.
        name: the option it came from, for the message.

    Raises:
        ConfigError: the folder cannot be written, or its disk has less than
            `MIN_FREE_BYTES` free.
    """
    existing = os.path.abspath(folder)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    probe = os.path.join(existing, f".write-test-{os.getpid()}")
    try:
        with open(probe, "w") as stream:
            stream.write("ok")
        os.remove(probe)
        free = shutil.disk_usage(existing).free
    except OSError as error:
        raise ConfigError(f"cannot write to {name} {folder}: {error.strerror}; choose a "
                          f"writable --{name}") from None
    if free < MIN_FREE_BYTES:
        raise ConfigError(
            f"{name} {folder} has only {free // 2**20} MiB free, less than the "
            f"{MIN_FREE_BYTES // 2**20} MiB that checkpoints and exports may need; "
            f"free some space or choose another --{name}")


def _epoch_length(config):
    # A Keras epoch here is a stretch of iterations between samples or
    # checkpoints, so that each resume point starts an epoch.
    return math.gcd(config.sample_every, config.checkpoint_every)


def _fit(model, config, images, callbacks, verbose):
    """Trains from the model's iteration on; returns the Keras `History`."""
    start = model.iterations_done
    batches = dict(batch_size=config.batch_size, n_critic=config.n_critic,
                   seed=config.seed, start_iteration=start)
    if images is None:
        dataset = toys.training_batches(config.dataset, **batches)
    else:
        dataset = data.training_batches(
            images, value_range=model.generator.output_range, **batches)
    dataset = distribute.distribute_batches(model.distribute_strategy, dataset)
    epoch_length = _epoch_length(config)
    try:
        return model.fit(dataset, steps_per_epoch=epoch_length,
                         epochs=math.ceil(config.iterations / epoch_length),
                         initial_epoch=start // epoch_length, callbacks=callbacks,
                         verbose=verbose, shuffle=False)
    except tf.errors.InvalidArgumentError:
        # A file of an image folder that fails to decode surfaces here, unnamed.
        if isinstance(images, data.ImageFolder):
            images.raise_if_undecodable()
        raise


def _restore_after_divergence(model, config, manager, iteration, restores):
    """Rolls back to the last checkpoint with new noise, or raises `DivergedError`."""
    last = tf.train.latest_checkpoint(manager.directory)
    where = (f"the last good checkpoint, {last}, is intact" if last
             else "no checkpoint was written before it")
    message = (f"losses became NaN or infinite in the iterations up to {iteration} "
               f"(checked every {config.execution_steps}); {where}")
    if config.on_nan == "stop" or last is None:
        raise DivergedError(f"{message}; rerun to resume from the checkpoint, or pass "
                            f"--on_nan=restore to roll back and go on with new noise")
    if restores == MAX_NAN_RESTORES:
        raise DivergedError(f"{message}; still diverging after {restores} restores")
    restore_latest(manager)
    model.reseed(config.seed + restores + 1)
    logger.warning("%s; restored it (iteration %d), going on with new noise",
                   message, model.iterations_done)


def _writing_callbacks(config, model, manager, evaluator):
    """The callbacks that write samples, logs, evaluations and checkpoints."""
    writer = tf.summary.create_file_writer(os.path.join(config.output_dir, "logs"))
    samples_dir = os.path.join(config.output_dir, "samples")
    if toys.is_toy(config.dataset):
        samples = callbacks_lib.ToyPlot(model.critic, model.sampling_generator, config.dataset,
                                        samples_dir, config.sample_every, config.seed)
    else:
        samples = callbacks_lib.SampleGrid(model.sampling_generator, samples_dir,
                                           config.sample_every, config.grid_size, config.seed,
                                           writer)
    callbacks = [callbacks_lib.ScalarLog(writer), samples]
    if config.eval_every:
        callbacks.append(callbacks_lib.Evaluate(
            evaluator, model.sampling_generator, config.eval_every, config.eval_samples,
            config.seed, writer, os.path.join(config.output_dir, "metrics.jsonl")))
    # Last: a checkpoint marks its iteration done, so everything written for
    # that iteration must be on disk before it; a resume starts after it.
    callbacks.append(callbacks_lib.Checkpoint(manager, config.checkpoint_every))
    return callbacks


def run(config, verbose="auto", strategy=None):
    """Trains (or resumes) the run that `config` describes, then exports.

    Image runs are evaluated at the end when a reference classifier exists
    and exported; toy runs are evaluated by their W1 estimate, not exported.
    In a multi-worker run every worker trains and only the chief writes the
    run folder and the export; the others read its checkpoints to resume.

    Args:
        config: a `TrainConfig`.
        verbose: Keras `fit` verbosity.
        strategy: a `tf.distribute.Strategy` to use instead of creating the
            one `config.strategy` names.

    Returns:
        A `RunResult`.

    Raises:
        ConfigError: an unknown name, a run folder of another configuration,
            or a batch that does not split over the replicas.
        DataError: the data cannot be loaded.
    """
    # A multi-worker strategy must exist before TensorFlow runs any op.
    strategy = strategy or distribute.make_strategy(config.strategy)
    distribute.check_batch_size(strategy, config.batch_size)
    chief = distribute.is_chief(strategy)
    # Fail before loading data.
    models.get_architecture(config.architecture).check_critic_norm(config.critic_norm)
    toy = toys.is_toy(config.dataset)
    images = None if toy else data.load_training_images(
        config.dataset, config.data_dir, config.skip_bad_images, config.cache_images)
    if images is not None:
        data.require_a_batch(len(images), config.batch_size)
    _prepare_run_folder(config, write=chief)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    model = build_trainer(config, data.image_shape(config.dataset), strategy)
    manager = checkpoint_manager(
        model, os.path.join(config.output_dir, "checkpoints"),
        config.max_checkpoints)
    if restore_latest(manager):
        logger.info("resumed %s at iteration %d", config.output_dir,
                     model.iterations_done)
    start = model.iterations_done
    logger.info("training on %d replica(s) of %s: %s", strategy.num_replicas_in_sync,
                type(strategy).__name__,
                ", ".join(device.name for device in tf.config.list_logical_devices()))
    if start >= config.iterations:
        logger.info("%s already has %d iterations; nothing to train",
                     config.output_dir, start)
        return RunResult(start, start, None, model=model)

    evaluator = find_evaluator(config) if chief else None
    divergence = callbacks_lib.StopOnNonFinite()
    callbacks = [divergence, callbacks_lib.StopAtIteration(config.iterations)]
    if chief:
        callbacks += _writing_callbacks(config, model, manager, evaluator)
    for restores in range(MAX_NAN_RESTORES + 1):
        history = _fit(model, config, images, callbacks, verbose)
        if divergence.iteration is None:
            break
        _restore_after_divergence(model, config, manager, divergence.iteration, restores)
        divergence.iteration = None
    result = functools.partial(RunResult, start, model.iterations_done, model=model)
    if not chief:
        return result(None)
    final_metrics = evaluation.evaluate_generator(evaluator, model.sampling_generator,
                                                  config.eval_samples, config.seed)
    if toy:
        logger.info("toy run: %s; toy generators are not exported", final_metrics)
        return result(None, final_metrics)
    last_epoch = {name: values[-1] for name, values in history.history.items()}
    export_path = export_run(model, config, last_epoch, _epoch_length(config), final_metrics)
    logger.info("exported the generator to %s", export_path)
    return result(export_path, final_metrics)
