"""The shipped reference classifiers and scripts/train_classifier.py."""

import json
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tests import helpers
from wgan_gp_tf import data
from wgan_gp_tf.evaluation import classifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = helpers.MNIST


class ShippedClassifierTest(tf.test.TestCase):

    def test_each_names_its_data_set_and_accuracy(self):
        shipped = sorted(os.listdir(classifier.CLASSIFIERS_DIR))
        self.assertEqual(shipped, ["fashion_mnist", "mnist"])
        images = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype(np.float32)
        for dataset in shipped:
            reference = classifier.ReferenceClassifier(classifier.shipped_classifier(dataset))
            self.assertEqual(reference.info["dataset"], dataset)
            self.assertEqual(reference.info["test_images"], 10_000)
            # Recorded when trained: mnist 0.9885, fashion_mnist 0.9094.
            self.assertGreater(reference.info["test_accuracy"], 0.9, dataset)
            features, probabilities = reference(images)
            self.assertEqual(features.shape, (5, reference.info["feature_dim"]))
            self.assertAllClose(probabilities.sum(axis=1), np.ones(5), atol=1e-5)

    @helpers.needs_mnist
    def test_mnist_accuracy_is_reproduced_on_the_real_test_split(self):
        reference = classifier.ReferenceClassifier(classifier.shipped_classifier("mnist"))
        images, labels = data.get("mnist").reading(MNIST).load("test")
        _, probabilities = reference(images.astype(np.float32) / 255.0)
        self.assertAllClose(np.mean(probabilities.argmax(axis=1) == labels),
                            reference.info["test_accuracy"], atol=1e-4)


@helpers.slow(seconds=5)
class TrainClassifierScriptTest(tf.test.TestCase):

    def test_trains_measures_and_writes_a_loadable_classifier(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "data"), 200)
        out = os.path.join(self.get_temp_dir(), "classifier")
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "train_classifier.py"),
             "--dataset=fashion_mnist", f"--data_dir={data_dir}", "--epochs=1", f"--out={out}"],
            capture_output=True, text=True, timeout=300, cwd=ROOT)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(os.path.join(out, classifier.INFO_FILE)) as stream:
            info = json.load(stream)
        self.assertEqual((info["dataset"], info["epochs"], info["test_images"]),
                         ("fashion_mnist", 1, 200))
        self.assertRegex(result.stdout, f"test accuracy {info['test_accuracy']:.4f}")
        features, _ = classifier.ReferenceClassifier(out)(np.zeros((2, 28, 28, 1), np.float32))
        self.assertEqual(features.shape, (2, 128))


if __name__ == "__main__":
    tf.test.main()
