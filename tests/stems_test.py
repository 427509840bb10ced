"""Interpolates scored through a critic's affine stem: the same penalties, fewer products."""

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf import models
from wgan_gp_tf.core import penalties, stems


class SplitLinearCritic(helpers.LinearCritic):
    """D(x) = w . x, split as stem = D and head = the identity; counts whole calls."""

    calls = 0

    def call(self, x, training=False):
        self.calls += 1
        return super().call(x, training)

    def affine_split(self):
        return (lambda x, training: helpers.LinearCritic.call(self, x),
                lambda stems, training: stems)


def _batches(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (tf.constant(rng.uniform(size=shape), tf.float32),
            tf.constant(rng.uniform(size=shape), tf.float32))


class ClosedFormThroughTheStemTest(tf.test.TestCase):

    def test_gradient_forms_and_their_weight_gradients(self):
        rng = np.random.default_rng(0)
        weights = rng.normal(size=(3, 2, 2)).astype(np.float32)
        weights *= 2.5 / np.linalg.norm(weights)
        critic = SplitLinearCritic(weights)
        real, fake = _batches((6, 3, 2, 2))
        unit = weights / 2.5
        for fn, value, gradient in ((penalties.squared_penalty, 1.5 ** 2, 2 * 1.5 * unit),
                                    (penalties.hinge_penalty, 2.5, unit)):
            with tf.GradientTape() as tape:
                scores = stems.CriticScores(critic)
                scores.outputs(real)
                scores.outputs(fake)
                output = fn(scores, real, fake, keras.random.SeedGenerator(0))
            self.assertAllClose(output.value, value, rtol=1e-5)
            self.assertAllClose(output.norm, 2.5, rtol=1e-5)
            self.assertAllClose(tape.gradient(output.value, critic.w), gradient,
                                rtol=1e-4, atol=1e-6)
        self.assertEqual(critic.calls, 0, "the interpolates went through the whole critic")

    def test_batches_not_scored_here_are_interpolated_as_inputs(self):
        critic = SplitLinearCritic(np.ones([4], np.float32))
        real, fake = _batches((5, 4))
        scores = stems.CriticScores(critic)
        scores.outputs(real)
        self.assertIsNone(scores.gradients_at_interpolates(real, fake, tf.ones([5, 1])))
        output = penalties.hinge_penalty(scores, real, fake, keras.random.SeedGenerator(0))
        self.assertAllClose(output.norm, 2.0, rtol=1e-5)


def _critic(architecture, **kwargs):
    """A built MLP or DCGAN critic of MNIST-sized images, its biases made non-zero."""
    if architecture == "mlp":
        critic = models.MLPCritic(init="glorot", **kwargs)
    else:
        critic = models.DCGANCritic((8, 16), **kwargs)
    critic(tf.zeros([1, 28, 28, 1]))
    for variable in critic.trainable_variables:
        if "bias" in variable.path:
            variable.assign(tf.random.stateless_normal(variable.shape, [1, 2]) * 0.1)
    return critic


class CriticStemTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.product(architecture=["mlp", "dcgan"], num_classes=[0, 3])
    def test_the_split_composes_to_the_critic(self, architecture, num_classes):
        critic = _critic(architecture, num_classes=num_classes)
        stem, head = critic.affine_split()
        images, _ = _batches((4, 28, 28, 1))
        self.assertAllClose(head(stem(images)), critic(images), rtol=0, atol=0)

    @parameterized.parameters(("mlp", "spectral"), ("dcgan", "spectral"),
                              ("dcgan", "batch_spectral"))
    def test_no_split_under_spectral_normalisation(self, architecture, norm):
        self.assertIsNone(_critic(architecture, norm=norm).affine_split())

    @parameterized.parameters(
        ("mlp", "hinge", 0, "none"), ("mlp", "squared", 0, "none"), ("mlp", "none", 0, "none"),
        ("mlp", "squared", 3, "none"), ("dcgan", "hinge", 0, "none"),
        ("dcgan", "squared", 0, "none"), ("dcgan", "squared", 3, "none"),
        ("dcgan", "squared", 0, "batch"), ("dcgan", "squared", 0, "layer"))
    def test_penalty_and_its_gradients_match_the_whole_critic(self, architecture, penalty,
                                                               num_classes, critic_norm):
        critic = _critic(architecture, num_classes=num_classes, norm=critic_norm)
        real, fake = _batches((8, 28, 28, 1))
        fn = penalties.resolve(penalty)

        def whole(samples, training=True):
            outputs = critic(samples, training=training)
            return outputs[0] if num_classes else outputs

        results = []
        for through_stem in (False, True):
            with tf.GradientTape() as tape:
                scores = stems.CriticScores(critic)
                scores.outputs(real)
                scores.outputs(fake)
                output = fn(scores if through_stem else whole, real, fake,
                            keras.random.SeedGenerator(4))
                objective = output.value + output.norm
            gradients = tape.gradient(objective, critic.trainable_variables)
            # The score's bias has no gradient through the penalty alone.
            results.append((output.value, output.norm, [
                tf.zeros(variable.shape) if gradient is None else gradient
                for variable, gradient in zip(critic.trainable_variables, gradients,
                                              strict=True)]))
        (value, norm, gradients), (stem_value, stem_norm, stem_gradients) = results
        self.assertAllClose(stem_value, value, rtol=1e-5)
        self.assertAllClose(stem_norm, norm, rtol=1e-5)
        # A bias before batch norm cannot change a score: its exact gradient
        # is 0, and what float32 gives of it is rounding, near 1e-5.
        atol = 1e-5 if critic_norm == "batch" else 1e-6
        for expected, actual in zip(gradients, stem_gradients, strict=True):
            self.assertAllClose(actual, expected, rtol=1e-4, atol=atol)

    def test_low_precision_stems_are_not_blended(self):
        keras.config.set_dtype_policy("mixed_bfloat16")
        self.addCleanup(keras.config.set_dtype_policy, "float32")
        critic = models.MLPCritic()
        real, fake = _batches((4, 28, 28, 1))
        scores = stems.CriticScores(critic)
        scores.outputs(real)
        scores.outputs(fake)
        self.assertIsNone(scores.gradients_at_interpolates(real, fake, tf.ones([4, 1, 1, 1])))


if __name__ == "__main__":
    tf.test.main()
