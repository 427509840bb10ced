"""Adversarial losses as functions of the critic's scores, one per form, and their registry.

Each loss function takes the scores of a real and a generated batch,
`fn(real_scores, fake_scores) -> LossOutput`, and returns both networks'
losses: the trainer minimises `critic` over the critic (plus the weighted
penalty) and `generator` over the generator. The scores are raw, with no
output activation; the standard and relativistic forms apply the sigmoid
themselves, through `softplus`, which is exact where `log(sigmoid(.))` of the
original scripts needs its `+ 1e-9`.

The sign of each form is that of its script in github.com/bojone/gan:

- `wasserstein` and `hinge` keep the post's convention (kexue.fm/archives/4439):
  the critic scores generated samples high and real ones low;
- `standard` and `relativistic` keep the usual one, a discriminator that
  scores real samples high (dcgan_celeba.py's sigmoid is the probability of
  "real").

`get` resolves a registered name, a `Loss` or such a function; `register`
adds a `Loss` under its name.
"""

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import tensorflow as tf

from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.registry import Registry


class LossOutput(NamedTuple):
    """What a loss function returns: scalar losses, each to be minimised.

    Attributes:
        critic: the critic's loss, without the penalty.
        generator: the generator's loss.
    """

    critic: tf.Tensor
    generator: tf.Tensor


def _flat(scores):
    return tf.reshape(scores, [-1])


def wasserstein_loss(real_scores, fake_scores):
    """The post's WGAN loss: `L_D = mean D(real) - mean D(fake)`, `L_G = mean D(fake)`.

    Args:
        real_scores: the critic's scores of a real batch, `[B]` or `[B, 1]`.
        fake_scores: those of a generated batch.

    Returns:
        `LossOutput(critic, generator)`.
    """
    fake_mean = tf.reduce_mean(fake_scores)
    return LossOutput(tf.reduce_mean(real_scores) - fake_mean, fake_mean)


def standard_loss(real_scores, fake_scores):
    """The standard GAN loss, with the non-saturating generator loss.

    `L_D = mean softplus(-D(real)) + mean softplus(D(fake))`, the binary
    cross-entropy of `sigmoid(D)` as the probability of "real";
    `L_G = mean softplus(-D(fake))`, i.e. `-log sigmoid(D(fake))`.

    Args:
        real_scores: the critic's scores (logits) of a real batch.
        fake_scores: those of a generated batch.

    Returns:
        `LossOutput(critic, generator)`.
    """
    return LossOutput(
        tf.reduce_mean(tf.nn.softplus(-real_scores)) + tf.reduce_mean(tf.nn.softplus(fake_scores)),
        tf.reduce_mean(tf.nn.softplus(-fake_scores)))


def relativistic_loss(real_scores, fake_scores):
    """The relativistic standard GAN loss (Jolicoeur-Martineau 2018), paired per example.

    `L_D = mean_i softplus(D(fake_i) - D(real_i))`, i.e.
    `-log sigmoid(D(real_i) - D(fake_i))`; `L_G` the same with real and fake
    swapped. The generator's loss needs real scores too.

    Args:
        real_scores: the critic's scores of a real batch.
        fake_scores: those of a generated batch of the same size.

    Returns:
        `LossOutput(critic, generator)`.
    """
    difference = _flat(real_scores) - _flat(fake_scores)
    return LossOutput(tf.reduce_mean(tf.nn.softplus(-difference)),
                      tf.reduce_mean(tf.nn.softplus(difference)))


def hinge_loss(real_scores, fake_scores):
    """The hinge loss of gan_one_step_with_hinge_loss.py, in the post's sign.

    `L_D = mean relu(1 + D(real)) + mean relu(1 - D(fake))`, `L_G = mean D(fake)`.

    Args:
        real_scores: the critic's scores of a real batch.
        fake_scores: those of a generated batch.

    Returns:
        `LossOutput(critic, generator)`.
    """
    return LossOutput(
        tf.reduce_mean(tf.nn.relu(1.0 + real_scores))
        + tf.reduce_mean(tf.nn.relu(1.0 - fake_scores)),
        tf.reduce_mean(fake_scores))


@dataclasses.dataclass(frozen=True)
class Loss:
    """A registered loss.

    Attributes:
        name: the name `--loss` takes.
        fn: the loss function.
        generator_needs_real: whether the generator's loss depends on the
            real scores, so that its step must score a real batch as well.
    """

    name: str
    fn: Callable[..., LossOutput]
    generator_needs_real: bool = False


REGISTRY = Registry("loss", (
    Loss("wasserstein", wasserstein_loss),
    Loss("standard", standard_loss),
    Loss("relativistic", relativistic_loss, generator_needs_real=True),
    Loss("hinge", hinge_loss),
))


register = REGISTRY.register
names = REGISTRY.names


def get(identifier):
    """Resolves a loss, as `keras.losses.get` resolves one.

    Args:
        identifier: a registered name (e.g. `"standard"`), a `Loss`, or a
            function `fn(real_scores, fake_scores) -> LossOutput`; a
            function's generator loss is assumed to need the real scores.

    Returns:
        The `Loss`.

    Raises:
        ConfigError: an unknown name (the message lists the valid ones), or
            something that is neither a name nor callable.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return REGISTRY.get(identifier)
    if callable(identifier):
        return Loss(getattr(identifier, "__name__", type(identifier).__name__), identifier,
                    generator_needs_real=True)
    raise ConfigError(
        f"loss must be a registered name, a Loss or a function "
        f"fn(real_scores, fake_scores) -> LossOutput; got {identifier!r}")
