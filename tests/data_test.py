"""IDX reading, the tfds fallback's error, and the training stream."""

import os
from unittest import mock

import numpy as np
import tensorflow as tf

from tests import helpers
from wgan_gp_tf import data
from wgan_gp_tf.data import idx, local_copies, tfds
from wgan_gp_tf.errors import ConfigError, DataError


class IdxTest(tf.test.TestCase):

    def test_folder_round_trip(self):
        folder = helpers.write_mnist_folder(self.get_temp_dir(), count=7)
        images, labels = idx.load_idx_folder(folder, "train")
        self.assertEqual(images.shape, (7, 28, 28, 1))
        self.assertEqual(images.dtype, np.uint8)
        self.assertEqual(labels.shape, (7,))

    def test_uncompressed_files_are_read_too(self):
        path = os.path.join(self.get_temp_dir(), "plain-idx3-ubyte")
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
        with open(path, "wb") as stream:
            stream.write((0x803).to_bytes(4, "big") + b"".join(
                d.to_bytes(4, "big") for d in array.shape) + array.tobytes())
        self.assertAllEqual(idx.read_idx(path, 0x803), array)

    def test_wrong_magic_and_truncation_name_the_file(self):
        path = os.path.join(self.get_temp_dir(), "labels.gz")
        helpers.write_idx(path, np.zeros((5,), np.uint8))
        with self.assertRaisesRegex(DataError, "labels.gz is not an IDX file of the expected kind"):
            idx.read_idx(path, 0x803)
        images = os.path.join(self.get_temp_dir(), "images.gz")
        helpers.write_idx(images, np.zeros((5, 2, 2), np.uint8))
        with open(images, "rb") as stream:
            content = stream.read()
        with open(images, "wb") as stream:
            stream.write(content[:-10])
        with self.assertRaisesRegex(DataError, "cannot read .*images.gz"):
            idx.read_idx(images, 0x803)

    def test_missing_folder_and_files(self):
        with self.assertRaisesRegex(DataError, "does not exist; pass --data_dir"):
            idx.load_idx_folder("/no/such/folder")
        with self.assertRaisesRegex(DataError, "has no train-images-idx3-ubyte.gz"):
            idx.load_idx_folder(self.get_temp_dir())

    def test_wrong_image_size(self):
        folder = self.get_temp_dir()
        helpers.write_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"),
                          np.zeros((4, 32, 32), np.uint8))
        helpers.write_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"),
                          np.zeros((4,), np.uint8))
        with self.assertRaisesRegex(DataError, "mnist images must be 28x28x1.*32x32x1"):
            data.get("mnist").reading(folder).load("train")

    def test_fashion_mnist_reads_the_same_layout(self):
        folder = helpers.write_mnist_folder(self.get_temp_dir(), count=5)
        images, labels = data.get("fashion_mnist").reading(folder).load("test")
        self.assertEqual(images.shape, (5, 28, 28, 1))
        self.assertEqual(labels.shape, (5,))

    def test_an_image_folder_has_no_test_split(self):
        helpers.write_image_folder(self.get_temp_dir(), corrupt=False)
        images, labels = data.get("cifar10").reading(self.get_temp_dir()).load("train")
        self.assertEqual(images.shape, (6, 32, 32, 3))
        self.assertAllEqual(labels, [-1] * 6)
        with self.assertRaisesRegex(DataError, "an image folder has no 'test' split"):
            data.get("cifar10").reading(self.get_temp_dir()).load("test")

    def test_a_folder_at_any_size(self):
        helpers.write_image_folder(self.get_temp_dir(), corrupt=False)
        folder = data.get("folder")
        self.assertIs(folder.sized(64, 3), folder)
        images, _ = folder.sized(32, 1).reading(self.get_temp_dir()).load("train")
        self.assertEqual(images.shape, (6, 32, 32, 1))
        images, _ = folder.sized(16).reading(self.get_temp_dir()).load("train")
        self.assertEqual(images.shape, (6, 16, 16, 3))
        with self.assertRaisesRegex(DataError, "folder reads a folder of images: pass "
                                               "--data_dir="):
            folder.training_data(batch_size=2)
        with self.assertRaisesRegex(ConfigError, "cifar10 images have shape 32x32x3"):
            data.get("cifar10").sized(64)

    def test_unknown_dataset(self):
        with self.assertRaisesRegex(ConfigError, "unknown dataset 'cifar'; choose one of: "
                                                 "mnist, fashion_mnist, celeb_a, cifar10, "
                                                 "folder, toy_1d"):
            data.get("cifar")

    def test_every_source_knows_its_shape_kind_and_export(self):
        expected = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1),
                    "celeb_a": (64, 64, 3), "cifar10": (32, 32, 3), "folder": (64, 64, 3),
                    "toy_1d": (1,),
                    "8gaussians": (2,), "25gaussians": (2,), "swissroll": (2,)}
        corpus = os.path.join(self.get_temp_dir(), "lines.txt")
        with open(corpus, "w", encoding="utf-8") as file:
            file.write("abc\nab\n")
        # Text's vocabulary, and so its shape, comes from its corpus: PAD, UNKNOWN, a, b, c.
        expected["text"] = (32, 5)
        self.assertEqual({name: data.get(name).reading(corpus).shape for name in data.names()},
                         expected)
        for name, shape in expected.items():
            source = data.get(name)
            kind = {3: "images", 2: "text", 1: "points"}[len(shape)]
            self.assertEqual(source.makes, kind, name)
            self.assertEqual(source.exportable, kind != "points", name)

    def test_training_data_refuses_fewer_samples_than_a_batch(self):
        folder = helpers.write_mnist_folder(self.get_temp_dir(), count=7)
        with self.assertRaisesRegex(DataError, "only 7 training images, fewer than one batch "
                                               "of 8"):
            data.get("mnist").reading(folder).training_data(batch_size=8)
        first = next(iter(data.get("mnist").reading(folder).training_data(batch_size=7).batches(
            batch_size=7, per_iteration=1, seed=0, value_range=(0.0, 1.0))))
        self.assertEqual(first.shape, (1, 7, 28, 28, 1))


class _NoLocalCopies(tf.test.TestCase):
    """Keras's cache in an empty temporary home, and no Debian package."""

    def setUp(self):
        super().setUp()
        self.keras_home = helpers.temp_dir(self)
        self.enter_context(mock.patch.dict(os.environ, {"KERAS_HOME": self.keras_home}))
        self.enter_context(mock.patch.object(local_copies, "DEBIAN_FASHION_MNIST", "/no/such"))


class LocalCopiesTest(_NoLocalCopies):

    def _datasets(self, *parts):
        return os.path.join(self.keras_home, "datasets", *parts)

    def test_keras_cached_mnist_is_read_without_data_dir_or_tfds(self):
        rng = np.random.default_rng(0)
        arrays = {f"{axis}_{split}": rng.integers(0, 256, shape, dtype=np.uint8)
                  for split, count in (("train", 5), ("test", 3))
                  for axis, shape in (("x", (count, 28, 28)), ("y", (count,)))}
        os.makedirs(self._datasets())
        np.savez(self._datasets("mnist.npz"), **arrays)
        with mock.patch.object(tfds, "load_tfds", side_effect=AssertionError("tfds asked")):
            images, labels = data.get("mnist").load("test")
        self.assertAllEqual(images, arrays["x_test"][..., np.newaxis])
        self.assertAllEqual(labels, arrays["y_test"])

    def test_keras_and_debian_fashion_mnist_folders(self):
        helpers.write_mnist_folder(self._datasets("fashion-mnist"), count=4)
        with mock.patch.object(tfds, "load_tfds", side_effect=AssertionError("tfds asked")):
            self.assertEqual(data.get("fashion_mnist").load()[0].shape, (4, 28, 28, 1))
        debian = helpers.write_mnist_folder(os.path.join(self.keras_home, "debian"), count=2)
        os.remove(self._datasets("fashion-mnist", "t10k-labels-idx1-ubyte.gz"))
        with mock.patch.object(local_copies, "DEBIAN_FASHION_MNIST", debian):
            self.assertEqual(local_copies.find("fashion_mnist"), debian)

    def test_a_damaged_cache_names_itself(self):
        os.makedirs(self._datasets())
        with open(self._datasets("mnist.npz"), "wb") as file:
            file.write(b"not a zip file")
        with self.assertRaisesRegex(DataError, r"cannot read .*mnist.npz \(Keras's copy"):
            data.get("mnist").load()


class TfdsFallbackTest(_NoLocalCopies):

    def test_offline_without_data_dir_says_how_to_fix_it(self):
        builder = mock.Mock()
        builder.is_prepared.return_value = False
        with mock.patch("tensorflow_datasets.builder", return_value=builder), \
                mock.patch.object(tfds, "_can_reach", return_value=False):
            for name in ("mnist", "celeb_a"):
                with self.assertRaisesRegex(
                        DataError, f"cannot download '{name}'.*--data_dir="):
                    data.get(name).load()
            with self.assertRaises(DataError) as raised:
                data.get("mnist").load()
        builder.download_and_prepare.assert_not_called()
        message = str(raised.exception)
        for part in ("train-images-idx3-ubyte.gz (the 60,000 training images)",
                     "t10k-labels-idx1-ubyte.gz (their labels)", "https://yann.lecun.com",
                     os.path.join(self.keras_home, "datasets", "mnist.npz")):
            self.assertIn(part, message)

    def test_tfds_images_are_cropped_to_the_data_set_shape(self):
        builder = mock.Mock()
        builder.is_prepared.return_value = True
        builder.as_dataset.return_value = tf.data.Dataset.from_tensor_slices(
            {"image": tf.zeros([3, 218, 178, 3], tf.uint8)})
        with mock.patch("tensorflow_datasets.builder", return_value=builder):
            images, labels = data.get("celeb_a").load()
        self.assertEqual(images.shape, (3, 64, 64, 3))
        self.assertAllEqual(labels, [-1, -1, -1])


class TrainingBatchesTest(tf.test.TestCase):

    def _indexed_images(self, count=60):
        # Image i is filled with the value i, so a batch shows which it holds.
        return np.repeat(np.arange(count, dtype=np.uint8), 4).reshape(count, 2, 2, 1)

    def _indices(self, dataset, elements):
        batches = [element.numpy() for element in dataset.take(elements)]
        return np.concatenate(batches).reshape(-1, *batches[0].shape[1:2], 4)[..., 0]

    def test_shape_and_range(self):
        dataset = data.training_batches(self._indexed_images(), batch_size=5,
                                        per_iteration=3, seed=0, value_range=(-1.0, 1.0))
        element = next(iter(dataset))
        self.assertEqual(element.shape, (3, 5, 2, 2, 1))
        self.assertEqual(element.dtype, tf.float32)
        self.assertAllInRange(element, -1.0, -1.0 + 2.0 * 59 / 255)

    def test_each_data_epoch_is_a_permutation(self):
        dataset = data.training_batches(self._indexed_images(), batch_size=5,
                                        per_iteration=3, seed=0, value_range=(0.0, 255.0))
        values = np.round(np.concatenate(
            [e.numpy().reshape(-1, 4)[:, 0] for e in dataset.take(8)]))
        self.assertCountEqual(values[:60], np.arange(60))
        self.assertCountEqual(values[60:120], np.arange(60))
        self.assertNotAllEqual(values[:60], values[60:120])

    def test_a_resumed_stream_continues_the_same_order(self):
        def stream(start, count):
            dataset = data.training_batches(self._indexed_images(), batch_size=5,
                                            per_iteration=3, seed=7, start_iteration=start)
            return np.stack([e.numpy() for e in dataset.take(count)])

        self.assertAllEqual(stream(0, 12)[5:], stream(5, 7))
        self.assertNotAllEqual(
            stream(0, 4),
            np.stack([e.numpy() for e in data.training_batches(
                self._indexed_images(), batch_size=5, per_iteration=3,
                seed=8).take(4)]))

    def test_fewer_images_than_a_batch(self):
        with self.assertRaisesRegex(DataError, "only 3 training images.*--batch_size"):
            data.training_batches(self._indexed_images(3), batch_size=5,
                                  per_iteration=1, seed=0)


if __name__ == "__main__":
    tf.test.main()
