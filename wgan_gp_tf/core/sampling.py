"""Generator noise and generated values: the priors and the output range.

The trainer, the architectures and the export all draw noise here, so a
generator's samples depend only on its prior, its latent size and the seed.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.core.catalog import PRIORS
from wgan_gp_tf.errors import ConfigError


def check_prior(prior):
    """Raises `ConfigError` unless `prior` is one of `PRIORS`."""
    if prior not in PRIORS:
        raise ConfigError(f"unknown prior {prior!r}; choose one of: {', '.join(PRIORS)}")


def sample_latent(prior, shape, seed):
    """Draws generator noise from a prior with Keras's seeded random ops.

    Args:
        prior: `"uniform"` for U(-1, 1), `"unit_uniform"` for U(0, 1) or
            `"normal"` for N(0, 1).
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
        return tf.random.stateless_uniform([latent_dim], seed, minval=-1.0, maxval=1.0)
    if prior == "unit_uniform":
        return tf.random.stateless_uniform([latent_dim], seed)
    return tf.random.stateless_normal([latent_dim], seed)


def to_unit_range(values, output_range):
    """Maps generated images from `output_range` `(low, high)` to [0, 1].

    Raises:
        ValueError: `output_range` is `None`: the generator makes points, not
            images.
    """
    if output_range is None:
        raise ValueError("this generator makes points, not images: it has no output range")
    low, high = output_range
    if (low, high) == (0.0, 1.0):
        return values
    return (values - low) / (high - low)
