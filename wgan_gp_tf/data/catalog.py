"""The data sets' names, known without importing TensorFlow.

`wgan_gp_tf.training.config` checks a config against them before anything
imports TensorFlow; `wgan_gp_tf.data.registered` registers the sources.
"""

from wgan_gp_tf.registry import Registry

# Images first, then the toys, then text.
DATASETS = Registry("dataset", declared=(
    "mnist", "fashion_mnist", "celeb_a", "cifar10", "folder",
    "toy_1d", "8gaussians", "25gaussians", "swissroll", "text"),
    loader="wgan_gp_tf.data.registered")
