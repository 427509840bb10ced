"""DCGAN critics and generators: strided 5x5 convolutions.

The networks of the original repo's keras/wgan_gp_celeba.py and of the WGAN-GP
paper's gan_mnist.py and gan_cifar.py.
"""

import keras

from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.models.catalog import CRITIC_NORMS
from wgan_gp_tf.models.conditional import class_heads
from wgan_gp_tf.models.generator import Generator
from wgan_gp_tf.models.spectral import SpectralBatchNormalization, SpectralConv2D, SpectralDense

# tflib (the WGAN-GP paper's code) scales its "He" uniform init by fan_in +
# fan_out; we leave out its division of the strided fan by stride**2. A config,
# not an instance: each layer must get its own initializer, seeded when the
# layer is made (after `keras.utils.set_random_seed`), not one seed drawn at
# import and shared by every layer.
TFLIB_CONV_INIT = {"class_name": "VarianceScaling",
                   "config": {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}}
# Not tflib's, whose dense layers default to Glorot's uniform init: LeCun's
# uniform, the variance 1/fan_in instead of 2/(fan_in + fan_out). Every paper
# preset's runs and shipped models were trained with it; moving to Glorot's is
# a change of model, to be measured against it before it is made.
TFLIB_DENSE_INIT = "lecun_uniform"

# keras/wgan_div_celeba.py's layers: N(0, 0.02) kernels, as DCGAN's paper advises.
DCGAN_INIT = {"class_name": "RandomNormal", "config": {"stddev": 0.02}}

# The image sizes `sized_filters` builds networks for.
SIZED_IMAGE_SIZES = (16, 32, 64, 128, 256)


def sized_filters(height, width):
    """The channels of keras/wgan_div_celeba.py's networks for images of `height` x `width`.

    That script makes `num_layers = log2(img_dim) - 3` hidden layers with
    `img_dim * 8` channels at the 4x4 end, halving towards the image: 64,
    128, ... doubling per layer. The critic's strided convolutions take them
    in this order, the generator's 4x4 map and transposed convolutions in
    reverse.

    Raises:
        ConfigError: the images are not square, of a power of two from 16 to 256.
    """
    if height != width or height not in SIZED_IMAGE_SIZES:
        raise ConfigError(f"networks built from the image size take square images of "
                          f"{', '.join(map(str, SIZED_IMAGE_SIZES))} pixels, not "
                          f"{height}x{width}; pass one of them as --image_size")
    return tuple(64 * 2**index for index in range(height.bit_length() - 3))


def initializer_config(initializer):
    """An initialiser as a config holds it: a name or a dict as it is, an object serialised."""
    if initializer is None or isinstance(initializer, str | dict):
        return initializer
    return keras.initializers.serialize(initializer)


def batch_normalization():
    """Batch norm whose moments are exact to every order of derivative.

    Keras's local moments (`tf.nn.moments`) stop the gradient through the mean
    inside the variance. The first derivative is unchanged, but the gradient
    penalty differentiates the critic twice, and there that shortcut gives
    wrong gradients (for a conv bias before batch norm, which cannot change
    any score, a penalty gradient as large as the kernels'). Keras's
    synchronized moments, E[x^2] - E[x]^2 summed over the replicas, have no
    such shortcut; with one replica the sums are local. Under several replicas
    they also span the global batch, as one device's would.
    """
    return keras.layers.BatchNormalization(synchronized=True)


def _normalization(kind):
    """A normalisation layer over `[B, H, W, C]` feature maps, or `None`.

    `"layer"` normalises each example over all of H, W and C with a scale and
    offset per channel, as the WGAN-GP paper's 64x64 critics do;
    `"batch_spectral"` is batch norm with a spectrally normalised scale.
    """
    if kind == "batch":
        return batch_normalization()
    if kind == "batch_spectral":
        return SpectralBatchNormalization(synchronized=True)
    if kind == "layer":
        return keras.layers.GroupNormalization(groups=1)
    if kind in ("none", "spectral"):
        return None
    raise ConfigError(f"unknown critic_norm {kind!r}; choose one of: {', '.join(CRITIC_NORMS)}")


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class DCGANCritic(keras.Model):
    """Strided 5x5 convolutions with LeakyReLU, then one linear score.

    Each convolution halves the image ("same" padding); every one but the first
    is followed by the normalisation `norm`.

    Args:
        filters: output channels of the convolutions, one per halving; or
            `None` to take them from the image size when the critic is
            built (`sized_filters`).
        norm: `"batch"`, `"layer"`, `"none"`; `"spectral"`, every kernel
            spectrally normalised (`wgan_gp_tf.models.spectral`); or
            `"batch_spectral"`, both, batch norm's scale included, as
            wgan_sn_celeba.py.
        negative_slope: of the LeakyReLUs (Keras 2's default 0.3 in
            wgan_gp_celeba.py, 0.2 in the WGAN-GP paper's code).
        convolution_bias: whether the convolutions have biases.
        pooling: how the last feature map reaches the score: `"flatten"`, or
            `"average"` (global average pooling, as wgan_div_celeba.py).
        score_bias: whether the score layer has a bias.
        kernel_initializer: of the convolutions.
        score_initializer: of the score layer; default `kernel_initializer`.
        num_classes: if positive, an AC-GAN classifier head (with a bias)
            beside the score; the critic then returns `(scores, class_logits)`.
    """

    def __init__(self, filters, norm="none", negative_slope=0.2, convolution_bias=True,
                 pooling="flatten", score_bias=True, kernel_initializer="glorot_uniform",
                 score_initializer=None, num_classes=0, **kwargs):
        super().__init__(**kwargs)
        self.filters = None if filters is None else tuple(filters)
        self.norm, self.negative_slope, self.pooling = norm, negative_slope, pooling
        self.score_bias, self.score_initializer = score_bias, score_initializer
        self.num_classes = num_classes
        spectral = norm in ("spectral", "batch_spectral")
        self.convolution_type = SpectralConv2D if spectral else keras.layers.Conv2D
        self.convolution_bias = convolution_bias
        self.kernel_initializer = kernel_initializer
        if filters is not None:
            self._make_convolutions(filters)
        self.activation = keras.layers.LeakyReLU(negative_slope)
        self.pool = {"flatten": keras.layers.Flatten,
                     "average": keras.layers.GlobalAveragePooling2D}[pooling]()
        self.score, self.classes = class_heads(
            SpectralDense if spectral else keras.layers.Dense, num_classes,
            use_bias=score_bias, kernel_initializer=score_initializer or kernel_initializer)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "norm": self.norm,
                "negative_slope": self.negative_slope,
                "convolution_bias": self.convolution_bias, "pooling": self.pooling,
                "score_bias": self.score_bias,
                "kernel_initializer": initializer_config(self.kernel_initializer),
                "score_initializer": initializer_config(self.score_initializer),
                "num_classes": self.num_classes}

    def _make_convolutions(self, filters):
        self.convolutions = [
            self.convolution_type(count, 5, strides=2, padding="same",
                                  use_bias=self.convolution_bias,
                                  kernel_initializer=self.kernel_initializer)
            for count in filters
        ]
        self.norms = [None] + [_normalization(self.norm) for _ in filters[1:]]

    def build(self, input_shape):
        if not hasattr(self, "convolutions"):
            self._make_convolutions(sized_filters(*input_shape[1:3]))

    def call(self, images, training=False):
        return self._head(self._stem(images), training=training)

    def affine_split(self):
        """`(stem, head)`, with `critic(x) == head(stem(x))` and `stem` affine.

        The stem is the first convolution, which no normalisation follows,
        before its LeakyReLU; the trainer scores interpolates from the stems
        of their endpoints (`wgan_gp_tf.core.stems`). `None` with spectral
        normalisation, whose power iteration steps at every call.
        """
        if self.convolution_type is SpectralConv2D:
            return None
        return self._stem, self._head

    def _stem(self, images, training=False):
        return self.convolutions[0](images)

    def _head(self, stems, training=False):
        x = self.activation(stems)
        for convolution, norm in zip(self.convolutions[1:], self.norms[1:], strict=True):
            x = convolution(x)
            if norm is not None:
                x = norm(x, training=training)
            x = self.activation(x)
        features = self.pool(x)
        if self.classes is None:
            return self.score(features)
        return self.score(features), self.classes(features)


def sized_generator(latent_dim, prior, image_shape, **kwargs):
    """A `DCGANGenerator` with keras/wgan_div_celeba.py's channels for `image_shape`.

    Raises:
        ConfigError: images `sized_filters` does not build for.
    """
    return DCGANGenerator(latent_dim, prior, image_shape,
                          filters=sized_filters(*image_shape[:2])[::-1], **kwargs)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class DCGANGenerator(Generator):
    """A dense layer to a 4x4 map, then 5x5 transposed convolutions doubling it.

    Each hidden layer is followed by batch norm (if `batch_norm`) and ReLU.
    Where doubling would overshoot the image size (28 from 4), the map is
    cropped to the size the remaining doublings need, as the paper's MNIST
    generator crops 8x8 to 7x7.

    Args:
        latent_dim, prior, image_shape, output_range: as for `Generator`.
        filters: channels of the 4x4 map, then of each hidden transposed
            convolution; one more transposed convolution makes the image.
        batch_norm: batch norm after each hidden layer.
        output_activation: of the image layer.
        dense_initializer, kernel_initializer: of the dense and the
            convolution layers.
        map_norm_per_channel: batch norm of the 4x4 map per channel, after
            the reshape (gan_one_step_with_hinge_loss.py), rather than per
            unit of the dense layer, before it (the other scripts).
    """

    def __init__(self, latent_dim, prior, image_shape, filters, batch_norm=True,
                 output_activation="tanh", output_range=(-1.0, 1.0),
                 dense_initializer="glorot_uniform", kernel_initializer="glorot_uniform",
                 map_norm_per_channel=False, **kwargs):
        super().__init__(latent_dim, prior, image_shape, output_range, **kwargs)
        height, width, channels = image_shape
        self.filters, self.batch_norm = tuple(filters), batch_norm
        self.output_activation = output_activation
        self.dense_initializer, self.kernel_initializer = dense_initializer, kernel_initializer
        base, *hidden_filters = filters
        doublings = len(filters)
        if height != width or not 4 * 2**(doublings - 1) < height <= 4 * 2**doublings:
            raise ConfigError(
                f"a {doublings}-layer DCGAN generator makes square images of "
                f"{4 * 2**(doublings - 1) + 1} to {4 * 2**doublings} pixels, not "
                f"{height}x{width}; choose the architecture made for this data set")
        self.dense = keras.layers.Dense(16 * base, kernel_initializer=dense_initializer)
        self.to_map = keras.layers.Reshape((4, 4, base))
        self.upsamplings = [
            keras.layers.Conv2DTranspose(count, 5, strides=2, padding="same",
                                         kernel_initializer=kernel_initializer)
            for count in hidden_filters
        ]
        self.to_image = keras.layers.Conv2DTranspose(
            channels, 5, strides=2, padding="same", activation=output_activation,
            kernel_initializer=kernel_initializer, dtype="float32")
        self.norms = [batch_normalization() if batch_norm else None
                      for _ in filters]
        self.map_sizes = [-(-height // 2**(doublings - index)) for index in range(doublings)]
        self.map_norm_per_channel = map_norm_per_channel

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "batch_norm": self.batch_norm,
                "output_activation": self.output_activation, "output_range": self.output_range,
                "dense_initializer": initializer_config(self.dense_initializer),
                "kernel_initializer": initializer_config(self.kernel_initializer),
                "map_norm_per_channel": self.map_norm_per_channel}

    def call(self, inputs, training=False):
        noise = self.conditioned_noise(inputs)
        if self.map_norm_per_channel:
            x = self._normalized(0, self.to_map(self.dense(noise)), training)
        else:
            x = self.to_map(self._normalized(0, self.dense(noise), training))
        for index, upsampling in enumerate(self.upsamplings, start=1):
            x = self._normalized(index, upsampling(x), training)
            size = self.map_sizes[index]
            x = x[:, :size, :size, :]
        return self.to_image(x)

    def _normalized(self, index, x, training):
        if self.norms[index] is not None:
            x = self.norms[index](x, training=training)
        return keras.activations.relu(x)
