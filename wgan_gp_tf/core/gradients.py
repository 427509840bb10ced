"""What the penalties measure of a critic: gradient norms and Lipschitz quotients.

Norms are taken per example over all non-batch axes, so flat `[B, D]` and
image `[B, H, W, C]` inputs give the same values.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.core import distribute

# Inside the square root, so that a zero gradient has a finite derivative.
NORM_EPSILON = 1e-12


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


def critic_values(critic, x):
    """The critic's scores of `x` in training mode, flat `[B]`."""
    return tf.reshape(critic(x, training=True), [-1])


def norms_at_interpolates(critic, real, fake, seed):
    """Norms `[B]` of grad D at per-example interpolates (a nested tape).

    A critic that can take the gradient at interpolates itself
    (`wgan_gp_tf.core.stems.CriticScores`) is asked first.
    """
    eps = _interpolation_weights(real, seed)
    at_interpolates = getattr(critic, "gradients_at_interpolates", None)
    gradients = at_interpolates(real, fake, eps) if at_interpolates else None
    if gradients is None:
        return norms_at(critic, _blend(real, fake, eps))
    return per_example_norm(gradients)


def norms_at(critic, samples):
    """Norms `[B]` of grad D at `samples` themselves."""
    samples = tf.convert_to_tensor(samples)
    with tf.GradientTape() as tape:
        tape.watch(samples)
        values = critic_values(critic, samples)
    return per_example_norm(tape.gradient(values, samples))


def lipschitz_quotients(critic, real, fake, seed):
    """Quotients `[B]`, |D(y1) - D(y2)| / ||y1 - y2||, two interpolates each."""
    first = interpolate(real, fake, seed)
    second = interpolate(real, fake, seed)
    both = critic_values(critic, tf.concat([first, second], axis=0))
    first_values, second_values = tf.split(both, 2)
    return tf.abs(first_values - second_values) / per_example_norm(first - second)
