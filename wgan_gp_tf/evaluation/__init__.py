"""Judging samples: metrics, reference classifiers, Inception features, pictures.

The instruments know no data set; `judging` picks each data set's:

    evaluator = evaluator_for(wgan_gp_tf.data.get("mnist").reading("MNIST_data"))
    evaluator(sample_generator(model, 10_000))   # {"fid": ..., "kid": ..., ...}

or, by hand, `Evaluator(ReferenceClassifier(shipped_classifier("mnist")), test_images)`.
"""

from wgan_gp_tf.evaluation import classifier, metrics, plots, text, toys
from wgan_gp_tf.evaluation.classifier import ReferenceClassifier, ReferenceCNN, shipped_classifier
from wgan_gp_tf.evaluation.evaluator import Evaluator, evaluate_generator, sample_generator
from wgan_gp_tf.evaluation.inception import InceptionFeatures
from wgan_gp_tf.evaluation.judging import evaluator_for, picture_for
from wgan_gp_tf.evaluation.text import TextEvaluator

__all__ = ["Evaluator", "InceptionFeatures", "ReferenceCNN", "ReferenceClassifier",
           "TextEvaluator", "classifier", "evaluate_generator", "evaluator_for", "metrics",
           "picture_for", "plots", "sample_generator", "shipped_classifier", "text", "toys"]
