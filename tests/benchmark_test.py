"""scripts/benchmark.py's arithmetic: steady rate and fixed cost from two whole runs."""

import functools
import importlib.util
import os

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Once: the script defines its absl flags when loaded.
@functools.cache
def _load_script():
    spec = importlib.util.spec_from_file_location(
        "benchmark_script", os.path.join(ROOT, "scripts", "benchmark.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SteadyRateTest(tf.test.TestCase):

    def test_start_up_cancels_out(self):
        benchmark = _load_script()
        # 12 s of start-up, then 100 iterations/s.
        rate, fixed = benchmark.steady_rate_and_fixed_cost(1000, 7000, 22.0, 82.0)
        self.assertAllClose((rate, fixed), (100.0, 12.0))

    def test_a_long_run_that_is_not_longer_is_refused(self):
        benchmark = _load_script()
        with self.assertRaisesRegex(ValueError, "must be longer than the short one"):
            benchmark.steady_rate_and_fixed_cost(1000, 7000, 30.0, 29.0)


if __name__ == "__main__":
    tf.test.main()
