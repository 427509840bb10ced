"""Toy problems whose answers are known: the post's 1-D question, the paper's 2-D sets.

    toy_1d       N(0, 1), to be made from 1-d U[0, 1] noise: the exact maps are
                 x -> Phi^-1(x) and x -> Phi^-1(1 - x).
    8gaussians   8 Gaussians (std 0.02) on a circle of radius 2, scaled by 1/1.414.
    25gaussians  25 Gaussians (std 0.05) on the grid {-4, -2, 0, 2, 4}^2, scaled by 1/2.828.
    swissroll    sklearn's 2-D Swiss roll with noise 0.25, scaled by 1/7.5.

The 2-D sets follow gan_toy.py of the WGAN-GP paper's code. Points are drawn
in the graph by stateless RNGs keyed by (seed, iteration), so a stream is
the same for a seed and resumes exactly. Each is a `ToySource`, not
exported; `wgan_gp_tf.evaluation.toys` judges samples by their W1 estimate.
"""

import dataclasses
import math
import statistics

import numpy as np
import tensorflow as tf

from wgan_gp_tf.data.sources import DataSource, TrainingData
from wgan_gp_tf.errors import DataError

DIMENSIONS = {"toy_1d": 1, "8gaussians": 2, "25gaussians": 2, "swissroll": 2}


def inverse_normal_cdf(noise):
    """Phi^-1 at each value of `noise` in (0, 1): toy_1d's exact map, float64.

    The other exact map, x -> Phi^-1(1 - x), is its negative.
    """
    normal = statistics.NormalDist()
    return np.array([normal.inv_cdf(float(value)) for value in np.ravel(noise)])


def sample(dataset, count, seed):
    """`count` points of a toy distribution, float32 `[count, D]`.

    Args:
        dataset: a name from `DIMENSIONS`.
        count: number of points.
        seed: int32/int64 tensor `[2]`; the points depend on it alone.
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 3)
    if dataset == "toy_1d":
        return tf.random.stateless_normal([count, 1], seeds[0])
    if dataset == "8gaussians":
        angles = tf.cast(tf.random.stateless_uniform(
            [count], seeds[0], maxval=8, dtype=tf.int32), tf.float32) * (math.pi / 4)
        centres = 2.0 * tf.stack([tf.cos(angles), tf.sin(angles)], axis=1)
        return (centres + 0.02 * tf.random.stateless_normal([count, 2], seeds[1])) / 1.414
    if dataset == "25gaussians":
        cells = tf.random.stateless_uniform([count, 2], seeds[0], maxval=5, dtype=tf.int32)
        centres = 2.0 * tf.cast(cells - 2, tf.float32)
        return (centres + 0.05 * tf.random.stateless_normal([count, 2], seeds[1])) / 2.828
    if dataset == "swissroll":
        t = 1.5 * math.pi * (1.0 + 2.0 * tf.random.stateless_uniform([count], seeds[0]))
        roll = tf.stack([t * tf.cos(t), t * tf.sin(t)], axis=1)
        return (roll + 0.25 * tf.random.stateless_normal([count, 2], seeds[1])) / 7.5
    raise ValueError(f"unknown toy data set {dataset!r}")


def training_batches(dataset, *, batch_size, per_iteration, seed, start_iteration=0):
    """The training stream of a toy problem, like `data.training_batches`.

    Returns:
        An infinite `tf.data.Dataset` of float32 `[per_iteration, batch_size, D]`.
    """
    dimension = DIMENSIONS[dataset]

    def iteration_batches(iteration):
        points = sample(dataset, per_iteration * batch_size,
                        tf.stack([tf.cast(seed, tf.int64), iteration]))
        return tf.reshape(points, [per_iteration, batch_size, dimension])

    return (tf.data.Dataset.counter(start_iteration)
            .map(iteration_batches, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


@dataclasses.dataclass(frozen=True)
class ToySource(DataSource):
    """A toy distribution: points drawn in the graph from a seed.

    Attributes:
        name: a name from `DIMENSIONS`.
    """

    name: str
    makes = "points"
    exportable = False

    @property
    def shape(self):
        return (DIMENSIONS[self.name],)

    def training_data(self, *, batch_size, skip_bad_images=False, cache_images=False,
                      labelled=False):
        """The toy's endless stream, drawn afresh every iteration."""
        del batch_size, skip_bad_images, cache_images
        if labelled:
            raise DataError(f"{self.name} points have no labels to condition on")
        return ToyTrainingData(self.name)

    def sample(self, count, seed):
        """`count` points `[count, D]` that depend on the int `seed` alone."""
        return sample(self.name, count, tf.constant([seed, -2], tf.int64)).numpy()


@dataclasses.dataclass(frozen=True)
class ToyTrainingData(TrainingData):
    """A toy's points, drawn per iteration from the seed."""

    dataset: str

    def batches(self, *, batch_size, per_iteration, seed, value_range=None, start_iteration=0):
        del value_range
        return training_batches(self.dataset, batch_size=batch_size, per_iteration=per_iteration,
                                seed=seed, start_iteration=start_iteration)

    def description(self):
        return f"{DIMENSIONS[self.dataset]}-d points drawn afresh every iteration"


TOY_SOURCES = tuple(ToySource(name) for name in DIMENSIONS)
