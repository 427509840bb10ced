"""Each penalty against its closed form for a linear critic D(x) = w . x."""

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf.core import gradients, penalties
from wgan_gp_tf.errors import ConfigError

SHAPES = {"rank2": (6, 12), "rank4": (6, 3, 2, 2)}


def _case(shape, norm, seed=0):
    """A linear critic with ||w|| = norm, and real and fake batches."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=shape[1:]).astype(np.float32)
    weights *= norm / np.linalg.norm(weights)
    real = rng.normal(size=shape).astype(np.float32)
    fake = rng.normal(size=shape).astype(np.float32)
    return helpers.LinearCritic(weights), weights, real, fake


def _quotients(weights, real, fake):
    """|w . (y - z)| / ||y - z|| per example, whatever the two eps are."""
    difference = (fake - real).reshape(len(real), -1)
    return np.abs(difference @ weights.ravel()) / np.linalg.norm(difference, axis=1)


class ClosedFormTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.product(shape=list(SHAPES), norm=[0.4, 2.5])
    def test_gradient_forms(self, shape, norm):
        critic, _, real, fake = _case(SHAPES[shape], norm)
        seed = keras.random.SeedGenerator(1)
        hinge = penalties.hinge_penalty(critic, real, fake, seed)
        squared = penalties.squared_penalty(critic, real, fake, seed)
        self.assertAllClose(hinge.value, max(norm, 1.0), rtol=1e-5)
        self.assertAllClose(squared.value, (norm - 1.0) ** 2, rtol=1e-5)
        self.assertAllClose(hinge.norm, norm, rtol=1e-5)
        self.assertAllClose(squared.norm, norm, rtol=1e-5)

    @parameterized.product(shape=list(SHAPES), norm=[0.4, 2.5])
    def test_finite_difference_forms(self, shape, norm):
        critic, weights, real, fake = _case(SHAPES[shape], norm)
        quotients = _quotients(weights, real, fake)
        seed = keras.random.SeedGenerator(2)
        diff_hinge = penalties.diff_hinge_penalty(critic, real, fake, seed)
        diff_squared = penalties.diff_squared_penalty(critic, real, fake, seed)
        self.assertAllClose(diff_hinge.value, np.maximum(quotients, 1.0).mean(),
                            rtol=1e-4)
        self.assertAllClose(diff_squared.value, ((quotients - 1.0) ** 2).mean(),
                            rtol=1e-4)
        self.assertAllClose(diff_hinge.norm, quotients.mean(), rtol=1e-4)

    def test_each_quotient_is_below_the_gradient_norm(self):
        # Cauchy-Schwarz: |w . d| / ||d|| <= ||w||, with equality only along w.
        critic, weights, real, fake = _case(SHAPES["rank4"], 2.5)
        quotients = gradients.lipschitz_quotients(critic, real, fake,
                                                  keras.random.SeedGenerator(3))
        self.assertEqual(quotients.shape, (len(real),))
        self.assertAllLessEqual(quotients, 2.5 * (1 + 1e-6))
        along = real + 0.5 * weights
        self.assertAllClose(gradients.lipschitz_quotients(
            critic, real, along, keras.random.SeedGenerator(3)), [2.5] * len(real), rtol=1e-5)

    @parameterized.parameters("rank2", "rank4")
    def test_no_penalty_is_zero_but_measures_the_norm(self, shape):
        critic, _, real, fake = _case(SHAPES[shape], 2.5)
        output = penalties.no_penalty(critic, real, fake,
                                      keras.random.SeedGenerator(0))
        self.assertEqual(float(output.value), 0.0)
        self.assertAllClose(output.norm, 2.5, rtol=1e-5)

    @parameterized.parameters("rank2", "rank4")
    def test_second_order_gradient_through_the_nested_tape(self, shape):
        """d/dw of (||w|| - 1)^2 is 2 (||w|| - 1) w / ||w||; of max(||w||, 1), w / ||w||."""
        critic, weights, real, fake = _case(SHAPES[shape], 2.5)
        unit = weights / 2.5
        for fn, expected in ((penalties.squared_penalty, 2 * 1.5 * unit),
                             (penalties.hinge_penalty, unit)):
            with tf.GradientTape() as tape:
                value = fn(critic, real, fake, keras.random.SeedGenerator(0)).value
            self.assertAllClose(tape.gradient(value, critic.w), expected,
                                rtol=1e-4, atol=1e-6)

    def test_finite_difference_gradient(self):
        """d/dw mean (|w.u_i| - 1)^2 = mean 2 (q_i - 1) sign(w.u_i) u_i."""
        critic, weights, real, fake = _case(SHAPES["rank2"], 2.5)
        directions = fake - real
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        projections = directions @ weights
        expected = np.mean(2 * (np.abs(projections) - 1)[:, None]
                           * np.sign(projections)[:, None] * directions, axis=0)
        with tf.GradientTape() as tape:
            value = penalties.diff_squared_penalty(
                critic, real, fake, keras.random.SeedGenerator(0)).value
        self.assertAllClose(tape.gradient(value, critic.w), expected,
                            rtol=1e-3, atol=1e-5)


class QuadraticCritic:
    """D(x) = c/2 ||x||^2: grad D(x) = c x, so each sample has its own gradient norm."""

    def __init__(self, c):
        self.c = c

    def __call__(self, x, training=False):
        axes = list(range(1, len(x.shape)))
        return 0.5 * self.c * tf.reduce_sum(tf.square(x), axis=axes)[:, tf.newaxis]


class DivTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.product(shape=list(SHAPES), norm=[0.4, 2.5])
    def test_linear_critic(self, shape, norm):
        """Every gradient is w: (||w||^p + ||w||^p) / 2 = ||w||^p."""
        critic, _, real, fake = _case(SHAPES[shape], norm)
        seed = keras.random.SeedGenerator(0)
        output = penalties.div_penalty(critic, real, fake, seed)
        self.assertAllClose(output.value, norm**6, rtol=1e-5)
        self.assertAllClose(output.norm, norm, rtol=1e-5)
        self.assertAllClose(penalties.Div(3.0)(critic, real, fake, seed).value, norm**3,
                            rtol=1e-5)

    @parameterized.parameters("rank2", "rank4")
    def test_at_the_real_and_generated_samples_not_between(self, shape):
        _, _, real, fake = _case(SHAPES[shape], 1.0)
        c = 0.7
        norms = [c * np.linalg.norm(batch.reshape(len(batch), -1), axis=1)
                 for batch in (real, fake)]
        output = penalties.Div(2.0)(QuadraticCritic(c), real, fake, None)
        self.assertAllClose(output.value, (np.mean(norms[0]**2) + np.mean(norms[1]**2)) / 2,
                            rtol=1e-5)
        self.assertAllClose(output.norm, np.mean(np.concatenate(norms)), rtol=1e-5)

    def test_second_order_gradient(self):
        """d/dw ||w||^p = p ||w||^(p-2) w."""
        critic, weights, real, fake = _case(SHAPES["rank4"], 1.5)
        with tf.GradientTape() as tape:
            value = penalties.div_penalty(critic, real, fake, None).value
        self.assertAllClose(tape.gradient(value, critic.w), 6 * 1.5**4 * weights, rtol=1e-4)


class InterpolateTest(tf.test.TestCase):

    def test_one_eps_per_example_on_the_segment(self):
        real = np.zeros((64, 3, 2, 1), np.float32)
        fake = np.ones((64, 3, 2, 1), np.float32)
        mixed = gradients.interpolate(real, fake, keras.random.SeedGenerator(0))
        per_example = tf.reshape(mixed, [64, -1])
        self.assertAllClose(per_example, tf.repeat(per_example[:, :1], 6, axis=1))
        self.assertAllInRange(mixed, 0.0, 1.0)
        self.assertGreater(float(tf.math.reduce_std(per_example[:, 0])), 0.2)


class ClipTest(tf.test.TestCase):

    def test_clips_each_weight_to_its_bound_and_adds_no_term(self):
        critic, _, real, fake = _case(SHAPES["rank2"], 2.5)
        clip = penalties.Clip(0.05)
        self.assertAllClose(clip(critic, real, fake, keras.random.SeedGenerator(0)).value, 0.0)
        clip.constrain([critic.w])
        self.assertAllClose(critic.w, np.clip(critic.w.numpy(), -0.05, 0.05))
        self.assertAllClose(np.abs(critic.w.numpy()).max(), 0.05)

    def test_refuses_a_bound_that_is_not_positive(self):
        with self.assertRaisesRegex(ConfigError, "positive clip_value"):
            penalties.Clip(0.0)


class RegistryTest(tf.test.TestCase):

    def test_only_clip_constrains_weights(self):
        w = tf.Variable([3.0, -3.0])
        constrained = []
        for name in penalties.names():
            w.assign([3.0, -3.0])
            penalties.resolve(name).constrain([w])
            if not np.array_equal(w.numpy(), [3.0, -3.0]):
                constrained.append(name)
        self.assertEqual(constrained, ["clip"])

    def test_unknown_name_lists_the_valid_ones(self):
        with self.assertRaisesRegex(ConfigError, "unknown penalty 'hing'.*hinge, squared"):
            penalties.resolve("hing")

    def test_names_make_objects_with_their_defaults(self):
        self.assertEqual(penalties.resolve("div"), penalties.Div(6.0))
        self.assertEqual(penalties.resolve("clip"), penalties.Clip(0.01))
        self.assertEqual(penalties.resolve(penalties.Squared), penalties.Squared())
        self.assertEqual(penalties.Div(power=3).get_config(), {"power": 3.0})

    def test_a_function_or_a_penalty_is_taken_as_it_is(self):
        def my_penalty(critic, real, fake, seed):
            return penalties.squared_penalty(critic, real, fake, seed)

        wrapped = penalties.resolve(my_penalty)
        self.assertEqual((wrapped.name, wrapped.fn, wrapped.second_order, wrapped.scores_only),
                         ("my_penalty", my_penalty, True, False))
        self.assertIs(penalties.resolve(wrapped), wrapped)
        with self.assertRaisesRegex(ConfigError, "a registered name, a Penalty or a function"):
            penalties.resolve(3)

    def test_a_penalty_that_returns_something_else_is_named(self):
        wrapped = penalties.resolve(lambda critic, real, fake, seed: 0.0)
        with self.assertRaisesRegex(TypeError, "'<lambda>' returned <class 'float'>"):
            wrapped(None, None, None, None)

    def test_register_makes_a_name_and_refuses_a_taken_one(self):
        class DoubleHinge(penalties.Penalty):
            name = "double_hinge"

            def call(self, critic, real, fake, seed):
                value, norm = penalties.hinge_penalty(critic, real, fake, seed)
                return penalties.PenaltyOutput(2 * value, norm)

        self.assertIs(penalties.register(DoubleHinge), DoubleHinge)
        self.addCleanup(penalties.REGISTRY._items.pop, "double_hinge")
        self.assertIsInstance(penalties.resolve("double_hinge"), DoubleHinge)
        self.assertIn("double_hinge", penalties.names())
        with self.assertRaisesRegex(ConfigError, "'hinge' is registered already"):
            penalties.register(penalties.Squared.__class__("Again", (penalties.Squared,),
                                                           {"name": "hinge"}))


if __name__ == "__main__":
    tf.test.main()
