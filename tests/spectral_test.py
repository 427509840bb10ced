"""Spectral normalisation: the estimate against exact singular values, and the layers."""

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from wgan_gp_tf import models
from wgan_gp_tf.models import spectral


def _matrix_with_spectrum(values, rows, seed=0):
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.normal(size=(rows, len(values))))
    right, _ = np.linalg.qr(rng.normal(size=(len(values), len(values))))
    return (left * values @ right.T).astype(np.float32)


def _largest_singular_value(matrix):
    return float(tf.linalg.svd(tf.constant(matrix), compute_uv=False)[0])


class EstimateTest(tf.test.TestCase):

    def test_converges_to_the_largest_singular_value(self):
        # The error after n iterations shrinks as (1 / 3)^(2n) with this gap.
        matrix = _matrix_with_spectrum([3.0, 1.0, 0.5, 0.1], rows=40)
        self.assertAllClose(spectral.spectral_norm(matrix), 3.0, rtol=1e-4)
        self.assertAllClose(_largest_singular_value(spectral.spectral_normalize(matrix)), 1.0,
                            rtol=1e-4)

    def test_never_above_the_true_value(self):
        matrix = np.random.default_rng(1).normal(size=(300, 64)).astype(np.float32)
        true_value = _largest_singular_value(matrix)
        estimates = [float(spectral.spectral_norm(matrix, n)) for n in (1, 5, 200)]
        self.assertAllLessEqual(estimates, true_value * (1 + 1e-6))
        self.assertEqual(estimates, sorted(estimates))
        self.assertAllClose(estimates[-1], true_value, rtol=1e-3)

    def test_a_vector_is_divided_by_its_norm(self):
        self.assertAllClose(spectral.spectral_normalize(tf.constant([3.0, 4.0])), [0.6, 0.8])

    def test_a_kernel_is_read_as_its_last_axis_against_the_rest(self):
        kernel = np.random.default_rng(2).normal(size=(5, 5, 3, 8)).astype(np.float32)
        self.assertAllClose(spectral.spectral_norm(kernel, 300),
                            _largest_singular_value(kernel.reshape(75, 8)), rtol=1e-4)


class LayersTest(tf.test.TestCase, parameterized.TestCase):

    def _effective_dense_kernel(self, layer, inputs):
        return layer(np.eye(inputs, dtype=np.float32)) - layer(np.zeros((1, inputs), np.float32))

    def _effective_conv_kernel(self, layer, size, channels):
        """A valid convolution of one-hot patches gives back its kernel, row by row."""
        count = size * size * channels
        patches = np.eye(count, dtype=np.float32).reshape(count, size, size, channels)
        outputs = layer(patches) - layer(np.zeros_like(patches[:1]))
        return tf.reshape(outputs, [count, -1])

    @parameterized.parameters(keras.initializers.RandomUniform(-0.05, 0.05), "glorot_uniform")
    def test_dense_computes_with_a_kernel_of_singular_value_one(self, initializer):
        keras.utils.set_random_seed(0)
        layer = spectral.SpectralDense(32, kernel_initializer=initializer,
                                       bias_initializer="ones")
        effective = self._effective_dense_kernel(layer, 128)
        self._assert_normalised(effective, layer.kernel.numpy())

    def test_conv_computes_with_a_kernel_of_singular_value_one(self):
        keras.utils.set_random_seed(0)
        layer = spectral.SpectralConv2D(16, 5, bias_initializer="ones")
        effective = self._effective_conv_kernel(layer, 5, 3)
        self._assert_normalised(effective, layer.kernel.numpy().reshape(75, 16))

    def _assert_normalised(self, effective, raw):
        """Its largest singular value is 1 to within what 5 iterations leave."""
        value = _largest_singular_value(effective)
        self.assertBetween(value, 1.0 - 1e-5, 1.2)
        # Exactly the raw kernel over the estimate, which is below the truth.
        self.assertAllClose(effective, raw / spectral.spectral_norm(raw), rtol=1e-5,
                            atol=1e-6)
        self.assertAllClose(value, _largest_singular_value(raw) / spectral.spectral_norm(raw),
                            rtol=1e-5)

    def test_gradient_flows_through_the_estimate(self):
        """Scaling a kernel leaves W / sigma(W) unchanged: d output / d scale = 0."""
        layer = spectral.SpectralDense(4, use_bias=False)
        inputs = np.random.default_rng(3).normal(size=(2, 6)).astype(np.float32)
        layer.build((None, 6))
        with tf.GradientTape() as tape:
            output = tf.reduce_sum(layer(inputs))
        gradient = tape.gradient(output, layer.kernel)
        self.assertAllClose(tf.reduce_sum(gradient * layer.kernel), 0.0, atol=1e-5)

    def test_batch_norm_scale_is_divided_by_its_norm(self):
        layer = spectral.SpectralBatchNormalization()
        layer.build((None, 2))
        layer.spectral_gamma.assign([3.0, 4.0])
        layer.spectral_beta.assign([1.0, -1.0])
        inputs = np.array([[2.0, 10.0]], np.float32)
        expected = inputs / np.sqrt(1.0 + layer.epsilon) * [0.6, 0.8] + [1.0, -1.0]
        self.assertAllClose(layer(inputs, training=False), expected, rtol=1e-5)
        self.assertEqual(len(layer.weights), 4)


class CriticsTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.parameters(("mlp", (28, 28, 1), "spectral", 3, 0),
                              ("dcgan_mnist", (28, 28, 1), "spectral", 4, 0),
                              ("dcgan_sized", (16, 16, 3), "batch_spectral", 3, 1))
    def test_every_weight_of_the_critic_is_normalised(self, name, shape, norm, spectral_layers,
                                                      spectral_norms):
        critic, _ = models.build(models.get(name), 8, "normal", shape, critic_norm=norm)
        layers = list(critic._flatten_layers())
        kinds = [type(layer).__name__ for layer in layers]
        self.assertEqual(sum(isinstance(layer, spectral.SpectralDense | spectral.SpectralConv2D)
                             for layer in layers), spectral_layers)
        self.assertEqual(kinds.count("SpectralBatchNormalization"), spectral_norms)
        self.assertNotIn("Dense", kinds)
        self.assertNotIn("Conv2D", kinds)
        plain, _ = models.build(models.get(name), 8, "normal", shape,
                                critic_norm="batch" if "batch" in norm else "none")
        self.assertEqual(critic.count_params(), plain.count_params())
        self.assertEqual(critic(tf.zeros([2, *shape]), training=True).shape, (2, 1))


if __name__ == "__main__":
    tf.test.main()
