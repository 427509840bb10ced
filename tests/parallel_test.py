"""The parallel runner hands out every test class once, the slowest first."""

import os
import unittest

import tensorflow as tf

from tests import parallel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ParallelRunnerTest(tf.test.TestCase):

    def test_every_class_once_and_the_slow_ones_first(self):
        suite = unittest.defaultTestLoader.discover("tests", pattern="*_test.py",
                                                    top_level_dir=ROOT)
        names = parallel._ordered(list(parallel._test_classes(suite)))
        self.assertLen(names, len(set(names)))
        # A renamed or deleted slow class would silently lose its early start.
        self.assertEqual(names[:len(parallel.SLOW_FIRST)], list(parallel.SLOW_FIRST))
        self.assertIn("tests.parallel_test.ParallelRunnerTest", names)
        self.assertIn("tests.penalties_test.ClosedFormTest", names)

    def test_a_class_runs_and_reports_its_counts(self):
        name = "tests.losses_test.RegistryTest"
        result = parallel._run(name)
        self.assertTrue(result["ok"], result["output"])
        count = unittest.defaultTestLoader.loadTestsFromName(name).countTestCases()
        self.assertEqual((result["run"], result["failures"], result["errors"]), (count, 0, 0))


if __name__ == "__main__":
    tf.test.main()
