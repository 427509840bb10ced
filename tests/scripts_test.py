"""scripts/train.py and scripts/export.py end to end, and their bad inputs."""

import contextlib
import dataclasses
import errno
import glob
import importlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from unittest import mock

import numpy as np
import tensorflow as tf

from tests import helpers
from tests.helpers import run_script, script_command
from wgan_gp_tf import serving, training
from wgan_gp_tf.core import penalties
from wgan_gp_tf.errors import ConfigError

ROOT = helpers.ROOT
MNIST = helpers.MNIST


@helpers.slow(seconds=65)
class RealMnistRunTest(tf.test.TestCase):
    """A real run on real MNIST ($WGAN_GP_TF_MNIST), killed, resumed, exported."""

    @helpers.needs_mnist
    def test_killed_run_resumes_and_exports(self):
        run_dir = os.path.join(self.get_temp_dir(), "run")
        flags = ("--preset=mnist_mlp", f"--data_dir={MNIST}", "--iterations=300",
                 "--sample_every=100", "--checkpoint_every=100",
                 f"--output_dir={run_dir}",
                 f"--export_dir={os.path.join(run_dir, 'export')}")
        first = helpers.StartedScript("train.py", *flags)
        first.wait_for("checkpointed iteration")
        first.signal(signal.SIGKILL)
        killed_at = tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints"))
        self.assertIsNotNone(killed_at)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "export")),
                         "the first process should have died before exporting")

        second = run_script("train.py", *flags)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn(f"resumed {run_dir} at iteration "
                      f"{killed_at.rsplit('-', 1)[1]}", second.stderr)
        self.assertIn("iteration 300;", second.stdout)
        self.assertEqual(
            sorted(os.listdir(os.path.join(run_dir, "samples"))),
            ["00000100.png", "00000200.png", "00000300.png"])
        self.assertTrue(glob.glob(os.path.join(run_dir, "logs", "events.*")))
        with open(os.path.join(run_dir, "config.json")) as stream:
            self.assertEqual(json.load(stream)["iterations"], 300)
        exported = os.path.join(run_dir, "export", "1")
        self.assertTrue(tf.saved_model.contains_saved_model(exported))

        again = run_script("train.py", *flags)
        self.assertIn("nothing new to export", again.stdout)
        self.assertEqual(serving.existing_versions(os.path.join(run_dir, "export")), [1])

        not_again = run_script("export.py", f"--run_dir={run_dir}")
        self.assertEqual(not_again.returncode, 0, not_again.stderr)
        self.assertIn(f"iteration 300 of {run_dir} is already exported as {exported}; nothing "
                      f"written", not_again.stdout)
        self.assertEqual(serving.existing_versions(os.path.join(run_dir, "export")), [1])
        exported_again = run_script("export.py", f"--run_dir={run_dir}", "--eval_samples=500",
                                    "--force")
        self.assertEqual(exported_again.returncode, 0, exported_again.stderr)
        self.assertIn("exported iteration 300", exported_again.stdout)
        self.assertEqual(serving.read_metadata(os.path.join(run_dir, "export", "2"))
                         ["metrics"]["samples"], 500)
        images = tf.saved_model.load(os.path.join(run_dir, "export", "2")) \
            .signatures["sample"](seed=tf.constant([1, 2], tf.int64))["images"]
        self.assertEqual(images.shape, (2, 28, 28, 1))


@helpers.slow(seconds=80)
class KilledAtRandomMomentsTest(tf.test.TestCase):
    """SIGKILL at several random moments, rerun each time: the same run as no kill."""

    def test_each_resume_continues_exactly(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "d"), 300)

        def flags(name):
            run_dir = os.path.join(self.get_temp_dir(), name)
            return (f"--data_dir={data_dir}", "--batch_size=20", "--iterations=1000",
                    "--sample_every=100", "--checkpoint_every=100", f"--output_dir={run_dir}",
                    f"--export_dir={run_dir}/export")

        checkpoints = os.path.join(self.get_temp_dir(), "killed", "checkpoints")

        # The uninterrupted run alongside, on the other core.
        straight_log = open(os.path.join(self.get_temp_dir(), "straight.log"), "w+")
        self.addCleanup(straight_log.close)
        straight = subprocess.Popen(script_command("train.py", *flags("straight")), cwd=ROOT,
                                    stdout=straight_log, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(straight.kill)
        rng = random.Random(4)
        killed_at, between_checkpoints = [None], None
        for _ in range(3):
            process = helpers.StartedScript("train.py", *flags("killed"))
            # Once the process has saved a new checkpoint, it is training:
            # kill it at a random moment before the next one, timed by this
            # machine's own pace between two checkpoints.
            process.wait_for("checkpointed iteration")
            if between_checkpoints is None:
                start = time.time()
                process.wait_for("checkpointed iteration")
                between_checkpoints = time.time() - start
            time.sleep(rng.uniform(0.0, between_checkpoints))
            returncode, _ = process.signal(signal.SIGKILL)
            self.assertEqual(returncode, -signal.SIGKILL, "it ended before the kill")
            killed_at.append(tf.train.latest_checkpoint(checkpoints))
        iterations = [int(path.rsplit("-", 1)[1]) for path in killed_at[1:]]
        self.assertEqual(iterations, sorted(set(iterations)))
        resumed = run_script("train.py", *flags("killed"))
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIn("iteration 1000;", resumed.stdout)
        self.assertEqual(straight.wait(timeout=600), 0)
        straight_log.seek(0)
        self.assertIn("iteration 1000;", straight_log.read())

        run_dir = os.path.join(self.get_temp_dir(), "killed")
        expected = [f"{iteration:08d}.png" for iteration in range(100, 1001, 100)]
        samples = sorted(name for name in os.listdir(os.path.join(run_dir, "samples"))
                         if name.endswith(".png"))
        self.assertEqual(samples, expected)
        for name in samples:
            with open(os.path.join(run_dir, "samples", name), "rb") as stream:
                self.assertEqual(tf.io.decode_png(stream.read()).shape[-1], 1)
        steps = {event.step
                 for path in glob.glob(os.path.join(run_dir, "logs", "events.*"))
                 for event in tf.compat.v1.train.summary_iterator(path)
                 if any(value.tag == "critic_loss" for value in event.summary.value)}
        self.assertEqual(steps, set(range(100, 1001, 100)))

        def exported(name):
            loaded = tf.saved_model.load(os.path.join(self.get_temp_dir(), name, "export", "1"))
            return loaded.signatures["sample"](seed=tf.constant([0, 9], tf.int64))["images"]

        self.assertAllClose(exported("killed"), exported("straight"), atol=1e-6,
                            msg=f"killed after checkpoints {iterations}")


@helpers.slow(seconds=40)
class ResumeIsExactTest(tf.test.TestCase):
    """Stopping half way and resuming gives exactly the uninterrupted run."""

    def _resume_half_way(self, resumed_with=None, **overrides):
        """Trains 30 iterations straight and 20 + 10 resumed; returns both results.

        `resumed_with`: settings of the straight run and of the resume only.
        """
        data_dir = helpers.write_mnist_folder(
            os.path.join(self.get_temp_dir(), "data"), count=120)

        def config(name, iterations, **settings):
            # Resuming is what is tested here, not XLA: its compiles are spared.
            return training.make_config(
                data_dir=data_dir, batch_size=20, iterations=iterations,
                sample_every=10, checkpoint_every=10, jit_compile=False,
                output_dir=os.path.join(self.get_temp_dir(), name),
                export_dir=os.path.join(self.get_temp_dir(), name, "export"),
                **{**overrides, **settings})

        later = resumed_with or {}
        straight = training.run(config("straight", 30, **later), verbose=0)
        result = training.run(config("resumed", 20), verbose=0)
        self.assertEqual((result.start_iteration, result.iteration), (0, 20))
        result = training.run(config("resumed", 30, **later), verbose=0)
        self.assertEqual((result.start_iteration, result.iteration), (20, 30))
        return straight, result

    def _exported_images(self, name, version):
        loaded = tf.saved_model.load(os.path.join(self.get_temp_dir(), name, "export", version))
        return loaded.signatures["serving_default"](z=self.noise)["images"]

    def setUp(self):
        super().setUp()
        self.noise = tf.linspace(-1.0, 1.0, 30)[:, tf.newaxis] * tf.ones([1, 10])

    def test_resumed_weights_equal_uninterrupted(self):
        self._resume_half_way()
        # The resumed run exported twice: at 20 and at 30 iterations.
        self.assertAllEqual(self._exported_images("straight", "1"),
                            self._exported_images("resumed", "2"))
        self.assertNotAllEqual(self._exported_images("resumed", "1"),
                               self._exported_images("resumed", "2"))

    def test_the_generator_average_resumes_and_is_exported(self):
        straight, resumed = self._resume_half_way(generator_ema=0.9)
        self.assertAllEqual(self._exported_images("straight", "1"),
                            self._exported_images("resumed", "2"))
        for result in (straight, resumed):
            self.assertAllClose(self._exported_images("resumed", "2"),
                                result.model.average_generator(self.noise))
            self.assertNotAllClose(self._exported_images("resumed", "2"),
                                   result.model.generator(self.noise))

    def test_a_run_cooled_down_when_it_resumes_is_the_run_planned_so(self):
        _, resumed = self._resume_half_way(resumed_with=dict(
            learning_rate_decay="linear", learning_rate_decay_start=20))
        self.assertAllEqual(self._exported_images("straight", "1"),
                            self._exported_images("resumed", "2"))
        self.assertEqual(float(resumed.model.critic_optimizer.learning_rate), 0.0)
        with open(os.path.join(self.get_temp_dir(), "resumed", "config.json")) as stream:
            self.assertEqual(json.load(stream)["learning_rate_decay_start"], 20)

    def test_a_checkpoint_holds_every_variable(self):
        # Batch norm in both networks: moving statistics are weights that no
        # optimiser tracks, and so is every weight of the averaged generator.
        config = training.make_config("cifar10_dcgan", critic_norm="batch",
                                        generator_ema=0.99)
        rng = np.random.default_rng(0)

        def variables(model):
            return [*model.critic.weights, *model.generator.weights,
                    *model.average_generator.weights, *model.critic_optimizer.variables,
                    *model.generator_optimizer.variables, model.iteration]

        saved = training.build_trainer(config)
        for variable in variables(saved):
            variable.assign(rng.uniform(1, 2, variable.shape).astype(variable.dtype))
        directory = os.path.join(self.get_temp_dir(), "every_variable")
        training.checkpoint_manager(saved, directory).save(checkpoint_number=1)
        restored = training.build_trainer(config)
        training.restore_latest(restored, directory)
        for before, after in zip(variables(saved), variables(restored), strict=True):
            self.assertAllEqual(before, after, msg=before.path)

    def test_checkpoints_without_the_iteration_counter_resume(self):
        config = training.make_config(steps_per_execution=1)
        model = training.build_trainer(config)
        model.generator_optimizer.iterations.assign(30)
        directory = os.path.join(self.get_temp_dir(), "old")
        old_style = tf.train.Checkpoint(
            critic=model.critic, generator=model.generator,
            critic_optimizer=model.critic_optimizer,
            generator_optimizer=model.generator_optimizer,
            seed_state=model.seed_generator.state)
        tf.train.CheckpointManager(old_style, directory, 1).save(checkpoint_number=30)
        restored = training.build_trainer(config)
        training.restore_latest(restored, directory)
        self.assertEqual(int(restored.iteration), 30)

    def test_a_folder_of_another_config_is_refused(self):
        data_dir = helpers.write_mnist_folder(
            os.path.join(self.get_temp_dir(), "data"), count=40)
        output_dir = os.path.join(self.get_temp_dir(), "mixed")
        common = dict(data_dir=data_dir, batch_size=20, iterations=10,
                      sample_every=10, checkpoint_every=10, output_dir=output_dir,
                      export_dir=os.path.join(output_dir, "export"), jit_compile=False)
        training.run(training.make_config(**common), verbose=0)
        with self.assertRaisesRegex(
                ConfigError, "another configuration.*penalty: 'hinge' -> 'squared'"):
            training.run(training.make_config(penalty="squared", **common),
                          verbose=0)


@helpers.slow(seconds=20)
class DeterministicTest(tf.test.TestCase):

    def test_two_processes_with_one_seed_give_identical_weights(self):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "data"), 200)

        def train(name):
            run_dir = os.path.join(self.get_temp_dir(), name)
            result = run_script("train.py", "--deterministic", "--nojit_compile",
                          f"--data_dir={data_dir}", "--batch_size=20", "--iterations=20",
                          "--sample_every=20", "--checkpoint_every=20", "--seed=7",
                          f"--output_dir={run_dir}", f"--export_dir={run_dir}/export")
            self.assertEqual(result.returncode, 0, result.stderr)
            return helpers.checkpoint_tensors(os.path.join(run_dir, "checkpoints"))

        first, second = train("first"), train("second")
        self.assertGreater(len(first), 20)
        self.assertEqual(first.keys(), second.keys())
        for name in first:
            self.assertAllEqual(first[name], second[name], msg=name)


class QuickStartTest(tf.test.TestCase):
    """`--help` and a bad flag answer before TensorFlow is imported; the run imports it."""

    _SCRIPTS = ("train.py", "evaluate.py", "export.py", "sample.py", "serving_client.py",
                "dynamics.py", "train_classifier.py", "throughput.py")

    def _imported(self, script, *flags):
        """The return code and the modules that `scripts/<script> <flags>` imported."""
        # With its log level set, the quiet start leaves TensorFlow's import,
        # and so its lines of -X importtime, on stderr.
        result = subprocess.run([sys.executable, "-X", "importtime",
                                 *script_command(script, *flags)[1:]],
                                capture_output=True, text=True, timeout=120, cwd=ROOT,
                                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        modules = {line.rpartition("|")[2].strip() for line in result.stderr.splitlines()
                   if line.startswith("import time:")}
        return result.returncode, modules

    def test_help_imports_no_tensorflow(self):
        for script in self._SCRIPTS:
            with self.subTest(script):
                returncode, modules = self._imported(script, "--helpfull")
                self.assertEqual(returncode, 0)
                self.assertIn("wgan_gp_tf", modules)
                self.assertNoCommonElements(modules, {"tensorflow", "keras"})

    def test_a_bad_value_is_refused_without_tensorflow(self):
        for flag in ("--iterations=abc", "--penalty=wgan", "--batch_size=0", "--seq_len=2",
                     "--preset=mnist"):
            with self.subTest(flag):
                returncode, modules = self._imported("train.py", flag)
                self.assertEqual(returncode, 2)
                self.assertNotIn("tensorflow", modules)

    def test_the_run_imports_the_whole_library(self):
        returncode, modules = self._imported("train.py", "--dry_run")
        self.assertEqual(returncode, 0)
        self.assertContainsSubset({"tensorflow", "wgan_gp_tf.core.trainer",
                                   "wgan_gp_tf.serving.export", "wgan_gp_tf.training.run"},
                                  modules)


class OutputFoldersTest(tf.test.TestCase):
    """Folders that cannot take the run are refused before any training."""

    def _config(self, **overrides):
        data_dir = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "d"), 40)
        values = dict(data_dir=data_dir, batch_size=20, iterations=10, sample_every=10,
                      checkpoint_every=10, output_dir=os.path.join(self.get_temp_dir(), "run"),
                      export_dir=os.path.join(self.get_temp_dir(), "export"))
        return training.make_config(**{**values, **overrides})

    def test_unwritable_folders(self):
        a_file = os.path.join(self.get_temp_dir(), "a_file")
        with open(a_file, "w") as stream:
            stream.write("not a folder")
        with self.assertRaisesRegex(ConfigError, "cannot write to output_dir .*a_file/run"):
            training.run(self._config(output_dir=os.path.join(a_file, "run")), verbose=0)
        config = self._config(export_dir=os.path.join(a_file, "export"))
        with self.assertRaisesRegex(ConfigError, "cannot write to export_dir .*choose a "
                                                 "writable --export_dir"):
            training.run(config, verbose=0)
        self.assertFalse(os.path.exists(os.path.join(config.output_dir, "checkpoints")))

    def test_a_full_disk(self):
        usage = shutil.disk_usage(self.get_temp_dir())._replace(free=3 * 2**20)
        with mock.patch.object(shutil, "disk_usage", return_value=usage):
            with self.assertRaisesRegex(ConfigError, "has only 3 MiB free, less than the "
                                                     "64 MiB"):
                training.run(self._config(), verbose=0)


@helpers.slow(seconds=30)
class FolderRunTest(tf.test.TestCase):
    """Any folder of mixed images, at the size asked for."""

    def test_a_folder_trains_at_its_image_size_on_a_quiet_screen(self):
        folder = os.path.join(self.get_temp_dir(), "pictures")
        helpers.write_image_folder(folder, corrupt=False)
        run_dir = os.path.join(self.get_temp_dir(), "run")
        result = run_script("train.py", "--dataset=folder", f"--data_dir={folder}",
                      "--image_size=64", "--iterations=20", "--batch_size=2",
                      "--steps_per_execution=5", f"--output_dir={run_dir}",
                      f"--export_dir={run_dir}/export",
                      env={name: value for name, value in os.environ.items()
                           if name != "TF_CPP_MIN_LOG_LEVEL"})
        self.assertEqual(result.returncode, 0, result.stderr)
        generator = tf.saved_model.load(os.path.join(run_dir, "export", "1"))
        images = generator.signatures["serving_default"](z=tf.zeros([2, 10]))["images"]
        self.assertEqual(images.shape, (2, 64, 64, 3))
        # The first compiled call's grid and the last iteration's, though
        # sample_every is 1000.
        self.assertEqual(sorted(os.listdir(os.path.join(run_dir, "samples"))),
                         ["00000005.png", "00000020.png"])
        self.assertIn("20/20", result.stdout)
        # Our lines only: no absl or TensorFlow log prefixes, no start-up notices.
        self.assertStartsWith(result.stderr, "mnist_mlp (github.com/bojone/gan ")
        self.assertIn("data      folder, 6 image files cropped and resized to 64x64x3",
                      result.stderr)
        for line in result.stderr.splitlines():
            self.assertNotRegex(line, r"^[IWEF]\d{4} |oneDNN|cuda|absl|tensorflow")

    def test_folder_dcgan_builds_its_networks_for_the_size(self):
        # At 32 pixels, to be quick; models_test checks them at 128 against
        # the original script's layers.
        folder = os.path.join(self.get_temp_dir(), "faces")
        helpers.write_image_folder(folder)
        run_dir = os.path.join(self.get_temp_dir(), "run")
        result = run_script("train.py", "--preset=folder_dcgan", f"--data_dir={folder}",
                      "--image_size=32", "--channels=1", "--skip_bad_images",
                      "--batch_size=2", "--iterations=1", f"--output_dir={run_dir}",
                      f"--export_dir={run_dir}/export")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("skipping 1 of 7 files that cannot be decoded", result.stderr)
        self.assertIn("networks  dcgan_sized: critic 1,026,624 and", result.stderr)
        generator = tf.saved_model.load(os.path.join(run_dir, "export", "1"))
        images = generator.signatures["serving_default"](z=tf.zeros([2, 128]))["images"]
        self.assertEqual(images.shape, (2, 32, 32, 1))
        self.assertEqual(os.listdir(os.path.join(run_dir, "samples")), ["00000001.png"])


@helpers.slow(seconds=35)
class ScriptErrorsTest(tf.test.TestCase):
    """The other scripts' bad inputs: one line, nothing left behind."""

    def _assert_one_line_error(self, script, pattern, *flags):
        result = run_script(script, *flags)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertRegex(result.stderr.strip(), "^error: " + pattern)
        self.assertLen(result.stderr.strip().splitlines(), 1, result.stderr)

    def test_sample_py(self):
        folder = self.get_temp_dir()
        export = os.path.join(ROOT, "saved_models", "mnist")
        self._assert_one_line_error("sample.py", "--out=.*/missing/g.png: the folder .* does "
                                    "not exist", f"--export_dir={export}",
                                    f"--out={folder}/missing/g.png")
        self._assert_one_line_error("sample.py", f"--out={folder} is a folder; pass a file",
                                    f"--export_dir={export}", f"--out={folder}")
        self._assert_one_line_error("sample.py", r"a grid of 2,000,000 images of 28x28 has "
                                    r"[\d,]+ pixels", f"--export_dir={export}",
                                    "--num=2000000", f"--out={folder}/g.png")
        classifier = os.path.join(ROOT, "wgan_gp_tf", "evaluation", "classifiers", "mnist")
        self._assert_one_line_error("sample.py", ".*classifiers/mnist has no "
                                    "assets.extra/model.json, so it is not a generator",
                                    f"--export_dir={classifier}", f"--out={folder}/g.png")
        self.assertEqual(os.listdir(folder), [])

    def test_a_full_disk_mid_write_is_one_line(self):
        sys_path = list(sys.path)
        self.addCleanup(setattr, sys, "path", sys_path)
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        with mock.patch.dict(os.environ):  # Its quiet start sets TF_CPP_MIN_LOG_LEVEL.
            cli = importlib.import_module("_cli")
        # What TensorFlow's savers and Python's writes raise when the disk fills.
        for error, shown in [
                (tf.errors.ResourceExhaustedError(
                    None, None, "/x/variables/variables_temp/part-00000-of-00001.data-00000-"
                    "of-00001; No space left on device"), "/x/variables/variables_temp/"),
                (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/x/model.json"),
                 "No space left on device: /x/model.json")]:
            def main(argv, error=error):
                raise error

            stderr = io.StringIO()
            with self.subTest(type(error).__name__), contextlib.redirect_stderr(stderr):
                with self.assertRaises(SystemExit) as exit_:
                    cli.one_line_errors(main)([])
                self.assertEqual(exit_.exception.code, 2)
                lines = stderr.getvalue().splitlines()
                self.assertLen(lines, 1)
                self.assertStartsWith(lines[0], "error: the disk is full (")
                self.assertIn(shown, lines[0])
                self.assertIn("run the same command again", lines[0])
        other = OSError(errno.EACCES, "Permission denied")
        with self.assertRaises(OSError):
            cli.one_line_errors(lambda argv: (_ for _ in ()).throw(other))([])

    def test_export_py_checks_its_folder_before_evaluating(self):
        run_dir = os.path.join(self.get_temp_dir(), "run")
        training.run(training.make_config(
            data_dir=helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "d"), 20),
            batch_size=4, iterations=1, sample_every=1, checkpoint_every=1, jit_compile=False,
            output_dir=run_dir, export_dir=os.path.join(run_dir, "export")), verbose=0)
        a_file = os.path.join(self.get_temp_dir(), "a_file")
        with open(a_file, "w") as stream:
            stream.write("not a folder")
        self._assert_one_line_error("export.py", "cannot write to export_dir .*a_file/export",
                                    f"--run_dir={run_dir}", f"--export_dir={a_file}/export")


@helpers.slow(seconds=55)
class BadInputTest(tf.test.TestCase):
    """One line on stderr, no traceback, exit code 2."""

    def _assert_one_line_error(self, pattern, *flags):
        result = run_script("train.py", *flags)
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertLen(lines, 1, result.stderr)
        self.assertRegex(lines[0], "^error: " + pattern)

    def test_bad_flags(self):
        self._assert_one_line_error(
            "flag --penalty=wgan: unknown penalty 'wgan'; choose one of: "
            + re.escape(", ".join(penalties.names())) + "; see --helpfull$", "--penalty=wgan")
        # The config's other refusals are checked in-process in config_test.
        self._assert_one_line_error(r"unexpected arguments 'true': flags take the form "
                                    r"--name=value", "--dry_run", "true")

    def test_bad_data(self):
        missing = os.path.join(self.get_temp_dir(), "missing")
        self._assert_one_line_error(f"data folder {missing} does not exist",
                                    f"--data_dir={missing}")
        broken = os.path.join(self.get_temp_dir(), "broken")
        os.makedirs(broken)
        with open(os.path.join(broken, "train-images-idx3-ubyte.gz"), "wb") as f:
            f.write(b"not gzip at all")
        self._assert_one_line_error("cannot read .*train-images-idx3-ubyte.gz",
                                    f"--data_dir={broken}")

    def test_bad_image_folders(self):
        empty = os.path.join(self.get_temp_dir(), "empty")
        os.makedirs(empty)
        self._assert_one_line_error(f"{empty} holds no image files",
                                    "--preset=celeba_dcgan", f"--data_dir={empty}")
        few = os.path.join(self.get_temp_dir(), "few")
        helpers.write_image_folder(few, corrupt=False)
        self._assert_one_line_error("only 6 training images, fewer than one batch of 64",
                                    "--preset=celeba_dcgan", f"--data_dir={few}",
                                    f"--output_dir={few}/run")
        self._assert_one_line_error("folder reads a folder of images: pass --data_dir=",
                                    "--preset=folder_dcgan", f"--output_dir={few}/run")

    def test_dry_run_prints_the_resolved_config(self):
        result = run_script("train.py", "--dry_run", "--penalty=squared",
                      "--batch_size=64")
        self.assertEqual(result.returncode, 0, result.stderr)
        resolved = json.loads(result.stdout)
        self.assertEqual((resolved["penalty"], resolved["batch_size"],
                          resolved["n_critic"]), ("squared", 64, 5))

    def test_dry_run_refuses_any_invalid_field_in_one_line(self):
        # A value the flag parser refuses, a field's own check, and a setting
        # the config refuses beside another; the config's other messages are
        # checked in config_test and refusals_test.
        cases = {
            "flag --iterations=abc: invalid literal for int": ("--iterations=abc",),
            "flag --architecture=bogus: unknown architecture 'bogus'; choose one of: mlp, ":
                ("--architecture=bogus",),
            r"--clip_value does nothing with --penalty=hinge": ("--clip_value=0.1",),
        }
        for message, flags in cases.items():
            with self.subTest(flags[0]):
                self._assert_one_line_error(message, "--dry_run", *flags)

    def test_every_config_field_has_a_flag_with_its_help(self):
        result = run_script("train.py", "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        # Joined as one line; absl's wrapping may break a line after a hyphen.
        help_text = " ".join(result.stdout.split()).replace("- ", "-")
        self.assertIn("--batch_size: Samples per batch, the critic's, and the generator's unless "
                      "--generator_batch_size; the global batch under a strategy. (Default: the "
                      "preset's; mnist_mlp's is 100.)", help_text)
        for field in dataclasses.fields(training.TrainConfig):
            if field.name != "preset":
                flag = f"--[no]{field.name}:" if field.type is bool else f"--{field.name}:"
                self.assertIn(f"{flag} {field.metadata['help']}", help_text)
        self.assertIn("mnist_mlp (github.com/bojone/gan mnist_gangp.py)", help_text)


if __name__ == "__main__":
    tf.test.main()
