"""The penalty functions: one per Lipschitz constraint on the critic, TF-GAN style.

The forms are those of Su Jianlin's post "互怼的艺术:从零直达WGAN-GP"
(kexue.fm/archives/4439) and its code (github.com/bojone/gan), WGAN-div of the
same repository, plus no constraint at all, for comparison.

Every function has the same signature, `fn(critic, real, fake, seed) ->
PenaltyOutput`, and knows nothing but a critic and two batches of equal shape
`[B, ...]`. It returns the *unweighted* penalty; the trainer multiplies it by
lambda. `wgan_gp_tf.core.penalties` wraps each in the object `WGANGP` takes.
"""

from typing import NamedTuple

import tensorflow as tf

from wgan_gp_tf.core import gradients
from wgan_gp_tf.core.catalog import DIV_POWER


class PenaltyOutput(NamedTuple):
    """What a penalty function returns.

    Attributes:
        value: scalar, the unweighted penalty (a term of the critic loss).
        norm: scalar, for monitoring only: the mean gradient norm of the critic
            at the interpolates, or for the finite-difference forms the mean
            Lipschitz quotient. It carries no gradient.
    """

    value: tf.Tensor
    norm: tf.Tensor


def _output(per_example_penalty, norms):
    return PenaltyOutput(
        tf.reduce_mean(per_example_penalty), tf.stop_gradient(tf.reduce_mean(norms))
    )


def hinge_penalty(critic, real, fake, seed):
    """The post's hinge form: `mean_i max(||grad D(x_hat_i)||, 1)`.

    This equals `1 + mean_i relu(||grad|| - 1)`; the original mnist_gangp.py
    writes the latter, and both give the same gradients.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` for the interpolation.

    Returns:
        `PenaltyOutput(value, mean gradient norm)`.
    """
    norms = gradients.norms_at_interpolates(critic, real, fake, seed)
    return _output(tf.maximum(norms, 1.0), norms)


def squared_penalty(critic, real, fake, seed):
    """The two-sided form of Gulrajani et al. 2017: `mean_i (||grad|| - 1)^2`.

    Args: as for `hinge_penalty`.

    Returns:
        `PenaltyOutput(value, mean gradient norm)`.
    """
    norms = gradients.norms_at_interpolates(critic, real, fake, seed)
    return _output(tf.square(norms - 1.0), norms)


def diff_hinge_penalty(critic, real, fake, seed):
    """The post's finite-difference hinge form: `mean_i max(q_i, 1)`.

    `q_i = |D(y1_i) - D(y2_i)| / ||y1_i - y2_i||` for two independent
    interpolates of the same pair; no second-order gradient is needed.

    Args: as for `hinge_penalty`; `seed` draws both interpolations.

    Returns:
        `PenaltyOutput(value, mean Lipschitz quotient)`.
    """
    quotients = gradients.lipschitz_quotients(critic, real, fake, seed)
    return _output(tf.maximum(quotients, 1.0), quotients)


def diff_squared_penalty(critic, real, fake, seed):
    """The post's finite-difference squared form: `mean_i (q_i - 1)^2`.

    Args: as for `diff_hinge_penalty`.

    Returns:
        `PenaltyOutput(value, mean Lipschitz quotient)`.
    """
    quotients = gradients.lipschitz_quotients(critic, real, fake, seed)
    return _output(tf.square(quotients - 1.0), quotients)


def div_penalty(critic, real, fake, seed, power=DIV_POWER):
    """WGAN-div's penalty (Wu et al. 2018; kexue.fm/archives/6139), at the samples themselves.

    `(mean_i ||grad D(real_i)||^p + mean_i ||grad D(fake_i)||^p) / 2`, with no
    interpolation and no Lipschitz target. keras/wgan_div_celeba.py weights
    `k/2 * mean(...)` with k = 2 and p = 6: that is `penalty_weight=2` here.

    Args:
        critic, real, fake: as for `hinge_penalty`.
        seed: unused; the signature is every penalty's.
        power: the exponent p.

    Returns:
        `PenaltyOutput(value, mean gradient norm over both batches)`.
    """
    del seed
    norms = tf.concat([gradients.norms_at(critic, real), gradients.norms_at(critic, fake)], 0)
    return _output(tf.pow(norms, power), norms)


def no_penalty(critic, real, fake, seed):
    """No constraint: the critic loss runs away, as the post predicts.

    The gradient norm at the interpolates is still measured, to show it.

    Args: as for `hinge_penalty`.

    Returns:
        `PenaltyOutput(0, mean gradient norm)`.
    """
    norms = tf.stop_gradient(gradients.norms_at_interpolates(critic, real, fake, seed))
    return PenaltyOutput(tf.zeros([], norms.dtype), tf.reduce_mean(norms))
