"""Judging generated images against real ones in a reference classifier's eyes.

`Evaluator(reference_classifier, real_images)` holds the real set's features; calling it
on generated images returns FID, KID, the classifier's inception score and the
class coverage. The classifier is the data set's shipped reference CNN
(`classifier.ReferenceClassifier`) or ImageNet's InceptionV3
(`inception.InceptionFeatures`). `sample_generator` draws a generator's images
reproducibly.
"""

import os

import numpy as np

from wgan_gp_tf import classifier, data, inception, metrics, toys
from wgan_gp_tf.config import RUN_CONFIG_FILE, TrainConfig


class Evaluator:
    """FID, KID, inception score and class coverage against one real set.

    Args:
        reference_classifier: a `classifier.ReferenceClassifier` or an
            `inception.InceptionFeatures`; class coverage is left out for the
            latter, whose 1000 ImageNet classes say nothing about a data set's.
        real_images: the reference images in [0, 1] (the test split), or uint8.
    """

    def __init__(self, reference_classifier, real_images):
        self.classifier = reference_classifier
        self.real_features, _ = reference_classifier(_unit_range(real_images))
        self.real_statistics = metrics.gaussian_statistics(self.real_features)

    def __call__(self, generated_images):
        """Metrics of generated images in [0, 1] `[N, H, W, C]`, as a dict of floats."""
        features, probabilities = self.classifier(_unit_range(generated_images))
        kid_mean, kid_std = metrics.kid(features, self.real_features)
        score, score_std = metrics.inception_score(probabilities)
        results = {
            "samples": len(features),
            "fid": metrics.frechet_distance(*metrics.gaussian_statistics(features),
                                            *self.real_statistics),
            "kid": kid_mean,
            "kid_std": kid_std,
            "inception_score": score,
            "inception_score_std": score_std,
        }
        if self.classifier.measures_coverage:
            results.update(metrics.class_coverage(probabilities))
        return results


class ToyEvaluator:
    """The W1 estimate of a toy problem (`toys.wasserstein_estimate`)."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __call__(self, points):
        """`{"samples", "w1"}` of generated points `[N, D]`."""
        return {"samples": len(points), "w1": toys.wasserstein_estimate(self.dataset, points)}


def _unit_range(images):
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images


def sample_generator(generator, count, seed=0, batch_size=1000):
    """`count` images in [0, 1] (or toy points) from a generator, the same for a seed."""
    noise = generator.sample_latent(count, seed)
    batches = [generator(noise[start:start + batch_size])
               for start in range(0, count, batch_size)]
    if generator.output_range is not None:
        batches = [generator.to_unit_range(batch) for batch in batches]
    return np.concatenate([np.asarray(batch) for batch in batches])


def evaluate_generator(evaluator, generator, count, seed=0):
    """The evaluator's verdict on `count` samples of `generator`, or `None` without one."""
    if evaluator is None:
        return None
    return evaluator(sample_generator(generator, count, seed))


def load_evaluator(dataset, data_dir=None, classifier_path=None, inception_weights=None):
    """An `Evaluator` against the test split of `dataset`, with its classifier.

    Args:
        dataset: a name from `data.DATASETS`.
        data_dir: where its data lies; `None` for tfds.
        classifier_path: a reference classifier; default: the shipped one.
        inception_weights: measure in InceptionV3 features instead, with these
            weights (`"imagenet"` or a weights file). An image folder, which has
            no test split, is then compared through its training images.

    Raises:
        ExportNotFoundError: no reference classifier for the data set.
        DataError: the real images or the Inception weights cannot be loaded.
    """
    if inception_weights:
        split = "train" if data.is_image_folder(dataset, data_dir) else "test"
        return Evaluator(inception.InceptionFeatures(inception_weights),
                         data.load_images(dataset, data_dir, split))
    reference = classifier.ReferenceClassifier(classifier_path
                                               or classifier.default_path(dataset))
    return Evaluator(reference, data.load_images(dataset, data_dir, "test"))


def samples_from(path, count, seed=0, trained_generator=False):
    """Images from a run folder (its last checkpoint) or an export folder.

    Args:
        path: a run folder written by `train_lib.run`, or an export (a version
            folder or a base folder of versions).
        count: images to draw.
        seed: the same seed gives the same images.
        trained_generator: for a run folder that keeps a generator average,
            draw from the trained generator instead of the average.

    Returns:
        `(images in [0, 1], description)`; the description holds `source`,
        `dataset`, `data_dir`, `iterations` and, for a run folder,
        `generator_average` (whether the run keeps one).
    """
    # train_lib builds on this module, so it is imported when first needed.
    from wgan_gp_tf import serving, train_lib

    if os.path.isfile(os.path.join(path, RUN_CONFIG_FILE)):
        config = TrainConfig.from_run_folder(path)
        model, iteration = train_lib.restore_run(config, path)
        generator = model.generator if trained_generator else model.sampling_generator
        return sample_generator(generator, count, seed), {
            "source": path, "dataset": config.dataset, "data_dir": config.data_dir,
            "iterations": iteration,
            "generator_average": model.average_generator is not None}
    version_path, images = serving.sample_export(path, range(seed, seed + count))
    metadata = serving.read_metadata(version_path)
    return images, {"source": version_path, "dataset": metadata["dataset"],
                    "data_dir": metadata.get("config", {}).get("data_dir"),
                    "iterations": metadata.get("iterations")}
