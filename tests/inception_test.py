"""Inception FID features, with a randomly initialised InceptionV3 standing in.

The real ImageNet weights cannot be downloaded here; the tests write a random
network's weights in the format of Keras's download (a legacy HDF5 file) and
check that they are the ones used, and how images reach the network.
"""

import json
import os
import subprocess
import sys
from unittest import mock

import h5py
import keras
import numpy as np
import tensorflow as tf
from keras.src.legacy.saving import legacy_h5_format

from tests import helpers
from wgan_gp_tf import data, evaluation
from wgan_gp_tf.errors import DataError
from wgan_gp_tf.evaluation import inception, metrics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pool_features(network, images):
    pool = keras.Model(network.inputs, network.get_layer("avg_pool").output)
    return pool(tf.image.resize(images, [299, 299]) * 2.0 - 1.0, training=False).numpy()


@helpers.slow(seconds=55)
class InceptionFeaturesTest(tf.test.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        keras.utils.set_random_seed(0)
        cls.network = keras.applications.InceptionV3(weights=None)
        cls.folder = helpers.temp_dir(cls)
        cls.weights_path = os.path.join(cls.folder, inception.WEIGHTS_FILE)
        with h5py.File(cls.weights_path, "w") as file:
            legacy_h5_format.save_weights_to_hdf5_group(file, cls.network)
        cls.features = inception.InceptionFeatures(cls.weights_path)
        cls.images = np.random.default_rng(0).uniform(size=(6, 28, 28, 1)).astype(np.float32)

    def test_grayscale_is_tiled_resized_and_scaled_into_the_loaded_network(self):
        features, probabilities = self.features(self.images, batch_size=4)
        self.assertEqual(features.shape, (6, 2048))
        self.assertEqual(probabilities.shape, (6, 1000))
        self.assertAllClose(probabilities.sum(axis=1), np.ones(6), atol=1e-5)
        expected = _pool_features(self.network, np.repeat(self.images, 3, axis=-1))
        self.assertAllClose(features, expected, atol=1e-4, rtol=1e-4)

    def test_rgb_goes_in_unchanged(self):
        rgb = np.random.default_rng(1).uniform(size=(2, 40, 40, 3)).astype(np.float32)
        features, _ = self.features(rgb)
        self.assertAllClose(features, _pool_features(self.network, rgb), atol=1e-4, rtol=1e-4)

    def test_evaluator_gives_zero_for_the_real_set_and_leaves_out_coverage(self):
        evaluator = evaluation.Evaluator(self.features, self.images)
        same = evaluator(self.images)
        self.assertAllClose(same["fid"], 0.0, atol=1e-6)
        _, probabilities = self.features(self.images)
        self.assertAllClose(same["inception_score"],
                            metrics.inception_score(probabilities)[0], rtol=1e-6)
        self.assertNotIn("classes_covered", same)

    def test_an_image_folder_is_compared_through_its_training_images(self):
        folder = os.path.join(self.folder, "faces")
        good, _ = helpers.write_image_folder(folder, corrupt=False)
        evaluator = evaluation.evaluator_for(data.get("celeb_a").reading(folder),
                                             inception_weights=self.weights_path)
        self.assertEqual(evaluator.real_features.shape, (len(good), 2048))

    def test_wrong_channel_count_is_refused(self):
        with self.assertRaisesRegex(ValueError, r"\[N, H, W, 1 or 3\].*\(2, 8, 8, 2\)"):
            self.features(np.zeros((2, 8, 8, 2), np.float32))

    def test_missing_weights_name_the_file_and_the_fix(self):
        missing = os.path.join(self.folder, "nowhere.h5")
        with self.assertRaisesRegex(DataError, r"nowhere\.h5.*--inception_weights=imagenet"):
            inception.InceptionFeatures(missing)

    def test_a_failed_download_says_how_to_work_offline(self):
        def offline(*args, **kwargs):
            raise Exception("URL fetch failure: Name or service not known")

        with mock.patch.object(keras.utils, "get_file", offline):
            with self.assertRaisesRegex(DataError, r"cannot download.*Name or service.*"
                                        r"copy inception_v3_weights_tf_dim_ordering_tf_kernels"
                                        r"\.h5 into ~/\.keras/models/"):
                inception.InceptionFeatures("imagenet")

    def test_weights_of_another_network_are_refused(self):
        other = os.path.join(self.folder, "other.h5")
        small = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        with h5py.File(other, "w") as file:
            legacy_h5_format.save_weights_to_hdf5_group(file, small)
        with self.assertRaisesRegex(DataError, r"cannot load InceptionV3 weights.*other\.h5"):
            inception.InceptionFeatures(other)

    def test_evaluate_script_measures_in_inception_features(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.folder, "mnist"), count=12)
        out = os.path.join(self.folder, "metrics.json")
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "evaluate.py"),
             f"--path={os.path.join(ROOT, 'saved_models', 'mnist')}", "--num=12",
             f"--data_dir={data_dir}", f"--inception_weights={self.weights_path}",
             f"--out={out}"],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"fid +\d+\.\d{4}")
        self.assertNotIn("classes_covered", result.stdout)
        with open(out) as stream:
            written = json.load(stream)
        self.assertEqual(written["classifier"], self.weights_path)
        self.assertEqual(written["generated"]["samples"], 12)


if __name__ == "__main__":
    tf.test.main()
