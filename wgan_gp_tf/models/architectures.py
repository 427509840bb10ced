"""The registered critic/generator pairs, and building them under a precision."""

import contextlib
import dataclasses
import functools
from collections.abc import Callable

import keras
import tensorflow as tf

from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.models.catalog import ARCHITECTURES, CRITIC_NORMS, PRECISION_POLICIES
from wgan_gp_tf.models.dcgan import (
    DCGAN_INIT,
    SIZED_IMAGE_SIZES,
    TFLIB_CONV_INIT,
    TFLIB_DENSE_INIT,
    DCGANCritic,
    DCGANGenerator,
    sized_generator,
)
from wgan_gp_tf.models.generator import Generator
from wgan_gp_tf.models.mlp import MLP_CRITIC_NORMS, MLPCritic, MLPGenerator
from wgan_gp_tf.models.resnet import ResNetCritic, ResNetGenerator
from wgan_gp_tf.models.text import (
    TEXT_DIM,
    RecurrentCritic,
    TextResNetCritic,
    TextResNetGenerator,
)


def _dcgan_architecture(name, critic_filters, generator_filters, generator_batch_norm,
                        output_activation, output_range, paper, score_bias=None):
    """A registered DCGAN pair; `paper` chooses tflib's initialisers and slope."""
    conv_init = TFLIB_CONV_INIT if paper else "glorot_uniform"
    dense_init = TFLIB_DENSE_INIT if paper else "glorot_uniform"
    return Architecture(
        name,
        functools.partial(DCGANCritic, critic_filters, negative_slope=0.2 if paper else 0.3,
                          score_bias=paper if score_bias is None else score_bias,
                          kernel_initializer=conv_init),
        functools.partial(DCGANGenerator, filters=generator_filters,
                          batch_norm=generator_batch_norm,
                          output_activation=output_activation, output_range=output_range,
                          dense_initializer=dense_init, kernel_initializer=conv_init),
        critic_norms=CRITIC_NORMS)


def _toy_architecture(name, width, init):
    """The WGAN-GP paper's toy networks: 3 ReLU layers of `width`, linear points out."""
    hidden_units = (width,) * 3
    return Architecture(
        name,
        functools.partial(MLPCritic, hidden_units=hidden_units, init=init),
        functools.partial(MLPGenerator, hidden_units=hidden_units, output_activation=None,
                          output_range=None, init=init),
        critic_norms=MLP_CRITIC_NORMS, makes="points")


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A registered critic/generator pair.

    Attributes:
        name: the name `--architecture` takes.
        make_critic: `(norm=..., num_classes=...) -> keras.Model`.
        make_generator: `(latent_dim, prior, image_shape, num_classes=...)
            -> Generator`.
        critic_norms: the `critic_norm` values the critic supports.
        makes: `"images"` `(H, W, C)`, `"points"` `(D,)` or `"text"`
            `(seq_len, vocabulary)`.
        image_sizes: the square sizes it is built for, if it is built from
            the data's size; `None` if its sizes are fixed.
        dim: the width both networks take as `dim=` (another may be asked
            for), or 0 if they have no single width.
    """

    name: str
    make_critic: Callable[..., keras.Model]
    make_generator: Callable[..., Generator]
    critic_norms: tuple[str, ...] = ("none",)
    makes: str = "images"
    image_sizes: tuple[int, ...] | None = None
    dim: int = 0

    def check_critic_norm(self, norm):
        """Raises `ConfigError` unless this critic supports `norm`."""
        if norm not in self.critic_norms:
            raise ConfigError(
                f"critic_norm={norm!r} does not apply to the {self.name} critic; it "
                f"takes: {', '.join(self.critic_norms)}")

    def check_data(self, dataset, holds, sample_shape):
        """Raises `ConfigError` unless this pair makes what `dataset` `holds`, of `sample_shape`."""
        if holds != self.makes:
            raise ConfigError(
                f"the {self.name} architecture makes {self.makes}, but dataset {dataset!r} "
                f"holds {holds}; choose an architecture for it (or the preset made for it)")
        if self.image_sizes and (sample_shape[0] != sample_shape[1]
                                 or sample_shape[0] not in self.image_sizes):
            raise ConfigError(
                f"the {self.name} architecture is built for square images of "
                f"{', '.join(map(str, self.image_sizes))} pixels, but dataset {dataset!r} "
                f"holds {'x'.join(map(str, sample_shape))} images; pass one of those sizes "
                f"as --image_size")

    def check_dim(self, dim):
        """Raises `ConfigError` if a width `dim` (0: the default) is asked of fixed networks."""
        if dim and not self.dim:
            raise ConfigError(f"the {self.name} networks have no single width to set; leave "
                              f"--model_dim at 0 (it sizes the text networks)")


REGISTRY = ARCHITECTURES
REGISTRY.register_all((
    Architecture("mlp", MLPCritic, MLPGenerator, critic_norms=MLP_CRITIC_NORMS),
    # gan_toy.py's networks, with tflib's initialisers.
    _toy_architecture("toy_mlp", 512, "tflib_he"),
    # Ours for toy_1d, whose settings were tuned with Glorot's init throughout.
    _toy_architecture("toy_mlp_64", 64, "glorot"),
    # keras/wgan_gp_celeba.py of the original repo, 64x64x3 (and wgan_sn_celeba.py,
    # dcgan_sn_celeba.py, rsgan_sn_celeba.py).
    _dcgan_architecture("dcgan_celeba", (64, 128, 256, 512), (512, 256, 128, 64),
                        True, "tanh", (-1.0, 1.0), paper=False),
    # keras/dcgan_celeba.py: the same, with a bias on the score (its sigmoid's logit).
    _dcgan_architecture("dcgan_celeba_score_bias", (64, 128, 256, 512), (512, 256, 128, 64),
                        True, "tanh", (-1.0, 1.0), paper=False, score_bias=True),
    # gan_mnist.py of the WGAN-GP paper (DIM 64), 28x28x1; no batch norm.
    _dcgan_architecture("dcgan_mnist", (64, 128, 256), (256, 128, 64), False,
                        "sigmoid", (0.0, 1.0), paper=True),
    # gan_cifar.py of the WGAN-GP paper (DIM 128), 32x32x3.
    _dcgan_architecture("dcgan_cifar10", (128, 256, 512), (512, 256, 128), True,
                        "tanh", (-1.0, 1.0), paper=True),
    # keras/wgan_div_celeba.py of the original repo (and its other 128x128
    # scripts): networks built from the image size, 16 to 256 pixels.
    Architecture(
        "dcgan_sized",
        functools.partial(DCGANCritic, None, convolution_bias=False, pooling="average",
                          score_bias=False, kernel_initializer=DCGAN_INIT,
                          score_initializer="glorot_uniform"),
        functools.partial(sized_generator, dense_initializer=DCGAN_INIT,
                          kernel_initializer=DCGAN_INIT),
        critic_norms=CRITIC_NORMS, image_sizes=SIZED_IMAGE_SIZES),
    # gan_one_step_with_hinge_loss.py: those networks, but the score flattens the
    # last map (N(0, 0.02) kernel) and the generator normalises its 4x4 map per
    # channel.
    Architecture(
        "dcgan_sized_one_step",
        functools.partial(DCGANCritic, None, convolution_bias=False, pooling="flatten",
                          score_bias=False, kernel_initializer=DCGAN_INIT),
        functools.partial(sized_generator, dense_initializer=DCGAN_INIT,
                          kernel_initializer=DCGAN_INIT, map_norm_per_channel=True),
        critic_norms=CRITIC_NORMS, image_sizes=SIZED_IMAGE_SIZES),
    # gan_cifar_resnet.py of the WGAN-GP paper: 32x32, 128 channels.
    Architecture("resnet_cifar10", ResNetCritic, ResNetGenerator, critic_norms=("none", "layer"),
                 image_sizes=(32,)),
    # gan_64x64.py's ResNet ("GoodGenerator", "GoodDiscriminator"): 64x64,
    # layer norm in the critic.
    Architecture("resnet_64", functools.partial(ResNetCritic, imagenet64=True),
                 ResNetGenerator, critic_norms=("layer", "none"), image_sizes=(64,)),
    # gan_language.py of the WGAN-GP paper: Conv1D ResNets on both sides.
    Architecture("language_resnet", TextResNetCritic, TextResNetGenerator, makes="text",
                 dim=TEXT_DIM),
    # Its generator against a GRU critic, for the post's finite-difference penalties.
    Architecture("language_rnn", RecurrentCritic, TextResNetGenerator, makes="text",
                 dim=TEXT_DIM),
))

names = REGISTRY.names
get = REGISTRY.get


@contextlib.contextmanager
def _dtype_policy(precision):
    # Keras has no scoped policy; layers take the global one when created.
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISION_POLICIES[precision])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build(architecture, latent_dim, prior, image_shape, critic_norm="none",
          mixed_precision="none", num_classes=0, dim=0):
    """Creates and builds a critic and a generator.

    Args:
        architecture: an `Architecture`.
        latent_dim: noise size.
        prior: noise prior name.
        image_shape: `(H, W, C)` of the data, or `(D,)` for points.
        critic_norm: the critic's normalisation, one of `critic_norms`.
        mixed_precision: `"none"`, `"float16"` or `"bfloat16"`: the compute
            dtype of the hidden layers.
        num_classes: 0, or the classes of a conditional pair: an AC-GAN
            critic, returning `(scores, class_logits)`, and a generator of
            `[noise, labels]`.
        dim: the networks' width, for an architecture with one (0: its own).

    Returns:
        `(critic, generator)`, both with their variables created.

    Raises:
        ConfigError: the critic does not support `critic_norm`, the
            generator cannot make images of `image_shape`, or `dim` is given
            to networks of fixed width.
    """
    architecture.check_critic_norm(critic_norm)
    architecture.check_dim(dim)
    critic_options = {"norm": critic_norm} if critic_norm != "none" else {}
    if num_classes:
        critic_options["num_classes"] = num_classes
    if dim:
        critic_options["dim"] = dim
    with _dtype_policy(mixed_precision):
        critic = architecture.make_critic(**critic_options)
        generator = build_generator(architecture, latent_dim, prior, image_shape,
                                    mixed_precision, num_classes, dim)
        critic(tf.zeros([1, *image_shape]))
    return critic, generator


def build_generator(architecture, latent_dim, prior, image_shape, mixed_precision="none",
                    num_classes=0, dim=0):
    """Creates and builds a generator alone; the arguments are `build`'s.

    Returns:
        A `Generator` with its variables created.
    """
    options = {"num_classes": num_classes} if num_classes else {}
    if dim:
        options["dim"] = dim
    with _dtype_policy(mixed_precision):
        generator = architecture.make_generator(latent_dim, prior, image_shape, **options)
        noise = tf.zeros([1, latent_dim])
        generator([noise, tf.zeros([1], tf.int32)] if num_classes else noise)
    return generator
