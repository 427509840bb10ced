"""The trainer and what it is made of: penalties, noise, the train functions, replicas.

Imports nothing of the package but `wgan_gp_tf.errors`; every other layer
builds on this one.
"""

from wgan_gp_tf.core import distribute, penalties, sampling
from wgan_gp_tf.core.penalties import (
    Penalty,
    PenaltyOutput,
    diff_hinge_penalty,
    diff_squared_penalty,
    hinge_penalty,
    no_penalty,
    squared_penalty,
)
from wgan_gp_tf.core.sampling import PRIORS
from wgan_gp_tf.core.trainer import METRIC_NAMES, WGANGP

__all__ = ["METRIC_NAMES", "PRIORS", "Penalty", "PenaltyOutput", "WGANGP", "diff_hinge_penalty",
           "diff_squared_penalty", "distribute", "hinge_penalty", "no_penalty", "penalties",
           "sampling", "squared_penalty"]
