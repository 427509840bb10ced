"""Each adversarial loss against its closed form for given critic scores."""

import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from wgan_gp_tf.core import losses
from wgan_gp_tf.errors import ConfigError

REAL = np.array([[1.0], [-2.0], [0.5]], np.float32)
FAKE = np.array([[0.5], [3.0], [-0.25]], np.float32)


def _minus_log_sigmoid(x):
    return -np.log(1.0 / (1.0 + np.exp(-x)))


CLOSED_FORMS = {
    "wasserstein": (REAL.mean() - FAKE.mean(), FAKE.mean()),
    "standard": (_minus_log_sigmoid(REAL).mean() + _minus_log_sigmoid(-FAKE).mean(),
                 _minus_log_sigmoid(FAKE).mean()),
    "relativistic": (_minus_log_sigmoid(REAL - FAKE).mean(),
                     _minus_log_sigmoid(FAKE - REAL).mean()),
    # relu(1 + r) = [2, 0, 1.5], relu(1 - f) = [0.5, 0, 1.25].
    "hinge": ((2.0 + 0.0 + 1.5) / 3 + (0.5 + 0.0 + 1.25) / 3, FAKE.mean()),
}


class ClosedFormTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.parameters(*CLOSED_FORMS)
    def test_values(self, name):
        output = losses.resolve(name)(tf.constant(REAL), tf.constant(FAKE))
        self.assertAllClose(tuple(output), CLOSED_FORMS[name], rtol=1e-6)

    @parameterized.parameters(("wasserstein", 1.0), ("hinge", 1.0), ("standard", -1.0),
                              ("relativistic", -1.0))
    def test_which_side_the_critic_scores_high(self, name, fake_side):
        """The post's forms score generated samples high; the sigmoid ones, real samples."""
        real, fake = tf.Variable(REAL), tf.Variable(FAKE)
        with tf.GradientTape() as tape:
            critic_loss = losses.resolve(name)(real, fake).critic
        real_gradient, fake_gradient = tape.gradient(critic_loss, [real, fake])
        self.assertAllLessEqual(fake_side * fake_gradient, 0.0)
        self.assertAllGreaterEqual(fake_side * real_gradient, 0.0)

    def test_sigmoid_forms_are_finite_where_the_sigmoid_saturates(self):
        real, fake = tf.constant([[-200.0]]), tf.constant([[200.0]])
        self.assertAllClose(tuple(losses.standard_loss(real, fake)), (400.0, 0.0))
        self.assertAllClose(tuple(losses.relativistic_loss(real, fake)), (400.0, 0.0))

    def test_only_the_relativistic_generator_needs_real_scores(self):
        self.assertEqual([name for name in losses.names()
                          if losses.resolve(name).generator_needs_real], ["relativistic"])


class RegistryTest(tf.test.TestCase):

    def test_unknown_name_lists_the_valid_ones(self):
        with self.assertRaisesRegex(ConfigError, "unknown loss 'wgan'.*wasserstein, standard"):
            losses.resolve("wgan")

    def test_a_function_or_a_loss_is_taken_as_it_is(self):
        def least_squares(real_scores, fake_scores):
            return losses.LossOutput(tf.reduce_mean(tf.square(real_scores - 1.0))
                                     + tf.reduce_mean(tf.square(fake_scores)),
                                     tf.reduce_mean(tf.square(fake_scores - 1.0)))

        wrapped = losses.resolve(least_squares)
        self.assertEqual((wrapped.name, wrapped.fn, wrapped.generator_needs_real),
                         ("least_squares", least_squares, True))
        self.assertIs(losses.resolve(wrapped), wrapped)
        with self.assertRaisesRegex(ConfigError, "a registered name, a Loss or a function"):
            losses.resolve(None)


if __name__ == "__main__":
    tf.test.main()
