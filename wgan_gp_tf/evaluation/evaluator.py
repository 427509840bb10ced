"""Judging generated images against real ones in a reference classifier's eyes.

`Evaluator(reference_classifier, real_images)` holds the real set's features,
computed at its first use or read from a `cache_dir`; calling it on generated
images returns FID, KID, the classifier's inception score and the class
coverage. The classifier is a data set's shipped reference CNN
(`classifier.ReferenceClassifier`) or ImageNet's InceptionV3
(`inception.InceptionFeatures`). `sample_generator` draws a trainer's samples
reproducibly.
"""

import functools

import numpy as np

from wgan_gp_tf.core import classes
from wgan_gp_tf.evaluation import feature_cache, metrics


class Evaluator:
    """FID, KID, inception score and class coverage against one real set.

    Args:
        reference_classifier: a `classifier.ReferenceClassifier` or an
            `inception.InceptionFeatures`; class coverage is left out for the
            latter, whose 1000 ImageNet classes say nothing about a data set's.
        real_images: the reference images in [0, 1] (the test split), or uint8.
        real_labels: their int labels, which let a class-conditional
            generator be judged class by class.
        cache_dir: keep the real images' features in this folder, for later
            evaluators of the same classifier and images to read
            (`feature_cache.FeatureCache`); `None`: computed by each.
    """

    def __init__(self, reference_classifier, real_images, real_labels=None, cache_dir=None):
        self.classifier = reference_classifier
        self._real_images = real_images
        self.real_labels = None if real_labels is None else np.asarray(real_labels)
        self._cache = feature_cache.FeatureCache(cache_dir) if cache_dir else None

    # Computed at the first evaluation rather than before training starts.
    @functools.cached_property
    def real_features(self):
        """The reference classifier's features of the real images `[N, D]`."""
        def compute():
            return self.classifier(_unit_range(self._real_images))[0]

        if self._cache is None:
            features = compute()
        else:
            features = self._cache.features(self.classifier, self._real_images, compute)
        del self._real_images
        return features

    @functools.cached_property
    def real_statistics(self):
        """`(mean, covariance)` of `real_features`."""
        return metrics.gaussian_statistics(self.real_features)

    def __call__(self, generated_images, labels=None):
        """Metrics of generated images in [0, 1] `[N, H, W, C]`, as a dict of floats.

        With `labels`, the classes the images were generated for, and a
        reference classifier of the data set's own classes, the dict also
        holds `conditional_accuracy` (the share the classifier assigns to
        their class), and per class (lists in class order) `class_accuracy`
        and `class_fid` (FID against the real images of that class), with
        `mean_class_fid` their mean.
        """
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
            if labels is not None and self.real_labels is not None:
                results.update(self._per_class(features, probabilities, np.asarray(labels)))
        return results

    def _per_class(self, features, probabilities, labels):
        predicted = probabilities.argmax(axis=1)
        classes = np.unique(labels)
        accuracy = [float(np.mean(predicted[labels == label] == label)) for label in classes]
        fid = [metrics.frechet_distance(
            *metrics.gaussian_statistics(features[labels == label]),
            *metrics.gaussian_statistics(self.real_features[self.real_labels == label]))
            for label in classes]
        return {"conditional_accuracy": float(np.mean(predicted == labels)),
                "class_accuracy": accuracy, "class_fid": fid,
                "mean_class_fid": float(np.mean(fid))}


def _unit_range(images):
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images


def sample_generator(model, count, seed=0, batch_size=1000, trained_generator=False,
                     labels=None):
    """`count` samples of a `WGANGP`, images in [0, 1] or points; the same for a seed.

    Args:
        model: the trainer (its noise prior and output range are used).
        count: samples to draw.
        seed: an int; the noise depends on it alone.
        batch_size: samples per generator call.
        trained_generator: draw from the trained generator instead of the
            average the model may keep.
        labels: for a conditional model, the class of each sample (int
            `[count]`); by default each class in turn, so that the classes
            are as balanced as the test split they are compared with.
    """
    generator = model.generator if trained_generator else model.sampling_generator
    noise = model.sample_latent(count, seed)
    if model.num_classes and labels is None:
        labels = classes.balanced_labels(count, model.num_classes).numpy()
    batches = [model.generate(noise[start:start + batch_size],
                              None if labels is None else labels[start:start + batch_size],
                              generator=generator)
               for start in range(0, count, batch_size)]
    if model.output_range is not None:
        batches = [model.to_unit_range(batch) for batch in batches]
    return np.concatenate([np.asarray(batch) for batch in batches])


def evaluate_generator(evaluator, model, count, seed=0):
    """The evaluator's verdict on `count` samples of `model`, or `None` without one.

    A conditional model draws each class in turn, and is judged per class too.
    """
    if evaluator is None:
        return None
    if not getattr(model, "num_classes", 0):
        return evaluator(sample_generator(model, count, seed))
    labels = classes.balanced_labels(count, model.num_classes).numpy()
    return evaluator(sample_generator(model, count, seed, labels=labels), labels)
