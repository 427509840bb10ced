"""What `WGANGP` draws from its generator: noise, samples, their range, their shape."""

import tensorflow as tf

from wgan_gp_tf.core import classes, sampling


class Generation:
    """The sampling side of `WGANGP`; it provides the networks, noise and range settings."""

    @property
    def sampling_generator(self):
        """The generator to sample, evaluate and export: the average if kept."""
        if self.average_generator is not None:
            return self.average_generator
        return self.generator

    @property
    def image_shape(self):
        """The shape of one generated sample, e.g. `(28, 28, 1)`, or `(D,)` for points."""
        shape = getattr(self.generator, "image_shape", None) or self._image_shape
        if shape is None:
            shape = tuple(self.generate(tf.zeros([1, self.latent_dim]),
                                        self._zero_labels(1)).shape[1:])
            self._image_shape = shape
        return tuple(shape)

    def generate(self, noise, labels=None, training=False, generator=None):
        """Samples of the sampling generator (or `generator`) for noise and labels.

        Args:
            noise: `[B, latent_dim]`.
            labels: int `[B]`, for a conditional trainer; `None` draws each
                class in turn (`0, 1, ..., 0, 1, ...`).
            training: the generator's mode.
            generator: another network to call, e.g. the trained `generator`
                rather than its average.

        Returns:
            The generator's output, in `output_range`.
        """
        generator = generator or self.sampling_generator
        if not self.num_classes:
            return generator(noise, training=training)
        noise = tf.convert_to_tensor(noise, tf.float32)
        if labels is None:
            labels = classes.balanced_labels(tf.shape(noise)[0], self.num_classes)
        return generator([noise, tf.convert_to_tensor(labels, tf.int32)], training=training)

    def _zero_labels(self, count):
        return tf.zeros([count], tf.int32) if self.num_classes else None

    def sample_latent(self, batch_size, seed):
        """Noise `[batch_size, latent_dim]` from the prior."""
        return sampling.sample_latent(self.prior, [batch_size, self.latent_dim], seed)

    def to_unit_range(self, images):
        """Maps generated images from `output_range` to [0, 1]."""
        return sampling.to_unit_range(images, self.output_range)

    def call(self, inputs, training=False):
        """Samples for noise, or for `[noise, labels]` if conditional: `generate`'s."""
        if self.num_classes:
            noise, labels = inputs
            return self.generate(noise, labels, training=training)
        return self.generate(inputs, training=training)
