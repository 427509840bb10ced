"""Class-conditional training: the AC-GAN terms and the labels a step draws.

The WGAN-GP paper's supervised CIFAR-10 model (gan_cifar_resnet.py, ACGAN)
gives the critic a classifier head and adds to each loss a cross-entropy:

    critic     L_D + classifier_weight * CE(critic's logits of real, real labels)
    generator  L_G + generator_classifier_weight * CE(logits of G(z, y), y)

with weights 1 and 0.1 (its ACGAN_SCALE and ACGAN_SCALE_G). The critic's
generated batch is conditioned on the labels of the real batch beside it; the
generator's on labels drawn uniformly.
"""

import keras
import tensorflow as tf

from wgan_gp_tf.core import distribute

# gan_cifar_resnet.py's ACGAN_SCALE and ACGAN_SCALE_G.
CLASSIFIER_WEIGHT = 1.0
GENERATOR_CLASSIFIER_WEIGHT = 0.1


def split_outputs(outputs, num_classes):
    """`(scores, class_logits)` of a critic's outputs; the logits are `None` if unconditional."""
    if num_classes:
        return outputs[0], outputs[1]
    return outputs, None


def cross_entropy(logits, labels):
    """Mean softmax cross-entropy of `logits` `[B, K]` against int `labels` `[B]`.

    Returns:
        A float32 scalar.
    """
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.int32), logits=tf.cast(logits, tf.float32)))


def accuracy(logits, labels):
    """The share of rows whose largest logit is at their label."""
    predicted = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, tf.cast(labels, tf.int32)), tf.float32))


def uniform_labels(batch_size, num_classes, seed):
    """Labels `[batch_size]` drawn uniformly from `[0, num_classes)`.

    Under several replicas, this replica's rows of the draw over the global batch.
    """
    return distribute.replica_rows(
        lambda size: keras.random.randint([size], 0, num_classes, seed=seed, dtype="int32"),
        batch_size)


def balanced_labels(count, num_classes):
    """`0, 1, ..., num_classes - 1, 0, 1, ...`: `count` labels, each class as often as can be."""
    return tf.range(count, dtype=tf.int32) % num_classes
