"""MLP critic and generator: the original scripts' networks and the paper's toy ones."""

import math

import keras

from wgan_gp_tf.models.conditional import class_heads
from wgan_gp_tf.models.generator import Generator
from wgan_gp_tf.models.spectral import SpectralDense

# The kernels' initialisers, (hidden layers, output layer), by `init`; biases
# start at 0 in all. "original": the original scripts draw every weight from
# U(-0.05, 0.05). "tflib_he": the WGAN-GP paper's toy networks (gan_toy.py),
# tflib's "he" init in the ReLU layers, its default (Glorot's) in the last.
# "glorot": Keras's default everywhere.
MLP_INITS = ("original", "tflib_he", "glorot")


def _kernel_initializers(init):
    if init == "original":
        return (keras.initializers.RandomUniform(-0.05, 0.05),) * 2
    if init == "tflib_he":
        return "he_uniform", "glorot_uniform"
    if init == "glorot":
        return "glorot_uniform", "glorot_uniform"
    raise ValueError(f"unknown MLP init {init!r}; one of {', '.join(MLP_INITS)}")


# The `norm`s an MLP critic takes.
MLP_CRITIC_NORMS = ("none", "spectral")


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class MLPCritic(keras.Model):
    """A ReLU MLP critic on flattened inputs; by default mnist_gangp.py's 128, 32, 1.

    Args:
        hidden_units: widths of the ReLU layers before the score.
        init: the kernels' initialisation, one of `MLP_INITS`: `"original"`
            (the original's U(-0.05, 0.05)), `"tflib_he"` (the WGAN-GP
            paper's toy networks) or `"glorot"`.
        norm: `"none"`, or `"spectral"`: every kernel spectrally normalised
            (`wgan_gp_tf.models.spectral`).
        num_classes: if positive, an AC-GAN classifier head beside the
            score; the critic then returns `(scores, class_logits)`.
    """

    def __init__(self, hidden_units=(128, 32), init="original", norm="none", num_classes=0,
                 **kwargs):
        super().__init__(**kwargs)
        hidden_init, output_init = _kernel_initializers(init)
        dense = {"none": keras.layers.Dense, "spectral": SpectralDense}[norm]
        self.hidden_units, self.init, self.norm = tuple(hidden_units), init, norm
        self.num_classes = num_classes
        self.flatten = keras.layers.Flatten()
        # The first layer's ReLU is applied in `_head`, so that its affine part
        # is the stem of `affine_split`.
        self.hidden = [
            dense(units, activation=None if index == 0 else "relu",
                  kernel_initializer=hidden_init)
            for index, units in enumerate(hidden_units)
        ]
        self.score, self.classes = class_heads(dense, num_classes,
                                               kernel_initializer=output_init)

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units, "init": self.init,
                "norm": self.norm, "num_classes": self.num_classes}

    def call(self, images, training=False):
        if not self.hidden:
            return self._scores(self.flatten(images))
        return self._head(self._stem(images))

    def affine_split(self):
        """`(stem, head)`, with `critic(x) == head(stem(x))` and `stem` affine.

        The stem is the first layer before its ReLU; the trainer scores
        interpolates from the stems of their endpoints
        (`wgan_gp_tf.core.stems`). `None` with spectral normalisation, whose
        power iteration steps at every call, or with no hidden layer.
        """
        if self.norm != "none" or not self.hidden:
            return None
        return self._stem, self._head

    def _stem(self, images, training=False):
        return self.hidden[0](self.flatten(images))

    def _head(self, stems, training=False):
        x = keras.activations.relu(stems)
        for layer in self.hidden[1:]:
            x = layer(x)
        return self._scores(x)

    def _scores(self, x):
        if self.classes is None:
            return self.score(x)
        return self.score(x), self.classes(x)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class MLPGenerator(Generator):
    """A ReLU MLP generator; by default mnist_gangp.py's 32, 128, pixels sigmoid.

    Args:
        latent_dim, prior, image_shape: as for `Generator`.
        hidden_units: widths of the ReLU layers before the output.
        output_activation: of the output layer; `None` for linear.
        output_range: the outputs' value range, `None` for unbounded points.
        init: as for `MLPCritic`.
    """

    def __init__(self, latent_dim, prior, image_shape, hidden_units=(32, 128),
                 output_activation="sigmoid", output_range=(0.0, 1.0), init="original",
                 **kwargs):
        super().__init__(latent_dim, prior, image_shape, output_range, **kwargs)
        hidden_init, output_init = _kernel_initializers(init)
        self.hidden_units, self.init = tuple(hidden_units), init
        self.output_activation = output_activation
        self.hidden = [
            keras.layers.Dense(units, activation="relu", kernel_initializer=hidden_init)
            for units in hidden_units
        ]
        self.pixels = keras.layers.Dense(
            math.prod(image_shape), activation=output_activation, kernel_initializer=output_init,
            dtype="float32")
        self.to_image = keras.layers.Reshape(image_shape, dtype="float32")

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units,
                "output_activation": self.output_activation, "output_range": self.output_range,
                "init": self.init}

    def call(self, inputs, training=False):
        x = self.conditioned_noise(inputs)
        for layer in self.hidden:
            x = layer(x)
        return self.to_image(self.pixels(x))
