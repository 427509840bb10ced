"""WGAN-GP in TensorFlow 2 / Keras 3, after github.com/bojone/gan.

A library first: bring a critic, a generator and real samples, and train them
as any Keras model,

    model = wgan_gp_tf.WGANGP(critic, generator, latent_dim=64, penalty="squared")
    model.compile()
    model.fit(x_train, batch_size=64, epochs=10,
              callbacks=[wgan_gp_tf.SampleGrid("samples")])
    model.save("mine.keras")
    wgan_gp_tf.export_generator(model, "saved_models/mine")

The application layer, presets that reproduce the original scripts and the
run folders `scripts/train.py` writes, is `wgan_gp_tf.training`.

The subpackages are layers; each imports only those listed before it:
`core` (the trainer, losses, penalties, noise, replicas), `models` (architectures),
`serving` (SavedModels for TF Serving), `evaluation` (metrics, classifiers,
pictures), `data` (data sets), `training` (configs, callbacks, `run`).
"""

from wgan_gp_tf import core, data, evaluation, models, serving, training
from wgan_gp_tf.core import WGANGP, losses, penalties
from wgan_gp_tf.errors import ConfigError, DataError, WGANGPError
from wgan_gp_tf.serving import export_generator
from wgan_gp_tf.training import Checkpoint, Evaluate, SampleGrid

__version__ = "0.2.0"

# The library's names, and its layers as subpackages.
__all__ = ["WGANGP", "Checkpoint", "ConfigError", "DataError", "Evaluate", "SampleGrid",
           "WGANGPError", "export_generator", "losses", "penalties",
           "core", "data", "evaluation", "models", "serving", "training"]
