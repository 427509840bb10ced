"""The benchmarks' arithmetic: steady rate and fixed cost, and the time to a target FID."""

import tensorflow as tf

from benchmarks import timing


class SteadyRateTest(tf.test.TestCase):

    def test_start_up_cancels_out(self):
        # 12 s of start-up, then 100 iterations/s.
        rate, fixed = timing.steady_rate_and_fixed_cost(1000, 7000, 22.0, 82.0)
        self.assertAllClose((rate, fixed), (100.0, 12.0))

    def test_a_long_run_that_is_not_longer_is_refused(self):
        with self.assertRaisesRegex(ValueError, "must be longer than the short one"):
            timing.steady_rate_and_fixed_cost(1000, 7000, 30.0, 29.0)


class TimeToTargetTest(tf.test.TestCase):

    def _lines(self, fids):
        # Launched at t=1000; 10 s of training between evaluations of 3 s each.
        return [{"iteration": 500 * (index + 1), "fid": fid,
                 "wall_time": 1000.0 + 10.0 * (index + 1) + 3.0 * index, "eval_seconds": 3.0}
                for index, fid in enumerate(fids)]

    def test_evaluations_before_the_target_are_not_counted(self):
        self.assertEqual(timing.first_at_target(self._lines([300, 180, 140, 120]), 1000.0, 150),
                         (1500, 30.0, 140))

    def test_the_first_evaluation_at_the_target_wins(self):
        self.assertEqual(timing.first_at_target(self._lines([150, 100]), 1000.0, 150),
                         (500, 10.0, 150))

    def test_not_reached(self):
        self.assertIsNone(timing.first_at_target(self._lines([300, 200]), 1000.0, 150))


if __name__ == "__main__":
    tf.test.main()
