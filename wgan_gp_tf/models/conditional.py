"""What class-conditional networks are made of: conditional batch norm and AC-GAN heads.

The WGAN-GP paper's supervised CIFAR-10 model (gan_cifar_resnet.py with
CONDITIONAL and ACGAN) conditions the generator through its batch norms, a
scale and offset per class, and gives the critic a second linear head on the
features of its score that classifies the image (AC-GAN, Odena et al. 2017);
the critic itself takes no label. Generators without batch norm in their
blocks (the MLPs, the DCGANs) take the label as a one-hot vector appended to
the noise, as conditional GANs first did (Mirza & Osindero 2014).
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch norm over `[B, H, W, C]` with a scale and an offset per class and channel.

    Training normalises with the batch's moments and updates moving averages
    of them; inference uses the averages, as Keras's `BatchNormalization`.

    Args:
        num_classes: the number of labels.
        epsilon: added to the variance.
        momentum: of the moving averages.
    """

    def __init__(self, num_classes, epsilon=1e-5, momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.epsilon = epsilon
        self.momentum = momentum

    def build(self, input_shape):
        channels = input_shape[-1]
        self.scale = self.add_weight(shape=(self.num_classes, channels), initializer="ones",
                                     name="scale")
        self.offset = self.add_weight(shape=(self.num_classes, channels), initializer="zeros",
                                      name="offset")
        self.moving_mean = self.add_weight(shape=(channels,), initializer="zeros",
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(shape=(channels,), initializer="ones",
                                               trainable=False, name="moving_variance")

    def call(self, inputs, labels, training=False):
        x = tf.cast(inputs, tf.float32)
        if training:
            mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
            for average, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
                average.assign(self.momentum * average + (1.0 - self.momentum) * value)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        labels = tf.cast(labels, tf.int32)
        scale = tf.gather(self.scale, labels)[:, None, None, :]
        offset = tf.gather(self.offset, labels)[:, None, None, :]
        normalized = tf.nn.batch_normalization(x, mean, variance, offset, scale, self.epsilon)
        return tf.cast(normalized, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "epsilon": self.epsilon, "momentum": self.momentum}


def class_heads(dense, num_classes, **kwargs):
    """A critic's score layer and, if `num_classes`, its AC-GAN classifier head.

    Args:
        dense: the dense layer class (`keras.layers.Dense` or a spectrally
            normalised one).
        num_classes: 0 for no head.
        **kwargs: for both layers.

    Returns:
        `(score, classes)`: float32 dense layers of 1 and `num_classes` units;
        `classes` is `None` without classes.
    """
    score = dense(1, dtype="float32", **kwargs)
    if not num_classes:
        return score, None
    kwargs.pop("use_bias", None)
    return score, dense(num_classes, dtype="float32", **kwargs)


def append_one_hot(noise, labels, num_classes):
    """`[noise, one_hot(labels)]`, the input of a generator conditioned by concatenation."""
    one_hot = tf.one_hot(tf.cast(labels, tf.int32), num_classes, dtype=noise.dtype)
    return tf.concat([noise, one_hot], axis=-1)
