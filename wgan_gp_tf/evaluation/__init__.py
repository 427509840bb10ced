"""Measuring instruments: metrics, reference classifiers, Inception features, pictures.

They know no data set: `wgan_gp_tf.data` builds each set's evaluator from them.

    evaluator = Evaluator(ReferenceClassifier(shipped_classifier("mnist")), test_images)
    evaluator(sample_generator(model, 10_000))   # {"fid": ..., "kid": ..., ...}
"""

from wgan_gp_tf.evaluation import classifier, metrics, plots, text
from wgan_gp_tf.evaluation.classifier import ReferenceClassifier, ReferenceCNN, shipped_classifier
from wgan_gp_tf.evaluation.evaluator import Evaluator, evaluate_generator, sample_generator
from wgan_gp_tf.evaluation.inception import InceptionFeatures
from wgan_gp_tf.evaluation.text import TextEvaluator

__all__ = ["Evaluator", "InceptionFeatures", "ReferenceCNN", "ReferenceClassifier",
           "classifier", "evaluate_generator", "metrics", "plots", "sample_generator",
           "shipped_classifier", "text", "TextEvaluator"]
