"""The progress of train.py, counted in iterations over the whole run."""

import contextlib
import io
import os
from unittest import mock

import tensorflow as tf

from tests import helpers
from wgan_gp_tf import training
from wgan_gp_tf.training import progress


class _Trainer:
    iterations_done = 0


def _progress(verbose, resumed_at=0):
    trainer = _Trainer()
    trainer.iterations_done = resumed_at
    stream = io.StringIO()
    callback = progress.IterationProgress(300, verbose=verbose, stream=stream, width=10)
    callback.set_model(trainer)
    return callback, trainer, stream


class IterationProgressTest(tf.test.TestCase):

    def test_a_resumed_run_counts_on_from_its_iteration_at_its_own_rate(self):
        callback, trainer, stream = _progress(verbose=2, resumed_at=100)
        with mock.patch.object(progress.time, "monotonic", side_effect=[0.0, 40.0, 40.0]):
            callback.on_train_begin()
            trainer.iterations_done = 200
            callback.on_epoch_end(0, {"critic_loss": -1.23456, "generator_loss": 0.5})
        # 100 iterations in 40 s: 2.5 it/s, and 100 more take 40 s.
        self.assertEqual(stream.getvalue(),
                         "iteration 200/300 - 0:40 at 2.5 it/s - 0:40 left - "
                         "critic_loss -1.235 - generator_loss 0.5\n")

    def test_a_terminal_gets_one_bar_redrawn_in_place(self):
        callback, trainer, stream = _progress(verbose=1)
        times = iter([0.0, 1.0, 1.0, 1.0, 1.05, 2.0, 2.0, 2.0, 2.0])
        with mock.patch.object(progress.time, "monotonic", lambda: next(times)):
            callback.on_train_begin()
            trainer.iterations_done = 150
            callback.on_train_batch_end(0, {"critic_loss": 2.0})
            callback.on_train_batch_end(1, {"critic_loss": 3.0})   # within REDRAW: not drawn
            trainer.iterations_done = 300
            callback.on_train_end({})
        first, last = stream.getvalue().split("\r")[1:]
        self.assertEqual(first, "iteration 150/300 [=====.....] - 0:01 at 150 it/s - "
                                "0:01 left - critic_loss 2")
        self.assertEqual(last, "iteration 300/300 [==========] - 0:02 at 150 it/s".ljust(
            len(first)) + "\n")

    def test_silent_at_zero(self):
        callback, trainer, stream = _progress(verbose=0)
        callback.on_train_begin()
        callback.on_train_batch_end(0, {})
        callback.on_epoch_end(0, {})
        callback.on_train_end({})
        self.assertEqual(stream.getvalue(), "")


@helpers.slow(seconds=8)
class RunProgressTest(tf.test.TestCase):

    def test_a_run_counts_iterations_across_a_resume(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "d"), 60)

        def run(iterations):
            config = training.make_config(
                data_dir=data_dir, batch_size=12, iterations=iterations, sample_every=10,
                checkpoint_every=10, jit_compile=False,
                output_dir=os.path.join(self.get_temp_dir(), "run"),
                export_dir=os.path.join(self.get_temp_dir(), "export"))
            with contextlib.redirect_stdout(io.StringIO()) as printed:
                training.run(config, verbose=2)
            return printed.getvalue()

        first = run(20)
        self.assertRegex(first, r"(?m)^iteration 10/20 - .* it/s - .* left - critic_loss ")
        self.assertRegex(first, r"(?m)^iteration 20/20 - ")
        resumed = run(30)
        self.assertEqual(resumed.count("\n"), 1)
        self.assertRegex(resumed, r"^iteration 30/30 - ")


if __name__ == "__main__":
    tf.test.main()
