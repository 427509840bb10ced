"""What `WGANGP.fit` refuses: networks whose outputs do not fit, losses gone non-finite."""

import math

import keras
import tensorflow as tf

from wgan_gp_tf.errors import ConfigError, DivergedError


def all_finite(logs):
    """Whether every metric in a Keras `logs` dict is a finite number."""
    return all(math.isfinite(float(value)) for value in (logs or {}).values())


def check_outputs(model):
    """Raises `ConfigError` unless the critic scores each generated sample once.

    Two samples go through the generator and the critic (in inference mode,
    so that no statistics move): the critic must answer `[2, 1]` scores, or
    for a conditional trainer `(scores [2, 1], class_logits [2, num_classes])`.
    """
    noise = tf.zeros([2, model.latent_dim])
    labels = tf.zeros([2], tf.int32)
    fake = model.generator([noise, labels] if model.num_classes else noise, training=False)
    outputs = model.critic(fake, training=False)
    if model.num_classes:
        if not isinstance(outputs, tuple | list) or len(outputs) != 2:
            raise ConfigError(
                f"a conditional critic (num_classes={model.num_classes}) returns "
                f"(scores [batch, 1], class_logits [batch, {model.num_classes}]); this one "
                f"returns {_shapes(outputs)}")
        scores, logits = outputs
        if tuple(logits.shape) != (2, model.num_classes):
            raise ConfigError(
                f"the conditional critic's class_logits must be [batch, {model.num_classes}], "
                f"one logit per class; they are {_shapes(logits)} for a batch of 2")
    else:
        scores = outputs
    if not keras.ops.is_tensor(scores) or tuple(scores.shape) != (2, 1):
        raise ConfigError(
            f"the critic must score each sample once, [batch, 1] (e.g. a last Dense(1) with "
            f"no activation); it returns {_shapes(scores)} for a batch of 2")


def _shapes(outputs):
    if isinstance(outputs, tuple | list):
        return "(" + ", ".join(_shapes(item) for item in outputs) + ")"
    return f"shape {list(getattr(outputs, 'shape', ()))}"


class RaiseOnNonFinite(keras.callbacks.Callback):
    """Ends `fit` with `DivergedError` once a loss or metric is NaN or infinite.

    The logs are the epoch's running means, so one non-finite step keeps them
    so; they are read after each compiled call (`steps_per_execution`).
    """

    def on_train_batch_end(self, batch, logs=None):
        names = [name for name, value in (logs or {}).items()
                 if not math.isfinite(float(value))]
        if names:
            raise DivergedError(
                f"{', '.join(names)} became NaN or infinite by iteration "
                f"{self.model.iterations_done}; lower the learning rates, check the data for "
                f"NaN values, or pass fit(..., stop_on_nan=False) to train on regardless")
