"""What `WGANGP` refuses, case by case: each a call, the error it raises and its message.

A table, so that the cases grow one line at a time: each case calls the
library as a user would (a small trainer on 4x4x1 samples, or a run's config
as `scripts/train.py` builds it from flags); the call must raise the error
named, with a message holding the fragment (a regex).
"""

import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf import WGANGP, data, training
from wgan_gp_tf.errors import ConfigError, DataError, DivergedError

SHAPE = (4, 4, 1)
LATENT = 3


def _generator(num_classes=0):
    if num_classes:
        noise, labels = keras.Input((LATENT,)), keras.Input((), dtype="int32")
        codes = keras.layers.Concatenate()(
            [noise, keras.layers.CategoryEncoding(num_classes, "one_hot")(labels)])
        images = keras.layers.Reshape(SHAPE)(keras.layers.Dense(16, "sigmoid")(codes))
        return keras.Model([noise, labels], images)
    return keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(16, "sigmoid"),
                             keras.layers.Reshape(SHAPE)])


def _critic(*head_sizes, last=None):
    """A critic of 4x4x1 samples with one Dense head per size (a tuple if several)."""
    samples = keras.Input(SHAPE)
    features = keras.layers.Dense(8, "relu")(keras.layers.Flatten()(samples))
    heads = [keras.layers.Dense(size)(features) for size in head_sizes]
    if last is not None:
        heads = [keras.layers.Lambda(last)(heads[0])]
    return keras.Model(samples, heads if len(heads) > 1 else heads[0])


def _trainer(critic, num_classes=0, **settings):
    model = WGANGP(critic, _generator(num_classes), penalty="squared", n_critic=1,
                   num_classes=num_classes or None, **settings)
    model.compile()
    return model


def _images(count=8, seed=0):
    return np.random.default_rng(seed).uniform(size=(count, *SHAPE)).astype(np.float32)


def _with(values, index, value):
    values = values.copy()
    values.flat[index] = value
    return values


def _text_lines(seq_len):
    def call():
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "corpus.txt")
            helpers.write_text_corpus(path)
            data.get("text").sized(seq_len=seq_len).reading(path).training_data(batch_size=8)

    return call


def _fit(critic=None, x=None, num_classes=0, trainer_settings=None, **fit_arguments):
    def call():
        model = _trainer(critic or _critic(1), num_classes, **(trainer_settings or {}))
        arguments = {"batch_size": 4, "epochs": 1, "verbose": 0, **fit_arguments}
        return model.fit(_images() if x is None else x, **arguments)
    return call


def _labels(count=8, high=2):
    return np.arange(count) % high


# (name, call, error, message fragment)
CASES = [
    ("critic_with_two_scores", _fit(_critic(2)), ConfigError,
     r"score each sample once, \[batch, 1\].*returns shape \[2, 2\]"),
    ("critic_with_rank_one_scores", _fit(_critic(1, last=lambda s: s[:, 0])), ConfigError,
     r"score each sample once.*returns shape \[2\]"),
    ("conditional_critic_without_logits",
     _fit(_critic(1), num_classes=2, y=_labels()), ConfigError,
     r"a conditional critic \(num_classes=2\) returns \(scores \[batch, 1\], class_logits "
     r"\[batch, 2\]\); this one returns shape \[2, 1\]"),
    ("conditional_logits_of_another_width",
     _fit(_critic(1, 3), num_classes=2, y=_labels()), ConfigError,
     r"class_logits must be \[batch, 2\].*they are shape \[2, 3\]"),
    ("conditional_scores_of_another_width",
     _fit(_critic(2, 2), num_classes=2, y=_labels()), ConfigError,
     r"score each sample once.*returns shape \[2, 2\]"),
    ("nan_in_x", _fit(x=_with(_images(), 21, np.nan)), ValueError,
     r"x holds NaN or infinite values in 1 of its 8 samples \(the first is sample 1\)"),
    ("infinity_in_x", _fit(x=_with(_images(), 100, -np.inf)), ValueError,
     r"NaN or infinite values in 1 of its 8 samples \(the first is sample 6\)"),
    ("integer_x", _fit(x=(_images() * 255).astype(np.uint8)), ValueError,
     r"x hold uint8 values; scale them"),
    ("x_of_another_shape", _fit(x=_images()[..., 0]), ValueError,
     r"samples of shape \(4, 4\), but the generator makes \(4, 4, 1\)"),
    ("fewer_samples_than_a_batch", _fit(x=_images(3)), ValueError,
     r"3 samples are fewer than one iteration's batch of 4"),
    ("no_samples", lambda: _trainer(_critic(1)).fit(None, verbose=0), ValueError,
     r"needs real samples"),
    ("validation_data", _fit(validation_data=_images()), ValueError,
     r"does not take validation_data: a GAN has no targets"),
    ("sample_weight", _fit(sample_weight=np.ones(8)), ValueError,
     r"does not take sample_weight"),
    ("batch_size_with_a_dataset",
     _fit(x=tf.data.Dataset.from_tensor_slices(_images()).batch(4), batch_size=4),
     ValueError, r"batch_size does not apply to a tf.data.Dataset"),
    ("conditional_without_labels", _fit(_critic(1, 2), num_classes=2), ValueError,
     r"needs the labels of its samples: fit\(x, y\)"),
    ("labels_out_of_range", _fit(_critic(1, 2), num_classes=2, y=_labels(high=3)),
     ValueError, r"labels must lie in \[0, 2\); y holds 0 to 2"),
    ("penalty_weight_with_clip",
     lambda: training.make_config("mnist_mlp", penalty="clip", penalty_weight=5), ConfigError,
     r"--penalty_weight does nothing with --penalty=clip: leave it out"),
    ("penalty_weight_with_no_penalty",
     lambda: training.make_config("wgan_sn_celeba", penalty_weight=3), ConfigError,
     r"--penalty_weight does nothing with --penalty=none"),
    ("clip_value_without_clip", lambda: training.make_config("mnist_mlp", clip_value=0.1),
     ConfigError, r"--clip_value does nothing with --penalty=hinge"),
    ("div_power_without_div", lambda: training.make_config("mnist_mlp", div_power=3),
     ConfigError, r"--div_power does nothing with --penalty=hinge"),
    ("image_size_zero", lambda: training.make_config("folder_dcgan", image_size=0),
     ConfigError, r"--image_size=0 is not a size: leave it out for folder_dcgan's own \(64\)"),
    ("image_size_zero_where_the_preset_sets_one",
     lambda: training.make_config("wgan_div_celeba", image_size=0), ConfigError,
     r"wgan_div_celeba's own \(128\)"),
    ("seq_len_one", lambda: training.make_config("language_resnet", seq_len=1), ConfigError,
     r"seq_len must be 0 \(32\) or at least 4: the text measures count 4-grams"),
    ("seq_len_past_every_line", _text_lines(100_000), DataError,
     r"--seq_len=100000 is longer than every line of the corpus \(the longest has \d+ "
     r"characters\), so samples would be padding past it; choose --seq_len=32 or less"),
    ("losses_turn_infinite",
     _fit(_critic(1, last=lambda s: s * np.float32(np.inf)), epochs=2), DivergedError,
     r"critic_loss.* became NaN or infinite by iteration 1; .*stop_on_nan=False"),
]


class RefusalsTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.named_parameters(*CASES)
    def test_refused(self, call, error, fragment):
        keras.utils.set_random_seed(0)
        with self.assertRaisesRegex(error, fragment):
            call()

    def test_non_finite_losses_train_on_when_asked(self):
        keras.utils.set_random_seed(0)
        history = _fit(_critic(1, last=lambda s: s * np.float32(np.inf)), epochs=2,
                       stop_on_nan=False)()
        self.assertLen(history.history["critic_loss"], 2)
        self.assertFalse(np.isfinite(history.history["critic_loss"][-1]))


if __name__ == "__main__":
    tf.test.main()
