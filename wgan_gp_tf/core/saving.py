"""What `WGANGP` gives Keras to save it as a `.keras` file, and how it is remade."""

import keras

# `WGANGP`'s arguments that are Keras objects, by the attribute that holds each.
_OBJECTS = {"critic": "critic", "generator": "generator",
            "average_generator": "average_generator", "penalty": "penalty",
            "loss": "adversarial_loss"}

# The arguments given as they are.
_SETTINGS = ("latent_dim", "prior", "output_range", "num_classes", "n_critic", "n_generator",
             "one_step", "penalty_weight", "generator_ema", "classifier_weight",
             "generator_classifier_weight", "generator_batch_size", "seed")


def trainer_config(model):
    """`model`'s arguments: the networks, penalty and loss serialised, the settings as they are."""
    objects = {name: keras.saving.serialize_keras_object(getattr(model, attribute))
               for name, attribute in _OBJECTS.items()}
    return {**objects, **{name: getattr(model, name) for name in _SETTINGS}}


def trainer_arguments(config):
    """The arguments `trainer_config` described, its Keras objects remade."""
    return {**config, **{name: keras.saving.deserialize_keras_object(config[name])
                         for name in _OBJECTS}}


def compile_config(model, settings):
    """`compile`'s arguments: its `settings` and the optimisers, serialised."""
    return {**settings,
            "critic_optimizer": keras.saving.serialize_keras_object(model.critic_optimizer),
            "generator_optimizer": keras.saving.serialize_keras_object(
                model.generator_optimizer)}


def compile_arguments(config):
    """The arguments `compile_config` described, the optimisers remade."""
    return {name: keras.saving.deserialize_keras_object(value) for name, value in config.items()}


def optimizer(identifier):
    """An optimiser from a name, config or object; `None` gives the WGAN-GP paper's Adam."""
    if identifier is None:
        return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
    return keras.optimizers.get(identifier)
