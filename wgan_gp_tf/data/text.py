"""Text as the WGAN-GP paper's language model reads it: fixed-length lines of characters.

A corpus is any UTF-8 text file, or a folder of them searched recursively
(the Debian package `fortunes` puts 2.8 MB of them in
/usr/share/games/fortunes). Every non-blank line is a sample, cut or padded
to `seq_len` characters as gan_language.py's `load_dataset` does; lines of
`%` alone (fortune files' separators) are skipped, control characters
dropped and tabs read as spaces. A sample is one-hot `[seq_len, vocabulary]`;
the generator answers with a softmax over the same vocabulary at each
position, which the critic reads as it reads the one-hot rows.
"""

import collections
import dataclasses
import functools
import logging
import os
import unicodedata

import numpy as np
import tensorflow as tf

from wgan_gp_tf.data import stream
from wgan_gp_tf.data.sources import DataSource, TrainingData
from wgan_gp_tf.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

# gan_language.py: 32 characters per sample, at most 2048 symbols.
SEQ_LEN = 32
MAX_VOCABULARY = 2048

# Index 0 pads a short line (decoded as nothing); 1 stands for a character
# rarer than the vocabulary holds (decoded as U+FFFD).
PAD, UNKNOWN = 0, 1
_RESERVED = ("", "\ufffd")

# Where `apt install fortunes` puts its files: the corpus the messages suggest.
FORTUNES = "/usr/share/games/fortunes"


def clean_line(line):
    """A line as a sample reads it: tabs as spaces, control characters out, trimmed."""
    line = line.replace("\t", " ")
    return "".join(char for char in line if unicodedata.category(char) != "Cc").strip()


@dataclasses.dataclass(frozen=True)
class Corpus:
    """The lines of a text file or folder, and the files that were not text.

    Attributes:
        lines: every non-blank line, cleaned (`clean_line`), in file order.
        skipped: files of a folder that are binary (index files such as
            fortune's `.dat`), left out.
    """

    lines: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    def vocabulary(self, size=MAX_VOCABULARY):
        """The `Vocabulary` of the most frequent characters, ties in code-point order."""
        counts = collections.Counter(char for line in self.lines for char in line
                                     if char not in _RESERVED)
        ranked = sorted(counts, key=lambda char: (-counts[char], char))
        return Vocabulary(tuple(ranked[:size - len(_RESERVED)]))


@functools.lru_cache(maxsize=4)
def read_corpus(path):
    """Reads a text file, or every text file under a folder (symbolic links not followed).

    Raises:
        DataError: nothing at `path`, a binary file, or no line of text at
            all. Bytes that are not UTF-8 are read as unknown characters, with
            a warning (`_read_text_file`).
    """
    if not os.path.exists(path):
        raise DataError(f"no text at {path}; pass --data_dir=<a UTF-8 text file or a folder of "
                        f"them>, e.g. {FORTUNES} (apt install fortunes)")
    if os.path.isfile(path):
        lines, skipped = _read_text_file(path), ()
        if lines is None:
            raise DataError(f"{path} is a binary file (it holds NUL bytes), not text; pass a "
                            f"text file or a folder of them")
    else:
        lines, skipped = [], []
        for root, folders, files in os.walk(path):
            folders.sort()
            for name in sorted(files):
                file_path = os.path.join(root, name)
                if os.path.islink(file_path):
                    continue
                file_lines = _read_text_file(file_path)
                if file_lines is None:
                    skipped.append(file_path)
                else:
                    lines.extend(file_lines)
    if not lines:
        raise DataError(f"{path} holds no line of text")
    return Corpus(tuple(lines), tuple(skipped))


def _read_text_file(path):
    """The sample lines of a file, or `None` if it is binary (holds a NUL byte).

    Bytes that are not UTF-8 are read as U+FFFD, which encodes as `UNKNOWN`,
    with a warning naming the file, the first such byte and the lines it
    costs: a file in another encoding keeps its lines and its ASCII.
    """
    with open(path, "rb") as file:
        content = file.read()
    if b"\0" in content:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        text = content.decode("utf-8", errors="replace")
        line = content.count(b"\n", 0, error.start) + 1
        affected = sum("\ufffd" in row for row in text.splitlines())
        logger.warning(
            "%s is not UTF-8: byte %d (0x%02x, line %d) and others are read as unknown "
            "characters, in %d of its lines; convert it to keep them, e.g. iconv -f latin1 "
            "-t utf-8", path, error.start, content[error.start], line, affected)
    return [line for line in map(clean_line, text.splitlines()) if line and line != "%"]


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """Characters and their indices: `PAD`, `UNKNOWN`, then `characters` from index 2.

    Attributes:
        characters: the corpus's characters, most frequent first.
    """

    characters: tuple[str, ...]

    @property
    def symbols(self):
        """What each index decodes to, in index order."""
        return _RESERVED + self.characters

    @property
    def size(self):
        """The number of indices, the width of a one-hot row."""
        return len(self.symbols)

    def encode(self, lines, seq_len):
        """Lines as int32 `[N, seq_len]`: cut, padded with `PAD`, rare characters `UNKNOWN`."""
        index = {char: position for position, char in enumerate(self.symbols) if char}
        encoded = np.full([len(lines), seq_len], PAD, np.int32)
        for row, line in enumerate(lines):
            codes = [index.get(char, UNKNOWN) for char in line[:seq_len]]
            encoded[row, :len(codes)] = codes
        return encoded

    def decode(self, indices):
        """int `[N, seq_len]` back to `N` strings, padding dropped."""
        symbols = np.array(self.symbols, dtype=object)
        return ["".join(row) for row in symbols[np.asarray(indices)]]


@dataclasses.dataclass(frozen=True)
class TextSource(DataSource):
    """Lines of text from `--data_dir`, `seq_len` characters each.

    Its shape, `(seq_len, vocabulary size)`, comes from the corpus, so it is
    known once `reading(data_dir)` has read it.
    """

    name: str = "text"
    seq_len: int = SEQ_LEN
    corpus: Corpus | None = dataclasses.field(default=None, repr=False, compare=False)
    makes = "text"
    exportable = True

    @property
    def vocabulary(self):
        """The corpus's `Vocabulary`."""
        if self.corpus is None:
            raise ConfigError(f"{self.name} has no vocabulary until it reads its corpus: pass "
                              f"--data_dir=<a UTF-8 text file or folder>, e.g. {FORTUNES} "
                              f"(apt install fortunes)")
        return _vocabulary(self.corpus)

    @property
    def shape(self):
        return (self.seq_len, self.vocabulary.size)

    def sized(self, image_size=0, channels=0, seq_len=0):
        """This source with samples of `seq_len` characters (0: `SEQ_LEN`)."""
        if image_size or channels:
            raise ConfigError("--image_size and --channels size images; text takes --seq_len")
        return dataclasses.replace(self, seq_len=seq_len or SEQ_LEN)

    def reading(self, data_dir):
        """This source with the corpus at `data_dir` read.

        Raises:
            DataError: no readable text there (`read_corpus`), or no path.
        """
        if not data_dir:
            raise DataError(f"{self.name} reads a corpus: pass --data_dir=<a UTF-8 text file or "
                            f"folder>, e.g. {FORTUNES} (apt install fortunes)")
        return dataclasses.replace(self, corpus=read_corpus(os.path.abspath(data_dir)))

    def encoded(self):
        """Every line of the corpus, int32 `[N, seq_len]`, read-only."""
        return _encoded(self.corpus, self.vocabulary, self.seq_len)

    def training_data(self, *, batch_size, skip_bad_images=False, cache_images=False,
                      labelled=False):
        del skip_bad_images, cache_images
        if labelled:
            raise DataError(f"{self.name} lines have no labels to condition on")
        self._refuse_padding_only()
        encoded = self.encoded()
        stream.require_a_batch(len(encoded), batch_size, "lines")
        return TextTrainingData(encoded, self.vocabulary.size, self.corpus)

    def _refuse_padding_only(self):
        # Networks grow with seq_len; past every line they would learn only padding
        # (--seq_len=100000 needs more memory than a machine has, not a better model).
        longest = max(len(line) for line in self.corpus.lines)
        if self.seq_len > max(longest, SEQ_LEN):
            raise DataError(f"--seq_len={self.seq_len} is longer than every line of the "
                            f"corpus (the longest has {longest:,} characters), so samples "
                            f"would be padding past it; choose --seq_len="
                            f"{max(longest, SEQ_LEN)} or less")


@functools.lru_cache(maxsize=4)
def _vocabulary(corpus):
    return corpus.vocabulary()


@functools.lru_cache(maxsize=4)
def _encoded(corpus, vocabulary, seq_len):
    # Cached: the training data and the evaluator of one run both take it.
    encoded = vocabulary.encode(corpus.lines, seq_len)
    encoded.flags.writeable = False
    return encoded


@dataclasses.dataclass(frozen=True)
class TextTrainingData(TrainingData):
    """Encoded lines `[N, seq_len]`, streamed one-hot."""

    encoded: np.ndarray
    vocabulary_size: int
    corpus: Corpus

    def batches(self, *, batch_size, per_iteration, seed, value_range=None, start_iteration=0):
        del value_range
        return stream.training_batches(
            self.encoded, batch_size=batch_size, per_iteration=per_iteration, seed=seed,
            start_iteration=start_iteration,
            to_samples=lambda indices: tf.one_hot(indices, self.vocabulary_size))

    def description(self):
        skipped = (f" ({len(self.corpus.skipped)} files that are not text left out)"
                   if self.corpus.skipped else "")
        return (f"{len(self.encoded):,} lines of {self.encoded.shape[1]} characters over "
                f"{self.vocabulary_size} symbols{skipped}")
