"""Text: the corpus, its vocabulary and stream, the n-gram metric, the language networks."""

import json
import math
import os
import unittest

import keras
import numpy as np
import tensorflow as tf

import wgan_gp_tf
from tests import helpers
from tests.helpers import LinearCritic, run_script, write_text_corpus
from wgan_gp_tf import models
from wgan_gp_tf.core import penalties
from wgan_gp_tf.data import text
from wgan_gp_tf.evaluation import text as text_metrics
from wgan_gp_tf.training import run_folder


class CorpusTest(tf.test.TestCase):

    def test_a_folder_reads_its_text_files_and_skips_the_rest(self):
        folder = self.get_temp_dir()
        os.makedirs(os.path.join(folder, "b"), exist_ok=True)
        with open(os.path.join(folder, "a"), "w", encoding="utf-8") as file:
            file.write("first\tline \n%\n\n  second\x08 line\n")
        with open(os.path.join(folder, "b", "c.txt"), "w", encoding="utf-8") as file:
            file.write("third é\n")
        with open(os.path.join(folder, "a.dat"), "wb") as file:
            file.write(b"\x00\x00\x00\x02binary index")
        with open(os.path.join(folder, "latin1"), "wb") as file:
            file.write("caf\xe9".encode("latin-1"))
        os.symlink(os.path.join(folder, "a"), os.path.join(folder, "a.u8"))
        with self.assertLogs("wgan_gp_tf", "WARNING") as logs:
            corpus = text.read_corpus(folder)
        self.assertEqual(corpus.lines, ("first line", "second line", "caf\ufffd", "third é"))
        self.assertEqual([os.path.basename(path) for path in corpus.skipped], ["a.dat"])
        self.assertRegex(logs.output[0], r"latin1 is not UTF-8: byte 3 \(0xe9, line 1\) and "
                                         r"others are read as unknown characters, in 1 of its "
                                         r"lines; convert it")
        vocabulary = corpus.vocabulary()
        self.assertNotIn("\ufffd", vocabulary.characters)
        self.assertEqual(vocabulary.encode(["caf\ufffd"], 4)[0, 3], text.UNKNOWN)

    def test_a_binary_file_is_refused_as_binary(self):
        path = os.path.join(self.get_temp_dir(), "index.dat")
        with open(path, "wb") as file:
            file.write(b"\x00\x01lines?\n")
        with self.assertRaisesRegex(wgan_gp_tf.DataError, r"index.dat is a binary file \(it "
                                                          r"holds NUL bytes\), not text"):
            text.read_corpus(path)

    def test_missing_or_empty_text_is_a_data_error(self):
        with self.assertRaisesRegex(wgan_gp_tf.DataError, "apt install fortunes"):
            text.read_corpus(os.path.join(self.get_temp_dir(), "nothing"))
        empty = os.path.join(self.get_temp_dir(), "empty.txt")
        with open(empty, "w", encoding="utf-8") as file:
            file.write("%\n\n")
        with self.assertRaisesRegex(wgan_gp_tf.DataError, "no line of text"):
            text.read_corpus(empty)

    def test_vocabulary_ranks_by_count_then_code_point_and_round_trips(self):
        corpus = text.Corpus(("abba", "cab", "dd"))
        vocabulary = corpus.vocabulary()
        # a, b: 3 each; d: 2; c: 1.
        self.assertEqual(vocabulary.characters, ("a", "b", "d", "c"))
        encoded = vocabulary.encode(["abcd", "ba", "x"], seq_len=3)
        self.assertAllEqual(encoded, [[2, 3, 5], [3, 2, 0], [1, 0, 0]])
        self.assertEqual(vocabulary.decode(encoded), ["abc", "ba", "\ufffd"])
        small = corpus.vocabulary(size=4)
        self.assertEqual(small.characters, ("a", "b"))
        self.assertAllEqual(small.encode(["ad"], 2), [[2, text.UNKNOWN]])

    def test_the_stream_is_one_hot_and_fixed_by_the_seed(self):
        path = os.path.join(self.get_temp_dir(), "corpus.txt")
        write_text_corpus(path, lines=40)
        source = wgan_gp_tf.data.get("text").sized(seq_len=12).reading(path)
        training = source.training_data(batch_size=8)
        self.assertIn("40 lines of 12 characters", training.description())

        def first(seed):
            stream = training.batches(batch_size=8, per_iteration=3, seed=seed)
            return next(iter(stream)).numpy()

        batch = first(0)
        self.assertEqual(batch.shape, (3, 8, 12, source.vocabulary.size))
        self.assertAllEqual(batch.sum(axis=-1), np.ones((3, 8, 12)))
        self.assertAllEqual(batch, first(0))
        self.assertNotAllEqual(batch, first(1))


def _original_js(first, second, n):
    """gan_language.py's js_with, written out over dictionaries, for comparison."""
    def frequencies(lines):
        counts = {}
        for line in lines:
            for start in range(len(line) - n + 1):
                counts[line[start:start + n]] = counts.get(line[start:start + n], 0) + 1
        total = sum(counts.values())
        return {gram: count / total for gram, count in counts.items()}

    p, q = frequencies(first), frequencies(second)
    divergence = 0.0
    for own, other in ((p, q), (q, p)):
        for gram, value in own.items():
            divergence += 0.5 * value * math.log2(value / ((value + other.get(gram, 0)) / 2))
    return divergence


class NgramTest(tf.test.TestCase):

    def _js(self, first, second, n, base=5):
        return text_metrics.js_divergence(text_metrics.ngram_frequencies(first, n, base),
                                          text_metrics.ngram_frequencies(second, n, base))

    def test_closed_forms(self):
        self.assertAllClose(self._js([[1, 2, 3]], [[1, 2, 3]], 2), 0.0)
        self.assertAllClose(self._js([[1, 1]], [[2, 2]], 1), 1.0)
        # p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4).
        expected = 0.5 * (0.5 * math.log2(2 / 3) + 0.5 * math.log2(2)) + 0.5 * math.log2(4 / 3)
        self.assertAllClose(self._js([[1, 2]], [[1, 1]], 1), expected)

    def test_ngrams_are_windows_of_each_row_alone(self):
        codes, frequencies = text_metrics.ngram_frequencies([[1, 2], [3, 4]], 2, 5)
        self.assertAllEqual(codes, [1 * 5 + 2, 3 * 5 + 4])
        self.assertAllClose(frequencies, [0.5, 0.5])

    def test_matches_the_original_definition(self):
        rng = np.random.default_rng(0)
        first, second = rng.integers(0, 4, (30, 8)), rng.integers(0, 3, (20, 8))
        for n in text_metrics.NGRAM_ORDERS:
            expected = _original_js([tuple(row) for row in first],
                                    [tuple(row) for row in second], n)
            self.assertAllClose(self._js(first, second, n), expected)

    def test_words_leave_out_one_cut_at_the_end(self):
        self.assertEqual(text_metrics.words("The cat's mat", cut=False),
                         ["the", "cat", "mat"])
        self.assertEqual(text_metrics.words("The cat sa", cut=True), ["the", "cat"])
        self.assertEqual(text_metrics.words("The cat. ", cut=True), ["the", "cat"])

    def test_the_evaluator_scores_real_lines_perfectly(self):
        corpus = text.Corpus(("the cat sat", "the cat ran", "a dog sat"))
        vocabulary = corpus.vocabulary()
        reference = vocabulary.encode(corpus.lines, 12)
        evaluator = text_metrics.TextEvaluator(reference, vocabulary.size, vocabulary.decode,
                                               corpus.lines)
        same = evaluator(keras.ops.one_hot(reference, vocabulary.size).numpy())
        self.assertEqual(same["samples"], 3)
        for n in text_metrics.NGRAM_ORDERS:
            self.assertAllClose(same[f"js_{n}"], 0.0)
        # "the", "cat", "sat" occur twice; "ran" and "dog" once.
        self.assertAllClose(same["real_words"], 6 / 8)
        backwards = vocabulary.encode(["tac eht"] * 3, 12)
        other = evaluator(backwards)
        self.assertAllClose(other["real_words"], 0.0)
        for n in text_metrics.NGRAM_ORDERS:
            self.assertAllClose(other[f"js_{n}"], _original_js(
                [tuple(row) for row in backwards], [tuple(row) for row in reference], n))


def _dense_parameters(inputs, outputs):
    return inputs * outputs + outputs


def _conv_parameters(width, inputs, outputs):
    return width * inputs * outputs + outputs


class LanguageNetworksTest(tf.test.TestCase):

    def test_parameter_counts_equal_gan_language_py(self):
        seq_len, vocabulary, dim, noise = 32, 105, 512, 128
        blocks = 5 * 2 * _conv_parameters(5, dim, dim)
        critic, generator = models.build(models.get("language_resnet"), noise, "normal",
                                         (seq_len, vocabulary))
        self.assertEqual(critic.count_params(),
                         _conv_parameters(1, vocabulary, dim) + blocks
                         + _dense_parameters(seq_len * dim, 1))
        self.assertEqual(generator.count_params(),
                         _dense_parameters(noise, seq_len * dim) + blocks
                         + _conv_parameters(1, dim, vocabulary))

    def test_generator_rows_are_distributions_and_the_critic_scores_them(self):
        critic, generator = models.build(models.get("language_rnn"), 4, "normal", (7, 9), dim=6)
        rows = generator(tf.random.normal([3, 4]))
        self.assertEqual(rows.shape, (3, 7, 9))
        self.assertAllClose(tf.reduce_sum(rows, -1), tf.ones([3, 7]))
        self.assertEqual(critic(rows).shape, (3, 1))
        self.assertIsInstance(critic.recurrent, keras.layers.GRU)

    def test_gradient_penalties_refuse_a_critic_without_a_second_derivative(self):
        critic, generator = models.build(models.get("language_rnn"), 4, "normal", (5, 6), dim=4)
        critic.__class__ = type("CudnnCritic", (models.RecurrentCritic,),
                                {"second_derivative_available": False})
        for penalty in ("squared", "hinge", "div"):
            with self.assertRaisesRegex(wgan_gp_tf.ConfigError,
                                        "no second derivative.*diff_squared"):
                wgan_gp_tf.WGANGP(critic, generator, penalty=penalty)
        wgan_gp_tf.WGANGP(critic, generator, penalty="diff_squared")

    def test_the_squared_penalty_trains_a_gru_critic_on_the_cpu(self):
        # Keras's generic GRU kernel, which a CPU runs, has a second derivative.
        critic, _ = models.build(models.get("language_rnn"), 4, "normal", (5, 6), dim=4)
        self.assertTrue(critic.second_derivative_available)
        real = tf.one_hot(tf.random.stateless_uniform([8, 5], [1, 2], maxval=6,
                                                      dtype=tf.int32), 6)
        fake = tf.nn.softmax(tf.random.stateless_normal([8, 5, 6], [3, 4]))
        with tf.GradientTape() as tape:
            value = penalties.squared_penalty(critic, real, fake, 0).value
        # Through the gradient of the scores: every weight but the score's bias.
        gradients = tape.gradient(value, critic.recurrent.trainable_variables)
        for gradient in gradients:
            self.assertGreater(float(tf.reduce_sum(tf.abs(gradient))), 0.0)


class DiffSquaredSignTrapTest(tf.test.TestCase):
    """The finite-difference squared penalty has a wrong-signed minimum when 2 lambda > d.

    For D(x) = w x in one dimension, with real samples at 0 and generated
    ones at d, the quotient is |w| and the critic's loss is
    `-w d + lambda (|w| - 1)^2`: besides its minimum at `1 + d / (2 lambda)`,
    it has one at `-1 + d / (2 lambda)` whenever that is negative. A slope
    along the real-to-generated segment cannot change sign without passing
    0, where the penalty is lambda. One-hot lines of 32 characters lie
    about d = 8 apart, so at lambda 10 a critic that starts with the wrong
    sign stays there (language_rnn's preset weight is 1).
    """

    def _loss_gradient(self, w, penalty_weight, distance=8.0):
        critic = LinearCritic(tf.constant([w]))
        real, fake = tf.zeros([4, 1]), tf.fill([4, 1], distance)
        with tf.GradientTape() as tape:
            scores = wgan_gp_tf.losses.resolve("wasserstein")(critic(real), critic(fake))
            penalty = penalties.diff_squared_penalty(critic, real, fake,
                                                     keras.random.SeedGenerator(3))
            loss = scores.critic + penalty_weight * penalty.value
        self.assertAllClose(penalty.norm, abs(w))
        return float(tape.gradient(loss, critic.w)[0])

    def test_lambda_10_holds_a_wrong_signed_slope(self):
        trapped = -1 + 8.0 / 20
        self.assertAllClose(self._loss_gradient(trapped, 10.0), 0.0, atol=1e-5)
        # Gradient descent moves towards it from either side.
        self.assertGreater(self._loss_gradient(trapped + 0.1, 10.0), 0.0)
        self.assertLess(self._loss_gradient(trapped - 0.1, 10.0), 0.0)

    def test_lambda_1_lets_every_negative_slope_turn(self):
        for w in (-0.1, -0.6, -1.0, -3.0):
            self.assertAllClose(self._loss_gradient(w, 1.0), -8.0 + 2 * (abs(w) - 1) * -1)
            self.assertLess(self._loss_gradient(w, 1.0), 0.0)


class TextConfigTest(tf.test.TestCase):

    def test_refusals_name_the_fix(self):
        make = wgan_gp_tf.training.make_config
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError, "--data_dir=.*fortunes"):
            make("language_rnn")
        corpus = os.path.join(self.get_temp_dir(), "corpus.txt")
        write_text_corpus(corpus)
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError, "makes images.*holds text"):
            make("mnist_mlp", dataset="text", data_dir=corpus)
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError, "--seq_len"):
            make("mnist_mlp", seq_len=16)
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError, "--model_dim"):
            make("mnist_mlp", model_dim=16)
        config = make("language_resnet", data_dir=corpus, seq_len=10)
        self.assertEqual(config.data_source().shape[0], 10)


class RecordedVocabularyTest(tf.test.TestCase):
    """A text run folder records its symbols; a resume on a corpus with others is refused."""

    def _prepare(self, corpus, lines):
        with open(corpus, "w", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
        text.read_corpus.cache_clear()
        config = wgan_gp_tf.training.make_config(
            "language_resnet", data_dir=corpus,
            output_dir=os.path.join(self.get_temp_dir(), "run"))
        with run_folder.lock(config.output_dir):
            run_folder.prepare(config)
        return config

    def test_another_vocabulary_is_refused_naming_both(self):
        corpus = os.path.join(self.get_temp_dir(), "corpus.txt")
        config = self._prepare(corpus, ["abc", "ab"])
        with open(os.path.join(config.output_dir, "vocabulary.json"), encoding="utf-8") as file:
            self.assertEqual(json.load(file)["symbols"], ["", "\ufffd", "a", "b", "c"])
        self._prepare(corpus, ["abc", "ab"])
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError,
                                    r"another vocabulary .* \(5 symbols then, 6 now; "
                                    r"vocabulary.json records it\)"):
            self._prepare(corpus, ["abcd", "ab"])
        # rot13: as many symbols, in another order.
        with self.assertRaisesRegex(wgan_gp_tf.ConfigError,
                                    r"the same 5 symbols, but index 2 was 'a' and is now 'n'"):
            self._prepare(corpus, ["nop", "no"])


@helpers.slow(seconds=40)
class LanguageRunTest(tf.test.TestCase):
    """Both presets train through train.py on a small corpus, write text and export it."""

    def test_presets_train_sample_and_export_text(self):
        corpus = os.path.join(self.get_temp_dir(), "corpus.txt")
        write_text_corpus(corpus, lines=100)
        for preset in ("language_rnn", "language_resnet"):
            run_dir = os.path.join(self.get_temp_dir(), preset)
            export_dir = os.path.join(self.get_temp_dir(), f"{preset}_export")
            result = run_script(
                "train.py", f"--preset={preset}", f"--data_dir={corpus}", "--model_dim=8",
                "--seq_len=12", "--n_critic=2", "--batch_size=16", "--iterations=4",
                "--sample_every=2", "--checkpoint_every=2", "--eval_every=2",
                "--eval_samples=32", f"--output_dir={run_dir}", f"--export_dir={export_dir}")
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            with open(os.path.join(run_dir, "samples", "00000004.txt"), encoding="utf-8") as f:
                self.assertLen(f.read().splitlines(), 64)
            with open(os.path.join(run_dir, "metrics.jsonl"), encoding="utf-8") as file:
                evaluations = [json.loads(line) for line in file]
            self.assertEqual([line["iteration"] for line in evaluations], [2, 4])
            self.assertBetween(evaluations[-1]["js_4"], 0.0, 1.0)
            metadata = wgan_gp_tf.serving.read_metadata(os.path.join(export_dir, "1"))
            self.assertEqual(metadata["seq_len"], 12)
            self.assertIn("js_4", metadata["metrics"])
            sampled = run_script("sample.py", f"--export_dir={export_dir}", "--num=3")
            self.assertEqual(sampled.returncode, 0, sampled.stderr[-3000:])
            lines = sampled.stdout.splitlines()
            self.assertLen(lines, 3)
            symbols = set("".join(metadata["symbols"]))
            for line in lines:
                self.assertLessEqual(len(line), 12)
                self.assertTrue(set(line) <= symbols, line)
            self._evaluate(export_dir, corpus)

    def _evaluate(self, export_dir, corpus):
        out = os.path.join(self.get_temp_dir(), "evaluation.json")
        result = run_script("evaluate.py", f"--path={export_dir}", f"--data_dir={corpus}",
                            "--num=100", "--reference", f"--out={out}")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(out, encoding="utf-8") as file:
            measured = json.load(file)
        self.assertBetween(measured["generated"]["js_4"], 0.0, 1.0)
        # All 100 lines of the corpus: its own n-gram frequencies exactly.
        for order in range(1, 5):
            self.assertEqual(measured["real_lines"][f"js_{order}"], 0.0)
        self.assertIn("real_words", result.stdout)


class ShippedTextTest(tf.test.TestCase):
    """saved_models/fortunes, where Debian's fortunes lie."""

    @unittest.skipUnless(os.path.isdir(text.FORTUNES), f"no {text.FORTUNES} (apt install fortunes)")
    def test_its_lines_score_as_its_card_says(self):
        out = os.path.join(self.get_temp_dir(), "evaluation.json")
        path = os.path.join(helpers.ROOT, "saved_models", "fortunes")
        result = run_script("evaluate.py", f"--path={path}", f"--data_dir={text.FORTUNES}",
                            "--num=640", f"--out={out}")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(out, encoding="utf-8") as file:
            generated = json.load(file)["generated"]
        # Seeds 0-639 give JS-4 0.483 and 38.9% real words (saved_models/README.md);
        # version 2 gave 0.490 and 37.7%.
        self.assertLess(generated["js_4"], 0.488)
        self.assertGreater(generated["real_words"], 0.383)
        version_path = wgan_gp_tf.serving.resolve_version(path)
        inputs = helpers.signature_defs(version_path)["serving_default"].inputs
        self.assertEqual([dim.size for dim in inputs["z"].tensor_shape.dim], [-1, 128])
        self.assertTrue(os.path.isfile(os.path.join(version_path, wgan_gp_tf.serving.WARMUP_FILE)))


if __name__ == "__main__":
    tf.test.main()
