"""Critic and generator architectures, as Keras subclassed models.

A critic maps images `[B, H, W, C]` to scores `[B, 1]` with no output
activation. A generator maps noise `[B, latent_dim]` to images `[B, H, W, C]` in
its `output_range`, and carries its own noise prior, so that sampling and the
exported SavedModel need nothing but the generator.
"""

import dataclasses
import functools
import math
from collections.abc import Callable

import keras
import tensorflow as tf

from wgan_gp_tf.errors import ConfigError

# The original scripts draw every weight from U(-0.05, 0.05); biases start at 0.
_ORIGINAL_INIT = {"minval": -0.05, "maxval": 0.05}


def sample_latent(prior, shape, seed):
    """Draws generator noise from a prior with Keras's seeded random ops.

    Args:
        prior: `"uniform"` for U(-1, 1), `"unit_uniform"` for U(0, 1) (the
            post's 1-D question) or `"normal"` for N(0, 1).
        shape: the noise shape, `[batch, latent_dim]`.
        seed: a `keras.random.SeedGenerator` or an int.

    Returns:
        A float32 tensor of `shape`.
    """
    if prior == "uniform":
        return keras.random.uniform(shape, minval=-1.0, maxval=1.0, seed=seed)
    if prior == "unit_uniform":
        return keras.random.uniform(shape, minval=0.0, maxval=1.0, seed=seed)
    return keras.random.normal(shape, seed=seed)


def stateless_latent(prior, latent_dim, seed):
    """Draws one noise vector that depends on `seed` alone.

    Args:
        prior: a prior name, as in `sample_latent`.
        latent_dim: the noise size.
        seed: an int64 tensor of shape `[2]`.

    Returns:
        A float32 tensor `[latent_dim]`.
    """
    if prior == "uniform":
        return tf.random.stateless_uniform(
            [latent_dim], seed, minval=-1.0, maxval=1.0)
    if prior == "unit_uniform":
        return tf.random.stateless_uniform([latent_dim], seed)
    return tf.random.stateless_normal([latent_dim], seed)


class Generator(keras.Model):
    """Base class of the generators: noise prior and output range."""

    def __init__(self, latent_dim, prior, image_shape, output_range, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.prior = prior
        self.image_shape = tuple(image_shape)
        self.output_range = tuple(output_range) if output_range else None

    def sample_latent(self, batch_size, seed):
        """Noise `[batch_size, latent_dim]` from this generator's prior."""
        return sample_latent(self.prior, [batch_size, self.latent_dim], seed)

    def to_unit_range(self, images):
        """Maps images from `output_range` to [0, 1]."""
        if self.output_range is None:
            raise ValueError(f"{type(self).__name__} makes points, not images")
        low, high = self.output_range
        if (low, high) == (0.0, 1.0):
            return images
        return (images - low) / (high - low)


def _kernel_initializer(original_init):
    if original_init:
        return keras.initializers.RandomUniform(**_ORIGINAL_INIT)
    return "glorot_uniform"


class MLPCritic(keras.Model):
    """A ReLU MLP critic on flattened inputs; by default mnist_gangp.py's 128, 32, 1.

    Args:
        hidden_units: widths of the ReLU layers before the score.
        original_init: the original's U(-0.05, 0.05) weights, else Keras's
            Glorot default (the WGAN-GP paper's toy networks).
    """

    def __init__(self, hidden_units=(128, 32), original_init=True, **kwargs):
        super().__init__(**kwargs)
        init = _kernel_initializer(original_init)
        self.flatten = keras.layers.Flatten()
        self.hidden = [
            keras.layers.Dense(units, activation="relu", kernel_initializer=init)
            for units in hidden_units
        ]
        self.score = keras.layers.Dense(1, kernel_initializer=init)

    def call(self, images, training=False):
        x = self.flatten(images)
        for layer in self.hidden:
            x = layer(x)
        return self.score(x)


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
            math.prod(image_shape), activation=output_activation, kernel_initializer=init)
        self.to_image = keras.layers.Reshape(image_shape)

    def call(self, noise, training=False):
        x = noise
        for layer in self.hidden:
            x = layer(x)
        return self.to_image(self.pixels(x))


def _toy_architecture(name, width):
    """The WGAN-GP paper's toy networks: 3 ReLU layers of `width`, linear points out."""
    hidden_units = (width,) * 3
    return Architecture(
        name,
        functools.partial(MLPCritic, hidden_units=hidden_units, original_init=False),
        functools.partial(MLPGenerator, hidden_units=hidden_units, output_activation=None,
                          output_range=None, original_init=False))


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A registered critic/generator pair.

    Attributes:
        name: the name `--architecture` takes.
        make_critic: `() -> keras.Model`.
        make_generator: `(latent_dim, prior, image_shape) -> Generator`.
    """

    name: str
    make_critic: Callable[[], keras.Model]
    make_generator: Callable[..., Generator]


_REGISTRY = {
    architecture.name: architecture
    for architecture in (
        Architecture("mlp", MLPCritic, MLPGenerator),
        _toy_architecture("toy_mlp", 512),
        _toy_architecture("toy_mlp_64", 64),
    )
}


def get_architecture(name):
    """Looks up an architecture by name.

    Raises:
        ConfigError: unknown name; the message lists the valid ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"unknown architecture {name!r}; choose one of: "
            f"{', '.join(_REGISTRY)}") from None


def build(architecture, latent_dim, prior, image_shape):
    """Creates and builds a critic and a generator.

    Args:
        architecture: an `Architecture`.
        latent_dim: noise size.
        prior: noise prior name.
        image_shape: `(H, W, C)` of the data, or `(D,)` for points.

    Returns:
        `(critic, generator)`, both with their variables created.
    """
    critic = architecture.make_critic()
    generator = architecture.make_generator(latent_dim, prior, image_shape)
    generator(tf.zeros([1, latent_dim]))
    critic(tf.zeros([1, *image_shape]))
    return critic, generator
