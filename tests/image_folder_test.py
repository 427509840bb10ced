"""Image folders: listing, decoding, cropping, bad files, and training from one."""

import os

import numpy as np
import tensorflow as tf
from PIL import Image

from tests import helpers
from wgan_gp_tf import data, training
from wgan_gp_tf.errors import DataError


class ImageFolderTest(tf.test.TestCase):

    def setUp(self):
        super().setUp()
        self.folder = self.get_temp_dir()
        self.good, self.bad = helpers.write_image_folder(self.folder)

    def test_lists_images_recursively_and_ignores_other_files(self):
        folder = data.ImageFolder.scan(self.folder, (64, 64, 3))
        self.assertEqual(list(folder.files), sorted(self.good + self.bad))

    def test_links_are_followed_but_each_folder_listed_once(self):
        os.remove(*self.bad)  # Reached first through a link, it would fail the scan's probe.
        outside = helpers.temp_dir(self)
        helpers.write_image_folder(outside, corrupt=False)
        links = {"loop": ".", "again": os.path.join(self.folder, "nested"), "linked": outside}
        for name, target in links.items():
            os.symlink(target, os.path.join(self.folder, name))
            # The temporary folders' clean-up would follow them.
            self.addCleanup(os.remove, os.path.join(self.folder, name))
        files = data.ImageFolder.scan(self.folder, (64, 64, 3)).files
        self.assertLen(files, 2 * len(self.good))
        self.assertLen({os.path.realpath(path) for path in files}, len(files))

    def test_every_mode_and_size_becomes_the_data_set_shape(self):
        folder = data.ImageFolder.scan(self.folder, (64, 64, 3), skip_bad_images=True)
        images = folder.load()
        self.assertEqual(images.shape, (len(self.good), 64, 64, 3))
        self.assertEqual(images.dtype, np.uint8)
        gray = data.ImageFolder(folder.files, (28, 28, 1)).load()
        self.assertEqual(gray.shape, (len(self.good), 28, 28, 1))

    def test_centre_square_is_kept(self):
        pixels = np.zeros((10, 30, 3), np.uint8)
        pixels[:, 10:20] = 255
        path = os.path.join(self.get_temp_dir(), "wide", "stripe.png")
        os.makedirs(os.path.dirname(path))
        Image.fromarray(pixels).save(path)
        image = data.ImageFolder.scan(os.path.dirname(path), (8, 8, 3)).load()[0]
        self.assertAllEqual(image, np.full((8, 8, 3), 255, np.uint8))

    def test_skipping_counts_and_names_the_bad_files(self):
        folder = data.ImageFolder.scan(self.folder, (64, 64, 3), skip_bad_images=True)
        self.assertEqual(list(folder.skipped), self.bad)
        self.assertEqual(list(folder.files), self.good)

    def test_a_bad_file_is_named_when_not_skipping(self):
        folder = data.ImageFolder.scan(self.folder, (64, 64, 3))
        with self.assertRaisesRegex(DataError, r"1 of 7 image files cannot be decoded: "
                                    r".*broken\.jpg; .*--skip_bad_images"):
            folder.load()

    def test_a_kind_tensorflow_cannot_decode_is_refused_at_the_scan(self):
        folder = os.path.join(self.get_temp_dir(), "one_bit")
        os.makedirs(folder)
        for index in range(3):
            Image.new("1", (8, 8)).save(os.path.join(folder, f"{index}.bmp"))
        with self.assertRaisesRegex(DataError, r"one_bit/0\.bmp cannot be decoded \(Number of "
                                    r"channels .* was 0\); convert such files"):
            data.ImageFolder.scan(folder, (8, 8, 1))

    def test_empty_and_missing_folders_are_clear_errors(self):
        empty = os.path.join(self.get_temp_dir(), "empty")
        os.makedirs(empty)
        with self.assertRaisesRegex(DataError, "holds no image files"):
            data.ImageFolder.scan(empty, (64, 64, 3))
        with self.assertRaisesRegex(DataError, "does not exist"):
            data.ImageFolder.scan(os.path.join(empty, "nope"), (64, 64, 3))

    def test_fewer_images_than_a_batch_is_a_clear_error(self):
        folder = data.ImageFolder.scan(self.folder, (64, 64, 3), skip_bad_images=True)
        with self.assertRaisesRegex(DataError, "only 6 training images, fewer than one batch"):
            data.training_batches(folder, batch_size=8, per_iteration=1, seed=0)

    def test_streamed_and_cached_folders_give_the_same_stream(self):
        folder = data.ImageFolder.scan(self.folder, (32, 32, 3), skip_bad_images=True)
        options = dict(batch_size=2, per_iteration=2, seed=3, value_range=(-1.0, 1.0),
                       start_iteration=1)
        streamed = data.training_batches(folder, **options).take(4)
        cached = data.training_batches(folder.load(), **options).take(4)
        for from_files, from_memory in zip(streamed, cached, strict=True):
            self.assertEqual(from_files.shape, (2, 2, 32, 32, 3))
            self.assertAllClose(from_files, from_memory)
            self.assertBetween(float(tf.reduce_min(from_files)), -1.0, 1.0)


@helpers.slow(seconds=10)
class TrainFromFolderTest(tf.test.TestCase):

    def _config(self, folder, **overrides):
        values = dict(dataset="cifar10", data_dir=folder, batch_size=2, n_critic=1,
                      iterations=2, sample_every=1, checkpoint_every=2,
                      output_dir=os.path.join(self.get_temp_dir(), "run"),
                      export_dir=os.path.join(self.get_temp_dir(), "export"))
        return training.make_config("mnist_mlp", **{**values, **overrides})

    def test_a_bad_file_met_in_training_is_named(self):
        folder = self.get_temp_dir()
        helpers.write_image_folder(folder)
        with self.assertRaisesRegex(DataError, r"broken\.jpg"):
            training.run(self._config(folder, iterations=10, checkpoint_every=10), verbose=0)

    def test_skipping_bad_files_trains(self):
        folder = self.get_temp_dir()
        helpers.write_image_folder(folder)
        result = training.run(self._config(folder, skip_bad_images=True), verbose=0)
        self.assertEqual(result.iteration, 2)


if __name__ == "__main__":
    tf.test.main()
