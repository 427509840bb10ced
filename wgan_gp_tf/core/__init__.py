"""The trainer and what it is made of: losses, penalties, noise, the train functions, replicas.

Imports nothing of the package but `wgan_gp_tf.errors`, `wgan_gp_tf.native_output`
and `wgan_gp_tf.registry`; every other layer builds on this one.
"""

from wgan_gp_tf.core import classes, distribute, gradients, losses, penalties, sampling, schedules
from wgan_gp_tf.core.generation import GeneratingModel
from wgan_gp_tf.core.losses import Loss, LossOutput
from wgan_gp_tf.core.metrics import METRIC_NAMES
from wgan_gp_tf.core.penalties import Penalty, PenaltyOutput
from wgan_gp_tf.core.sampling import PRIORS
from wgan_gp_tf.core.trainer import WGANGP

__all__ = ["METRIC_NAMES", "PRIORS", "WGANGP", "GeneratingModel", "Loss", "LossOutput",
           "Penalty", "PenaltyOutput", "classes", "distribute", "gradients", "losses",
           "penalties", "sampling", "schedules"]
