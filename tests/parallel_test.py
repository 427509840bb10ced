"""The parallel runner hands out every test class once, the slowest first."""

import os
import unittest

import tensorflow as tf

from tests import parallel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ParallelRunnerTest(tf.test.TestCase):

    def _classes(self):
        suite = unittest.defaultTestLoader.discover("tests", pattern="*_test.py",
                                                    top_level_dir=ROOT)
        return list(parallel._test_classes(suite))

    def test_every_class_once_and_the_slow_ones_first_slowest_first(self):
        classes = self._classes()
        names = parallel._ordered(classes, fast=False)
        self.assertCountEqual(names, [name for name, _ in classes])
        self.assertLen(names, len(set(names)))
        seconds = dict(classes)
        marked = [name for name in names if seconds[name]]
        self.assertEqual(names[:len(marked)], marked)
        self.assertEqual([seconds[name] for name in marked],
                         sorted((seconds[name] for name in marked), reverse=True))
        self.assertIn("tests.toys_test.ToyRunTest", marked)

    def test_the_fast_tier_is_every_unmarked_class(self):
        classes = self._classes()
        fast = parallel._ordered(classes, fast=True)
        self.assertEqual(fast, [name for name, seconds in classes if not seconds])
        self.assertIn("tests.penalties_test.ClosedFormTest", fast)
        self.assertNotIn("tests.scripts_test.RealMnistRunTest", fast)

    def test_a_class_runs_and_reports_its_counts(self):
        name = "tests.losses_test.RegistryTest"
        result = parallel._run(name)
        self.assertTrue(result["ok"], result["output"])
        count = unittest.defaultTestLoader.loadTestsFromName(name).countTestCases()
        self.assertEqual((result["run"], result["failures"], result["errors"]), (count, 0, 0))


if __name__ == "__main__":
    tf.test.main()
