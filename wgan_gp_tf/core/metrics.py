"""The running means `WGANGP` reports, and what each update records in them."""

import keras
import tensorflow as tf

from wgan_gp_tf.core import classes

METRIC_NAMES = ("critic_loss", "generator_loss", "penalty", "wasserstein_estimate",
                "gradient_norm")

# Metrics of a conditional trainer besides: the critic's classifier loss on
# real batches, and its accuracy on real and on generated ones.
CLASS_METRIC_NAMES = ("classifier_loss", "real_accuracy", "fake_accuracy")


def trackers(conditional):
    """A `keras.metrics.Mean` per metric, by name."""
    names = METRIC_NAMES + (CLASS_METRIC_NAMES if conditional else ())
    return {name: keras.metrics.Mean(name=name) for name in names}


def record_critic(trackers, loss, penalty, real_scores, fake_scores):
    """Records a critic update: its loss, the penalty (unweighted) and the estimate."""
    trackers["critic_loss"].update_state(loss)
    trackers["penalty"].update_state(penalty.value)
    trackers["wasserstein_estimate"].update_state(
        tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores))
    trackers["gradient_norm"].update_state(penalty.norm)


def record_classifier(trackers, loss, real_logits, fake_logits, labels):
    """Records the critic's classifier loss on real samples, and its accuracy on both."""
    trackers["classifier_loss"].update_state(loss)
    trackers["real_accuracy"].update_state(classes.accuracy(real_logits, labels))
    trackers["fake_accuracy"].update_state(classes.accuracy(fake_logits, labels))
