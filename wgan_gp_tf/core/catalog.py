"""The core's names, known without importing TensorFlow: what a config may choose.

`wgan_gp_tf.training.config` checks a config against these, and the scripts
show them in `--help`, before anything imports TensorFlow; the penalties and
losses themselves are registered by their modules when first asked for.
"""

from wgan_gp_tf.registry import Registry

PENALTIES = Registry("penalty", declared=(
    "hinge", "squared", "diff_hinge", "diff_squared", "div", "none", "clip"),
    loader="wgan_gp_tf.core.penalties")
LOSSES = Registry("loss", declared=("wasserstein", "standard", "relativistic", "hinge"),
                  loader="wgan_gp_tf.core.losses")

# WGAN-div's exponent p, as keras/wgan_div_celeba.py sets it.
DIV_POWER = 6.0

# U(-1, 1) (the original scripts), U(0, 1) (the post's 1-D question), N(0, 1).
PRIORS = ("uniform", "unit_uniform", "normal")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
