"""Inception FID: FID, KID and IS in the features of ImageNet's InceptionV3.

`InceptionFeatures` has the reference classifier's interface, so an
`evaluation.Evaluator` built on it reports FID and KID in the 2048-d average-pool
features of ImageNet's InceptionV3 and the inception score over its 1000 classes.
Images in [0, 1] of any size are tiled to RGB when grayscale, resized to 299x299
(bilinear) and scaled to [-1, 1], the network's own preprocessing.

The weights are Keras's ImageNet InceptionV3 (`keras.applications`), downloaded
once by Keras or read from a local copy of its weights file. They are not the
2015 TensorFlow graph that the original FID code (Heusel et al.) ships, so the
figures are not interchangeable with papers'; compare runs with each other.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from wgan_gp_tf.errors import ConfigError, DataError

IMAGENET = "imagenet"
INPUT_SIZE = 299
WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
_WEIGHTS_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
                + WEIGHTS_FILE)
_WEIGHTS_MD5 = "9a0d58056eeedaa3f26cb7ebd46da564"
_WEIGHTS_HELP = (
    f"pass --inception_weights=imagenet to let Keras download {WEIGHTS_FILE} "
    "(it is cached in ~/.keras/models), or the path of a copy of that file")


class InceptionFeatures:
    """ImageNet InceptionV3 as a feature extractor for FID, KID and the inception score.

    Args:
        weights: `"imagenet"` (Keras's cached download) or the path of an
            InceptionV3 weights file with its 1000-class top.

    Raises:
        DataError: the weights cannot be found, downloaded or loaded.
    """

    measures_coverage = False

    def __init__(self, weights=IMAGENET):
        if weights == IMAGENET:
            weights = _download_weights()
        elif not os.path.isfile(weights):
            raise DataError(f"no InceptionV3 weights file at {weights!r}; {_WEIGHTS_HELP}")
        try:
            network = keras.applications.InceptionV3(include_top=True, weights=weights)
        except (OSError, ValueError) as error:
            raise DataError(f"cannot load InceptionV3 weights from {weights!r} ({error}); "
                            f"{_WEIGHTS_HELP}") from None
        self.path = weights
        self.info = {"features": "InceptionV3 avg_pool (2048)", "weights": weights}
        self._network = keras.Model(
            network.inputs, [network.get_layer("avg_pool").output, network.output])
        self._outputs = tf.function(self._features_and_probabilities)

    def _features_and_probabilities(self, images):
        if images.shape[-1] == 1:
            images = tf.tile(images, [1, 1, 1, 3])
        images = tf.image.resize(images, [INPUT_SIZE, INPUT_SIZE], method="bilinear")
        return self._network(images * 2.0 - 1.0, training=False)

    def __call__(self, images, batch_size=100):
        """`(features, probabilities)` of images in [0, 1] `[N, H, W, C]`, as NumPy arrays.

        Raises:
            ConfigError: the images have neither 1 nor 3 channels.
        """
        images = np.asarray(images, np.float32)
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ConfigError(f"Inception features need images [N, H, W, 1 or 3]; got shape "
                              f"{images.shape}")
        features, probabilities = [], []
        for start in range(0, len(images), batch_size):
            batch_features, batch_probabilities = self._outputs(
                tf.constant(images[start:start + batch_size]))
            features.append(batch_features.numpy())
            probabilities.append(batch_probabilities.numpy())
        return np.concatenate(features), np.concatenate(probabilities)


def _download_weights():
    try:
        return keras.utils.get_file(WEIGHTS_FILE, _WEIGHTS_URL, cache_subdir="models",
                                    file_hash=_WEIGHTS_MD5)
    # Keras raises a bare Exception when the download fails.
    except Exception as error:
        raise DataError(
            f"cannot download the InceptionV3 weights ({error}); offline, copy {WEIGHTS_FILE} "
            "into ~/.keras/models/ or pass its path as --inception_weights") from None
