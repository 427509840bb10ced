"""The real images' features cached between evaluators: the same figures, computed once."""

import os

import numpy as np
import tensorflow as tf

from tests.helpers import temp_dir, write_mnist_folder
from wgan_gp_tf import evaluation, training
from wgan_gp_tf.core import xla_cache
from wgan_gp_tf.evaluation.classifier import ReferenceClassifier, shipped_classifier
from wgan_gp_tf.training.presets import make_config


class _FileClassifier:
    """Features that depend on the images and on the bytes of the file at `path`."""

    measures_coverage = True

    def __init__(self, path):
        self.path = self.weights = path
        self.calls = []

    def __call__(self, images):
        self.calls.append(len(images))
        with open(self.weights, "rb") as file:
            scale = 1.0 + len(file.read())
        flat = np.asarray(images, np.float64).reshape(len(images), -1)
        features = np.stack([flat.mean(axis=1), flat.std(axis=1) * scale,
                             np.sin(flat[:, 0] * 9)], axis=1)
        return features, np.eye(10)[np.arange(len(images)) % 10]


def _images(seed, count=40):
    return np.random.default_rng(seed).integers(0, 256, (count, 4, 4, 1), dtype=np.uint8)


class FeatureCacheTest(tf.test.TestCase):

    def setUp(self):
        super().setUp()
        self.cache_dir = temp_dir(self)
        self.weights = os.path.join(temp_dir(self), "weights")
        with open(self.weights, "wb") as file:
            file.write(b"version 1")
        self.generated = _images(1, 30).astype(np.float32) / 255.0

    def _evaluate(self, real, classifier=None, cache_dir=None):
        classifier = classifier or _FileClassifier(self.weights)
        evaluator = evaluation.Evaluator(classifier, real, cache_dir=cache_dir)
        return evaluator(self.generated), classifier.calls

    def test_a_later_evaluator_reads_the_features_and_gives_the_same_figures(self):
        uncached, _ = self._evaluate(_images(0))
        first, first_calls = self._evaluate(_images(0), cache_dir=self.cache_dir)
        second, second_calls = self._evaluate(_images(0), cache_dir=self.cache_dir)
        self.assertEqual(first_calls, [30, 40])
        self.assertEqual(second_calls, [30])
        self.assertEqual(first, uncached)
        self.assertEqual(second, uncached)
        entries = os.listdir(xla_cache.machine_directory(self.cache_dir))
        self.assertLen(entries, 1)
        self.assertEndsWith(entries[0], ".npy")

    def test_other_images_or_other_classifier_files_are_computed_anew(self):
        self._evaluate(_images(0), cache_dir=self.cache_dir)
        changed = _images(0)
        changed[3, 1, 2, 0] ^= 1
        _, calls = self._evaluate(changed, cache_dir=self.cache_dir)
        self.assertEqual(calls, [30, 40])
        with open(self.weights, "wb") as file:
            file.write(b"version 2, retrained")
        retrained, calls = self._evaluate(_images(0), cache_dir=self.cache_dir)
        self.assertEqual(calls, [30, 40])
        self.assertEqual(retrained, self._evaluate(_images(0))[0])
        self.assertLen(os.listdir(xla_cache.machine_directory(self.cache_dir)), 3)

    def test_an_empty_folder_name_caches_nothing(self):
        self._evaluate(_images(0), cache_dir="")
        self.assertEqual(self._evaluate(_images(0), cache_dir="")[1], [30, 40])

    def test_a_classifier_without_files_is_not_cached(self):
        classifier = _FileClassifier(self.weights)
        classifier.path = None
        self._evaluate(_images(0), classifier, cache_dir=self.cache_dir)
        self.assertFalse(os.path.exists(xla_cache.machine_directory(self.cache_dir)))

    def test_a_damaged_entry_is_computed_again_with_a_warning(self):
        expected, _ = self._evaluate(_images(0), cache_dir=self.cache_dir)
        folder = xla_cache.machine_directory(self.cache_dir)
        entry = os.path.join(folder, os.listdir(folder)[0])
        with open(entry, "r+b") as file:
            file.truncate(20)
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            results, calls = self._evaluate(_images(0), cache_dir=self.cache_dir)
        self.assertIn("computing the real features again", logs.output[0])
        self.assertEqual(calls, [30, 40])
        self.assertEqual(results, expected)
        self.assertEqual(self._evaluate(_images(0), cache_dir=self.cache_dir)[1], [30])

    def test_an_unwritable_folder_warns_and_costs_no_figure(self):
        blocker = os.path.join(temp_dir(self), "a file")
        with open(blocker, "w", encoding="utf-8") as file:
            file.write("not a folder")
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            results, _ = self._evaluate(_images(0), cache_dir=blocker)
        self.assertIn("the real features are not cached", logs.output[0])
        self.assertEqual(results, self._evaluate(_images(0))[0])

    def test_the_shipped_classifier_reads_back_exactly_what_it_computes(self):
        real = np.random.default_rng(2).integers(0, 256, (300, 28, 28, 1), dtype=np.uint8)
        classifier = ReferenceClassifier(shipped_classifier("mnist"))
        computed = evaluation.Evaluator(classifier, real).real_features
        written = evaluation.Evaluator(classifier, real, cache_dir=self.cache_dir).real_features
        read = evaluation.Evaluator(classifier, real, cache_dir=self.cache_dir).real_features
        self.assertEqual(read.dtype, computed.dtype)
        self.assertAllEqual(written, computed)
        self.assertAllEqual(read, computed)


class TrainingCacheTest(tf.test.TestCase):

    def test_a_run_keeps_the_features_in_its_feature_cache_dir(self):
        folder, cache_dir = temp_dir(self), temp_dir(self)
        config = make_config("mnist_mlp", data_dir=write_mnist_folder(folder, count=50),
                             output_dir=os.path.join(folder, "run"),
                             feature_cache_dir=cache_dir)
        self.assertEqual(training.find_evaluator(config).real_features.shape, (50, 128))
        self.assertLen(os.listdir(xla_cache.machine_directory(cache_dir)), 1)


if __name__ == "__main__":
    tf.test.main()
