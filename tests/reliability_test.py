"""Nothing written is lost: damaged checkpoints, a killed export, a held run folder, signals."""

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from tests import helpers
from wgan_gp_tf import WGANGP, files, images, serving, training
from wgan_gp_tf.errors import CheckpointError, ConfigError, RunInUseError
from wgan_gp_tf.serving import export
from wgan_gp_tf.training import callbacks, checkpoints, run_folder, stopping
from wgan_gp_tf.training.run import _warn_if_run_away

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config(base, name, iterations, **overrides):
    data_dir = helpers.write_mnist_folder(os.path.join(base, "data"), count=60)
    values = dict(data_dir=data_dir, batch_size=12, iterations=iterations, sample_every=10,
                  checkpoint_every=10, eval_samples=50, jit_compile=False,
                  output_dir=os.path.join(base, name),
                  export_dir=os.path.join(base, name, "export"))
    return training.make_config(**{**values, **overrides})


class WholeFilesTest(tf.test.TestCase):
    """What the package writes replaces the old file whole, or leaves it as it was."""

    def test_a_failed_write_leaves_the_old_file_and_no_other(self):
        folder = self.get_temp_dir()
        path = os.path.join(folder, "grid.png")
        files.write_text(path, "old")
        with self.assertRaisesRegex(RuntimeError, "stopped"):
            with files.replacing(path) as temporary:
                self.assertEqual(os.path.splitext(temporary)[1], ".png")
                with open(temporary, "w") as file:
                    file.write("half")
                raise RuntimeError("stopped")
        self.assertEqual(os.listdir(folder), ["grid.png"])
        with open(path) as file:
            self.assertEqual(file.read(), "old")

    def test_a_write_replaces_the_file(self):
        path = os.path.join(self.get_temp_dir(), "grid.png")
        files.write_text(path, "old")
        images.write_png(np.full([2, 3, 1], 7, np.uint8), path)
        self.assertAllEqual(np.asarray(Image.open(path)), np.full([2, 3], 7, np.uint8))
        self.assertEqual(os.listdir(self.get_temp_dir()), ["grid.png"])


@helpers.slow(seconds=10)
class DamagedCheckpointsTest(tf.test.TestCase):
    """A damaged newest checkpoint: resume from the newest intact one, never from 0."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base = tf.compat.v1.test.get_temp_dir()
        cls.trained = _config(cls.base, "trained", 20)
        training.run(cls.trained, verbose=0)

    def _damaged_copy(self, name, damage):
        config = _config(self.base, name, 30)
        shutil.copytree(self.trained.output_dir, config.output_dir)
        folder = os.path.join(config.output_dir, "checkpoints")
        damage(folder)
        return config, folder

    def _restored(self, config, folder):
        model = training.build_trainer(config)
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            path = checkpoints.restore_latest(model, folder)
        return model, path, "\n".join(logs.output)

    def test_the_newest_intact_checkpoint_is_restored_and_the_damaged_named(self):
        def truncate(path):
            with open(path, "r+b") as file:
                file.truncate(os.path.getsize(path) // 2)

        damages = {
            "its index file is missing": lambda folder: os.remove(f"{folder}/ckpt-20.index"),
            "index_truncated": lambda folder: truncate(f"{folder}/ckpt-20.index"),
            "data_truncated": lambda folder: truncate(
                f"{folder}/ckpt-20.data-00000-of-00001"),
            "data_missing": lambda folder: os.remove(f"{folder}/ckpt-20.data-00000-of-00001"),
        }
        for index, (reason, damage) in enumerate(damages.items()):
            with self.subTest(reason):
                config, folder = self._damaged_copy(f"damaged{index}", damage)
                model, path, warning = self._restored(config, folder)
                self.assertEqual(path, os.path.join(folder, "ckpt-10"))
                self.assertEqual(model.iterations_done, 10)
                self.assertIn("skipped the damaged checkpoint(s) ckpt-20 (", warning)
                self.assertIn("resuming from ckpt-10", warning)
                if " " in reason:
                    self.assertIn(reason, warning)

    def test_a_garbled_state_file_hides_no_checkpoint(self):
        def garble(folder):
            with open(f"{folder}/checkpoint", "w") as file:
                file.write("garbage {{{")

        config, folder = self._damaged_copy("garbled", garble)
        model = training.build_trainer(config)
        self.assertEqual(checkpoints.restore_latest(model, folder),
                         os.path.join(folder, "ckpt-20"))
        result = training.run(config, verbose=0)
        self.assertEqual((result.start_iteration, result.iteration), (20, 30))

    def test_a_binary_state_file_and_an_unfinished_save_are_cleared(self):
        def damage(folder):
            with open(f"{folder}/checkpoint", "wb") as file:
                file.write(np.random.default_rng(0).bytes(300))
            os.makedirs(f"{folder}/ckpt-30_temp")
            with open(f"{folder}/ckpt-30_temp/part-00000-of-00001.index", "wb") as file:
                file.write(b"half")

        config, folder = self._damaged_copy("binary_state", damage)
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            result = training.run(config, verbose=0)
        said = "\n".join(logs.output)
        self.assertIn("ckpt-30_temp, left by a save that did not finish", said)
        self.assertIn("is not text (damaged); set aside as checkpoint.damaged", said)
        self.assertEqual((result.start_iteration, result.iteration), (20, 30))
        self.assertFalse(os.path.exists(f"{folder}/ckpt-30_temp"))
        self.assertEqual(tf.train.latest_checkpoint(folder), os.path.join(folder, "ckpt-30"))

    def test_checkpoints_without_their_config_are_refused_and_left_as_they_are(self):
        config, _ = self._damaged_copy(
            "no_config", lambda folder: os.remove(f"{folder}/../config.json"))
        other = dataclasses.replace(config, penalty="squared")
        before = sorted(os.listdir(config.output_dir))
        for attempt in (other, config):
            with self.assertRaisesRegex(ConfigError, r"holds checkpoints but no config.json, so "
                                                     r"the settings .* put back its config.json"):
                training.run(attempt, verbose=0)
        self.assertEqual(sorted(os.listdir(config.output_dir)), before)

    def test_a_run_resumes_from_the_intact_one_and_overwrites_the_damaged(self):
        config, folder = self._damaged_copy(
            "rerun", lambda folder: os.remove(f"{folder}/ckpt-20.index"))
        result = training.run(config, verbose=0)
        self.assertEqual((result.start_iteration, result.iteration), (10, 30))
        model = training.build_trainer(config)
        self.assertEqual(checkpoints.restore_latest(model, folder),
                         os.path.join(folder, "ckpt-30"))

    def test_no_readable_checkpoint_is_one_error(self):
        def remove_every_index(folder):
            for iteration in (10, 20):
                os.remove(f"{folder}/ckpt-{iteration}.index")

        config, _ = self._damaged_copy("none_left", remove_every_index)
        with self.assertRaisesRegex(CheckpointError, r"no checkpoint in .* can be read: "
                                                     r"ckpt-20 \(its index file is missing\); "
                                                     r"ckpt-10 \(its index"):
            training.run(config, verbose=0)


class ExportAfterAKillTest(tf.test.TestCase):

    def test_a_rerun_completes_an_export_a_kill_left_behind(self):
        config = _config(self.get_temp_dir(), "run", 10)
        training.run(config, verbose=0)
        # What a kill during the final export leaves: the last checkpoint,
        # no version, and the dead exporter's temporary folder.
        shutil.rmtree(os.path.join(config.export_dir, "1"))
        abandoned = os.path.join(config.export_dir, ".partial-999999999-0123abcd")
        os.makedirs(abandoned)
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            result = training.run(config, verbose=0)
        self.assertIn("has no export of iteration 10", "\n".join(logs.output))
        self.assertEqual(result.export_path, os.path.join(config.export_dir, "1"))
        self.assertEqual(os.listdir(config.export_dir), ["1"])
        with open(os.path.join(result.export_path, "assets.extra", "model.json")) as file:
            metadata = json.load(file)
        self.assertEqual(metadata["iterations"], 10)
        self.assertIn("fid", metadata["metrics"])
        # With the export there, a rerun has nothing to do.
        self.assertIsNone(training.run(config, verbose=0).export_path)

    def test_exporters_started_together_write_one_version(self):
        config = _config(self.get_temp_dir(), "run", 10)
        training.run(config, verbose=0)
        shutil.rmtree(os.path.join(config.export_dir, "1"))
        exporters = [subprocess.Popen(
            helpers.script_command("export.py", f"--run_dir={config.output_dir}"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        said = sorted(exporter.communicate(timeout=300)[0] for exporter in exporters)
        self.assertEqual([exporter.returncode for exporter in exporters], [0, 0])
        self.assertEqual(serving.existing_versions(config.export_dir), [1])
        self.assertStartsWith(said[0], "exported iteration 10 to ")
        self.assertStartsWith(said[1], "iteration 10 of ")
        self.assertIn("is already exported as", said[1])

    def test_numbered_folders_that_are_not_exports_are_refused(self):
        folder = os.path.join(self.get_temp_dir(), "export")
        os.makedirs(os.path.join(folder, "7"))
        with open(os.path.join(folder, "7", "data.txt"), "w") as file:
            file.write("not a SavedModel\n")
        with self.assertRaisesRegex(ConfigError, r"export holds numbered folders that are not "
                                                 r"SavedModels: 7; TF Serving would try"):
            export.export_generator(helpers.mlp_generator(), folder)
        config = _config(self.get_temp_dir(), "run", 10, export_dir=folder)
        with self.assertRaisesRegex(ConfigError, "not SavedModels: 7"):
            training.run(config, verbose=0)
        self.assertFalse(os.path.exists(os.path.join(config.output_dir, "checkpoints")))

    def test_a_version_folder_is_refused_as_a_base(self):
        folder = os.path.join(self.get_temp_dir(), "export")
        version = export.export_generator(helpers.mlp_generator(), folder)
        with self.assertRaisesRegex(ConfigError, rf"{version} is a SavedModel version itself; "
                                                 rf"export into the folder that holds the "
                                                 rf"versions, {folder}"):
            export.export_generator(helpers.mlp_generator(), version)
        self.assertEqual(serving.existing_versions(folder), [1])

    def test_a_live_exporters_folder_is_left_alone(self):
        folder = os.path.join(self.get_temp_dir(), "export")
        live = os.path.join(folder, f".partial-{os.getpid()}-0123abcd")
        os.makedirs(live)
        export.export_generator(helpers.mlp_generator(), folder)
        self.assertTrue(os.path.isdir(live))


class RunFolderLockTest(tf.test.TestCase):

    def test_a_second_holder_is_refused_with_the_holders_name(self):
        folder = os.path.join(self.get_temp_dir(), "run")
        with run_folder.lock(folder):
            with self.assertRaisesRegex(RunInUseError, rf"{folder} is in use by process "
                                                       rf"{os.getpid()} on .*; wait for"):
                with run_folder.lock(folder):
                    pass
            config = _config(self.get_temp_dir(), "run", 10)
            with self.assertRaises(RunInUseError):
                training.run(config, verbose=0)
        with run_folder.lock(folder):
            pass

    def test_the_lock_of_a_killed_process_blocks_no_one(self):
        folder = os.path.join(self.get_temp_dir(), "run")
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sys, time\n"
             "from wgan_gp_tf.training import run_folder\n"
             f"with run_folder.lock({folder!r}):\n"
             "    print('held', flush=True)\n"
             "    time.sleep(600)\n"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.assertEqual(holder.stdout.readline().strip(), "held")
        with self.assertRaisesRegex(RunInUseError, f"process {holder.pid} "):
            with run_folder.lock(folder):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
        with run_folder.lock(folder):
            pass


class _SignalAt(keras.callbacks.Callback):
    """Sends this process a signal at the end of one compiled call."""

    def __init__(self, number, iteration):
        super().__init__()
        self.number, self.iteration = number, iteration

    def on_train_batch_end(self, batch, logs=None):
        if self.model.iterations_done == self.iteration:
            os.kill(os.getpid(), self.number)


@helpers.slow(seconds=20)
class StopOnSignalTest(tf.test.TestCase):

    def test_sigint_ends_fit_with_a_checkpoint_of_the_last_iteration(self):
        critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
        model = WGANGP(critic, generator, n_critic=1)
        model.compile()
        folder = os.path.join(self.get_temp_dir(), "checkpoints")
        stop = stopping.StopOnSignal()
        before = signal.getsignal(signal.SIGINT)
        model.fit(np.zeros((400, 4), np.float32), batch_size=2, epochs=1, verbose=0,
                  callbacks=[_SignalAt(signal.SIGINT, 7), stop,
                             callbacks.Checkpoint(folder, every=100, restore=False)])
        self.assertEqual((stop.received, model.iterations_done), ("SIGINT", 7))
        self.assertEqual(tf.train.latest_checkpoint(folder), os.path.join(folder, "ckpt-7"))
        self.assertIs(signal.getsignal(signal.SIGINT), before)

    def test_sigterm_stops_train_py_which_resumes(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "d"), 60)
        run_dir = os.path.join(self.get_temp_dir(), "run")
        flags = [f"--data_dir={data_dir}", "--batch_size=12", "--iterations=100000",
                 "--steps_per_execution=10", "--checkpoint_every=10", "--jit_compile=false",
                 f"--output_dir={run_dir}", f"--export_dir={run_dir}/export"]
        process = helpers.StartedScript("train.py", *flags)
        process.wait_for("checkpointed iteration 10:")
        returncode, errors = process.signal(signal.SIGTERM)
        self.assertEqual(returncode, 128 + signal.SIGTERM, errors)
        stopped = checkpoints.saved_checkpoints(os.path.join(run_dir, "checkpoints"))
        iteration = checkpoints.checkpoint_iteration(stopped[0])
        self.assertIn(f"stopped by SIGTERM at iteration {iteration}, which is checkpointed",
                      errors)
        self.assertEqual(iteration % 10, 0)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "export")))

        flags[2] = f"--iterations={iteration + 10}"
        resumed = helpers.run_script("train.py", *flags)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn(f"resumed {run_dir} at iteration {iteration}", resumed.stderr)


class SaidOutLoudTest(tf.test.TestCase):
    """What costs a run its worth is a warning, not an INFO line."""

    def test_a_damaged_test_split_warns_that_there_will_be_no_metrics(self):
        config = _config(self.get_temp_dir(), "run", 10)
        path = os.path.join(config.data_dir, "t10k-images-idx3-ubyte.gz")
        with open(path, "r+b") as file:
            file.truncate(100)
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            self.assertIsNone(training.find_evaluator(config))
        self.assertIn("no evaluation: ", logs.output[0])

    def test_a_run_away_critic_is_named(self):
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            _warn_if_run_away({"critic_loss": -2.8e6, "penalty": 0.5})
        self.assertIn("the critic has run away (critic_loss -2.8e+06 over the last epoch)",
                      logs.output[0])
        with self.assertNoLogs("wgan_gp_tf", "WARNING"):
            _warn_if_run_away({"critic_loss": -3.5, "penalty": 0.5})


class EvaluationLogTest(tf.test.TestCase):

    def test_a_resumed_fit_logs_each_iteration_once(self):
        path = os.path.join(self.get_temp_dir(), "metrics.jsonl")
        with open(path, "w") as file:
            for iteration in (100, 200, 300):
                file.write(json.dumps({"iteration": iteration, "fid": iteration}) + "\n")
            file.write('{"iteration": 4')   # torn by a kill

        class Resumed:
            iterations_done = 200

        evaluate = callbacks.Evaluate(None, every=100, jsonl_path=path)
        evaluate.set_model(Resumed())
        evaluate.on_train_begin()
        with open(path) as file:
            self.assertEqual([json.loads(line)["iteration"] for line in file], [100, 200])

    def test_each_line_says_when_its_evaluation_ran_and_how_long(self):
        path = os.path.join(self.get_temp_dir(), "metrics.jsonl")

        def slow_evaluator(points):
            time.sleep(0.2)
            return {"samples": len(points), "w1": 0.5}

        model = training.build_trainer(training.make_config("toy_1d"))
        evaluate = callbacks.Evaluate(slow_evaluator, every=100, count=10, jsonl_path=path)
        evaluate.set_model(model)
        before = time.time()
        evaluate.run(100)
        with open(path) as file:
            line = json.loads(file.read())
        self.assertEqual((line["iteration"], line["samples"], line["w1"]), (100, 10, 0.5))
        self.assertBetween(line["wall_time"], before, before + line["eval_seconds"])
        self.assertBetween(line["eval_seconds"], 0.2, time.time() - before)


if __name__ == "__main__":
    tf.test.main()
