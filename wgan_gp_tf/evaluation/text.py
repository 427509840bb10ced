"""Judging generated text: n-gram Jensen-Shannon divergences and the share of real words.

The WGAN-GP paper judges its character-level language model by the
Jensen-Shannon divergence, in bits, between the n-gram frequencies (n = 1 to
4) of generated and of real lines, padding included (gan_language.py's
`js_with`). Here n-grams of index sequences are coded as integers, so the
divergence is exact over every n-gram either side has.
"""

import collections
import re

import numpy as np

NGRAM_ORDERS = (1, 2, 3, 4)

# A word is a run of two or more letters (nearly every single letter stands
# alone somewhere in a corpus); a real one occurs at least twice in the corpus
# (once may be a typo or a name).
_WORD = re.compile(r"[^\W\d_]{2,}")
_REAL_WORD_COUNT = 2


def ngram_frequencies(sequences, n, vocabulary_size):
    """The n-grams of int sequences `[N, L]` (each row's windows) and their frequencies.

    Returns:
        `(codes, frequencies)`: the distinct n-grams, each coded as an int64
        in base `vocabulary_size`, sorted, and the share of all n-grams
        that each is.
    """
    sequences = np.asarray(sequences, np.int64)
    length = sequences.shape[1] - n + 1
    if length < 1:
        raise ValueError(f"sequences of {sequences.shape[1]} symbols have no {n}-grams")
    if vocabulary_size ** n >= 2**63:
        raise ValueError(f"{n}-grams over {vocabulary_size} symbols overflow an int64 code")
    codes = np.zeros([sequences.shape[0], length], np.int64)
    for offset in range(n):
        codes = codes * vocabulary_size + sequences[:, offset:offset + length]
    codes, counts = np.unique(codes, return_counts=True)
    return codes, counts / counts.sum()


def js_divergence(first, second):
    """The Jensen-Shannon divergence in bits between two `ngram_frequencies` results.

    0 for equal distributions, 1 for disjoint ones.
    """
    (first_codes, p), (second_codes, q) = first, second
    support = np.union1d(first_codes, second_codes)
    p_full = np.zeros(len(support))
    q_full = np.zeros(len(support))
    p_full[np.searchsorted(support, first_codes)] = p
    q_full[np.searchsorted(support, second_codes)] = q
    middle = (p_full + q_full) / 2
    return float(0.5 * _kl_bits(p_full, middle) + 0.5 * _kl_bits(q_full, middle))


def _kl_bits(p, middle):
    present = p > 0
    return np.sum(p[present] * np.log2(p[present] / middle[present]))


def words(line, cut):
    """The lower-case words of a line; the last left out if it runs to the end of a `cut` line."""
    found = _WORD.findall(line.lower())
    if cut and found and line[-1:].isalpha() and line.lower().endswith(found[-1]):
        found.pop()
    return found


class TextEvaluator:
    """Judges generated lines against a corpus.

    Args:
        reference: the corpus's lines as int `[N, seq_len]` (as trained on).
        vocabulary_size: the number of symbols, the width of a one-hot row.
        decode: maps int `[N, seq_len]` to strings, padding dropped.
        corpus_lines: the corpus's whole lines, whose words count as real.
    """

    def __init__(self, reference, vocabulary_size, decode, corpus_lines):
        self.seq_len = reference.shape[1]
        self.vocabulary_size = vocabulary_size
        self.reference = {n: ngram_frequencies(reference, n, vocabulary_size)
                          for n in NGRAM_ORDERS}
        self.decode = decode
        counts = collections.Counter(word for line in corpus_lines
                                     for word in words(line, cut=False))
        self.known_words = {word for word, count in counts.items() if count >= _REAL_WORD_COUNT}

    def __call__(self, generated):
        """`{"samples", "js_1", ..., "js_4", "real_words"}` of generated samples.

        Args:
            generated: softmax or one-hot rows `[N, seq_len, vocabulary]`, or
                int indices `[N, seq_len]`.

        Returns:
            The JS divergence in bits of each n-gram order against the
            corpus, and the share of generated words (runs of two or more
            letters; one that runs into the end of a full line left out)
            that occur at least twice in the corpus.
        """
        indices = np.asarray(generated)
        if indices.ndim == 3:
            indices = indices.argmax(axis=-1)
        results = {"samples": len(indices)}
        for n in NGRAM_ORDERS:
            results[f"js_{n}"] = js_divergence(
                ngram_frequencies(indices, n, self.vocabulary_size), self.reference[n])
        lines = self.decode(indices)
        generated_words = [word for line in lines
                           for word in words(line, cut=len(line) == self.seq_len)]
        results["real_words"] = (
            sum(word in self.known_words for word in generated_words) / len(generated_words)
            if generated_words else 0.0)
        return results
