"""Settings this machine cannot make faster are said once, at the start of a run."""

from unittest import mock

import tensorflow as tf

from wgan_gp_tf import training
from wgan_gp_tf.training import hardware


def _warn(flags, **settings):
    """`warn_if_slow_here` for mnist_dcgan with `settings`, on a CPU with `flags`, no GPU."""
    config = training.make_config("mnist_dcgan", **settings)
    with mock.patch.object(hardware, "cpu_flags", return_value=flags), \
            mock.patch.object(tf.config, "list_logical_devices", return_value=[]):
        hardware.warn_if_slow_here(config, tf.distribute.get_strategy())


class WarnIfSlowHereTest(tf.test.TestCase):

    def test_bfloat16_without_its_instructions(self):
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            _warn(frozenset({"avx512f", "avx512_vnni"}), mixed_precision="bfloat16")
        self.assertIn("this CPU has no bfloat16 instructions (avx512_bf16 or amx_bf16)",
                      logs.output[0])
        with self.assertNoLogs("wgan_gp_tf"):
            _warn(frozenset({"avx512f", "avx512_bf16"}), mixed_precision="bfloat16")

    def test_float16_on_a_cpu(self):
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            _warn(None, mixed_precision="float16")
        self.assertIn("float16 on a CPU is emulated", logs.output[0])

    def test_mirrored_on_one_device(self):
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            _warn(None, strategy="mirrored")
        self.assertIn("--strategy=mirrored found one device", logs.output[0])

    def test_nothing_to_say_by_default(self):
        with self.assertNoLogs("wgan_gp_tf"):
            _warn(frozenset())


if __name__ == "__main__":
    tf.test.main()
