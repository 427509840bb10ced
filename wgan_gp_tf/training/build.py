"""A config's trainer: the architecture's networks, the optimisers, and `WGANGP.compile`."""

import keras
import tensorflow as tf

from wgan_gp_tf import models
from wgan_gp_tf.core import WGANGP, penalties, schedules
from wgan_gp_tf.training.config import PENALTY_SETTINGS


def build_trainer(config, strategy=None):
    """Creates and compiles the `WGANGP` for a config, weights seeded.

    Args:
        config: a `TrainConfig`.
        strategy: the `tf.distribute.Strategy` to train under; `None` for
            the one in scope.

    Returns:
        A compiled `WGANGP` with all variables (optimiser slots included)
        created.
    """
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        return _build_trainer(config)


def _build_trainer(config):
    keras.utils.set_random_seed(config.seed)
    architecture = models.REGISTRY.resolve(config.architecture)
    sample_shape = config.data_source().shape
    critic, generator = models.build(architecture, config.latent_dim, config.prior,
                                     sample_shape, config.critic_norm, config.mixed_precision,
                                     config.num_classes, config.model_dim)
    average_generator = None
    if config.generator_ema:
        average_generator = models.build_generator(architecture, config.latent_dim,
                                                   config.prior, sample_shape,
                                                   config.mixed_precision, config.num_classes,
                                                   config.model_dim)
    model = WGANGP(
        critic, generator, penalty=_penalty(config), penalty_weight=config.penalty_weight,
        loss=config.loss, n_critic=config.n_critic, n_generator=config.n_generator,
        one_step=config.one_step, average_generator=average_generator,
        generator_ema=config.generator_ema, classifier_weight=config.classifier_weight,
        generator_classifier_weight=config.generator_classifier_weight,
        generator_batch_size=config.generator_batch_size or None, seed=config.seed)
    model.compile(
        _optimizer(config, config.critic_learning_rate, config.n_critic),
        _optimizer(config, config.generator_learning_rate, config.n_generator),
        jit_compile="auto" if config.jit_compile else False,
        steps_per_execution=config.execution_steps)
    return model


def _penalty(config):
    """The penalty object, with the settings its flags give."""
    arguments = {argument: getattr(config, field) for field, argument
                 in PENALTY_SETTINGS.get(config.penalty, {}).items()}
    return penalties.REGISTRY.get(config.penalty)(**arguments)


def _optimizer(config, learning_rate, updates_per_iteration):
    if config.learning_rate_decay == "linear":
        start = config.learning_rate_decay_start * updates_per_iteration
        learning_rate = keras.optimizers.schedules.PolynomialDecay(
            learning_rate, config.iterations * updates_per_iteration - start,
            end_learning_rate=0.0)
        if start:
            learning_rate = schedules.Delayed(learning_rate, start)
    if config.optimizer == "rmsprop":
        optimizer = keras.optimizers.RMSprop(learning_rate, rho=config.beta_2,
                                             epsilon=config.adam_epsilon)
    else:
        optimizer = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1,
                                          beta_2=config.beta_2, epsilon=config.adam_epsilon)
    if config.mixed_precision == "float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
