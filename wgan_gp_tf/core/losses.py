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

A `Loss` object carries a loss function; `WGANGP(loss=...)` takes one by
name, as an object, or as a bare function.
"""

from typing import NamedTuple

import keras
import tensorflow as tf

from wgan_gp_tf.core.catalog import LOSSES
from wgan_gp_tf.core.configurable import Configurable, function_config, function_from_config


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


class Loss(Configurable):
    """An adversarial loss: both networks' losses from the critic's scores.

    Subclass it and implement `call` to add a loss; `register` names it
    for `--loss`.

    Attributes:
        name: the name it is registered under.
        generator_needs_real: whether the generator's loss depends on the
            real scores, so that its step must score a real batch as well.
    """

    name = None
    generator_needs_real = False

    def __call__(self, real_scores, fake_scores):
        output = self.call(real_scores, fake_scores)
        if not isinstance(output, LossOutput):
            raise TypeError(f"loss {self.name!r} returned {type(output)}; a loss returns "
                            f"LossOutput(critic, generator)")
        return output

    def call(self, real_scores, fake_scores):
        """`LossOutput(critic, generator)` of the scores, as the loss functions above."""
        raise NotImplementedError(f"{type(self).__name__} implements no call")


@keras.saving.register_keras_serializable(package="wgan_gp_tf.losses")
class FunctionLoss(Loss):
    """A loss function of the user's.

    Args:
        fn: `fn(real_scores, fake_scores) -> LossOutput`; saved by its module
            and name.
        generator_needs_real: whether its generator loss reads the real
            scores; by default assumed, which costs one more critic call.
    """

    def __init__(self, fn, generator_needs_real=True):
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        self.generator_needs_real = generator_needs_real

    def call(self, real_scores, fake_scores):
        return self.fn(real_scores, fake_scores)

    def get_config(self):
        return {"fn": function_config(self.fn),
                "generator_needs_real": self.generator_needs_real}

    @classmethod
    def from_config(cls, config):
        return cls(function_from_config(config["fn"]),
                   config["generator_needs_real"])


REGISTRY = LOSSES
names = REGISTRY.names
register = REGISTRY.register


def resolve(identifier):
    """The loss a registered name, a `Loss` (or subclass) or a function identifies.

    A subclass is made with its defaults and a function wrapped in a `FunctionLoss`.
    """
    return REGISTRY.resolve(identifier, base=Loss, wrap=FunctionLoss)


def _builtin(cls):
    return REGISTRY.register(
        keras.saving.register_keras_serializable(package="wgan_gp_tf.losses")(cls))


class _LossOfFunction(Loss):
    """A built-in loss: one of the functions above."""

    function = None

    def call(self, real_scores, fake_scores):
        return type(self).function(real_scores, fake_scores)


@_builtin
class Wasserstein(_LossOfFunction):
    """The post's WGAN loss, `wasserstein_loss`."""

    name, function = "wasserstein", wasserstein_loss


@_builtin
class Standard(_LossOfFunction):
    """The standard GAN loss with the non-saturating generator loss, `standard_loss`."""

    name, function = "standard", standard_loss


@_builtin
class Relativistic(_LossOfFunction):
    """The relativistic standard GAN loss, `relativistic_loss`."""

    name, function, generator_needs_real = "relativistic", relativistic_loss, True


@_builtin
class Hinge(_LossOfFunction):
    """The hinge loss of gan_one_step_with_hinge_loss.py, `hinge_loss`."""

    name, function = "hinge", hinge_loss
