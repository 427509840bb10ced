"""Critic and generator architectures, as Keras subclassed models.

A critic maps images `[B, H, W, C]` to float32 scores `[B, 1]` with no output
activation. A generator maps noise `[B, latent_dim]` to float32 images
`[B, H, W, C]` in its `output_range`, and carries its own noise prior, so that
sampling and the exported SavedModel need nothing but the generator. Under
mixed precision the layers compute in float16 or bfloat16, but the scores and
images (and so every penalty and norm) stay float32.
"""

import contextlib
import dataclasses
import functools
import math
from collections.abc import Callable

import keras
import tensorflow as tf

from wgan_gp_tf.config import CRITIC_NORMS
from wgan_gp_tf.errors import ConfigError

# The original scripts draw every weight from U(-0.05, 0.05); biases start at 0.
_ORIGINAL_INIT = {"minval": -0.05, "maxval": 0.05}

# Keras dtype policies of `TrainConfig.mixed_precision`.
PRECISION_POLICIES = {"none": "float32", "float16": "mixed_float16",
                      "bfloat16": "mixed_bfloat16"}


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
        self.score = keras.layers.Dense(1, kernel_initializer=init, dtype="float32")

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
            math.prod(image_shape), activation=output_activation, kernel_initializer=init,
            dtype="float32")
        self.to_image = keras.layers.Reshape(image_shape, dtype="float32")

    def call(self, noise, training=False):
        x = noise
        for layer in self.hidden:
            x = layer(x)
        return self.to_image(self.pixels(x))


def _normalization(kind):
    """A normalisation layer over `[B, H, W, C]` feature maps, or `None`.

    `"layer"` normalises each example over all of H, W and C with a scale and
    offset per channel, as the WGAN-GP paper's 64x64 critics do.
    """
    if kind == "batch":
        return keras.layers.BatchNormalization()
    if kind == "layer":
        return keras.layers.GroupNormalization(groups=1)
    if kind == "none":
        return None
    raise ConfigError(f"unknown critic_norm {kind!r}; choose one of: {', '.join(CRITIC_NORMS)}")


class DCGANCritic(keras.Model):
    """Strided 5x5 convolutions with LeakyReLU, then one linear score.

    Each convolution halves the image ("same" padding); every one but the first
    is followed by the normalisation `norm`.

    Args:
        filters: output channels of the convolutions, one per halving.
        norm: `"batch"`, `"layer"` or `"none"`.
        negative_slope: of the LeakyReLUs (Keras 2's default 0.3 in
            wgan_gp_celeba.py, 0.2 in the WGAN-GP paper's code).
        score_bias: whether the score layer has a bias.
        kernel_initializer: of every layer.
    """

    def __init__(self, filters, norm="none", negative_slope=0.2, score_bias=True,
                 kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.convolutions = [
            keras.layers.Conv2D(count, 5, strides=2, padding="same",
                                kernel_initializer=kernel_initializer)
            for count in filters
        ]
        self.norms = [None] + [_normalization(norm) for _ in filters[1:]]
        self.activation = keras.layers.LeakyReLU(negative_slope)
        self.flatten = keras.layers.Flatten()
        self.score = keras.layers.Dense(1, use_bias=score_bias, dtype="float32",
                                        kernel_initializer=kernel_initializer)

    def call(self, images, training=False):
        x = images
        for convolution, norm in zip(self.convolutions, self.norms, strict=True):
            x = convolution(x)
            if norm is not None:
                x = norm(x, training=training)
            x = self.activation(x)
        return self.score(self.flatten(x))


class DCGANGenerator(Generator):
    """A dense layer to a 4x4 map, then 5x5 transposed convolutions doubling it.

    Each hidden layer is followed by batch norm (if `batch_norm`) and ReLU.
    Where doubling would overshoot the image size (28 from 4), the map is
    cropped to the size the remaining doublings need, as the paper's MNIST
    generator crops 8x8 to 7x7.

    Args:
        latent_dim, prior, image_shape, output_range: as for `Generator`.
        filters: channels of the 4x4 map, then of each hidden transposed
            convolution; one more transposed convolution makes the image.
        batch_norm: batch norm after each hidden layer.
        output_activation: of the image layer.
        dense_initializer, kernel_initializer: of the dense and the
            convolution layers.
    """

    def __init__(self, latent_dim, prior, image_shape, filters, batch_norm=True,
                 output_activation="tanh", output_range=(-1.0, 1.0),
                 dense_initializer="glorot_uniform", kernel_initializer="glorot_uniform",
                 **kwargs):
        super().__init__(latent_dim, prior, image_shape, output_range, **kwargs)
        height, width, channels = image_shape
        base, *hidden_filters = filters
        doublings = len(filters)
        if height != width or not 4 * 2**(doublings - 1) < height <= 4 * 2**doublings:
            raise ConfigError(
                f"a {doublings}-layer DCGAN generator makes square images of "
                f"{4 * 2**(doublings - 1) + 1} to {4 * 2**doublings} pixels, not "
                f"{height}x{width}; choose the architecture made for this data set")
        self.dense = keras.layers.Dense(16 * base, kernel_initializer=dense_initializer)
        self.to_map = keras.layers.Reshape((4, 4, base))
        self.upsamplings = [
            keras.layers.Conv2DTranspose(count, 5, strides=2, padding="same",
                                         kernel_initializer=kernel_initializer)
            for count in hidden_filters
        ]
        self.to_image = keras.layers.Conv2DTranspose(
            channels, 5, strides=2, padding="same", activation=output_activation,
            kernel_initializer=kernel_initializer, dtype="float32")
        self.norms = [keras.layers.BatchNormalization() if batch_norm else None
                      for _ in filters]
        self.map_sizes = [-(-height // 2**(doublings - index)) for index in range(doublings)]

    def call(self, noise, training=False):
        x = self.to_map(self._normalized(0, self.dense(noise), training))
        for index, upsampling in enumerate(self.upsamplings, start=1):
            x = self._normalized(index, upsampling(x), training)
            size = self.map_sizes[index]
            x = x[:, :size, :size, :]
        return self.to_image(x)

    def _normalized(self, index, x, training):
        if self.norms[index] is not None:
            x = self.norms[index](x, training=training)
        return keras.activations.relu(x)


# tflib (the WGAN-GP paper's code) scales its "He" uniform init by fan_in +
# fan_out; we leave out its division of the strided fan by stride**2.
_TFLIB_CONV_INIT = keras.initializers.VarianceScaling(2.0, "fan_avg", "uniform")
_TFLIB_DENSE_INIT = "lecun_uniform"


def _dcgan_architecture(name, critic_filters, generator_filters, generator_batch_norm,
                        output_activation, output_range, paper):
    """A registered DCGAN pair; `paper` chooses tflib's initialisers and slope."""
    conv_init = _TFLIB_CONV_INIT if paper else "glorot_uniform"
    dense_init = _TFLIB_DENSE_INIT if paper else "glorot_uniform"
    return Architecture(
        name,
        functools.partial(DCGANCritic, critic_filters, negative_slope=0.2 if paper else 0.3,
                          score_bias=paper, kernel_initializer=conv_init),
        functools.partial(DCGANGenerator, filters=generator_filters,
                          batch_norm=generator_batch_norm,
                          output_activation=output_activation, output_range=output_range,
                          dense_initializer=dense_init, kernel_initializer=conv_init),
        critic_norms=CRITIC_NORMS, xla_on_cpu=False)


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
        make_critic: `(norm=...) -> keras.Model`.
        make_generator: `(latent_dim, prior, image_shape) -> Generator`.
        critic_norms: the `critic_norm` values the critic supports.
        xla_on_cpu: whether XLA speeds the pair up on a CPU. XLA's CPU
            convolutions are about ten times slower than TensorFlow's oneDNN
            ones for these networks (docs/benchmarks.md), so the convolutional
            pairs use XLA only on a GPU or TPU.
    """

    name: str
    make_critic: Callable[..., keras.Model]
    make_generator: Callable[..., Generator]
    critic_norms: tuple[str, ...] = ("none",)
    xla_on_cpu: bool = True

    def check_critic_norm(self, norm):
        """Raises `ConfigError` unless this critic supports `norm`."""
        if norm not in self.critic_norms:
            raise ConfigError(
                f"critic_norm={norm!r} does not apply to the {self.name} critic; it "
                f"takes: {', '.join(self.critic_norms)}")


_REGISTRY = {
    architecture.name: architecture
    for architecture in (
        Architecture("mlp", MLPCritic, MLPGenerator),
        _toy_architecture("toy_mlp", 512),
        _toy_architecture("toy_mlp_64", 64),
        # keras/wgan_gp_celeba.py of the original repo, 64x64x3.
        _dcgan_architecture("dcgan_celeba", (64, 128, 256, 512), (512, 256, 128, 64),
                            True, "tanh", (-1.0, 1.0), paper=False),
        # gan_mnist.py of the WGAN-GP paper (DIM 64), 28x28x1; no batch norm.
        _dcgan_architecture("dcgan_mnist", (64, 128, 256), (256, 128, 64), False,
                            "sigmoid", (0.0, 1.0), paper=True),
        # gan_cifar.py of the WGAN-GP paper (DIM 128), 32x32x3.
        _dcgan_architecture("dcgan_cifar10", (128, 256, 512), (512, 256, 128), True,
                            "tanh", (-1.0, 1.0), paper=True),
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


@contextlib.contextmanager
def _dtype_policy(precision):
    # Keras has no scoped policy; layers take the global one when created.
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISION_POLICIES[precision])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def use_xla(architecture, jit_compile):
    """Whether to compile with XLA: if asked, and it helps on this machine."""
    if not jit_compile or architecture.xla_on_cpu:
        return jit_compile
    return bool(tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"))


def build(architecture, latent_dim, prior, image_shape, critic_norm="none",
          mixed_precision="none"):
    """Creates and builds a critic and a generator.

    Args:
        architecture: an `Architecture`.
        latent_dim: noise size.
        prior: noise prior name.
        image_shape: `(H, W, C)` of the data, or `(D,)` for points.
        critic_norm: the critic's normalisation, one of `critic_norms`.
        mixed_precision: `"none"`, `"float16"` or `"bfloat16"`: the compute
            dtype of the hidden layers.

    Returns:
        `(critic, generator)`, both with their variables created.

    Raises:
        ConfigError: the critic does not support `critic_norm`, or the
            generator cannot make images of `image_shape`.
    """
    architecture.check_critic_norm(critic_norm)
    with _dtype_policy(mixed_precision):
        if critic_norm == "none":
            critic = architecture.make_critic()
        else:
            critic = architecture.make_critic(norm=critic_norm)
        generator = architecture.make_generator(latent_dim, prior, image_shape)
        generator(tf.zeros([1, latent_dim]))
        critic(tf.zeros([1, *image_shape]))
    return critic, generator
