"""The trainer and what it is made of: losses, penalties, noise, the train functions, replicas.

Imports nothing of the package but `wgan_gp_tf.errors`; every other layer
builds on this one.
"""

from wgan_gp_tf.core import classes, distribute, losses, penalties, sampling
from wgan_gp_tf.core.losses import Loss, LossOutput
from wgan_gp_tf.core.penalties import (
    Penalty,
    PenaltyOutput,
    diff_hinge_penalty,
    diff_squared_penalty,
    div_penalty,
    hinge_penalty,
    no_penalty,
    squared_penalty,
)
from wgan_gp_tf.core.sampling import PRIORS
from wgan_gp_tf.core.trainer import METRIC_NAMES, WGANGP

__all__ = ["METRIC_NAMES", "PRIORS", "Loss", "LossOutput", "Penalty", "PenaltyOutput", "WGANGP",
           "classes", "diff_hinge_penalty", "diff_squared_penalty", "distribute", "div_penalty",
           "hinge_penalty", "losses", "no_penalty", "penalties", "sampling", "squared_penalty"]
