"""The networks of the WGAN-GP paper's character-level language model, and a recurrent critic.

gan_language.py (github.com/igul222/improved_wgan_training): the generator maps
N(0, 1) noise of 128 through a dense layer to `seq_len` positions of `dim`
channels, five residual blocks and a width-1 convolution to a softmax over
the vocabulary at each position; the critic reads one-hot (real) or softmax
(generated) rows through a width-1 convolution, five residual blocks and a
dense score. Each block is `x + 0.3 * conv(relu(conv(relu(x))))` with width-5
convolutions, `same` padding. Initialisers are tflib's: He-style uniform
(variance 2 / fan_avg) for convolutions, Glorot uniform for dense layers,
zero biases. The original lays its maps out channels first, so its dense
layers see the positions in another order; that permutes their weights
without changing the function class or the initial distribution.

`RecurrentCritic` reads the same rows with a GRU. On a GPU, Keras runs a GRU
on cuDNN's fused kernel, which has no second derivative, so the gradient
penalties cannot train it there; the post's finite-difference penalties
(`diff_hinge`, `diff_squared`) need none.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.models.dcgan import TFLIB_CONV_INIT
from wgan_gp_tf.models.generator import Generator

# gan_language.py's DIM, and its five residual blocks on each side.
TEXT_DIM = 512
BLOCKS = 5
# Its residual branch is scaled by 0.3 before the sum.
RESIDUAL_SCALE = 0.3
_KERNEL_WIDTH = 5
_DENSE_INIT = "glorot_uniform"


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class TextResidualBlock(keras.layers.Layer):
    """`x + 0.3 * conv(relu(conv(relu(x))))`, width-5 convolutions of `dim` channels."""

    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.first = keras.layers.Conv1D(dim, _KERNEL_WIDTH, padding="same",
                                         kernel_initializer=TFLIB_CONV_INIT)
        self.second = keras.layers.Conv1D(dim, _KERNEL_WIDTH, padding="same",
                                          kernel_initializer=TFLIB_CONV_INIT)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}

    def call(self, inputs):
        branch = self.second(tf.nn.relu(self.first(tf.nn.relu(inputs))))
        return inputs + RESIDUAL_SCALE * branch


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class TextResNetCritic(keras.Model):
    """gan_language.py's critic: rows `[B, seq_len, vocabulary]` to scores `[B, 1]`.

    Args:
        dim: channels of every block (the paper's DIM, 512).
    """

    def __init__(self, dim=TEXT_DIM, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.embed = keras.layers.Conv1D(dim, 1, kernel_initializer=TFLIB_CONV_INIT)
        self.blocks = [TextResidualBlock(dim) for _ in range(BLOCKS)]
        self.flatten = keras.layers.Flatten()
        self.score = keras.layers.Dense(1, kernel_initializer=_DENSE_INIT, dtype="float32")

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}

    def call(self, rows, training=False):
        x = self.embed(rows)
        for block in self.blocks:
            x = block(x)
        return self.score(self.flatten(x))


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class TextResNetGenerator(Generator):
    """gan_language.py's generator: noise to a softmax `[B, seq_len, vocabulary]`.

    Args:
        latent_dim, prior: as for `Generator` (the paper: 128, N(0, 1)).
        image_shape: `(seq_len, vocabulary)`.
        dim: channels of every block (the paper's DIM, 512).
    """

    def __init__(self, latent_dim, prior, image_shape, dim=TEXT_DIM, **kwargs):
        super().__init__(latent_dim, prior, image_shape, None, **kwargs)
        seq_len, vocabulary = image_shape
        self.dim = dim
        self.project = keras.layers.Dense(seq_len * dim, kernel_initializer=_DENSE_INIT)
        self.to_positions = keras.layers.Reshape((seq_len, dim))
        self.blocks = [TextResidualBlock(dim) for _ in range(BLOCKS)]
        self.logits = keras.layers.Conv1D(vocabulary, 1, kernel_initializer=TFLIB_CONV_INIT)
        self.softmax = keras.layers.Softmax(dtype="float32")

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}

    def call(self, inputs, training=False):
        x = self.to_positions(self.project(self.conditioned_noise(inputs)))
        for block in self.blocks:
            x = block(x)
        return self.softmax(self.logits(x))


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class RecurrentCritic(keras.Model):
    """A GRU reading rows `[B, seq_len, vocabulary]`; its states at every position are scored.

    As gan_language.py's critic flattens its last block into one dense
    score, this one flattens the GRU's state sequence, so that every
    position reaches the score directly (scoring the last state alone let
    the generator settle on one repeated character, which drives a GRU to
    a fixed point it scores well).

    Args:
        dim: the GRU's units.
        use_cudnn: Keras's GRU option: `"auto"` takes cuDNN's kernel on a
            GPU, which leaves the gradient penalties without the second
            derivative they need; `False` keeps the generic kernel, which
            has one, at a GPU's slower speed.
    """

    def __init__(self, dim=TEXT_DIM, use_cudnn="auto", **kwargs):
        super().__init__(**kwargs)
        self.dim, self.use_cudnn = dim, use_cudnn
        self.recurrent = keras.layers.GRU(dim, return_sequences=True, use_cudnn=use_cudnn)
        self.flatten = keras.layers.Flatten()
        self.score = keras.layers.Dense(1, kernel_initializer=_DENSE_INIT, dtype="float32")

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "use_cudnn": self.use_cudnn}

    @property
    def second_derivative_available(self):
        """Whether a gradient penalty can differentiate this critic's gradient here."""
        return self.use_cudnn is False or not tf.config.list_physical_devices("GPU")

    def call(self, rows, training=False):
        return self.score(self.flatten(self.recurrent(rows, training=training)))
