"""The benchmarks' arithmetic and reading: steady rate, time to a target FID, profiles."""

import json
import os

import tensorflow as tf

from benchmarks import profile_text, timing
from tests.helpers import run_script


class SteadyRateTest(tf.test.TestCase):

    def test_start_up_cancels_out(self):
        # 12 s of start-up, then 100 iterations/s.
        rate, fixed = timing.steady_rate_and_fixed_cost(1000, 7000, 22.0, 82.0)
        self.assertAllClose((rate, fixed), (100.0, 12.0))

    def test_a_long_run_that_is_not_longer_is_refused(self):
        with self.assertRaisesRegex(ValueError, "must be longer than the short one"):
            timing.steady_rate_and_fixed_cost(1000, 7000, 30.0, 29.0)


class SpreadTest(tf.test.TestCase):

    def test_median_and_range_in_the_given_form(self):
        self.assertEqual(timing.spread([2.0, 1.35, 1.76]), "1.76 (1.35-2.00)")
        self.assertEqual(timing.spread([4.6, 4.5, 4.5], "{:.1f}"), "4.5 (4.5-4.6)")


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

    def test_the_curve_leaves_out_every_evaluation_before_each_point(self):
        self.assertEqual(timing.training_curve(self._lines([300, 180, 140]), 1000.0),
                         [(500, 10.0, 300), (1000, 20.0, 180), (1500, 30.0, 140)])


class KeptRacesTest(tf.test.TestCase):
    """`scripts/time_to_quality.py --results`: races kept across sittings."""

    SETTINGS = {"preset": "mnist_dcgan", "target_fid": 10.0, "eval_every": 500,
                "eval_samples": 5000, "ours_flags": ""}

    def _line(self, side, seed, seconds, settings=SETTINGS):
        return json.dumps(timing.race_record(
            settings, side, seed, (8000, seconds, 9.6),
            [(7500, seconds - 60.0, 10.4), (8000, seconds, 9.6)],
            machine="a CPU", finished="2026-12-08T04:00:00+00:00"))

    def test_a_kept_race_reads_back_by_side_and_seed(self):
        text = "\n".join([self._line("ours", 0, 9000.0), self._line("original", 0, 9900.0)])
        races = timing.finished_races(text, self.SETTINGS)
        self.assertEqual(sorted(races), [("original", 0), ("ours", 0)])
        self.assertEqual(races["ours", 0]["seconds"], 9000.0)
        self.assertEqual(races["original", 0]["curve"], [[7500, 9840.0, 10.4],
                                                         [8000, 9900.0, 9.6]])
        self.assertEqual(races["ours", 0]["machine"], "a CPU")

    def test_races_run_with_other_settings_are_refused(self):
        other = dict(self.SETTINGS, target_fid=150.0)
        with self.assertRaisesRegex(ValueError, "'target_fid': 150.0"):
            timing.finished_races(self._line("ours", 0, 9000.0, other), self.SETTINGS)

    def test_the_script_reports_kept_races_without_running_any(self):
        results = os.path.join(self.get_temp_dir(), "races.jsonl")
        with open(results, "w", encoding="utf-8") as file:
            file.write("\n".join([self._line("ours", 0, 9000.0),
                                  self._line("original", 0, 9900.0)]) + "\n")
        # A data folder that does not exist: a race started would fail on it.
        flags = ["--data_dir=/nonexistent", "--preset=mnist_dcgan", "--target_fid=10",
                 "--seeds=1", f"--results={results}"]
        done = run_script("time_to_quality.py", *flags, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("kept 2026-12-08T04:00:00+00:00", done.stdout)
        self.assertIn("time to target, original / ours: 1.10", done.stdout)
        refused = run_script("time_to_quality.py", *flags, "--target_fid=150", timeout=60)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("pass another --results file", refused.stderr)
        with open(results, encoding="utf-8") as file:
            self.assertEqual([json.loads(line)["side"] for line in file], ["ours", "original"])


class ProfileTextTest(tf.test.TestCase):

    _PROGRAM = """
  %param_0.1 = f32[100,784]{1,0} parameter(0)
  %param_1.2 = f32[784,128]{1,0} parameter(1)
  %dot.7 = f32[100,128]{1,0} dot(%param_0.1, %param_1.2), lhs_contracting_dims={1}
  ROOT %custom-call.3 = f32[100,128]{1,0} custom-call(%dot.7), custom_call_target="__onednn$matmul"
  %fusion.2 = f32[8]{0} fusion(%a), backend_config={"fusion_config":{"kind":"__xnn_fusion"}}
"""

    def test_a_dot_has_its_shapes_and_flops(self):
        self.assertEqual(profile_text.dots(self._PROGRAM), {
            "dot.7": ("f32[100,784] x f32[784,128] -> f32[100,128]", 2 * 100 * 128 * 784)})

    def test_library_calls_are_counted_by_target(self):
        self.assertEqual(dict(profile_text.library_calls(self._PROGRAM)),
                         {"__onednn$matmul": 1, "__xnn_fusion": 1})
        self.assertEqual(dict(profile_text.library_calls("%dot.1 = f32[2]{0} dot(%a, %b)")), {})

    def test_an_executor_event_names_its_op_type(self):
        self.assertEqual(profile_text.op_type("while/body/critic/dense/MatMul:_MklMatMul"),
                         "_MklMatMul")
        for bookkeeping in ("ExecutorState::Process", "ExecutorState::ProcessAsync::Start",
                            "ParallelFor"):
            self.assertIsNone(profile_text.op_type(bookkeeping))


if __name__ == "__main__":
    tf.test.main()
