"""WGAN-GP in TensorFlow 2 / Keras 3, after github.com/bojone/gan.

A library first: bring a critic, a generator and real samples, and train them
as any Keras model,

    model = wgan_gp_tf.WGANGP(critic, generator, latent_dim=64)
    model.compile(penalty="squared")
    model.fit(x_train, batch_size=64, epochs=10,
              callbacks=[wgan_gp_tf.SampleGrid("samples")])
    wgan_gp_tf.export_generator(model, "saved_models/mine")

or run a preset that reproduces an original script with `run(make_config(...))`.

The subpackages are layers; each imports only those listed before it:
`core` (the trainer, losses, penalties, noise, replicas), `models` (architectures),
`serving` (SavedModels for TF Serving), `evaluation` (metrics, classifiers,
pictures), `data` (data sets), `training` (configs, callbacks, `run`).
"""

from wgan_gp_tf import core, data, evaluation, models, serving, training
from wgan_gp_tf.core import (
    METRIC_NAMES,
    PRIORS,
    WGANGP,
    Loss,
    LossOutput,
    Penalty,
    PenaltyOutput,
    diff_hinge_penalty,
    diff_squared_penalty,
    div_penalty,
    hinge_penalty,
    losses,
    no_penalty,
    penalties,
    squared_penalty,
)
from wgan_gp_tf.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    DivergedError,
    ExportNotFoundError,
    RunInUseError,
    ServingError,
    WGANGPError,
)
from wgan_gp_tf.images import image_grid, write_png
from wgan_gp_tf.serving import export_generator
from wgan_gp_tf.training import (
    Checkpoint,
    Evaluate,
    RunResult,
    SampleGrid,
    TrainConfig,
    make_config,
    preset_names,
    restore_latest,
    run,
)

__version__ = "0.2.0"

__all__ = [
    "METRIC_NAMES", "PRIORS", "WGANGP", "Checkpoint", "CheckpointError", "ConfigError",
    "DataError", "DivergedError", "Evaluate", "ExportNotFoundError", "Loss", "LossOutput",
    "Penalty", "PenaltyOutput", "RunInUseError", "RunResult", "SampleGrid", "ServingError",
    "TrainConfig", "WGANGPError", "core", "data",
    "diff_hinge_penalty", "diff_squared_penalty", "div_penalty", "evaluation",
    "export_generator", "hinge_penalty", "image_grid", "losses", "make_config", "models",
    "no_penalty", "penalties",
    "preset_names", "restore_latest", "run", "serving", "squared_penalty", "training",
    "write_png",
]
