"""The critic as a critic update calls it: interpolates scored through an affine stem.

A critic may split itself as `critic(x) == head(stem(x))` with `stem` affine
(its first layer before the activation: a dense layer or a convolution with
its bias). It says so with `affine_split() -> (stem, head)`; see
`wgan_gp_tf.models.MLPCritic`. Then an interpolate's stem is the same blend
of its endpoints' stems,

    stem(eps * fake + (1 - eps) * real) = eps * stem(fake) + (1 - eps) * stem(real),

since the blend's weights sum to 1. `CriticScores` keeps the stems of the
batches a critic update scores and gives the penalties the critic's gradient
at interpolates from them: the interpolates' first layer costs no product
forward, and the weight gradient of the stem is one product over the real and
generated rows instead of one more for the interpolates. The value is the
same up to rounding; the noise draws are the same.
"""

import tensorflow as tf


class CriticScores:
    """A critic's outputs on the batches of one critic update, their stems kept.

    Args:
        critic: the critic model; its `affine_split()`, if it has one and
            returns a pair, is used for float32 stems.
    """

    def __init__(self, critic):
        self._critic = critic
        split = getattr(critic, "affine_split", None)
        self._split = split() if split is not None else None
        self._stems = {}

    def outputs(self, samples):
        """The critic's outputs on `samples` (in training mode), keeping their stem."""
        if self._split is None:
            return self._critic(samples, training=True)
        stem, head = self._split
        stems = stem(samples, training=True)
        if tf.is_tensor(samples):
            self._stems[samples.ref()] = stems
        return head(stems, training=True)

    def __call__(self, samples, training=True):
        """The scores `[B, 1]` alone, for the penalties."""
        del training
        return _scores(self.outputs(samples))

    def gradients_at_interpolates(self, real, fake, eps):
        """The critic's input gradient at `eps * fake + (1 - eps) * real`, or `None`.

        `None` unless both batches are tensors this object scored through a
        float32 stem; the caller then interpolates the inputs.

        Args:
            real: a batch this object scored.
            fake: another batch this object scored, of the same shape.
            eps: blend weights `[B, 1, ...]`, of the inputs' rank.

        Returns:
            `[B, ...]`, the gradient of the scores' sum at the interpolates.
        """
        if not (tf.is_tensor(real) and tf.is_tensor(fake)):
            return None
        real_stems = self._stems.get(real.ref())
        fake_stems = self._stems.get(fake.ref())
        if real_stems is None or fake_stems is None or real_stems.dtype != tf.float32:
            return None
        stem, head = self._split
        eps = tf.reshape(tf.cast(eps, real_stems.dtype),
                         [-1] + [1] * (len(real_stems.shape) - 1))
        stems = eps * fake_stems + (1.0 - eps) * real_stems
        with tf.GradientTape() as tape:
            tape.watch(stems)
            scores = _scores(head(stems, training=True))
        stem_gradients = tape.gradient(scores, stems)
        # The stem is affine, so its input gradient is the same at every input:
        # take it at `real`; its forward there is dropped as unused.
        with tf.GradientTape() as tape:
            tape.watch(real)
            at_real = stem(real, training=True)
        return tape.gradient(at_real, real, output_gradients=stem_gradients)


def _scores(outputs):
    """The scores of a critic's outputs: `outputs` itself, or its first with class logits."""
    return outputs[0] if isinstance(outputs, tuple | list) else outputs
