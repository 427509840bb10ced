"""NaN guard: a run whose losses become NaN stops or rolls back, its checkpoints intact."""

import glob
import os
from unittest import mock

import numpy as np
import tensorflow as tf

from tests import helpers
from wgan_gp_tf import training
from wgan_gp_tf.data import stream
from wgan_gp_tf.errors import DivergedError

_training_batches = stream.training_batches


def _poisoned_once(iteration):
    """A `training_batches` whose first stream holds NaN in `iteration`'s batches."""
    calls = []

    def training_batches(images, **options):
        dataset = _training_batches(images, **options)
        if calls:
            return dataset
        calls.append(options["start_iteration"])
        poisoned = iteration - 1 - options["start_iteration"]
        return dataset.enumerate().map(lambda index, batches: tf.where(
            index == poisoned, tf.fill(tf.shape(batches), np.nan), batches))

    return training_batches


@helpers.slow(seconds=55)
class DivergenceTest(tf.test.TestCase):

    def _config(self, **overrides):
        folder = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "mnist"), 200)
        values = dict(data_dir=folder, batch_size=20, iterations=20, sample_every=5,
                      checkpoint_every=5, steps_per_execution=5,
                      output_dir=os.path.join(self.get_temp_dir(), "run"),
                      export_dir=os.path.join(self.get_temp_dir(), "export"))
        return training.make_config("mnist_mlp", **{**values, **overrides})

    def test_stop_names_the_iteration_and_keeps_the_last_checkpoint(self):
        config = self._config()
        with mock.patch.object(stream, "training_batches", _poisoned_once(12)):
            with self.assertRaisesRegex(
                    DivergedError, r"NaN or infinite in the iterations up to 15 \(checked "
                    r"every 5\); the last good checkpoint, .*ckpt-10, is intact"):
                training.run(config, verbose=0)
        checkpoints = glob.glob(os.path.join(config.output_dir, "checkpoints", "ckpt-*.index"))
        self.assertEqual(sorted(os.path.basename(path) for path in checkpoints),
                         ["ckpt-10.index", "ckpt-5.index"])
        self.assertFalse(os.path.exists(os.path.join(config.output_dir, "samples",
                                                     "00000015.png")))
        model, _ = training.restore_run(config.output_dir)
        self.assertEqual(model.iterations_done, 10)
        self.assertTrue(all(np.isfinite(variable.numpy()).all()
                            for variable in model.generator.weights + model.critic.weights))
        result = training.run(config, verbose=0)
        self.assertEqual((result.start_iteration, result.iteration), (10, 20))

    def test_restore_rolls_back_and_finishes(self):
        config = self._config(on_nan="restore")
        with mock.patch.object(stream, "training_batches", _poisoned_once(12)):
            result = training.run(config, verbose=0)
        self.assertEqual(result.iteration, 20)
        model, _ = training.restore_run(config.output_dir)
        self.assertTrue(all(np.isfinite(variable.numpy()).all()
                            for variable in model.generator.weights))

    def test_no_checkpoint_yet_stops_even_under_restore(self):
        config = self._config(on_nan="restore")
        with mock.patch.object(stream, "training_batches", _poisoned_once(2)):
            with self.assertRaisesRegex(DivergedError, "no checkpoint was written before it, so "
                                        "there is nothing to roll back to: lower the"):
                training.run(config, verbose=0)


if __name__ == "__main__":
    tf.test.main()
