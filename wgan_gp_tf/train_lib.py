"""`run(config)`: one training run, from data to an exported generator.

The run folder (`config.output_dir`) holds `config.json`, `checkpoints/`,
`samples/` and `logs/` (TensorBoard). Running the same config again resumes
from the last checkpoint; a folder that holds a run of another configuration
is refused rather than mixed.
"""

import dataclasses
import logging
import math
import os

import keras
import tensorflow as tf

from wgan_gp_tf import callbacks as callbacks_lib
from wgan_gp_tf import data, export, models, trainer
from wgan_gp_tf.config import TrainConfig
from wgan_gp_tf.errors import ConfigError

logger = logging.getLogger(__name__)

# Fields that may change between the runs that share a run folder: how long
# and how often, not what is trained.
RESUMABLE_FIELDS = frozenset({
    "iterations", "data_dir", "output_dir", "export_dir", "sample_every",
    "checkpoint_every", "max_checkpoints", "jit_compile", "steps_per_execution",
})


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What `run` did.

    Attributes:
        start_iteration: the iteration training resumed from (0 if new).
        iteration: the iteration reached.
        export_path: the SavedModel version written, or `None` if there was
            nothing to train.
    """

    start_iteration: int
    iteration: int
    export_path: str | None


def build_trainer(config, image_shape):
    """Creates and compiles the `WGANGP` for a config, weights seeded.

    Args:
        config: a `TrainConfig`.
        image_shape: `(H, W, C)` of the data.

    Returns:
        A compiled `WGANGP` with all variables (optimiser slots included)
        created.
    """
    keras.utils.set_random_seed(config.seed)
    architecture = models.get_architecture(config.architecture)
    critic, generator = models.build(architecture, config.latent_dim,
                                     config.prior, image_shape)
    model = trainer.WGANGP(critic, generator, seed=config.seed)

    def adam(learning_rate):
        return keras.optimizers.Adam(learning_rate, beta_1=config.beta_1,
                                     beta_2=config.beta_2,
                                     epsilon=config.adam_epsilon)

    model.compile(
        adam(config.critic_learning_rate), adam(config.generator_learning_rate),
        penalty=config.penalty, penalty_weight=config.penalty_weight,
        n_critic=config.n_critic, clip_value=config.clip_value,
        jit_compile=config.jit_compile,
        steps_per_execution=config.execution_steps)
    return model


def checkpoint_manager(model, directory, max_to_keep=3):
    """A `tf.train.CheckpointManager` for everything a resume needs.

    Args:
        model: a compiled `WGANGP`.
        directory: the checkpoint folder.
        max_to_keep: checkpoints kept.

    Returns:
        The manager; `manager.checkpoint` restores into `model`.
    """
    checkpoint = tf.train.Checkpoint(
        critic=model.critic, generator=model.generator,
        critic_optimizer=model.critic_optimizer,
        generator_optimizer=model.generator_optimizer,
        seed_state=model.seed_generator.state)
    return tf.train.CheckpointManager(checkpoint, directory, max_to_keep)


def restore_latest(manager):
    """Restores the newest checkpoint of `manager`, if any.

    Returns:
        The checkpoint path restored, or `None`.
    """
    path = manager.latest_checkpoint
    if path:
        manager.checkpoint.restore(path).assert_existing_objects_matched()
    return path


def _prepare_run_folder(config):
    path = os.path.join(config.output_dir, "config.json")
    if os.path.exists(path):
        with open(path) as stream:
            previous = TrainConfig.from_json(stream.read())
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
    try:
        os.makedirs(config.output_dir, exist_ok=True)
        temporary = path + ".partial"
        with open(temporary, "w") as stream:
            stream.write(config.to_json() + "\n")
        os.replace(temporary, path)
    except OSError as error:
        raise ConfigError(
            f"cannot write to output_dir {config.output_dir}: "
            f"{error.strerror}") from None


def run(config, verbose="auto"):
    """Trains (or resumes) the run that `config` describes, then exports.

    Args:
        config: a `TrainConfig`.
        verbose: Keras `fit` verbosity.

    Returns:
        A `RunResult`.

    Raises:
        ConfigError: an unknown name, or a run folder of another configuration.
        DataError: the data cannot be loaded.
    """
    models.get_architecture(config.architecture)  # Fail before loading data.
    images = data.load_images(config.dataset, config.data_dir)
    _prepare_run_folder(config)
    model = build_trainer(config, images.shape[1:])
    manager = checkpoint_manager(
        model, os.path.join(config.output_dir, "checkpoints"),
        config.max_checkpoints)
    if restore_latest(manager):
        logger.info("resumed %s at iteration %d", config.output_dir,
                     int(model.iteration))
    start = int(model.iteration)
    logger.info("training on %s", ", ".join(
        device.name for device in tf.config.list_logical_devices()))
    if start >= config.iterations:
        logger.info("%s already has %d iterations; nothing to train",
                     config.output_dir, start)
        return RunResult(start, start, None)

    dataset = data.training_batches(
        images, batch_size=config.batch_size, n_critic=config.n_critic,
        seed=config.seed, value_range=model.generator.output_range,
        start_iteration=start)
    writer = tf.summary.create_file_writer(
        os.path.join(config.output_dir, "logs"))
    callbacks = [
        callbacks_lib.StopAtIteration(config.iterations),
        callbacks_lib.SampleGrid(
            model.generator, os.path.join(config.output_dir, "samples"),
            config.sample_every, config.grid_size, config.seed, writer),
        callbacks_lib.Checkpoint(manager, config.checkpoint_every),
        callbacks_lib.ScalarLog(writer),
    ]
    # A Keras epoch here is a stretch of iterations between samples or
    # checkpoints, so that each resume point starts an epoch.
    epoch_length = math.gcd(config.sample_every, config.checkpoint_every)
    model.fit(dataset, steps_per_epoch=epoch_length,
              epochs=math.ceil(config.iterations / epoch_length),
              initial_epoch=start // epoch_length, callbacks=callbacks,
              verbose=verbose, shuffle=False)
    export_path = export.export_generator(model.generator, config.export_dir)
    logger.info("exported the generator to %s", export_path)
    return RunResult(start, int(model.iteration), export_path)
