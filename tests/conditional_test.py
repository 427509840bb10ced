"""Class-conditional training: the AC-GAN terms, conditional batch norm, data, export, scripts."""

import json
import os
import unittest

import keras
import numpy as np
import tensorflow as tf

from tests import helpers
from tests.helpers import run_script
from wgan_gp_tf import data, evaluation, models, serving, training
from wgan_gp_tf.core import WGANGP, classes
from wgan_gp_tf.data import local_copies
from wgan_gp_tf.errors import ConfigError, DataError
from wgan_gp_tf.models.conditional import ConditionalBatchNormalization

ROOT = helpers.ROOT
MNIST = helpers.MNIST


class LinearAuxiliaryCritic(keras.Model):
    """D(x) = w.x with class logits V x: scores and logits in closed form."""

    def __init__(self, w, v):
        super().__init__()
        self.w = tf.constant(w, tf.float32)
        self.v = tf.constant(v, tf.float32)
        self.bias = self.add_weight(shape=(), initializer="zeros")

    def call(self, images, training=False):
        flat = tf.reshape(images, [tf.shape(images)[0], -1])
        return (flat @ self.w[:, None] + self.bias, flat @ self.v)


class TermsTest(tf.test.TestCase):

    def test_cross_entropy_and_accuracy_exactly(self):
        logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0]], np.float32)
        labels = np.array([0, 1])
        expected = np.mean([np.log(1 + 2 * np.exp(-2.0)),
                            -1.0 + np.log(1 + np.e + np.exp(3.0))])
        self.assertAllClose(classes.cross_entropy(logits, labels), expected, rtol=1e-6)
        self.assertAllClose(classes.accuracy(logits, labels), 0.5)

    def test_labels_drawn_and_balanced(self):
        drawn = classes.uniform_labels(10_000, 7, keras.random.SeedGenerator(0)).numpy()
        self.assertEqual((drawn.min(), drawn.max()), (0, 6))
        self.assertAllClose(np.bincount(drawn) / 10_000, np.full(7, 1 / 7), atol=0.02)
        self.assertAllEqual(classes.balanced_labels(5, 3), [0, 1, 2, 0, 1])

    def test_the_critic_loss_adds_the_weighted_classifier_loss(self):
        rng = np.random.default_rng(0)
        w, v = rng.normal(size=4), rng.normal(size=(4, 3))
        generator = helpers.mlp_generator(num_classes=3)
        model = WGANGP(LinearAuxiliaryCritic(w, v), generator, penalty="squared",
                       penalty_weight=2.0, classifier_weight=0.5)
        model.compile()
        real = rng.uniform(size=(6, 2, 2, 1)).astype(np.float32)
        fake = rng.uniform(size=(6, 2, 2, 1)).astype(np.float32)
        labels = np.array([0, 1, 2, 2, 1, 0])
        loss = model._critic_loss(real, fake, labels)
        flat_real, flat_fake = real.reshape(6, 4), fake.reshape(6, 4)
        wasserstein = np.mean(flat_real @ w) - np.mean(flat_fake @ w)
        penalty = (np.linalg.norm(w) - 1.0) ** 2
        entropy = classes.cross_entropy(flat_real @ v, labels)
        self.assertAllClose(loss, wasserstein + 2.0 * penalty + 0.5 * entropy, rtol=1e-5)
        self.assertAllClose(model.trackers["classifier_loss"].result(), entropy, rtol=1e-6)


class ConditionalBatchNormalizationTest(tf.test.TestCase):

    def test_a_scale_and_offset_per_class(self):
        layer = ConditionalBatchNormalization(3, epsilon=1e-5, momentum=0.5)
        x = np.random.default_rng(1).normal(2.0, 3.0, size=(8, 2, 2, 4)).astype(np.float32)
        labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
        layer(x, labels)
        layer.scale.assign(np.arange(12, dtype=np.float32).reshape(3, 4))
        layer.offset.assign(-np.arange(12, dtype=np.float32).reshape(3, 4))
        output = layer(x, labels, training=True)
        mean, variance = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
        normalized = (x - mean) / np.sqrt(variance + 1e-5)
        scale, offset = layer.scale.numpy()[labels], layer.offset.numpy()[labels]
        self.assertAllClose(output, normalized * scale[:, None, None] + offset[:, None, None],
                            atol=1e-4)
        self.assertAllClose(layer.moving_mean, 0.5 * mean, rtol=1e-5)
        inference = layer(x, labels, training=False)
        moving = ((x - 0.5 * mean) / np.sqrt(0.5 + 0.5 * variance + 1e-5))
        self.assertAllClose(inference, moving * scale[:, None, None] + offset[:, None, None],
                            atol=1e-4)


class FitTest(tf.test.TestCase):

    def _model(self):
        keras.utils.set_random_seed(0)
        critic, generator = models.build(models.get("mlp"), 10, "uniform", (28, 28, 1),
                                         num_classes=10)
        model = WGANGP(critic, generator, n_critic=2, generator_batch_size=6)
        model.compile()
        return model

    def test_arrays_with_labels_and_labelled_datasets_train(self):
        model = self._model()
        x = np.random.default_rng(0).uniform(size=(40, 28, 28, 1)).astype(np.float32)
        y = np.arange(40) % 10
        history = model.fit(x, y, batch_size=4, verbose=0)
        self.assertEqual(model.iterations_done, 5)
        self.assertEqual(set(history.history), {
            "critic_loss", "generator_loss", "penalty", "wasserstein_estimate",
            "gradient_norm", "classifier_loss", "real_accuracy", "fake_accuracy"})
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), verbose=0)
        self.assertEqual(model.iterations_done, 10)
        self.assertEqual(int(model.generator_optimizer.iterations), 10)
        self.assertEqual(model.generate(tf.zeros([3, 10]), [1, 2, 3]).shape, (3, 28, 28, 1))

    def test_missing_or_bad_labels_are_refused(self):
        model = self._model()
        x = np.zeros((40, 28, 28, 1), np.float32)
        with self.assertRaisesRegex(ValueError, r"needs the labels of its samples: fit\(x, y\)"):
            model.fit(x, batch_size=4, verbose=0)
        with self.assertRaisesRegex(ValueError, r"labels must lie in \[0, 10\); y holds 0 to 10"):
            model.fit(x, np.arange(40) % 11, batch_size=4, verbose=0)
        with self.assertRaisesRegex(ValueError, "dataset of \\(batch, labels\\) pairs"):
            model.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), verbose=0)

    def test_relativistic_loss_refuses_another_generator_batch(self):
        critic, generator = models.build(models.get("mlp"), 10, "uniform", (28, 28, 1))
        with self.assertRaisesRegex(ConfigError, "pairs each generated sample with a real"):
            WGANGP(critic, generator, loss="relativistic", generator_batch_size=8)

    def test_a_grid_has_a_row_per_class(self):
        grid = evaluation.plots.sample_grid(self._model(), 4, seed=0)
        self.assertEqual(grid.shape, (10 * 28, 4 * 28, 1))


class ConfigTest(tf.test.TestCase):

    def test_conditional_needs_labels(self):
        with self.assertRaisesRegex(ConfigError, "--conditional needs a labelled data set "
                                                 r"\(mnist, fashion_mnist, cifar10, or a "):
            training.make_config("celeba_dcgan", conditional=True)
        self.assertEqual(training.make_config("mnist_mlp_acgan").num_classes, 10)
        self.assertEqual(training.make_config("mnist_mlp").num_classes, 0)


@helpers.slow(seconds=5)
class LabelledFolderTest(tf.test.TestCase):

    def _folder(self, extra_top_file=False):
        from PIL import Image
        root = helpers.temp_dir(self)
        for name, value in (("cats", 40), ("dogs", 200)):
            os.makedirs(os.path.join(root, name, "nested"))
            for index in range(6):
                Image.new("L", (12, 12), value).save(
                    os.path.join(root, name, "nested" if index % 2 else "", f"{index}.png"))
        if extra_top_file:
            Image.new("L", (12, 12), 0).save(os.path.join(root, "stray.png"))
        return root

    def test_sub_folders_are_classes(self):
        root = self._folder()
        work = helpers.temp_dir(self)
        config = training.make_config(
            "mnist_mlp_acgan", dataset="folder", data_dir=root, image_size=8, channels=1,
            batch_size=4, n_critic=1, iterations=2, sample_every=2, checkpoint_every=2,
            output_dir=os.path.join(work, "run"), export_dir=os.path.join(work, "export"))
        self.assertEqual((config.num_classes, config.class_names), (2, ("cats", "dogs")))
        source = config.data_source()
        data = source.training_data(batch_size=4, labelled=True)
        images, labels = next(iter(data.batches(batch_size=4, per_iteration=1, seed=0,
                                                value_range=(0.0, 1.0))))
        # Each image's class is its folder: dark cats, light dogs.
        self.assertAllEqual(labels[0], np.where(images[0, :, 0, 0, 0] > 0.5, 1, 0))
        result = training.run(config, verbose=0)
        metadata = serving.read_metadata(result.export_path)
        self.assertEqual((metadata["num_classes"], metadata["class_names"]), (2, ["cats", "dogs"]))

    def test_unlabelled_folders_are_refused(self):
        with self.assertRaisesRegex(ConfigError, "one sub-folder of images per class"):
            training.make_config("mnist_mlp_acgan", dataset="folder",
                                 data_dir=os.path.join(self._folder(), "cats"))
        root = self._folder(extra_top_file=True)
        source = training.make_config("mnist_mlp_acgan", dataset="folder", data_dir=root,
                                       image_size=8, channels=1).data_source()
        with self.assertRaisesRegex(DataError, "stray.png lies outside the class folders"):
            source.training_data(batch_size=4, labelled=True)


class StubClassifier:
    """Features and probabilities that read the class off the first pixel."""

    measures_coverage = True

    def __call__(self, images):
        first = np.asarray(images).reshape(len(images), -1)[:, 0]
        predicted = np.round(first * 10).astype(int) % 10
        features = np.stack([first, np.cos(7 * first), np.sin(5 * first)], axis=1)
        features += np.random.default_rng(len(images)).normal(0, 0.01, features.shape)
        return features, np.eye(10)[predicted]


class EvaluatorTest(tf.test.TestCase):

    def test_conditional_accuracy_per_class(self):
        real_labels = np.repeat(np.arange(10), 20)
        real = np.zeros((200, 2, 2, 1), np.float32)
        real[:, 0, 0, 0] = real_labels / 10
        evaluator = evaluation.Evaluator(StubClassifier(), real, real_labels)
        labels = np.arange(100) % 10
        generated = np.zeros((100, 2, 2, 1), np.float32)
        drawn = np.where(labels < 5, labels, (labels + 1) % 10)  # classes 5-9 come out wrong
        generated[:, 0, 0, 0] = drawn / 10
        results = evaluator(generated, labels)
        self.assertAllClose(results["conditional_accuracy"], 0.5)
        self.assertAllClose(results["class_accuracy"], [1.0] * 5 + [0.0] * 5)
        self.assertLen(results["class_fid"], 10)
        self.assertLess(max(results["class_fid"][:5]), min(results["class_fid"][5:]))
        self.assertNotIn("conditional_accuracy", evaluator(generated))

    def test_the_real_features_wait_for_the_first_evaluation(self):
        calls = []

        class CountingClassifier(StubClassifier):
            def __call__(self, images):
                calls.append(len(images))
                return super().__call__(images)

        evaluator = evaluation.Evaluator(CountingClassifier(), np.zeros((30, 2, 2, 1)))
        self.assertEqual(calls, [])
        evaluator(np.zeros((20, 2, 2, 1)))
        evaluator(np.zeros((10, 2, 2, 1)))
        self.assertEqual(calls, [20, 30, 10])
        self.assertEqual(evaluator.real_features.shape, (30, 3))


class ExportTest(tf.test.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.path = serving.export_generator(helpers.mlp_generator(num_classes=10),
                                            os.path.join(helpers.temp_dir(cls), "labelled"))

    def test_labelled_signatures_and_metadata(self):
        metadata = serving.read_metadata(self.path)
        self.assertEqual(metadata["num_classes"], 10)
        self.assertEqual(metadata["signatures"]["sample"]["inputs"],
                         {"seed": ["int64", [None]], "label": ["int64", [None]]})
        _, sevens = serving.sample_export(self.path, [0, 1, 2], labels=7)
        _, mixed = serving.sample_export(self.path, [0, 1, 2], labels=[7, 3, 7])
        self.assertAllClose(sevens[[0, 2]], mixed[[0, 2]])
        self.assertGreater(np.abs(sevens[1] - mixed[1]).max(), 1e-5)

    def test_bad_labels_are_refused_in_the_graph(self):
        sample = tf.saved_model.load(self.path).signatures["sample"]
        for labels in ([0, 10], [-1, 0], [0], [[0, 1]]):
            with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "label must"):
                sample(seed=tf.constant([0, 1], tf.int64), label=tf.constant(labels, tf.int64))

    def test_labels_for_an_unconditional_export_are_refused(self):
        path = serving.export_generator(helpers.mlp_generator(),
                                        os.path.join(self.get_temp_dir(), "plain"))
        with self.assertRaisesRegex(ConfigError, "unconditional generator: it takes no label"):
            serving.sample_export(path, [0], labels=1)


def _shipped_accuracy(name, source):
    """The conditional accuracy of `saved_models/<name>` on 500 samples, 50 per class."""
    labels = np.arange(500) % 10
    _, images = serving.sample_export(os.path.join(ROOT, "saved_models", name), range(500),
                                      labels=labels)
    return evaluation.evaluator_for(source)(images, labels)["conditional_accuracy"]


class ShippedConditionalTest(tf.test.TestCase):
    """saved_models/mnist_acgan: each requested digit, as the reference CNN reads it."""

    @helpers.needs_mnist
    def test_the_requested_digits_come_out(self):
        # 99.2% over 10,000 samples (docs/benchmarks.md); 500 give about +-0.4%.
        self.assertGreater(_shipped_accuracy("mnist_acgan", data.get("mnist").reading(MNIST)),
                           0.97)
        path = os.path.join(ROOT, "saved_models", "mnist_acgan")
        self.assertEqual(serving.read_metadata(serving.resolve_version(path))["class_names"],
                         list("0123456789"))

    @helpers.needs_mnist
    def test_evaluate_measures_real_images_by_their_labels_beside_it(self):
        out = os.path.join(self.get_temp_dir(), "evaluation.json")
        path = os.path.join(ROOT, "saved_models", "mnist_acgan")
        result = run_script("evaluate.py", f"--path={path}", f"--data_dir={MNIST}", "--num=200",
                            "--reference", f"--out={out}")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, encoding="utf-8") as stream:
            measured = json.load(stream)
        for column in ("generated", "real_training_images"):
            self.assertGreater(measured[column]["conditional_accuracy"], 0.95, column)


class ShippedFashionTest(tf.test.TestCase):
    """saved_models/fashion_mnist_acgan, where a copy of Fashion-MNIST lies (Debian's package)."""

    @unittest.skipUnless(local_copies.find("fashion_mnist"), "no local copy of Fashion-MNIST "
                         "(apt install dataset-fashion-mnist)")
    def test_the_requested_classes_come_out(self):
        # 89.6% over 10,000 samples (docs/benchmarks.md); 500 give about +-1.4%.
        self.assertGreater(_shipped_accuracy("fashion_mnist_acgan",
                                             data.get("fashion_mnist").reading(None)), 0.85)


@helpers.slow(seconds=40)
class RealMnistTest(tf.test.TestCase):
    """train.py --preset=mnist_mlp_acgan, then sample.py --label."""

    @helpers.needs_mnist
    def test_trains_exports_and_samples_a_class(self):
        work = self.get_temp_dir()
        export_dir = os.path.join(work, "export")
        run = run_script(
            "train.py", "--preset=mnist_mlp_acgan", f"--data_dir={MNIST}", "--iterations=20",
            "--sample_every=20", "--checkpoint_every=20", "--eval_samples=200",
            f"--output_dir={os.path.join(work, 'run')}", f"--export_dir={export_dir}")
        self.assertEqual(run.returncode, 0, run.stderr)
        metrics = serving.read_metadata(os.path.join(export_dir, "1"))["metrics"]
        self.assertLen(metrics["class_accuracy"], 10)
        grid = os.path.join(work, "sevens.png")
        sample = run_script("sample.py", f"--export_dir={export_dir}", "--label=7", "--num=4",
                            f"--out={grid}", timeout=120)
        self.assertEqual(sample.returncode, 0, sample.stderr)
        self.assertTrue(os.path.isfile(grid))
        bad = run_script("sample.py", f"--export_dir={export_dir}", "--label=10",
                         f"--out={grid}", timeout=120)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--label=10, but", bad.stderr)
        self.assertIn("has classes 0 to 9", bad.stderr)


if __name__ == "__main__":
    tf.test.main()
