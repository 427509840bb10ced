"""Small models and data the tests build for themselves."""

import gzip
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import keras
import numpy as np
import tensorflow as tf

from wgan_gp_tf import models

# The checkout: scripts run from here, as a user runs them.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The variable that names a folder of real MNIST's four IDX files (.gz), for the tests
# that measure on real data; `.ci/run` sets it.
MNIST_VARIABLE = "WGAN_GP_TF_MNIST"
MNIST = os.environ.get(MNIST_VARIABLE)


def slow(seconds):
    """Marks a test class as slow: left out of `python -m tests --fast`, run first.

    Args:
        seconds: about how long the class takes on 2 cores (`--timings`
            prints it), so that the slowest start first and none is left
            running alone at the end.
    """
    def mark(test_class):
        test_class.slow_seconds = seconds
        return test_class

    return mark


def temp_dir(test):
    """A new folder, deleted after the test, or after the last test of a class in `setUpClass`.

    Args:
        test: the test case (`self`), or its class (`cls` in `setUpClass`).
    """
    folder = tempfile.mkdtemp()
    cleanup = test.addClassCleanup if isinstance(test, type) else test.addCleanup
    cleanup(shutil.rmtree, folder, ignore_errors=True)
    return folder


def needs_mnist(test):
    """Skips `test` unless `$WGAN_GP_TF_MNIST` names real MNIST.

    Under `CI=true` an unset variable is an error instead, so that CI never
    passes without the tests on real data.
    """
    if MNIST:
        return test
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true, but {MNIST_VARIABLE} is unset: CI runs every test on "
                           f"real MNIST (.ci/run sets it to ../shared/data/mnist)")
    return unittest.skip(f"set {MNIST_VARIABLE} to a folder of MNIST's four .gz IDX files to "
                         f"run this test on real data")(test)


def script_command(script, *flags):
    """The command line that runs `scripts/<script>` with `flags` in this interpreter."""
    return [sys.executable, os.path.join(ROOT, "scripts", script), *flags]


def run_script(script, *flags, timeout=300, env=None):
    """Runs `scripts/<script>` from the checkout; returns the `CompletedProcess` (text)."""
    return subprocess.run(script_command(script, *flags), capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def checkpoint_tensors(prefix):
    """Every tensor a checkpoint holds (weights, optimiser slots, RNG state, counters), by name."""
    reader = tf.train.load_checkpoint(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if name != "_CHECKPOINTABLE_OBJECT_GRAPH"}


def signature_defs(version_path):
    """The SignatureDefs of a SavedModel's `serve` graph, as TF Serving and the C API read them."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(version_path, "saved_model.pb"), "rb") as stream:
        saved_model.ParseFromString(stream.read())
    [meta_graph] = [graph for graph in saved_model.meta_graphs
                    if "serve" in graph.meta_info_def.tags]
    return meta_graph.signature_def


class StartedScript:
    """`scripts/<script>` running in the background, its log read line by line.

    A thread keeps reading the script's stderr (where the library logs), so
    that a test can wait for the line that says something happened instead of
    polling for files, and the pipe never fills.

    Args:
        script: the script's file name in `scripts/`.
        *flags: its command-line flags.
    """

    def __init__(self, script, *flags):
        self.process = subprocess.Popen(
            script_command(script, *flags), cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.lines = []
        self._ended = False
        self._queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stderr:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text, timeout=240):
        """Returns the next line containing `text`; fails if the script ends or times out first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {timeout} s") from None
            if line is None:
                self._ended = True
                raise AssertionError(f"the script ended without a line with {text!r}:\n"
                                     + "".join(self.lines[-20:]))
            self.lines.append(line)
            if text in line:
                return line

    def signal(self, number):
        """Sends signal `number` and returns the exit code and the whole log once it ends."""
        self.process.send_signal(number)
        returncode = self.process.wait(timeout=120)
        while not self._ended:
            line = self._queue.get(timeout=60)
            self._ended = line is None
            self.lines.extend([line] if line else [])
        self.process.stderr.close()
        return returncode, "".join(self.lines)


class LinearCritic(keras.Model):
    """D(x) = w . x over all non-batch axes: ||grad D|| = ||w|| everywhere."""

    def __init__(self, weights, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=weights.shape, initializer="zeros",
                                 name="w")
        self.w.assign(weights)

    def call(self, x, training=False):
        axes = list(range(1, len(x.shape)))
        return tf.reduce_sum(x * self.w, axis=axes)[:, tf.newaxis]


class ConstantGenerator(models.Generator):
    """G(noise) = c for every noise vector: generated samples known exactly."""

    def __init__(self, value, latent_dim=3, **kwargs):
        super().__init__(latent_dim, "uniform", value.shape, (0.0, 1.0), **kwargs)
        self.c = self.add_weight(shape=value.shape, initializer="zeros", name="c")
        self.c.assign(value)

    def call(self, noise, training=False):
        return tf.zeros_like(noise[:, :1, tf.newaxis, tf.newaxis]) + self.c


def write_idx(path, array):
    """Writes a uint8 array as a gzipped IDX file (3 dims images, 1 labels)."""
    magic = 0x800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(
        dim.to_bytes(4, "big") for dim in array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


def write_mnist_folder(directory, count=300, seed=0):
    """A folder of MNIST-format IDX files holding `count` random 28x28 images."""
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    for split in ("train", "t10k"):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, (count,), dtype=np.uint8)
        write_idx(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"), labels)
    return directory


def mlp_generator(seed=0, prior="uniform", latent_dim=10, num_classes=0):
    """A freshly initialised, built `mnist_mlp` generator (conditional with `num_classes`)."""
    keras.utils.set_random_seed(seed)
    _, generator = models.build(models.get("mlp"), latent_dim, prior,
                                (28, 28, 1), num_classes=num_classes)
    return generator


# A tiny vocabulary: padding, unknown, then characters, one of them not ASCII.
TEXT_SYMBOLS = ("", "\ufffd", "a", "b", " ", "é")


def text_generator(seed=0, seq_len=6, dim=8):
    """A freshly initialised, built `language_resnet` generator over `TEXT_SYMBOLS`."""
    keras.utils.set_random_seed(seed)
    return models.build_generator(models.get("language_resnet"), 10, "normal",
                                  (seq_len, len(TEXT_SYMBOLS)), dim=dim)


def write_text_corpus(path, lines=200, seed=0):
    """A small corpus of English-like lines, with a fortune-style `%` separator and a tab.

    Returns:
        The lines written, as a sample reads them.
    """
    rng = np.random.default_rng(seed)
    words = ("the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "it")
    written = [" ".join(rng.choice(words, size=rng.integers(2, 9))) for _ in range(lines)]
    with open(path, "w", encoding="utf-8") as file:
        for index, line in enumerate(written):
            file.write(line.replace(" ", "\t", 1) + "\n")
            if index % 50 == 49:
                file.write("%\n")
    return written


def write_image_folder(directory, corrupt=True):
    """A nested folder of PNG/JPEG/BMP/GIF files of mixed sizes and modes.

    Returns:
        `(good paths, corrupt paths)`; a text file is there too, to be ignored.
    """
    from PIL import Image

    rng = np.random.default_rng(0)
    specs = [("a.png", "RGB", (40, 30)), ("b.JPG", "L", (50, 80)),
             ("nested/c.png", "RGBA", (33, 33)), ("nested/deeper/d.gif", "P", (20, 24)),
             ("nested/e.bmp", "RGB", (64, 48)), ("f.jpeg", "RGB", (100, 100))]
    good = []
    for name, mode, size in specs:
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        channels = {"RGB": 3, "RGBA": 4}.get(mode, 1)
        pixels = rng.integers(0, 256, (size[1], size[0], channels), dtype=np.uint8)
        Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels,
                        "L" if mode == "P" else mode).convert(mode).save(path)
        good.append(path)
    with open(os.path.join(directory, "notes.txt"), "w") as stream:
        stream.write("not an image")
    bad = []
    if corrupt:
        bad.append(os.path.join(directory, "nested", "broken.jpg"))
        with open(bad[0], "wb") as stream:
            stream.write(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    return sorted(good), bad
