"""XLA's compilation cache: its folder, the flag it sets, the notices it holds back."""

import contextlib
import os
import tempfile
from unittest import mock

import tensorflow as tf

from tests.helpers import checkpoint_tensors, run_script, slow
from wgan_gp_tf.core import xla_cache
from wgan_gp_tf.native_output import held_stderr

_NOTICES = (b"E0000 text_format.cc:378] Error parsing text-format "
            b"tensorflow.XlaSerializedCacheEntry: 2:1: Expected identifier, got: 4\n"
            b"E0000 cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. Target machine feature "
            b"+prefer-no-scatter is not  supported on the host machine.\n")
_REAL_MISMATCH = (b"E0000 cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. Target machine "
                  b"feature +avx512f is not  supported on the host machine.\n")


@contextlib.contextmanager
def _descriptor_2_to_file():
    """Points file descriptor 2 at a temporary file; yields a function reading it."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as file:
        os.dup2(file.fileno(), 2)
        try:
            yield lambda: (file.seek(0), file.read())[1]
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class HeldStderrTest(tf.test.TestCase):

    def test_kept_lines_are_written_after_the_block_and_the_rest_dropped(self):
        with _descriptor_2_to_file() as written:
            with held_stderr(keep=lambda line: b"drop" not in line):
                os.write(2, b"keep this\ndrop this\nand this\n")
                self.assertEqual(written(), b"")
            self.assertEqual(written(), b"keep this\nand this\n")

    def test_everything_is_written_when_the_block_raises(self):
        with _descriptor_2_to_file() as written:
            with self.assertRaises(KeyError), held_stderr(keep=lambda line: False):
                os.write(2, b"why it failed\n")
                raise KeyError
            self.assertEqual(written(), b"why it failed\n")


class EnableTest(tf.test.TestCase):

    def setUp(self):
        super().setUp()
        self.base = tempfile.mkdtemp(dir=self.get_temp_dir())

    def test_sets_the_flag_to_a_folder_per_version_and_cpu(self):
        with mock.patch.dict(os.environ, {"TF_XLA_FLAGS": "--tf_xla_auto_jit=0"}):
            folder = xla_cache.enable(self.base)
            self.assertEqual(os.environ["TF_XLA_FLAGS"],
                             f"--tf_xla_auto_jit=0 --tf_xla_persistent_cache_directory={folder}")
            self.assertTrue(xla_cache.enabled())
        self.assertEqual(os.path.dirname(folder), self.base)
        self.assertStartsWith(os.path.basename(folder), f"tf-{tf.__version__}-")
        self.assertTrue(os.path.isdir(folder))

    def test_another_cpu_gets_another_folder(self):
        here = xla_cache.machine_directory(self.base)
        with mock.patch.object(xla_cache, "cpu_flags", return_value=frozenset({"sse2"})):
            self.assertNotEqual(xla_cache.machine_directory(self.base), here)

    def test_leaves_a_folder_the_user_set_alone(self):
        flags = "--tf_xla_persistent_cache_directory=/theirs"
        with mock.patch.dict(os.environ, {"TF_XLA_FLAGS": flags}):
            self.assertIsNone(xla_cache.enable(self.base))
            self.assertEqual(os.environ["TF_XLA_FLAGS"], flags)

    def test_a_folder_that_cannot_be_made_leaves_the_cache_off(self):
        blocker = os.path.join(self.base, "a_file")
        open(blocker, "w").close()
        with mock.patch.dict(os.environ, {}, clear=True), \
                self.assertLogs(xla_cache.logger, "WARNING") as logs:
            self.assertIsNone(xla_cache.enable(blocker))
            self.assertFalse(xla_cache.enabled())
        self.assertIn("--xla_cache_dir", logs.output[0])

    def test_the_default_follows_xdg_cache_home(self):
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": "/somewhere"}):
            self.assertEqual(xla_cache.default_directory(), "/somewhere/wgan_gp_tf/xla")


class CpuInfoTest(tf.test.TestCase):

    _CPUINFO = ("processor\t: 0\nmodel name\t: AMD EPYC 9B14\n"
                "flags\t\t: fpu sse2 avx512_bf16\nprocessor\t: 1\n")

    def setUp(self):
        super().setUp()
        xla_cache._cpuinfo.cache_clear()
        self.addCleanup(xla_cache._cpuinfo.cache_clear)

    def test_the_model_and_the_flags_of_the_first_processor(self):
        with mock.patch("builtins.open", mock.mock_open(read_data=self._CPUINFO)):
            self.assertEqual(xla_cache.cpu_model(), "AMD EPYC 9B14")
            self.assertEqual(xla_cache.cpu_flags(), frozenset({"fpu", "sse2", "avx512_bf16"}))

    def test_none_where_cpuinfo_cannot_be_read(self):
        with mock.patch("builtins.open", side_effect=OSError("no /proc")):
            self.assertIsNone(xla_cache.cpu_model())
            self.assertIsNone(xla_cache.cpu_flags())


class QuietFirstCallTest(tf.test.TestCase):

    def _noisy(self):
        def load():
            os.write(2, _NOTICES + _REAL_MISMATCH + b"anything else\n")
            return 7

        return xla_cache.quiet_first_call(load)

    def test_the_first_call_drops_only_the_loading_notices(self):
        noisy = self._noisy()
        flags = {"TF_XLA_FLAGS": "--tf_xla_persistent_cache_directory=/x"}
        with mock.patch.dict(os.environ, flags), _descriptor_2_to_file() as written:
            self.assertEqual(noisy(), 7)
            self.assertEqual(written(), _REAL_MISMATCH + b"anything else\n")
            noisy()
            self.assertEqual(written(), _REAL_MISMATCH + b"anything else\n" + _NOTICES
                             + _REAL_MISMATCH + b"anything else\n")

    def test_without_the_cache_nothing_is_held(self):
        noisy = self._noisy()
        with mock.patch.dict(os.environ, {"TF_XLA_FLAGS": ""}), \
                _descriptor_2_to_file() as written:
            noisy()
            self.assertEqual(written(), _NOTICES + _REAL_MISMATCH + b"anything else\n")


@slow(40)
class CachedRunTest(tf.test.TestCase):
    """A second process loads the first one's program: the same weights, nothing printed."""

    def test_a_run_from_the_cache_trains_the_same_weights_quietly(self):
        cache = tempfile.mkdtemp(dir=self.get_temp_dir())
        runs = []
        for _ in range(2):
            run_dir = os.path.join(tempfile.mkdtemp(dir=self.get_temp_dir()), "run")
            result = run_script("train.py", "--preset=toy_mlp", "--iterations=20",
                                f"--xla_cache_dir={cache}", f"--output_dir={run_dir}")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertNotIn("XlaSerializedCacheEntry", result.stderr)
            self.assertNotIn("prefer-no-", result.stderr)
            runs.append(checkpoint_tensors(os.path.join(run_dir, "checkpoints", "ckpt-20")))
        [folder] = os.listdir(cache)
        self.assertLen(os.listdir(os.path.join(cache, folder)), 1)
        self.assertEqual(runs[0].keys(), runs[1].keys())
        for name, tensor in runs[0].items():
            self.assertAllEqual(tensor, runs[1][name], msg=name)

    def test_an_empty_folder_flag_compiles_every_time(self):
        run_dir = os.path.join(tempfile.mkdtemp(dir=self.get_temp_dir()), "run")
        cache_home = tempfile.mkdtemp(dir=self.get_temp_dir())
        result = run_script("train.py", "--preset=toy_mlp", "--iterations=20",
                            "--xla_cache_dir=", f"--output_dir={run_dir}",
                            env={**os.environ, "XDG_CACHE_HOME": cache_home})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("wgan_gp_tf", os.listdir(cache_home))

