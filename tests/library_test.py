"""WGANGP as a Keras user meets it: their own networks and data, fit, callbacks, export."""

import math
import os

import keras
import numpy as np
import tensorflow as tf

import wgan_gp_tf
from tests import helpers
from wgan_gp_tf.core import inputs
from wgan_gp_tf.errors import ConfigError

MNIST = helpers.MNIST
SHAPE = (4, 4, 1)


def _networks(latent_dim=8, shape=SHAPE, activation="sigmoid", seed=0, hidden=(16,)):
    """Plain `keras.Sequential` MLPs; the generator's layers mirror the critic's."""
    keras.utils.set_random_seed(seed)
    critic = keras.Sequential([
        keras.Input(shape), keras.layers.Flatten(),
        *(keras.layers.Dense(units, activation="relu") for units in hidden),
        keras.layers.Dense(1)])
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        *(keras.layers.Dense(units, activation="relu") for units in reversed(hidden)),
        keras.layers.Dense(math.prod(shape), activation=activation),
        keras.layers.Reshape(shape)])
    return critic, generator


def _model(n_critic=2, seed=0, **compile_options):
    model = wgan_gp_tf.WGANGP(*_networks(seed=seed), seed=seed, n_critic=n_critic)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), **compile_options)
    return model


def _numbered(count):
    """Sample i is filled with i / 1000, so a batch shows which samples it holds."""
    return np.repeat(np.arange(count, dtype=np.float32) / 1000, 16).reshape(count, *SHAPE)


def _sample_numbers(stream):
    return [np.round(element.numpy()[..., 0, 0, 0] * 1000).astype(int) for element in stream]


class PlainNetworksTest(tf.test.TestCase):

    def test_the_noise_comes_from_the_arguments_or_the_generator(self):
        critic, generator = _networks(latent_dim=8)
        model = wgan_gp_tf.WGANGP(critic, generator)
        self.assertEqual((model.latent_dim, model.prior, model.output_range, model.image_shape),
                         (8, "normal", (0.0, 1.0), SHAPE))
        model = wgan_gp_tf.WGANGP(critic, generator, latent_dim=8, prior="uniform",
                                  output_range=(-1, 1))
        self.assertEqual((model.prior, model.output_range), ("uniform", (-1, 1)))
        ours = helpers.mlp_generator()
        model = wgan_gp_tf.WGANGP(critic, ours)
        self.assertEqual((model.latent_dim, model.prior, model.image_shape),
                         (10, "uniform", (28, 28, 1)))

    def test_contradictions_and_unknowns_are_named(self):
        critic, generator = _networks(latent_dim=8)
        with self.assertRaisesRegex(ConfigError, "takes noise of size 8 but WGANGP was given "
                                                 "latent_dim=9"):
            wgan_gp_tf.WGANGP(critic, generator, latent_dim=9)
        with self.assertRaisesRegex(ConfigError, "has prior='uniform' but WGANGP was given "
                                                 "prior='normal'"):
            wgan_gp_tf.WGANGP(critic, helpers.mlp_generator(), prior="normal")
        with self.assertRaisesRegex(ConfigError, "unknown prior 'cauchy'"):
            wgan_gp_tf.WGANGP(critic, generator, prior="cauchy")
        no_input_shape = keras.Sequential([keras.layers.Dense(16), keras.layers.Reshape(SHAPE)])
        with self.assertRaisesRegex(ConfigError, r"needs the noise size.*latent_dim=\.\.\."):
            wgan_gp_tf.WGANGP(critic, no_input_shape)
        model = wgan_gp_tf.WGANGP(critic, no_input_shape, latent_dim=5)
        self.assertEqual(model.image_shape, SHAPE)

    def test_compile_defaults_and_names(self):
        model = wgan_gp_tf.WGANGP(*_networks())
        model.compile()
        for optimizer in (model.critic_optimizer, model.generator_optimizer):
            self.assertEqual((type(optimizer).__name__, optimizer.beta_1, optimizer.beta_2),
                             ("Adam", 0.5, 0.9))
            self.assertAllClose(optimizer.learning_rate, 1e-4)
        self.assertEqual(model.penalty.name, "hinge")
        model = wgan_gp_tf.WGANGP(*_networks(), penalty="diff_squared")
        model.compile("rmsprop", "sgd")
        self.assertEqual((type(model.critic_optimizer).__name__,
                          type(model.generator_optimizer).__name__, model.penalty.name),
                         ("RMSprop", "SGD", "diff_squared"))

    def test_xla_where_it_was_measured_faster(self):
        on_gpu = bool(tf.config.list_physical_devices("GPU"))
        self.assertTrue(_model().jit_compile)
        critic = keras.Sequential([keras.Input(SHAPE), keras.layers.Conv2D(4, 3),
                                   keras.layers.Flatten(), keras.layers.Dense(1)])
        convolutional = wgan_gp_tf.WGANGP(critic, _networks()[1])
        convolutional.compile()
        self.assertEqual(convolutional.jit_compile, on_gpu)
        self.assertFalse(_model(jit_compile=False).jit_compile)


class FitInputsTest(tf.test.TestCase):

    def test_an_array_is_one_pass_per_epoch_and_one_iteration_per_n_critic_batches(self):
        def stream(epochs, initial_epoch=0, seed=0, shuffle=True, count=103):
            dataset, per_epoch = inputs.iteration_stream(
                _numbered(count), batch_size=10, per_iteration=2, shuffle=shuffle, seed=seed,
                sample_shape=SHAPE, epochs=epochs, initial_epoch=initial_epoch)
            return _sample_numbers(dataset), per_epoch

        # 103 samples: 10 batches of 10, 5 iterations; each sample once an epoch.
        two_epochs, per_epoch = stream(epochs=2)
        self.assertEqual(per_epoch, 5)
        self.assertEqual([numbers.shape for numbers in two_epochs], [(2, 10)] * 10)
        first, second = np.concatenate(two_epochs[:5]), np.concatenate(two_epochs[5:])
        self.assertLen(set(first.ravel()), 100)
        self.assertLen(set(second.ravel()), 100)
        self.assertNotAllEqual(first, second)
        # An epoch's permutation depends on the seed and the epoch alone.
        self.assertAllEqual(np.concatenate(stream(epochs=2, initial_epoch=1)[0]), second)
        self.assertNotAllEqual(np.concatenate(stream(epochs=1, seed=1)[0]), first)
        in_order, _ = stream(epochs=1, shuffle=False, count=40)
        self.assertAllEqual(np.concatenate(in_order).ravel(), np.arange(40))

    def test_datasets_of_batches_or_labelled_batches_are_grouped(self):
        samples = _numbered(55)
        labels = np.zeros(55, np.int64)
        for dataset in (tf.data.Dataset.from_tensor_slices(samples).batch(10),
                        tf.data.Dataset.from_tensor_slices((samples, labels)).batch(10)):
            stream, per_epoch = inputs.iteration_stream(
                dataset, batch_size=None, per_iteration=2, shuffle=True, seed=0, sample_shape=SHAPE)
            self.assertIsNone(per_epoch)
            # Batches 0-4 of 10 and a last one of 5: two iterations, in order.
            self.assertAllEqual(np.concatenate(_sample_numbers(stream)).ravel(), np.arange(40))
            self.assertFalse(stream.options().autotune.enabled)
        values = np.random.default_rng(0).normal(size=(3, 2, 5, *SHAPE)).astype(np.float32)
        stream, _ = inputs.iteration_stream(
            tf.data.Dataset.from_tensor_slices(values), batch_size=None, per_iteration=2,
            shuffle=True, seed=0, sample_shape=SHAPE)
        self.assertAllEqual(np.stack(list(stream.as_numpy_iterator())), values)
        # Its autotuning thread would hold up the iterator's release for up
        # to a minute after fit.
        self.assertFalse(stream.options().autotune.enabled)

    def test_fit_counts_iterations_as_steps(self):
        model = _model(n_critic=2)
        history = model.fit(_numbered(103), batch_size=10, epochs=2, verbose=0)
        self.assertEqual(model.iterations_done, 10)
        self.assertEqual(int(model.critic_optimizer.iterations), 20)
        self.assertEqual(set(history.history), set(wgan_gp_tf.core.METRIC_NAMES))
        dataset = tf.data.Dataset.from_tensor_slices((_numbered(55), np.zeros(55))).batch(10)
        model.fit(dataset, epochs=1, verbose=0)
        # The data ends within the next draw: no step is taken for it.
        self.assertEqual(model.iterations_done, 12)
        self.assertEqual(int(model.critic_optimizer.iterations), 24)

    def test_finite_data_in_longer_executions_trains_every_iteration(self):
        # 7 iterations an epoch in executions of 3: 3, 3 and a last one of 1.
        runs = {}
        for steps in (3, 1):
            model = _model(n_critic=2, steps_per_execution=steps)
            model.fit(_numbered(70), batch_size=5, epochs=2, verbose=0)
            runs[steps] = model
        self.assertEqual(runs[3].train_function.execution, "fused")
        self.assertEqual((runs[3].iterations_done, runs[1].iterations_done), (14, 14))
        for fused, stepwise in zip(runs[3].weights, runs[1].weights, strict=True):
            self.assertAllClose(fused, stepwise, rtol=1e-5, atol=1e-6)

    def test_bad_inputs_say_what_to_do(self):
        model = _model()
        cases = {
            r"hold uint8 values; scale them .* x.astype\('float32'\) / 255":
                dict(x=np.zeros((40, *SHAPE), np.uint8)),
            r"samples of shape \(4, 4\), but the generator makes \(4, 4, 1\); .*x\[\.\.\., None\]":
                dict(x=np.zeros((40, 4, 4), np.float32)),
            "19 samples are fewer than one iteration's 2 batches of 10":
                dict(x=np.zeros((19, *SHAPE), np.float32), batch_size=10),
            "batch_size does not apply to a tf.data.Dataset":
                dict(x=tf.data.Dataset.from_tensors(np.zeros((2, *SHAPE), np.float32)),
                     batch_size=2),
            "does not take validation_data":
                dict(x=np.zeros((40, *SHAPE), np.float32), validation_data=np.zeros(3)),
            "needs real samples": dict(x=None),
        }
        for message, arguments in cases.items():
            with self.subTest(message):
                with self.assertRaisesRegex(ValueError, message):
                    model.fit(verbose=0, **arguments)
        self.assertEqual(model.iterations_done, 0)


@helpers.slow(seconds=10)
class CallbacksInPlainFitTest(tf.test.TestCase):

    def test_grids_each_epoch_and_a_checkpoint_that_resumes(self):
        samples = os.path.join(self.get_temp_dir(), "samples")
        checkpoints = os.path.join(self.get_temp_dir(), "checkpoints")
        model = _model(n_critic=2)
        model.fit(_numbered(100), batch_size=10, epochs=2, verbose=0, callbacks=[
            wgan_gp_tf.SampleGrid(samples, rows=3),
            wgan_gp_tf.Checkpoint(checkpoints, every=None)])
        # The first iteration's grid, then one per epoch.
        self.assertEqual(sorted(os.listdir(samples)),
                         ["00000001.png", "00000005.png", "00000010.png"])
        grid = tf.io.decode_png(tf.io.read_file(os.path.join(samples, "00000010.png")))
        self.assertEqual(grid.shape, (12, 12, 1))
        self.assertEqual(tf.train.latest_checkpoint(checkpoints).rsplit("-", 1)[1], "10")

        resumed = _model(n_critic=2, seed=1)
        callback = wgan_gp_tf.Checkpoint(checkpoints)
        callback.set_model(resumed)
        callback.on_train_begin()
        self.assertEqual(resumed.iterations_done, 10)
        for saved, restored in zip(model.weights, resumed.weights, strict=True):
            self.assertAllEqual(saved, restored)

        # A resumed fit draws no grid of its first call; one that stops
        # between grids draws its last iteration.
        resumed.fit(_numbered(100), batch_size=10, epochs=1, verbose=0, callbacks=[
            wgan_gp_tf.SampleGrid(samples, every=4, rows=3),
            wgan_gp_tf.training.StopAtIteration(13)])
        self.assertEqual(sorted(os.listdir(samples)),
                         ["00000001.png", "00000005.png", "00000010.png", "00000012.png",
                          "00000013.png"])

    def test_evaluate_judges_the_samples_of_each_epoch(self):
        model = _model(n_critic=2)
        evaluate = wgan_gp_tf.Evaluate(lambda images: {"mean": float(np.mean(images))},
                                       count=50)
        model.fit(_numbered(40), batch_size=10, epochs=1, verbose=0, callbacks=[evaluate])
        expected = np.mean(wgan_gp_tf.evaluation.sample_generator(model, 50))
        self.assertAllClose(evaluate.results["mean"], expected)


class ExportPlainGeneratorTest(tf.test.TestCase):

    def test_the_trainers_noise_and_range_go_into_the_export(self):
        critic, generator = _networks(latent_dim=8, activation="tanh")
        model = wgan_gp_tf.WGANGP(critic, generator, prior="uniform", output_range=(-1, 1))
        path = wgan_gp_tf.export_generator(model, os.path.join(self.get_temp_dir(), "export"))
        loaded = tf.saved_model.load(path)
        noise = tf.random.uniform([3, 8], -1.0, 1.0)
        images = loaded.signatures["serving_default"](z=noise)["images"]
        self.assertAllClose(images, (generator(noise) + 1.0) / 2.0, atol=1e-6)
        metadata = wgan_gp_tf.serving.read_metadata(path)
        self.assertEqual((metadata["latent_dim"], metadata["prior"], metadata["image_shape"]),
                         (8, "uniform", list(SHAPE)))
        seeded = loaded.signatures["sample"](seed=tf.constant([4, 4], tf.int64))["images"]
        self.assertAllEqual(seeded[0], seeded[1])


class _WassersteinPerIteration(keras.callbacks.Callback):
    """Each iteration's own Wasserstein estimate, from the epoch's running means."""

    def on_train_begin(self, logs=None):
        self.values = []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps, self.total = 0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        total = self.steps * float(logs["wasserstein_estimate"])
        self.values.append(total - self.total)
        self.total = total


@helpers.slow(seconds=40)
class PlainNetworksOnMnistTest(tf.test.TestCase):

    @helpers.needs_mnist
    def test_an_array_and_a_labelled_dataset_both_train(self):
        images, labels = wgan_gp_tf.data.get("mnist").reading(MNIST).load("train")
        x = images.astype("float32") / 255.0
        for name, data in (("array", x),
                           ("dataset", tf.data.Dataset.from_tensor_slices((x, labels)).batch(64))):
            critic, generator = _networks(latent_dim=64, shape=(28, 28, 1), hidden=(512, 256))
            model = wgan_gp_tf.WGANGP(critic, generator, latent_dim=64, penalty="squared")
            model.compile()
            estimates = _WassersteinPerIteration()
            history = model.fit(data, batch_size=64 if name == "array" else None, epochs=1,
                                verbose=0, callbacks=[estimates])
            # 60,000 images, batches of 64, 5 per iteration.
            self.assertEqual(model.iterations_done, 187, name)
            self.assertTrue(all(np.isfinite(values[-1]) for values in history.history.values()))
            # Measured (512-256 networks, seed 0): up to 17 in the first 15
            # iterations as the critic learns, down to 6 at the end of the epoch
            # as the generator follows.
            values = np.array(estimates.values)
            self.assertLess(values[-30:].mean(), 0.6 * values[:50].max(), name)


if __name__ == "__main__":
    tf.test.main()
