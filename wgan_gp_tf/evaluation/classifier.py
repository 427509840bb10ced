"""The reference classifier whose features FID and KID are measured in.

A small CNN trained on a data set's training split (`scripts/train_classifier.py`)
and shipped inside the package as a SavedModel, `classifiers/<dataset>/` beside
this module, with its test accuracy in `assets.extra/classifier.json`. Its one
signature, `classify`, maps images in [0, 1] to the 128-d penultimate
`features` and the class `probabilities`.
"""

import json
import os
import shutil
import uuid

import keras
import numpy as np
import tensorflow as tf

from wgan_gp_tf.errors import ExportNotFoundError
from wgan_gp_tf.serving.export import write_json_asset

CLASSIFIERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classifiers")
INFO_FILE = os.path.join("assets.extra", "classifier.json")


def shipped_classifier(dataset):
    """Where the shipped reference classifier of `dataset` lives (if it ships)."""
    return os.path.join(CLASSIFIERS_DIR, dataset)


class ReferenceCNN(keras.Model):
    """Conv 32 - pool - conv 64 - pool - dense 128 (the features) - classes."""

    def __init__(self, classes=10, **kwargs):
        super().__init__(**kwargs)
        self.body = [
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
        ]
        self.dropout = keras.layers.Dropout(0.3)
        self.logits = keras.layers.Dense(classes)

    def features(self, images, training=False):
        x = images
        for layer in self.body:
            x = layer(x, training=training)
        return x

    def call(self, images, training=False):
        return self.logits(self.dropout(self.features(images, training), training=training))


def train(train_images, train_labels, test_images, test_labels, epochs=3, batch_size=128,
          seed=0, verbose="auto"):
    """Trains a `ReferenceCNN` on uint8 images; returns it and its test accuracy."""
    keras.utils.set_random_seed(seed)
    model = ReferenceCNN(classes=int(train_labels.max()) + 1)
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(train_images.astype(np.float32) / 255.0, train_labels, batch_size=batch_size,
              epochs=epochs, shuffle=True, verbose=verbose)
    _, accuracy = model.evaluate(test_images.astype(np.float32) / 255.0, test_labels,
                                 batch_size=1000, verbose=0)
    return model, float(accuracy)


def export(model, image_shape, path, info):
    """Writes the classifier's `classify` SavedModel to `path`, replacing it atomically."""
    archive = keras.export.ExportArchive()
    archive.track(model)

    def classify(images):
        logits = model(images, training=False)
        return {"features": model.features(images), "probabilities": tf.nn.softmax(logits)}

    archive.add_endpoint("classify", classify, input_signature=[
        tf.TensorSpec([None, *image_shape], tf.float32, name="images")])
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    temporary = os.path.join(parent, f".partial-{uuid.uuid4().hex}")
    retired = f"{temporary}-old"
    try:
        archive.write_out(temporary, verbose=False)
        write_json_asset(temporary, INFO_FILE, info)
        if os.path.exists(path):
            os.rename(path, retired)
        os.rename(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


class ReferenceClassifier:
    """A loaded reference classifier.

    Args:
        path: its SavedModel folder.

    Raises:
        ExportNotFoundError: no classifier there.
    """

    measures_coverage = True

    def __init__(self, path):
        if not os.path.isfile(os.path.join(path, "saved_model.pb")):
            raise ExportNotFoundError(
                f"no reference classifier in {path!r}; train one with "
                "scripts/train_classifier.py")
        self.path = path
        self._classify = tf.saved_model.load(path).signatures["classify"]
        with open(os.path.join(path, INFO_FILE), encoding="utf-8") as file:
            self.info = json.load(file)

    def __call__(self, images, batch_size=1000):
        """`(features, probabilities)` of images in [0, 1], as NumPy arrays."""
        features, probabilities = [], []
        for start in range(0, len(images), batch_size):
            batch = tf.constant(np.asarray(images[start:start + batch_size], np.float32))
            outputs = self._classify(images=batch)
            features.append(outputs["features"].numpy())
            probabilities.append(outputs["probabilities"].numpy())
        return np.concatenate(features), np.concatenate(probabilities)
