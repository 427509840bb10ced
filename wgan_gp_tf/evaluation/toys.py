"""Judging generated points of a toy problem by their distance to the true law."""

import dataclasses

import numpy as np
import tensorflow as tf

from wgan_gp_tf.data import toys
from wgan_gp_tf.evaluation import metrics


def wasserstein_estimate(dataset, generated, seed=1, projections=200):
    """W1 between generated points and fresh points of `dataset`, as much as known.

    1-D: exact between the two samples (equal sizes). 2-D: the sliced W1, the
    mean over `projections` random directions of the exact 1-D W1 of the
    projected samples; it is a lower bound of W1 and 0 only for equal laws.

    Args:
        dataset: a toy name (`wgan_gp_tf.data.toys.DIMENSIONS`).
        generated: points `[N, D]`.
        seed: seeds the reference points and the directions.
        projections: directions for the sliced estimate.

    Returns:
        float.
    """
    generated = np.asarray(generated, np.float64)
    reference = toys.sample(dataset, len(generated), tf.constant([seed, -1], tf.int64)).numpy()
    if generated.shape[1] == 1:
        return metrics.wasserstein_1d(generated[:, 0], reference[:, 0])
    directions = np.random.default_rng(seed).normal(size=(projections, generated.shape[1]))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return float(np.mean([metrics.wasserstein_1d(generated @ d, reference @ d)
                          for d in directions]))


@dataclasses.dataclass(frozen=True)
class ToyEvaluator:
    """The W1 estimate of a toy problem (`wasserstein_estimate`)."""

    dataset: str

    def __call__(self, points):
        """`{"samples", "w1"}` of generated points `[N, D]`."""
        return {"samples": len(points), "w1": wasserstein_estimate(self.dataset, points)}
