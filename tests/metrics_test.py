"""The metric code on cases whose answers are known exactly."""

import numpy as np
import tensorflow as tf

from wgan_gp_tf.evaluation import metrics


class Wasserstein1DTest(tf.test.TestCase):

    def test_shift_moves_by_the_shift(self):
        x = np.random.default_rng(0).normal(size=1000)
        self.assertAllClose(metrics.wasserstein_1d(x, x + 0.3), 0.3)
        self.assertAllClose(metrics.wasserstein_1d(x, x), 0.0)

    def test_unequal_sizes_by_hand(self):
        # x = {0, 2}, y = {1}: |F_x - F_y| = 1/2 on [0, 1) and on [1, 2).
        # x = {0}, y = {1, 3}: 1 on [0, 1), 1/2 on [1, 3).
        self.assertAllClose(metrics.wasserstein_1d([0.0, 2.0], [1.0]), 1.0)
        self.assertAllClose(metrics.wasserstein_1d([0.0], [1.0, 3.0]), 2.0)


class FrechetTest(tf.test.TestCase):

    def test_identical_sets_give_zero(self):
        features = np.random.default_rng(1).normal(size=(500, 8))
        self.assertAllClose(metrics.fid(features, features), 0.0, atol=1e-8)

    def test_gaussians_match_the_closed_form(self):
        rng = np.random.default_rng(2)
        mean_a, mean_b = rng.normal(size=4), rng.normal(size=4)
        covariance_a = np.diag([1.0, 2.0, 3.0, 4.0])
        covariance_b = np.diag([4.0, 1.0, 1.0, 9.0])
        # Diagonal covariances commute: Tr(S_a + S_b - 2 sqrt(S_a S_b)) is
        # sum (sqrt(a_i) - sqrt(b_i))^2.
        expected = (np.sum((mean_a - mean_b) ** 2)
                    + np.sum((np.sqrt(np.diag(covariance_a))
                              - np.sqrt(np.diag(covariance_b))) ** 2))
        self.assertAllClose(
            metrics.frechet_distance(mean_a, covariance_a, mean_b, covariance_b), expected)

    def test_sampled_shifted_gaussians_approach_the_closed_form(self):
        rng = np.random.default_rng(3)
        a = rng.normal(size=(200_000, 2))
        b = rng.normal(size=(200_000, 2)) * 2.0 + [3.0, 0.0]
        # ||(3, 0)||^2 + 2 * (1 - 2)^2 = 11.
        self.assertAllClose(metrics.fid(a, b), 11.0, rtol=0.01)

    def test_a_rotated_covariance(self):
        rotation = np.array([[np.cos(0.4), -np.sin(0.4)], [np.sin(0.4), np.cos(0.4)]])
        covariance = rotation @ np.diag([1.0, 9.0]) @ rotation.T
        # Same spectrum, different axes: sqrt(S_a S_b) is not the product of roots.
        value = metrics.frechet_distance(np.zeros(2), np.diag([1.0, 9.0]),
                                         np.zeros(2), covariance)
        root_a = np.diag([1.0, 3.0])
        cross = np.linalg.eigvals(root_a @ covariance @ root_a)
        expected = 20.0 - 2.0 * np.sum(np.sqrt(cross.real))
        self.assertAllClose(value, expected)
        self.assertGreater(value, 0.0)


class KernelInceptionDistanceTest(tf.test.TestCase):

    def test_same_law_is_near_zero_and_a_shift_is_not(self):
        rng = np.random.default_rng(4)
        a, b = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
        same, _ = metrics.kid(a, b, subsets=20, subset_size=500)
        shifted, _ = metrics.kid(a, b + 1.0, subsets=20, subset_size=500)
        self.assertLess(abs(same), 0.01)
        self.assertGreater(shifted, 10 * abs(same) + 0.1)

    def test_unbiased_estimate_on_a_tiny_case(self):
        a = np.array([[0.0], [1.0]])
        b = np.array([[2.0], [3.0]])
        k = lambda x, y: (x * y + 1.0) ** 3  # noqa: E731 (D = 1)
        expected = (2 * k(0, 1) / 2 + 2 * k(2, 3) / 2
                    - 2 * np.mean([k(x, y) for x in (0, 1) for y in (2, 3)]))
        value, spread = metrics.kid(a, b, subsets=3, subset_size=2)
        self.assertAllClose(value, expected)
        self.assertAllClose(spread, 0.0)


class ClassScoresTest(tf.test.TestCase):

    def test_inception_score_bounds(self):
        confident_even = np.eye(10)[np.arange(1000) % 10]
        self.assertAllClose(metrics.inception_score(confident_even)[0], 10.0, rtol=1e-6)
        collapsed = np.tile(np.eye(10)[3], (1000, 1))
        self.assertAllClose(metrics.inception_score(collapsed)[0], 1.0, rtol=1e-6)
        uncertain = np.full((1000, 10), 0.1)
        self.assertAllClose(metrics.inception_score(uncertain)[0], 1.0, rtol=1e-6)

    def test_inception_score_of_a_small_table_by_hand(self):
        # The marginal is (0.5, 0.5), so each row's KL is
        # 0.9 ln(0.9 / 0.5) + 0.1 ln(0.1 / 0.5) and the score 1.8^0.9 * 0.2^0.1.
        # Split in two, each part is one row and scores 1.
        table = [[0.9, 0.1], [0.1, 0.9]]
        self.assertAllClose(metrics.inception_score(table, splits=1),
                            [1.8 ** 0.9 * 0.2 ** 0.1, 0.0], rtol=1e-9)
        self.assertAllClose(metrics.inception_score(table, splits=2), [1.0, 0.0])

    def test_inception_score_of_fewer_rows_than_splits(self):
        # Three rows and 10 splits: three splits of one row, each scoring 1,
        # where empty splits used to give NaN.
        self.assertAllClose(metrics.inception_score(np.eye(10)[[0, 1, 2]]), [1.0, 0.0])
        score, spread = metrics.inception_score(np.eye(10)[[0, 1, 0, 1]], splits=2)
        self.assertAllClose([score, spread], [2.0, 0.0], rtol=1e-6)

    def test_class_coverage(self):
        even = metrics.class_coverage(np.eye(10)[np.arange(1000) % 10])
        self.assertEqual(even["classes_covered"], 10)
        self.assertAllClose(even["coverage_kl"], 0.0)
        two = metrics.class_coverage(np.eye(10)[np.arange(1000) % 2])
        self.assertEqual(two["classes_covered"], 2)
        self.assertAllClose(two["coverage_kl"], np.log(5.0))
        self.assertAllClose(two["class_shares"][:3], [0.5, 0.5, 0.0])


if __name__ == "__main__":
    tf.test.main()
