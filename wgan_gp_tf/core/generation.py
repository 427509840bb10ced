"""`GeneratingModel`, the base of `WGANGP` that draws samples: noise, labels, range, shape.

It also holds the state of every random draw the trainer makes, so that a
checkpoint or `.keras` file carries on the same sequence.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.core import classes, networks, sampling


class GeneratingModel(keras.Model):
    """A `keras.Model` that samples a generator it holds, which carries its noise and range.

    Args:
        generator: a `keras.Model`, noise `[B, latent_dim]` (`[noise,
            labels]` if conditional) -> samples.
        latent_dim: the noise size; by default the generator's own
            `latent_dim` or its input width.
        prior: `"normal"`, `"uniform"` (U(-1, 1)) or `"unit_uniform"`;
            by default the generator's own `prior`, else `"normal"`.
        output_range: `(low, high)` of the generated images, which sample
            grids and exports map to [0, 1]; by default the generator's own,
            else `(0, 1)`.
        num_classes: the classes of a conditional generator; by default
            the generator's own.
        average_generator: `None`, or a built generator of the same
            architecture that keeps an average of the generator's weights,
            starting as a copy; it is then the one sampled.
        seed: seeds `seed_generator`, the state of the model's draws, which
            a `.keras` file keeps.
        **kwargs: passed to `keras.Model`.

    Raises:
        ConfigError: the noise size is unknown, an argument contradicts what
            the generator carries, or the prior is unknown.
    """

    def __init__(self, generator, latent_dim=None, prior=None, output_range=None,
                 num_classes=None, average_generator=None, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.latent_dim, self.prior, self.output_range = networks.noise_and_range(
            generator, latent_dim, prior, output_range)
        self.num_classes = networks.num_classes(generator, num_classes)
        self.average_generator = average_generator
        if average_generator is not None:
            average_generator.set_weights(generator.get_weights())
        self._image_shape = None
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["seed_state"] = self.seed_generator.state.numpy()

    def load_own_variables(self, store):
        """Restores the model's own weights and, from files that hold it, the draws' state."""
        keys = [key for key in store.keys() if key != "seed_state"]
        super().load_own_variables({key: store[key] for key in keys})
        if "seed_state" in store.keys():
            self.seed_generator.state.assign(store["seed_state"])

    def reseed(self, seed):
        """Restarts the draws from `seed`."""
        self.seed_generator.state.assign(
            tf.constant([seed, 0], dtype=self.seed_generator.state.dtype))

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
            labels = tf.zeros([1], tf.int32) if self.num_classes else None
            shape = self._image_shape = tuple(
                self.generate(tf.zeros([1, self.latent_dim]), labels).shape[1:])
        return tuple(shape)

    def generate(self, noise, labels=None, training=False, generator=None):
        """Samples, in `output_range`, of the sampling generator (or `generator`).

        Args:
            noise: `[B, latent_dim]`.
            labels: int `[B]`, for a conditional trainer; `None` draws each
                class in turn (`0, 1, ..., 0, 1, ...`).
            training: the generator's mode.
            generator: another network to call, e.g. the trained `generator`
                rather than its average.
        """
        generator = generator or self.sampling_generator
        if not self.num_classes:
            return generator(noise, training=training)
        noise = tf.convert_to_tensor(noise, tf.float32)
        if labels is None:
            labels = classes.balanced_labels(tf.shape(noise)[0], self.num_classes)
        return generator([noise, tf.convert_to_tensor(labels, tf.int32)], training=training)

    def call(self, inputs, training=False):
        """Samples for noise, or for `[noise, labels]` if conditional: `generate`'s."""
        if self.num_classes:
            noise, labels = inputs
            return self.generate(noise, labels, training=training)
        return self.generate(inputs, training=training)

    def sample_latent(self, batch_size, seed):
        """Noise `[batch_size, latent_dim]` from the prior."""
        return sampling.sample_latent(self.prior, [batch_size, self.latent_dim], seed)

    def to_unit_range(self, images):
        """Maps generated images from `output_range` to [0, 1]."""
        return sampling.to_unit_range(images, self.output_range)


