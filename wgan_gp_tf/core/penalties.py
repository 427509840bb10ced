"""Penalties as objects that carry their settings, and the registry that names them.

A `Penalty` carries one of the functions of `wgan_gp_tf.core.penalty_functions`
with its own settings (`Div(power=6)`, `Clip(0.01)`), or a constraint on the
weights (the original WGAN's clipping), and is what `WGANGP(penalty=...)`
takes: by name, as an object, or as a bare function of the user's.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.core.catalog import PENALTIES
from wgan_gp_tf.core.configurable import Configurable, function_config, function_from_config
from wgan_gp_tf.core.penalty_functions import (
    DIV_POWER,
    PenaltyOutput,
    diff_hinge_penalty,
    diff_squared_penalty,
    div_penalty,
    hinge_penalty,
    no_penalty,
    squared_penalty,
)
from wgan_gp_tf.errors import ConfigError

__all__ = ["CLIP_VALUE", "DIV_POWER", "Clip", "DiffHinge", "DiffSquared", "Div", "FunctionPenalty",
           "Hinge", "NoPenalty", "Penalty", "PenaltyOutput", "REGISTRY", "Squared",
           "diff_hinge_penalty", "diff_squared_penalty", "div_penalty", "hinge_penalty",
           "names", "no_penalty", "register", "resolve", "squared_penalty"]

# The weight bound of the original WGAN's clipping.
CLIP_VALUE = 0.01


class Penalty(Configurable):
    """A constraint on the critic: a penalty term of its loss, a weight constraint, or both.

    Subclass it and implement `call` (and `get_config` for settings) to add
    a penalty; `register` names it for `--penalty`.

    Attributes:
        name: the name it is registered under.
        second_order: whether training through it differentiates the
            critic's gradient (the gradient penalties), so that the critic
            needs a second derivative.
        scores_only: whether `call` takes the trainer's scorer (the critic's
            scores alone, interpolates scored through an affine stem:
            `wgan_gp_tf.core.stems`) rather than the critic itself.
        weighted: whether it adds a term to the critic loss, which the
            trainer's `penalty_weight` scales.
    """

    name = None
    second_order = False
    scores_only = False
    weighted = True

    def __call__(self, critic, real, fake, seed):
        output = self.call(critic, real, fake, seed)
        if not isinstance(output, PenaltyOutput):
            raise TypeError(f"penalty {self.name!r} returned {type(output)}; a penalty "
                            f"returns PenaltyOutput(value, norm)")
        return output

    def call(self, critic, real, fake, seed):
        """The unweighted penalty: `PenaltyOutput(value, norm)` of the penalty functions."""
        raise NotImplementedError(f"{type(self).__name__} implements no call")

    def constrain(self, critic_variables):
        """Constrains the critic's weights after each of its updates; nothing here."""

    def check_critic(self, critic):
        """Raises `ConfigError` if this penalty needs a second derivative `critic` lacks.

        A critic says it lacks one with `second_derivative_available = False`
        (`wgan_gp_tf.models.RecurrentCritic` on cuDNN's kernels); any other
        critic is taken to have one.
        """
        if self.second_order and not getattr(critic, "second_derivative_available", True):
            raise ConfigError(
                f"the {self.name} penalty differentiates the critic's gradient, but this "
                f"critic has no second derivative here (cuDNN's recurrent kernels have none); "
                f"use --penalty=diff_squared or --penalty=diff_hinge, the post's "
                f"finite-difference forms, which need no gradient of the critic, or build its "
                f"recurrent layers with use_cudnn=False")


@keras.saving.register_keras_serializable(package="wgan_gp_tf.penalties")
class FunctionPenalty(Penalty):
    """A penalty function of the user's, called with their own critic.

    Args:
        fn: `fn(critic, real, fake, seed) -> PenaltyOutput`; saved by its
            module and name, so a `.keras` file reloads it where that imports.
        second_order: whether it differentiates the critic's gradient; by
            default assumed, so that a critic without a second derivative is
            refused rather than trained wrong.
    """

    def __init__(self, fn, second_order=True):
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        self.second_order = second_order

    def call(self, critic, real, fake, seed):
        return self.fn(critic, real, fake, seed)

    def get_config(self):
        return {"fn": function_config(self.fn),
                "second_order": self.second_order}

    @classmethod
    def from_config(cls, config):
        return cls(function_from_config(config["fn"]), config["second_order"])


REGISTRY = PENALTIES
names = REGISTRY.names
register = REGISTRY.register


def resolve(identifier):
    """The penalty a registered name, a `Penalty` (or subclass) or a function identifies.

    A subclass is made with its defaults and a function wrapped in a `FunctionPenalty`.
    """
    return REGISTRY.resolve(identifier, base=Penalty, wrap=FunctionPenalty)


def _builtin(cls):
    return REGISTRY.register(
        keras.saving.register_keras_serializable(package="wgan_gp_tf.penalties")(cls))


class _PenaltyOfFunction(Penalty):
    """A built-in penalty: one of the penalty functions, given the trainer's scorer."""

    scores_only = True
    function = None

    def call(self, critic, real, fake, seed):
        return type(self).function(critic, real, fake, seed)


@_builtin
class Hinge(_PenaltyOfFunction):
    """The post's hinge form, `hinge_penalty`: the critic's `max(||grad||, 1)`."""

    name, function, second_order = "hinge", hinge_penalty, True


@_builtin
class Squared(_PenaltyOfFunction):
    """The WGAN-GP paper's two-sided form, `squared_penalty`: `(||grad|| - 1)^2`."""

    name, function, second_order = "squared", squared_penalty, True


@_builtin
class DiffHinge(_PenaltyOfFunction):
    """The post's finite-difference hinge form, `diff_hinge_penalty`."""

    name, function = "diff_hinge", diff_hinge_penalty


@_builtin
class DiffSquared(_PenaltyOfFunction):
    """The post's finite-difference squared form, `diff_squared_penalty`."""

    name, function = "diff_squared", diff_squared_penalty


@_builtin
class Div(Penalty):
    """WGAN-div's penalty, `div_penalty`, with its exponent.

    Args:
        power: the exponent p (keras/wgan_div_celeba.py's 6).
    """

    name, second_order, scores_only = "div", True, True

    def __init__(self, power=DIV_POWER):
        self.power = float(power)

    def call(self, critic, real, fake, seed):
        return div_penalty(critic, real, fake, seed, power=self.power)

    def get_config(self):
        return {"power": self.power}


@_builtin
class NoPenalty(_PenaltyOfFunction):
    """No constraint, `no_penalty`; the gradient norm is still measured."""

    name, function, weighted = "none", no_penalty, False


@_builtin
class Clip(Penalty):
    """The original WGAN's constraint: no penalty term, weights clipped after each update.

    Args:
        clip_value: the bound c of `[-c, c]`.
    """

    name, scores_only, weighted = "clip", True, False

    def __init__(self, clip_value=CLIP_VALUE):
        if not clip_value > 0:
            raise ConfigError(f"Clip needs a positive clip_value, not {clip_value!r}")
        self.clip_value = float(clip_value)

    def call(self, critic, real, fake, seed):
        return no_penalty(critic, real, fake, seed)

    def constrain(self, critic_variables):
        for variable in critic_variables:
            variable.assign(tf.clip_by_value(variable, -self.clip_value, self.clip_value))

    def get_config(self):
        return {"clip_value": self.clip_value}
