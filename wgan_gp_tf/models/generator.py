"""The generators' base class and their noise priors."""

import keras
import tensorflow as tf


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
