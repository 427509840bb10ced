"""The architectures' names and settings, known without importing TensorFlow.

`wgan_gp_tf.training.config` checks a config against these before anything
imports TensorFlow; `wgan_gp_tf.models.architectures` registers the pairs.
"""

from wgan_gp_tf.registry import Registry

ARCHITECTURES = Registry("architecture", declared=(
    "mlp", "toy_mlp", "toy_mlp_64", "dcgan_celeba", "dcgan_celeba_score_bias", "dcgan_mnist",
    "dcgan_cifar10", "dcgan_sized", "dcgan_sized_one_step", "resnet_cifar10", "resnet_64",
    "language_resnet", "language_rnn"), loader="wgan_gp_tf.models.architectures")

# The normalisations a convolutional critic can have: of its feature maps,
# of its weights (spectral), or both as wgan_sn_celeba.py.
CRITIC_NORMS = ("batch", "layer", "none", "spectral", "batch_spectral")

# Keras dtype policies of `TrainConfig.mixed_precision`.
PRECISION_POLICIES = {"none": "float32", "float16": "mixed_float16",
                      "bfloat16": "mixed_bfloat16"}
PRECISIONS = tuple(PRECISION_POLICIES)
