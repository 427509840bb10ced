"""WGANGP: which variables each step moves, the sign convention, every loss and penalty."""

import collections
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf import core, models, training
from wgan_gp_tf.core import penalties
from wgan_gp_tf.errors import CheckpointError, ConfigError

IMAGE_SHAPE = (4, 4, 1)


def _linear_model(norm=2.5, learning_rate=0.1, penalty="squared", seed=0, loss="wasserstein"):
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=IMAGE_SHAPE).astype(np.float32)
    weights *= norm / np.linalg.norm(weights)
    constant = rng.uniform(size=IMAGE_SHAPE).astype(np.float32)
    model = core.WGANGP(helpers.LinearCritic(weights), helpers.ConstantGenerator(constant),
                        penalty=penalty, penalty_weight=10.0, n_critic=1, loss=loss)
    model.compile(keras.optimizers.SGD(learning_rate), keras.optimizers.SGD(learning_rate))
    return model, weights, constant


class SignConventionTest(tf.test.TestCase):
    """L_D = mean D(real) - mean D(fake) + lambda P, L_G = mean D(fake), exactly."""

    def test_losses_and_sgd_updates(self):
        model, w, c = _linear_model()
        real = np.random.default_rng(1).uniform(size=(1, 5, *IMAGE_SHAPE))
        real = real.astype(np.float32)
        norm = np.linalg.norm(w)
        real_mean = float(np.mean(np.sum(real[0] * w, axis=(1, 2, 3))))
        fake_score = float(np.sum(c * w))

        logs = model.train_step(tf.constant(real))

        self.assertAllClose(logs["critic_loss"],
                            real_mean - fake_score + 10.0 * (norm - 1.0) ** 2)
        self.assertAllClose(logs["wasserstein_estimate"], fake_score - real_mean)
        self.assertAllClose(logs["penalty"], (norm - 1.0) ** 2)
        self.assertAllClose(logs["gradient_norm"], norm)
        critic_gradient = (real[0].mean(axis=0) - c
                           + 10.0 * 2 * (norm - 1.0) * w / norm)
        new_w = w - 0.1 * critic_gradient
        self.assertAllClose(model.critic.w, new_w, rtol=1e-5, atol=1e-6)
        # The generator step sees the updated critic and lowers D(G(z)).
        self.assertAllClose(logs["generator_loss"], np.sum(c * new_w), rtol=1e-5)
        self.assertAllClose(model.generator.c, c - 0.1 * new_w, rtol=1e-5,
                            atol=1e-6)
        self.assertEqual(int(model.iteration), 1)


def _softplus(x):
    return np.log1p(np.exp(x))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class LossesTest(tf.test.TestCase):
    """The trainer minimises each loss's two terms, on the scores it computes."""

    def test_relativistic_updates(self):
        """L_D = mean softplus(f - r_i), then L_G = mean softplus(r_j - f) on a fresh real batch.

        keras/rsgan_sn_celeba.py draws a real batch for each generator update too.
        """
        model, w, c = _linear_model(loss="relativistic", penalty="none")
        self.assertEqual(model.real_batches_per_iteration, 2)
        real = np.random.default_rng(1).uniform(size=(2, 5, *IMAGE_SHAPE)).astype(np.float32)
        real_scores = np.sum(real[0] * w, axis=(1, 2, 3))
        fake_score = float(np.sum(c * w))

        logs = model.train_step(tf.constant(real))

        self.assertAllClose(logs["critic_loss"], np.mean(_softplus(fake_score - real_scores)))
        weights = _sigmoid(fake_score - real_scores)[:, None, None, None]
        new_w = w - 0.1 * np.mean(weights * (c - real[0]), axis=0)
        self.assertAllClose(model.critic.w, new_w, rtol=1e-5, atol=1e-6)
        new_real, new_fake = np.sum(real[1] * new_w, axis=(1, 2, 3)), np.sum(c * new_w)
        self.assertAllClose(logs["generator_loss"], np.mean(_softplus(new_real - new_fake)),
                            rtol=1e-5)
        weights = _sigmoid(new_real - new_fake)[:, None, None, None]
        self.assertAllClose(model.generator.c, c + 0.1 * np.mean(weights, axis=0) * new_w,
                            rtol=1e-5, atol=1e-6)

    def test_one_step_updates_both_networks_from_the_weights_before_it(self):
        """Hinge: L_D = relu(1 + r) + relu(1 - f), L_G = f, both gradients at the old w and c."""
        model, w, c = _linear_model(loss="hinge", penalty="none")
        model.one_step = True
        real = np.full((1, 5, *IMAGE_SHAPE), 0.01, np.float32)
        real_scores = np.sum(real[0] * w, axis=(1, 2, 3))
        fake_score = float(np.sum(c * w))

        logs = model.train_step(tf.constant(real))

        active_real = (1 + real_scores > 0)[:, None, None, None]
        critic_gradient = (np.mean(active_real * real[0], axis=0)
                           - (1 - fake_score > 0) * c)
        self.assertAllClose(model.critic.w, w - 0.1 * critic_gradient, rtol=1e-5, atol=1e-6)
        self.assertAllClose(model.generator.c, c - 0.1 * w, rtol=1e-5, atol=1e-6)
        self.assertAllClose(logs["generator_loss"], fake_score, rtol=1e-5)
        self.assertEqual(int(model.critic_optimizer.iterations), 1)
        self.assertEqual(int(model.generator_optimizer.iterations), 1)

    def test_each_relativistic_generator_update_reads_its_own_batch(self):
        model, _, _ = _linear_model(loss="relativistic", penalty="none")
        model.n_generator = 2
        self.assertEqual(model.real_batches_per_iteration, 3)
        with self.assertRaisesRegex(ValueError, r"the iteration's 3 real batches \[3, batch"):
            model.train_step(tf.zeros([2, 5, *IMAGE_SHAPE]))
        model.one_step, model.n_generator = True, 1
        self.assertEqual(model.real_batches_per_iteration, 1)

    def test_n_generator_updates_and_one_step_refuses_more(self):
        model, history = _fit("squared", jit_compile=False, n_critic=1, n_generator=3)
        self.assertEqual(int(model.generator_optimizer.iterations), 12)
        self.assertEqual(int(model.critic_optimizer.iterations), 4)
        with self.assertRaisesRegex(ConfigError, "one_step .* needs n_critic=1 and "
                                                 "n_generator=1, not 2 and 1"):
            core.WGANGP(model.critic, model.generator, one_step=True, n_critic=2)

    def test_every_loss_trains(self):
        for loss in core.losses.names():
            with self.subTest(loss):
                model, history = _fit("squared", jit_compile=False, loss=loss)
                self.assertEqual(int(model.iteration), 4)
                self.assertTrue(all(np.isfinite(values[-1]) for values in history.values()))


class VariableSeparationTest(tf.test.TestCase):

    def _moved(self, before, variables):
        return {variable.path: not np.array_equal(old, variable.numpy())
                for old, variable in zip(before, variables, strict=True)}

    def test_each_step_moves_only_its_network(self):
        keras.utils.set_random_seed(0)
        critic, generator = models.build(models.get("mlp"), 10,
                                         "uniform", IMAGE_SHAPE)
        model = core.WGANGP(critic, generator)
        model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        real = tf.random.uniform([8, *IMAGE_SHAPE])
        critic_before = [v.numpy() for v in critic.trainable_variables]
        generator_before = [v.numpy() for v in generator.trainable_variables]

        model.critic_step(real)
        moved = self._moved(critic_before, critic.trainable_variables)
        # The output bias adds +b to D(real) and D(fake) alike: its gradient
        # is exactly zero. Every kernel must move.
        self.assertTrue(all(moved[v.path] for v in critic.trainable_variables
                            if "kernel" in v.path), moved)
        self.assertFalse(any(self._moved(
            generator_before, generator.trainable_variables).values()))

        critic_before = [v.numpy() for v in critic.trainable_variables]
        model.generator_step(real)
        self.assertFalse(any(self._moved(
            critic_before, critic.trainable_variables).values()))
        self.assertTrue(all(self._moved(
            generator_before, generator.trainable_variables).values()))


def _fit(penalty, jit_compile, seed=0, iterations=4, n_critic=2,
         steps_per_execution=2, loss="wasserstein", n_generator=1, trainer=core.WGANGP):
    keras.utils.set_random_seed(seed)
    critic, generator = models.build(models.get("mlp"), 10,
                                     "uniform", IMAGE_SHAPE)
    model = trainer(critic, generator, seed=seed, penalty=penalty, n_critic=n_critic, loss=loss,
                    n_generator=n_generator)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                  jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    data = np.random.default_rng(seed).uniform(
        size=(iterations, model.real_batches_per_iteration, 8, *IMAGE_SHAPE)).astype(np.float32)
    history = model.fit(tf.data.Dataset.from_tensor_slices(data), epochs=1,
                        verbose=0)
    return model, history.history


@helpers.slow(seconds=100)
class EveryPenaltyTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.product(penalty=penalties.names(), jit_compile=[True, False])
    def test_fit_steps_are_finite(self, penalty, jit_compile):
        model, history = _fit(penalty, jit_compile)
        self.assertEqual(int(model.iteration), 4)
        self.assertEqual(int(model.critic_optimizer.iterations), 8)
        self.assertEqual(set(history), set(core.METRIC_NAMES))
        for name, values in history.items():
            self.assertTrue(np.isfinite(values[-1]), name)
        if penalty in ("none", "clip"):
            self.assertEqual(history["penalty"][-1], 0.0)

    def test_clip_bounds_the_critic_weights(self):
        model, _ = _fit("clip", jit_compile=False)
        for variable in model.critic.trainable_variables:
            self.assertLessEqual(float(tf.reduce_max(tf.abs(variable))), 0.01)

    def test_same_seed_same_run(self):
        first, _ = _fit("hinge", jit_compile=False, seed=3)
        second, _ = _fit("hinge", jit_compile=False, seed=3)
        other, _ = _fit("hinge", jit_compile=False, seed=4)
        for a, b in zip(first.weights, second.weights, strict=True):
            self.assertAllEqual(a, b)
        self.assertNotAllClose(first.generator.weights[0],
                               other.generator.weights[0])

    @parameterized.parameters("hinge", "diff_squared")
    def test_one_program_per_execution_matches_step_by_step(self, penalty):
        fused, fused_history = _fit(penalty, jit_compile=True, iterations=8,
                                    steps_per_execution=4)
        stepwise, stepwise_history = _fit(penalty, jit_compile=True,
                                          iterations=8, steps_per_execution=1)
        self.assertEqual(fused.train_function.execution, "fused")
        self.assertEqual(stepwise.train_function.execution, "stepwise")
        self.assertEqual(int(fused.iteration), 8)
        for a, b in zip(fused.weights, stepwise.weights, strict=True):
            self.assertAllClose(a, b, rtol=1e-5, atol=1e-6)
        for name in core.METRIC_NAMES:
            self.assertAllClose(fused_history[name], stepwise_history[name],
                                rtol=1e-5, atol=1e-6)

    @parameterized.parameters(True, False)
    def test_repeated_updates_are_traced_once_to_the_same_result(self, jit_compile):
        traced = collections.Counter()

        class CountingTrainer(core.WGANGP):
            def critic_step(self, real, labels=None):
                traced["critic"] += 1
                return super().critic_step(real, labels)

            def generator_step(self, real):
                traced["generator"] += 1
                return super().generator_step(real)

        class EveryUpdateTraced(CountingTrainer):
            def make_train_function(self, force=False):
                function = super().make_train_function(force)
                self._traced_steps = None
                return function

        settings = {"n_critic": 3, "n_generator": 2, "steps_per_execution": 2}
        once, history = _fit("hinge", jit_compile, trainer=CountingTrainer, **settings)
        self.assertEqual(traced, {"critic": 1, "generator": 1})
        traced.clear()
        unrolled, unrolled_history = _fit("hinge", jit_compile, trainer=EveryUpdateTraced,
                                          **settings)
        self.assertEqual(traced, {"critic": 3, "generator": 2})
        self.assertEqual(int(once.critic_optimizer.iterations), 3 * 4)
        for a, b in zip(once.weights, unrolled.weights, strict=True):
            self.assertAllEqual(a, b)
        for name in core.METRIC_NAMES:
            self.assertAllEqual(history[name], unrolled_history[name])

    def test_wrong_element_shape_is_explained(self):
        model, _, _ = _linear_model()
        with self.assertRaisesRegex(ValueError, r"the iteration's 1 real batches \[1, batch"):
            model.train_step(tf.zeros([2, 5, *IMAGE_SHAPE]))


class LearningRateDecayTest(tf.test.TestCase):

    def _trainer(self, **overrides):
        return training.build_trainer(training.make_config(
            iterations=4, batch_size=2, steps_per_execution=1, jit_compile=False, **overrides))

    def _rates_after_each_iteration(self, model, iterations):
        batches = tf.data.Dataset.from_tensors(
            tf.random.uniform([model.n_critic, 2, 28, 28, 1], -1.0, 1.0)).repeat()
        rates = []
        record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: rates.append(
            [float(model.critic_optimizer.learning_rate) / 1e-4,
             float(model.generator_optimizer.learning_rate) / 1e-4]))
        model.fit(batches, steps_per_epoch=iterations, epochs=1, verbose=0, callbacks=[record])
        return rates

    def test_linear_decay_reaches_zero_at_the_last_iteration(self):
        # The critic takes 5 steps per iteration, the generator 1: both fall
        # together.
        self.assertAllClose(
            self._rates_after_each_iteration(self._trainer(learning_rate_decay="linear"), 4),
            [[0.75, 0.75], [0.5, 0.5], [0.25, 0.25], [0.0, 0.0]])
        self.assertAllClose(self._rates_after_each_iteration(self._trainer(), 4),
                            [[1.0, 1.0]] * 4)

    def test_a_delayed_decay_holds_then_falls_to_zero(self):
        model = self._trainer(learning_rate_decay="linear", learning_rate_decay_start=2)
        self.assertAllClose(self._rates_after_each_iteration(model, 4),
                            [[1.0, 1.0], [1.0, 1.0], [0.5, 0.5], [0.0, 0.0]])

    def test_a_constant_run_resumes_cooling_down(self):
        constant = self._trainer()
        self._rates_after_each_iteration(constant, 2)
        directory = self.get_temp_dir()
        training.checkpoint_manager(constant, directory).save(checkpoint_number=2)
        cooled = self._trainer(learning_rate_decay="linear", learning_rate_decay_start=2)
        training.restore_latest(cooled, directory)
        self._assert_restored(constant, cooled)
        self.assertAllClose(self._rates_after_each_iteration(cooled, 2),
                            [[0.5, 0.5], [0.0, 0.0]])

    def test_a_decaying_run_resumes_at_a_constant_rate(self):
        decaying = self._trainer(learning_rate_decay="linear")
        self._rates_after_each_iteration(decaying, 2)
        directory = self.get_temp_dir()
        training.checkpoint_manager(decaying, directory).save(checkpoint_number=2)
        constant = self._trainer()
        training.restore_latest(constant, directory)
        self._assert_restored(decaying, constant)
        self.assertAllClose(self._rates_after_each_iteration(constant, 1), [[1.0, 1.0]])

    def test_a_float16_run_keeps_its_decay(self):
        for decay, other in (("none", "linear"), ("linear", "none")):
            directory = os.path.join(self.get_temp_dir(), decay)
            saved = self._trainer(mixed_precision="float16", learning_rate_decay=decay)
            training.checkpoint_manager(saved, directory).save()
            restored = self._trainer(mixed_precision="float16", learning_rate_decay=decay)
            training.restore_latest(restored, directory)
            self._assert_restored(saved, restored)
            with self.assertRaisesRegex(CheckpointError, "resume it with the decay it was saved"):
                training.restore_latest(self._trainer(mixed_precision="float16",
                                                      learning_rate_decay=other), directory)

    def _assert_restored(self, saved, restored):
        for before, after in zip(saved.weights, restored.weights, strict=True):
            self.assertAllEqual(before, after)
        for name in ("critic_optimizer", "generator_optimizer"):
            before, after = ([variable for variable in getattr(model, name).variables
                              if variable.name != "learning_rate"]
                             for model in (saved, restored))
            self.assertLen(after, len(before))
            for saved_variable, restored_variable in zip(before, after, strict=True):
                self.assertAllEqual(saved_variable, restored_variable)

    def test_the_schedule_is_saved_with_the_model(self):
        config = keras.saving.serialize_keras_object(
            self._trainer(learning_rate_decay="linear", learning_rate_decay_start=2)
            .critic_optimizer)
        optimizer = keras.saving.deserialize_keras_object(config)
        rates = []
        for step in (0, 10, 15, 20, 25):
            optimizer.iterations.assign(step)
            rates.append(float(optimizer.learning_rate) / 1e-4)
        self.assertAllClose(rates, [1.0, 1.0, 0.5, 0.0, 0.0])


class GeneratorAverageTest(tf.test.TestCase):
    """The moving average of the generator's weights, and where it is used."""

    def test_average_follows_the_warmed_up_decay(self):
        model, _, constant = _linear_model()
        model.average_generator = helpers.ConstantGenerator(np.zeros_like(constant))
        model.average_generator.set_weights(model.generator.get_weights())
        model.generator_ema = 0.5
        real = tf.zeros([1, 5, *IMAGE_SHAPE])
        average = constant
        # The decay is min(0.5, (1 + t) / (10 + t)) at iteration t.
        for iteration, decay in ((0, 0.1), (1, 2 / 11), (1000, 0.5)):
            model.iteration.assign(iteration)
            model.train_step(real)
            average = decay * average + (1 - decay) * model.generator.c.numpy()
            self.assertAllClose(model.average_generator.c, average, rtol=1e-6, atol=1e-6)
        self.assertNotAllClose(model.average_generator.c, model.generator.c)

    def test_the_average_is_what_the_model_samples(self):
        run_config = training.make_config(generator_ema=0.9, iterations=2, batch_size=2,
                                          steps_per_execution=2, jit_compile=False)
        model = training.build_trainer(run_config)
        self.assertAllClose(model.average_generator.get_weights(),
                            model.generator.get_weights())
        model.fit(tf.data.Dataset.from_tensors(tf.random.uniform(
            [run_config.n_critic, 2, 28, 28, 1])).repeat(), steps_per_epoch=2, verbose=0)
        noise = tf.random.uniform([3, run_config.latent_dim], -1.0, 1.0)
        self.assertIs(model.sampling_generator, model.average_generator)
        self.assertAllClose(model(noise), model.average_generator(noise))
        self.assertNotAllClose(model(noise), model.generator(noise))
        without = training.build_trainer(training.make_config())
        self.assertIsNone(without.average_generator)
        self.assertIs(without.sampling_generator, without.generator)


if __name__ == "__main__":
    tf.test.main()
