"""The base class of our generators: they carry their noise prior and output range."""

import keras

from wgan_gp_tf.core import sampling
from wgan_gp_tf.models import conditional


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class Generator(keras.Model):
    """A generator that knows its noise and its outputs.

    `WGANGP`, the sample grids and the export read `latent_dim`, `prior`,
    `image_shape` and `output_range` from it, so none has to be passed
    separately. Any `keras.Model` can be a generator; this base only saves
    passing them.

    Args:
        latent_dim: the noise size.
        prior: a name from `wgan_gp_tf.core.sampling.PRIORS`.
        image_shape: the shape of one output, `(H, W, C)`, or `(D,)` for points.
        output_range: `(low, high)` of the output images, or `None` for
            points (unbounded).
        num_classes: 0, or the number of classes of a conditional generator,
            which takes `[noise, labels]` (int labels `[B]`).
    """

    def __init__(self, latent_dim, prior, image_shape, output_range, num_classes=0, **kwargs):
        super().__init__(**kwargs)
        sampling.check_prior(prior)
        self.latent_dim = latent_dim
        self.prior = prior
        self.image_shape = tuple(image_shape)
        self.output_range = tuple(output_range) if output_range else None
        self.num_classes = num_classes

    def get_config(self):
        # Subclasses that take an `output_range` add it; the others fix it.
        return {**super().get_config(), "latent_dim": self.latent_dim, "prior": self.prior,
                "image_shape": self.image_shape, "num_classes": self.num_classes}

    def split_inputs(self, inputs):
        """`(noise, labels)` of a call; `labels` is `None` for an unconditional generator."""
        if not self.num_classes:
            return inputs, None
        noise, labels = inputs
        return noise, labels

    def conditioned_noise(self, inputs):
        """The noise, with the one-hot label appended if the generator is conditional."""
        noise, labels = self.split_inputs(inputs)
        if labels is None:
            return noise
        return conditional.append_one_hot(noise, labels, self.num_classes)

    def sample_latent(self, batch_size, seed):
        """Noise `[batch_size, latent_dim]` from this generator's prior."""
        return sampling.sample_latent(self.prior, [batch_size, self.latent_dim], seed)

    def to_unit_range(self, images):
        """Maps images from `output_range` to [0, 1]."""
        return sampling.to_unit_range(images, self.output_range)
