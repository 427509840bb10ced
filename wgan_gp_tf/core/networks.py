"""What the trainer reads off the networks it is given: noise, output range, convolutions."""

import keras

from wgan_gp_tf.core import sampling
from wgan_gp_tf.errors import ConfigError

# For generators that carry neither: N(0, 1) noise, as most GAN code (the
# WGAN-GP paper's included) draws it, and images in [0, 1].
DEFAULT_PRIOR = "normal"
DEFAULT_OUTPUT_RANGE = (0.0, 1.0)

_CONVOLUTIONS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
                 keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
                 keras.layers.Conv3DTranspose, keras.layers.SeparableConv1D,
                 keras.layers.SeparableConv2D, keras.layers.DepthwiseConv1D,
                 keras.layers.DepthwiseConv2D)


def noise_and_range(generator, latent_dim=None, prior=None, output_range=None):
    """The generator's noise size and prior, and the range of its outputs.

    Each comes from the argument, or from the generator when it carries it
    (our `wgan_gp_tf.models.Generator`s carry all three; the noise size may
    also be the width of a Keras model's input), or else from the defaults,
    `DEFAULT_PRIOR` and `DEFAULT_OUTPUT_RANGE`.

    Returns:
        `(latent_dim, prior, output_range)`; `output_range` is `None` for a
        generator of points.

    Raises:
        ConfigError: the noise size is unknown, an argument contradicts what
            the generator carries, or the prior is unknown.
    """
    latent_dim = _latent_dim(generator, latent_dim)
    prior = _carried(generator, "prior", prior, DEFAULT_PRIOR)
    sampling.check_prior(prior)
    if output_range is not None:
        output_range = tuple(output_range)
    return latent_dim, prior, _carried(generator, "output_range", output_range,
                                       DEFAULT_OUTPUT_RANGE)


def num_classes(generator, given=None):
    """The classes of a conditional generator (0 for an unconditional one).

    From the argument, or the generator's own `num_classes`.

    Raises:
        ConfigError: the argument contradicts what the generator carries.
    """
    carried = getattr(generator, "num_classes", None)
    if given is not None and carried is not None and given != carried:
        raise ConfigError(f"the generator has num_classes={carried} but WGANGP was given "
                          f"num_classes={given}; leave the argument out or make them agree")
    return int(given if given is not None else carried or 0)


def check_schedule(model):
    """Raises `ConfigError` if a trainer's update schedule contradicts itself.

    `one_step` updates both networks once from the same batches; a loss that
    pairs generated samples with real ones needs one batch size for both.
    """
    if model.one_step and (model.n_critic, model.n_generator) != (1, 1):
        raise ConfigError(f"one_step updates both networks once per iteration; it needs "
                          f"n_critic=1 and n_generator=1, not {model.n_critic} and "
                          f"{model.n_generator}")
    if model.generator_batch_size and model.adversarial_loss.generator_needs_real:
        raise ConfigError(f"the {model.adversarial_loss.name} loss pairs each generated "
                          f"sample with a real one; it needs the critic's batch size for the "
                          f"generator too, not generator_batch_size="
                          f"{model.generator_batch_size}")


def has_convolutions(layer):
    """Whether a layer or model has a convolution among its layers, at any depth."""
    if isinstance(layer, _CONVOLUTIONS):
        return True
    return any(has_convolutions(child) for child in getattr(layer, "layers", ()))


def _carried(generator, name, given, default):
    if not hasattr(generator, name):
        return default if given is None else given
    carried = getattr(generator, name)
    if given is not None and given != carried:
        raise ConfigError(f"the generator has {name}={carried!r} but WGANGP was given "
                          f"{name}={given!r}; leave the argument out or make them agree")
    return carried


def _latent_dim(generator, given):
    carried = getattr(generator, "latent_dim", None)
    if carried is None:
        try:
            shape = generator.input_shape
        except (AttributeError, ValueError):
            shape = None
        if shape and isinstance(shape[0], tuple | list):
            # A conditional generator's inputs: [noise, labels].
            shape = shape[0]
        carried = shape[-1] if shape else None
    if given is not None and carried is not None and given != carried:
        raise ConfigError(f"the generator takes noise of size {carried} but WGANGP was given "
                          f"latent_dim={given}; leave the argument out or make them agree")
    if given is None and carried is None:
        raise ConfigError("WGANGP needs the noise size: the generator carries no latent_dim "
                          "and has no known input shape; pass WGANGP(critic, generator, "
                          "latent_dim=...)")
    return int(given if given is not None else carried)
