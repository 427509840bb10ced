"""Each data set's yardstick and picture: how a run judges and shows its samples.

    source = wgan_gp_tf.data.get("mnist").reading("MNIST_data")
    evaluator = evaluator_for(source)               # FID & co. against the test split
    grid = picture_for(source, model, iteration=0, rows=6, seed=0)

Both dispatch on the source's type; a `DataSource` of a user's own has no
evaluator unless one is registered (`evaluator_for.register`), and is drawn
as a grid of images.
"""

import functools

from wgan_gp_tf import data
from wgan_gp_tf.data.toys import inverse_normal_cdf
from wgan_gp_tf.errors import ExportNotFoundError
from wgan_gp_tf.evaluation import plots
from wgan_gp_tf.evaluation.classifier import ReferenceClassifier, shipped_classifier
from wgan_gp_tf.evaluation.evaluator import Evaluator, sample_generator
from wgan_gp_tf.evaluation.inception import InceptionFeatures
from wgan_gp_tf.evaluation.text import TextEvaluator
from wgan_gp_tf.evaluation.toys import ToyEvaluator


@functools.singledispatch
def evaluator_for(source, *, classifier_path=None, inception_weights=None, cache_dir=None):
    """A callable that judges generated samples of `source`, returning a dict of metrics.

    Args:
        source: a `wgan_gp_tf.data.DataSource`, read from its files.
        classifier_path: images: a reference classifier; default: the
            shipped one for the data set.
        inception_weights: images: measure in InceptionV3 features instead,
            with these weights (`"imagenet"` or a weights file). An image
            folder, which has no test split, is then compared through its
            training images.
        cache_dir: images: keep the real images' features in this folder
            (see `Evaluator`).

    Raises:
        ExportNotFoundError: no yardstick for the data set (no reference
            classifier for its images).
        DataError: the reference data or the Inception weights cannot be
            loaded.
    """
    del classifier_path, inception_weights, cache_dir
    raise ExportNotFoundError(f"no evaluator is registered for a {type(source).__name__}")


@evaluator_for.register
def _image_evaluator(source: data.ImageSource, *, classifier_path=None,
                     inception_weights=None, cache_dir=None):
    # FID, KID, inception score and class coverage against the test split.
    if inception_weights:
        split = "train" if source.reads_folder() else "test"
        return Evaluator(InceptionFeatures(inception_weights), source.load(split)[0],
                         cache_dir=cache_dir)
    if not classifier_path and source.any_size:
        raise ExportNotFoundError(
            "no reference classifier exists for an image folder; measure FID and KID "
            "in InceptionV3 features with --inception_weights=imagenet (or a weights "
            "file)")
    reference = ReferenceClassifier(classifier_path or shipped_classifier(source.name))
    return Evaluator(reference, *source.load("test"), cache_dir=cache_dir)


@evaluator_for.register
def _text_evaluator(source: data.TextSource, *, classifier_path=None, inception_weights=None,
                    cache_dir=None):
    # n-gram JS divergences and the share of real words, against the corpus.
    del classifier_path, inception_weights, cache_dir
    return TextEvaluator(source.encoded(), source.vocabulary.size, source.vocabulary.decode,
                         source.corpus.lines)


@evaluator_for.register
def _toy_evaluator(source: data.ToySource, *, classifier_path=None, inception_weights=None,
                   cache_dir=None):
    del classifier_path, inception_weights, cache_dir
    return ToyEvaluator(source.name)


@functools.singledispatch
def picture_for(source, model, iteration, rows, seed):
    """What samples of `source` look like, at `iteration` of training.

    Returns:
        A grid of `rows x rows` generated images, uint8 `[H, W, C]`; for
        text, a string of `rows**2` generated lines; for a toy, a plot of the
        learned map against the exact ones (1-D) or of the critic over the
        plane (2-D).
    """
    del source, iteration
    return plots.sample_grid(model, rows, seed)


@picture_for.register
def _text_picture(source: data.TextSource, model, iteration, rows, seed):
    del iteration
    samples = sample_generator(model, rows * rows, seed)
    return "\n".join(source.vocabulary.decode(samples.argmax(axis=-1))) + "\n"


@picture_for.register
def _toy_picture(source: data.ToySource, model, iteration, rows, seed):
    del rows
    if source.shape == (1,):
        return plots.map_picture(model, inverse_normal_cdf, iteration, seed=seed)
    return plots.critic_picture(model, source.sample(1000, seed),
                                f"{source.name}, iteration {iteration}", seed=seed)
