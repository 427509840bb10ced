"""Lipschitz penalties on the critic, one function per form, and their registry.

The forms are those of Su Jianlin's post "互怼的艺术:从零直达WGAN-GP"
(kexue.fm/archives/4439) and its code (github.com/bojone/gan), WGAN-div of the
same repository, plus the original WGAN's weight clipping and no constraint at
all, for comparison.

Every penalty function has the same signature,
`fn(critic, real, fake, seed) -> PenaltyOutput`, and knows nothing but a critic
and two batches of equal shape `[B, ...]`. It returns the *unweighted* penalty;
the trainer multiplies it by lambda. Norms are taken per example over all
non-batch axes, so flat `[B, D]` and image `[B, H, W, C]` inputs give the same
values. `get` resolves a registered name, a `Penalty` or such a function;
`register` adds a `Penalty` under its name.
"""

import dataclasses
import functools
from collections.abc import Callable
from typing import NamedTuple

import keras
import tensorflow as tf

from wgan_gp_tf.core import distribute
from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.registry import Registry

# Inside the square root, so that a zero gradient has a finite derivative.
NORM_EPSILON = 1e-12

# WGAN-div's exponent p, as keras/wgan_div_celeba.py sets it.
DIV_POWER = 6.0


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


def per_example_norm(x):
    """Euclidean norm of each example of `x` over all non-batch axes.

    Args:
        x: tensor `[B, ...]`.

    Returns:
        Tensor `[B]`, `sqrt(sum(x**2) + NORM_EPSILON)`.
    """
    axes = list(range(1, len(x.shape)))
    return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axes) + NORM_EPSILON)


def interpolate(real, fake, seed):
    """Draws `eps * fake + (1 - eps) * real`, one `eps ~ U[0, 1]` per example.

    Args:
        real: tensor `[B, ...]`.
        fake: tensor of the same shape and dtype.
        seed: a `keras.random.SeedGenerator` (or an int) for `eps`.

    Returns:
        Tensor of the shape of `real`. Under several replicas, `eps` is this
        replica's rows of the draw over the global batch.
    """
    return _blend(real, fake, _interpolation_weights(real, seed))


def _blend(real, fake, eps):
    return eps * fake + (1.0 - eps) * real


def _interpolation_weights(real, seed):
    unit_axes = [1] * (len(real.shape) - 1)
    return distribute.replica_rows(
        lambda size: keras.random.uniform([size, *unit_axes], dtype=real.dtype, seed=seed),
        tf.shape(real)[0])


def _critic_values(critic, x):
    return tf.reshape(critic(x, training=True), [-1])


def _gradient_norms(critic, real, fake, seed):
    """Norms `[B]` of grad D at per-example interpolates (a nested tape).

    A critic that can take the gradient at interpolates itself
    (`wgan_gp_tf.core.stems.CriticScores`) is asked first.
    """
    eps = _interpolation_weights(real, seed)
    at_interpolates = getattr(critic, "gradients_at_interpolates", None)
    gradients = at_interpolates(real, fake, eps) if at_interpolates else None
    if gradients is None:
        return _gradient_norms_at(critic, _blend(real, fake, eps))
    return per_example_norm(gradients)


def _gradient_norms_at(critic, samples):
    samples = tf.convert_to_tensor(samples)
    with tf.GradientTape() as tape:
        tape.watch(samples)
        values = _critic_values(critic, samples)
    return per_example_norm(tape.gradient(values, samples))


def _lipschitz_quotients(critic, real, fake, seed):
    """Quotients `[B]`, |D(y1) - D(y2)| / ||y1 - y2||, two interpolates each."""
    first = interpolate(real, fake, seed)
    second = interpolate(real, fake, seed)
    both = _critic_values(critic, tf.concat([first, second], axis=0))
    first_values, second_values = tf.split(both, 2)
    return tf.abs(first_values - second_values) / per_example_norm(first - second)


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
    norms = _gradient_norms(critic, real, fake, seed)
    return _output(tf.maximum(norms, 1.0), norms)


def squared_penalty(critic, real, fake, seed):
    """The two-sided form of Gulrajani et al. 2017: `mean_i (||grad|| - 1)^2`.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` for the interpolation.

    Returns:
        `PenaltyOutput(value, mean gradient norm)`.
    """
    norms = _gradient_norms(critic, real, fake, seed)
    return _output(tf.square(norms - 1.0), norms)


def diff_hinge_penalty(critic, real, fake, seed):
    """The post's finite-difference hinge form: `mean_i max(q_i, 1)`.

    `q_i = |D(y1_i) - D(y2_i)| / ||y1_i - y2_i||` for two independent
    interpolates of the same pair; no second-order gradient is needed.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` for the interpolations.

    Returns:
        `PenaltyOutput(value, mean Lipschitz quotient)`.
    """
    quotients = _lipschitz_quotients(critic, real, fake, seed)
    return _output(tf.maximum(quotients, 1.0), quotients)


def diff_squared_penalty(critic, real, fake, seed):
    """The post's finite-difference squared form: `mean_i (q_i - 1)^2`.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` for the interpolations.

    Returns:
        `PenaltyOutput(value, mean Lipschitz quotient)`.
    """
    quotients = _lipschitz_quotients(critic, real, fake, seed)
    return _output(tf.square(quotients - 1.0), quotients)


def div_penalty(critic, real, fake, seed, power=DIV_POWER):
    """WGAN-div's penalty (Wu et al. 2018; kexue.fm/archives/6139), at the samples themselves.

    `(mean_i ||grad D(real_i)||^p + mean_i ||grad D(fake_i)||^p) / 2`, with no
    interpolation and no Lipschitz target. keras/wgan_div_celeba.py weights
    `k/2 * mean(...)` with k = 2 and p = 6: that is `penalty_weight=2` here.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: unused; the signature is every penalty's.
        power: the exponent p.

    Returns:
        `PenaltyOutput(value, mean gradient norm over both batches)`.
    """
    del seed
    norms = tf.concat([_gradient_norms_at(critic, real), _gradient_norms_at(critic, fake)], 0)
    return _output(tf.pow(norms, power), norms)


def div(power=DIV_POWER):
    """The `div` penalty with exponent `power`, for `WGANGP.compile(penalty=...)`."""
    return Penalty("div", functools.partial(div_penalty, power=power), second_order=True)


def no_penalty(critic, real, fake, seed):
    """No constraint: the critic loss runs away, as the post predicts.

    The gradient norm at the interpolates is still measured, to show it.

    Args:
        critic: callable `[B, ...] -> [B, 1]`.
        real: a batch of real samples `[B, ...]`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` for the interpolation.

    Returns:
        `PenaltyOutput(0, mean gradient norm)`.
    """
    norms = tf.stop_gradient(_gradient_norms(critic, real, fake, seed))
    return PenaltyOutput(tf.zeros([], norms.dtype), tf.reduce_mean(norms))


@dataclasses.dataclass(frozen=True)
class Penalty:
    """A registered penalty.

    Attributes:
        name: the name `--penalty` takes.
        fn: the penalty function.
        clips_weights: whether the trainer clips the critic's weights to
            `[-clip_value, clip_value]` after each critic update (the original
            WGAN's constraint).
        second_order: whether training through it differentiates the
            critic's gradient (the gradient penalties), so that the critic
            needs a second derivative.
    """

    name: str
    fn: Callable[..., PenaltyOutput]
    clips_weights: bool = False
    second_order: bool = False


def check_critic(penalty, critic):
    """Raises `ConfigError` if `penalty` needs a second derivative that `critic` lacks.

    A critic says it lacks one with `second_derivative_available = False`
    (`wgan_gp_tf.models.RecurrentCritic` on cuDNN's kernels); any other
    critic is taken to have one.
    """
    if penalty.second_order and not getattr(critic, "second_derivative_available", True):
        raise ConfigError(
            f"the {penalty.name} penalty differentiates the critic's gradient, but this "
            f"critic has no second derivative here (cuDNN's recurrent kernels have none); "
            f"use --penalty=diff_squared or --penalty=diff_hinge, the post's finite-difference "
            f"forms, which need no gradient of the critic, or build its recurrent layers "
            f"with use_cudnn=False")


REGISTRY = Registry("penalty", (
    Penalty("hinge", hinge_penalty, second_order=True),
    Penalty("squared", squared_penalty, second_order=True),
    Penalty("diff_hinge", diff_hinge_penalty),
    Penalty("diff_squared", diff_squared_penalty),
    div(),
    Penalty("none", no_penalty),
    Penalty("clip", no_penalty, clips_weights=True),
))


register = REGISTRY.register
names = REGISTRY.names


def get(identifier):
    """Resolves a penalty, as `keras.optimizers.get` resolves an optimiser.

    Args:
        identifier: a registered name (e.g. `"hinge"`), a `Penalty`, or a
            function with the penalty signature
            `fn(critic, real, fake, seed) -> PenaltyOutput`.

    Returns:
        The `Penalty`; a function is wrapped in one named after it.

    Raises:
        ConfigError: an unknown name (the message lists the valid ones), or
            something that is neither a name nor callable.
    """
    if isinstance(identifier, Penalty):
        return identifier
    if isinstance(identifier, str):
        return REGISTRY.get(identifier)
    if callable(identifier):
        return Penalty(getattr(identifier, "__name__", type(identifier).__name__), identifier)
    raise ConfigError(
        f"penalty must be a registered name, a Penalty or a function "
        f"fn(critic, real, fake, seed) -> PenaltyOutput; got {identifier!r}")
