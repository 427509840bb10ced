"""The WGAN-GP paper's residual networks: gan_cifar_resnet.py's and gan_64x64.py's.

Both scripts (igul222/improved_wgan_training) build pre-activation residual
blocks from 3x3 convolutions: norm, ReLU, conv, norm, ReLU, conv, plus a
shortcut that is the identity or a 1x1 convolution. Blocks halve the map by
averaging 2x2 pixels after the second convolution (and before or after the
shortcut's) and double it by nearest-neighbour upsampling before the first.
Their differences, each a constructor argument here:

- CIFAR-10 (`cifar10_resnet`): 128 channels throughout; a critic without
  normalisation whose first block convolves the image directly, that ends in
  ReLU and global average pooling, and whose downsampling shortcut
  convolves, then pools; biases everywhere.
- 64x64 (`imagenet64_resnet`): 64 to 512 channels; a critic with layer
  norm (over each example's whole map, a scale and offset per channel) that
  starts with a plain 3x3 convolution and flattens its 4x4x512 map into the
  score; downsampling shortcuts pool, then convolve; the first convolution
  of each block has no bias.

Initialisers are tflib's: a block's convolutions uniform with variance
4 / (fan_in + fan_out) ("he"), the shortcuts and the CIFAR generator's output
Glorot uniform, dense layers LeCun uniform. Batch norm in the generators uses
epsilon 1e-5 as tflib does; tflib normalises with the batch's statistics even
when sampling, where these layers use their moving averages (Keras's
inference mode), so that a served image does not depend on its batch.

Conditional generators (the paper's supervised CIFAR-10 model) replace each
batch norm of their blocks with `ConditionalBatchNormalization`: a scale and
offset per class and channel.
"""

import keras

from wgan_gp_tf.models.conditional import ConditionalBatchNormalization, class_heads
from wgan_gp_tf.models.dcgan import TFLIB_CONV_INIT, TFLIB_DENSE_INIT
from wgan_gp_tf.models.generator import Generator

_SHORTCUT_INIT = "glorot_uniform"
_BATCH_NORM_EPSILON = 1e-5


def _convolution(filters, size=3, use_bias=True, initializer=TFLIB_CONV_INIT):
    return keras.layers.Conv2D(filters, size, padding="same", use_bias=use_bias,
                               kernel_initializer=initializer)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class ResidualBlock(keras.layers.Layer):
    """A pre-activation residual block of two 3x3 convolutions.

    Args:
        filters: output channels.
        resample: `None`, `"down"` (average 2x2 pooling after the second
            convolution) or `"up"` (nearest-neighbour doubling before the
            first).
        norm: `None`, `"batch"` or `"layer"` before each ReLU.
        num_classes: with `"batch"`, make the norms class-conditional.
        pool_first_shortcut: a downsampling shortcut pools, then convolves
            (gan_64x64.py), instead of the reverse (gan_cifar_resnet.py).
        first_bias: whether the first convolution has a bias.
        preactivate: norm and ReLU before the first convolution (all blocks
            but the CIFAR critic's first, which convolves the image itself).
    """

    def __init__(self, filters, resample=None, norm=None, num_classes=0,
                 pool_first_shortcut=False, first_bias=True, preactivate=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.resample = resample
        self.norm = norm
        self.num_classes = num_classes
        self.pool_first_shortcut = pool_first_shortcut
        self.first_bias = first_bias
        self.preactivate = preactivate
        self.pool = keras.layers.AveragePooling2D(2)
        self.upsample = keras.layers.UpSampling2D(2)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "resample": self.resample,
                "norm": self.norm, "num_classes": self.num_classes,
                "pool_first_shortcut": self.pool_first_shortcut,
                "first_bias": self.first_bias, "preactivate": self.preactivate}

    def build(self, input_shape):
        channels = input_shape[-1]
        # A downsampling block keeps its input's channels until the second convolution.
        first_filters = channels if self.resample == "down" and self.preactivate else self.filters
        self.first = _convolution(first_filters, use_bias=self.first_bias)
        self.second = _convolution(self.filters)
        self.shortcut = None
        if self.resample or channels != self.filters:
            self.shortcut = _convolution(self.filters, 1, initializer=_SHORTCUT_INIT)
        self.norms = ([self._make_norm(), self._make_norm()] if self.preactivate
                      else [None, None])

    def _make_norm(self):
        if self.norm == "batch" and self.num_classes:
            return ConditionalBatchNormalization(self.num_classes, epsilon=_BATCH_NORM_EPSILON)
        if self.norm == "batch":
            return keras.layers.BatchNormalization(epsilon=_BATCH_NORM_EPSILON)
        if self.norm == "layer":
            # Over each example's whole map, a scale and offset per channel (tflib's).
            return keras.layers.GroupNormalization(groups=1, epsilon=_BATCH_NORM_EPSILON)
        return None

    def call(self, inputs, labels=None, training=False):
        x = inputs
        if self.preactivate:
            x = self._activate(0, x, labels, training)
        if self.resample == "up":
            x = self.upsample(x)
        x = self.first(x)
        x = self.second(self._activate(1, x, labels, training))
        if self.resample == "down":
            x = self.pool(x)
        return self._shortcut(inputs) + x

    def _activate(self, index, x, labels, training):
        norm = self.norms[index]
        if isinstance(norm, ConditionalBatchNormalization):
            x = norm(x, labels, training=training)
        elif norm is not None:
            x = norm(x, training=training)
        return keras.activations.relu(x)

    def _shortcut(self, inputs):
        if self.shortcut is None:
            return inputs
        if self.resample == "up":
            return self.shortcut(self.upsample(inputs))
        if self.resample == "down" and (self.pool_first_shortcut or not self.preactivate):
            return self.shortcut(self.pool(inputs))
        if self.resample == "down":
            return self.pool(self.shortcut(inputs))
        return self.shortcut(inputs)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class ResNetCritic(keras.Model):
    """A residual critic: the CIFAR-10 one by default, gan_64x64.py's with `imagenet64=True`.

    Args:
        imagenet64: gan_64x64.py's critic (64x64 images, layer norm) instead
            of gan_cifar_resnet.py's (32x32, no normalisation).
        norm: `"none"` (gan_cifar_resnet.py), or `"layer"` (gan_64x64.py's
            WGAN-GP critic).
        num_classes: if positive, an auxiliary classifier head (AC-GAN) on
            the same features as the score; the critic then returns
            `(scores, class_logits)`.
    """

    def __init__(self, imagenet64=False, norm="none", num_classes=0, **kwargs):
        super().__init__(**kwargs)
        self.imagenet64, self.norm, self.num_classes = imagenet64, norm, num_classes
        block_norm = None if norm == "none" else norm
        if imagenet64:
            self.stem = _convolution(64, initializer=_SHORTCUT_INIT)
            self.blocks = [ResidualBlock(filters, "down", block_norm, pool_first_shortcut=True,
                                         first_bias=False)
                           for filters in (128, 256, 512, 512)]
            self.pool = keras.layers.Flatten()
        else:
            self.stem = None
            self.blocks = [ResidualBlock(128, "down", block_norm, preactivate=False),
                           ResidualBlock(128, "down", block_norm),
                           ResidualBlock(128, None, block_norm),
                           ResidualBlock(128, None, block_norm)]
            self.pool = keras.layers.GlobalAveragePooling2D()
        self.score, self.classes = class_heads(
            keras.layers.Dense, num_classes, kernel_initializer=TFLIB_DENSE_INIT)

    def get_config(self):
        return {**super().get_config(), "imagenet64": self.imagenet64, "norm": self.norm,
                "num_classes": self.num_classes}

    def call(self, images, training=False):
        x = images if self.stem is None else self.stem(images)
        for block in self.blocks:
            x = block(x, training=training)
        if not self.imagenet64:
            x = keras.activations.relu(x)
        features = self.pool(x)
        if self.classes is None:
            return self.score(features)
        return self.score(features), self.classes(features)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class ResNetGenerator(Generator):
    """A residual generator: dense to a 4x4 map, up-sampling blocks, a 3x3 convolution.

    Args:
        latent_dim, prior, image_shape: as for `Generator`; images 32x32
            (CIFAR-10, 128 channels) or 64x64 (gan_64x64.py, 512 to 64).
        num_classes: if positive, the generator takes `[noise, labels]` and
            its blocks' batch norms are class-conditional.
    """

    def __init__(self, latent_dim, prior, image_shape, num_classes=0, **kwargs):
        super().__init__(latent_dim, prior, image_shape, (-1.0, 1.0), num_classes=num_classes,
                         **kwargs)
        size, _, channels = image_shape
        imagenet64 = size == 64
        if imagenet64:
            filters, output_init = (512, 512, 256, 128, 64), TFLIB_CONV_INIT
        else:
            filters, output_init = (128,) * (size.bit_length() - 2), _SHORTCUT_INIT
        base, *block_filters = filters
        self.dense = keras.layers.Dense(16 * base, kernel_initializer=TFLIB_DENSE_INIT)
        self.to_map = keras.layers.Reshape((4, 4, base))
        self.blocks = [ResidualBlock(count, "up", "batch", num_classes,
                                     first_bias=not imagenet64)
                       for count in block_filters]
        self.output_norm = keras.layers.BatchNormalization(epsilon=_BATCH_NORM_EPSILON)
        self.to_image = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh",
                                            kernel_initializer=output_init, dtype="float32")

    def call(self, inputs, training=False):
        noise, labels = self.split_inputs(inputs)
        x = self.to_map(self.dense(noise))
        for block in self.blocks:
            x = block(x, labels, training=training)
        x = keras.activations.relu(self.output_norm(x, training=training))
        return self.to_image(x)
