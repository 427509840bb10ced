"""MLP critic and generator: the original scripts' networks and the paper's toy ones."""

import math

import keras

from wgan_gp_tf.models.conditional import class_heads
from wgan_gp_tf.models.generator import Generator
from wgan_gp_tf.models.spectral import SpectralDense

# The original scripts draw every weight from U(-0.05, 0.05); biases start at 0.
_ORIGINAL_INIT = {"minval": -0.05, "maxval": 0.05}


def _kernel_initializer(original_init):
    if original_init:
        return keras.initializers.RandomUniform(**_ORIGINAL_INIT)
    return "glorot_uniform"


# The `norm`s an MLP critic takes.
MLP_CRITIC_NORMS = ("none", "spectral")


class MLPCritic(keras.Model):
    """A ReLU MLP critic on flattened inputs; by default mnist_gangp.py's 128, 32, 1.

    Args:
        hidden_units: widths of the ReLU layers before the score.
        original_init: the original's U(-0.05, 0.05) weights, else Keras's
            Glorot default (the WGAN-GP paper's toy networks).
        norm: `"none"`, or `"spectral"`: every kernel spectrally normalised
            (`wgan_gp_tf.models.spectral`).
        num_classes: if positive, an AC-GAN classifier head beside the
            score; the critic then returns `(scores, class_logits)`.
    """

    def __init__(self, hidden_units=(128, 32), original_init=True, norm="none", num_classes=0,
                 **kwargs):
        super().__init__(**kwargs)
        init = _kernel_initializer(original_init)
        dense = {"none": keras.layers.Dense, "spectral": SpectralDense}[norm]
        self.flatten = keras.layers.Flatten()
        self.hidden = [
            dense(units, activation="relu", kernel_initializer=init)
            for units in hidden_units
        ]
        self.score, self.classes = class_heads(dense, num_classes, kernel_initializer=init)

    def call(self, images, training=False):
        x = self.flatten(images)
        for layer in self.hidden:
            x = layer(x)
        if self.classes is None:
            return self.score(x)
        return self.score(x), self.classes(x)


class MLPGenerator(Generator):
    """A ReLU MLP generator; by default mnist_gangp.py's 32, 128, pixels sigmoid.

    Args:
        latent_dim, prior, image_shape: as for `Generator`.
        hidden_units: widths of the ReLU layers before the output.
        output_activation: of the output layer; `None` for linear.
        output_range: the outputs' value range, `None` for unbounded points.
        original_init: as for `MLPCritic`.
    """

    def __init__(self, latent_dim, prior, image_shape, hidden_units=(32, 128),
                 output_activation="sigmoid", output_range=(0.0, 1.0), original_init=True,
                 **kwargs):
        super().__init__(latent_dim, prior, image_shape, output_range, **kwargs)
        init = _kernel_initializer(original_init)
        self.hidden = [
            keras.layers.Dense(units, activation="relu", kernel_initializer=init)
            for units in hidden_units
        ]
        self.pixels = keras.layers.Dense(
            math.prod(image_shape), activation=output_activation, kernel_initializer=init,
            dtype="float32")
        self.to_image = keras.layers.Reshape(image_shape, dtype="float32")

    def call(self, inputs, training=False):
        x = self.conditioned_noise(inputs)
        for layer in self.hidden:
            x = layer(x)
        return self.to_image(self.pixels(x))
