"""Loads our SavedModel without Python, as TF Serving does, via the C API.

`tests/c/run_signature.c` is compiled with the system's C compiler against the
TensorFlow C API inside the installed wheel. It loads an export with the
`serve` tag and runs a signature by the tensor names of its SignatureDef; the
outputs must equal what Python gets from the same signature.
"""

import os
import shutil
import subprocess

import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from tests.helpers import TEXT_SYMBOLS, mlp_generator, text_generator
from wgan_gp_tf.serving import export

_SOURCE = os.path.join(os.path.dirname(__file__), "c", "run_signature.c")


def _compile(output_path):
    """Builds run_signature against the wheel's C API; returns an error or None."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return "no C compiler (cc or gcc) on PATH"
    library_dir = os.path.dirname(tf.__file__)
    command = [compiler, "-O1", "-Wall", "-Werror",
               f"-I{os.path.join(library_dir, 'include')}", _SOURCE, "-o", output_path,
               f"-L{library_dir}", "-l:libtensorflow_cc.so.2",
               "-l:libtensorflow_framework.so.2", f"-Wl,-rpath,{library_dir}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise AssertionError(f"compiling {_SOURCE} failed:\n{result.stderr}")
    return None


def _signature_tensors(version_path, signature):
    """`({input key: tensor name}, output tensor name)` of a one-output SignatureDef."""
    definition = helpers.signature_defs(version_path)[signature]
    [output_info] = definition.outputs.values()
    return {key: info.name for key, info in definition.inputs.items()}, output_info.name


@helpers.slow(seconds=20)
class CApiLoaderTest(tf.test.TestCase, parameterized.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work_dir = helpers.temp_dir(cls)
        cls.binary = os.path.join(cls.work_dir, "run_signature")
        cls.compile_error = _compile(cls.binary)
        cls.version_path = export.export_generator(
            mlp_generator(seed=4, prior="normal"), os.path.join(cls.work_dir, "export"))
        cls.loaded = tf.saved_model.load(cls.version_path)
        cls.labelled_path = export.export_generator(
            mlp_generator(seed=5, prior="normal", num_classes=10),
            os.path.join(cls.work_dir, "labelled"))
        cls.labelled = tf.saved_model.load(cls.labelled_path)
        cls.text_path = export.export_generator(
            text_generator(seed=6), os.path.join(cls.work_dir, "text"), symbols=TEXT_SYMBOLS)
        cls.text = tf.saved_model.load(cls.text_path)

    def setUp(self):
        super().setUp()
        if self.compile_error:
            self.skipTest(self.compile_error)

    def _run_in_c(self, signature, values, labels=None, version_path=None):
        """`(output, stderr)`: float32 values, or a text export's raw bytes; `None` on failure."""
        version_path = version_path or (self.version_path if labels is None
                                        else self.labelled_path)
        inputs, output_name = _signature_tensors(version_path, signature)
        input_path = os.path.join(self.get_temp_dir(), "input.bin")
        output_path = os.path.join(self.get_temp_dir(), "output.bin")
        values.tofile(input_path)
        width = values.shape[1] if values.ndim == 2 else 0
        dtype = "int64" if values.dtype == np.int64 else "float"
        command = [self.binary, version_path, inputs[signature_input(signature)], dtype,
                   str(len(values)), str(width), input_path, output_name, output_path]
        if labels is not None:
            labels_path = os.path.join(self.get_temp_dir(), "labels.bin")
            labels.tofile(labels_path)
            command += [inputs["label"], str(len(labels)), labels_path]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            return None, result.stderr
        if version_path == self.text_path:
            with open(output_path, "rb") as file:
                return file.read(), result.stderr
        shape = [int(size) for size in result.stdout.split()[1:]]
        return np.fromfile(output_path, np.float32).reshape(shape), result.stderr

    @parameterized.product(batch=[1, 5])
    def test_serving_default_matches_python(self, batch):
        z = np.random.default_rng(batch).normal(size=(batch, 10)).astype(np.float32)
        images, stderr = self._run_in_c("serving_default", z)
        self.assertIsNotNone(images, stderr)
        expected = self.loaded.signatures["serving_default"](z=tf.constant(z))["images"]
        self.assertEqual(images.shape, (batch, 28, 28, 1))
        self.assertAllClose(images, expected, atol=1e-6)

    @parameterized.product(batch=[1, 5])
    def test_sample_matches_python(self, batch):
        seeds = np.arange(-2, batch - 2, dtype=np.int64) * 1_000_003
        images, stderr = self._run_in_c("sample", seeds)
        self.assertIsNotNone(images, stderr)
        expected = self.loaded.signatures["sample"](seed=tf.constant(seeds))["images"]
        self.assertEqual(images.shape, (batch, 28, 28, 1))
        self.assertAllClose(images, expected, atol=1e-6)

    def test_a_wrong_width_fails_with_the_signature_check(self):
        images, stderr = self._run_in_c("serving_default", np.zeros((3, 7), np.float32))
        self.assertIsNone(images)
        self.assertIn("z must have shape [batch >= 1, 10] and finite values (no NaN or "
                      "infinity); got shape] [3 7]", stderr)

    def test_another_rank_or_nan_fails_with_the_signature_check(self):
        # The C API, like TF Serving, passes the tensor as it is, whatever
        # shape the signature declares.
        for z, shape in ((np.zeros(10, np.float32), "[10]"),
                         (np.full((2, 10), np.nan, np.float32), "[2 10]")):
            images, stderr = self._run_in_c("serving_default", z)
            self.assertIsNone(images)
            self.assertIn(f"and finite values (no NaN or infinity); got shape] {shape}", stderr)


    @parameterized.parameters("serving_default", "sample")
    def test_labelled_signatures_match_python(self, signature):
        labels = np.array([7, 0, 3, 9], np.int64)
        values = (np.random.default_rng(3).normal(size=(4, 10)).astype(np.float32)
                  if signature == "serving_default" else np.arange(4, dtype=np.int64))
        images, stderr = self._run_in_c(signature, values, labels)
        self.assertIsNotNone(images, stderr)
        name = signature_input(signature)
        expected = self.labelled.signatures[signature](
            **{name: tf.constant(values), "label": tf.constant(labels)})["images"]
        self.assertEqual(images.shape, (4, 28, 28, 1))
        self.assertAllClose(images, expected, atol=1e-6)
        other = self.labelled.signatures[signature](
            **{name: tf.constant(values), "label": tf.constant(labels[::-1].copy())})["images"]
        # Another label, another image (an untrained generator differs little).
        self.assertGreater(np.abs(images - other.numpy()).max(), 1e-5)

    def test_a_bad_label_fails_with_the_signature_check(self):
        seeds = np.arange(3, dtype=np.int64)
        for labels in (np.array([0, 10, 2], np.int64), np.array([0, -1, 2], np.int64),
                       np.array([0, 1], np.int64)):
            images, stderr = self._run_in_c("sample", seeds, labels)
            self.assertIsNone(images)
            self.assertIn("label must hold one class in [0, 10) per image", stderr)

    @parameterized.parameters("serving_default", "sample")
    def test_text_signatures_return_the_strings_python_gets(self, signature):
        values = (np.random.default_rng(4).normal(size=(3, 10)).astype(np.float32)
                  if signature == "serving_default" else np.arange(3, dtype=np.int64))
        output, stderr = self._run_in_c(signature, values, version_path=self.text_path)
        self.assertIsNotNone(output, stderr)
        expected = self.text.signatures[signature](
            **{signature_input(signature): tf.constant(values)})["text"].numpy()
        self.assertEqual(output, b"".join(line + b"\n" for line in expected))
        lines = output.decode("utf-8").splitlines()
        self.assertLen(lines, 3)
        for line in lines:
            self.assertLessEqual(len(line), 6)
            self.assertTrue(set(line) <= set("".join(TEXT_SYMBOLS)), line)

    def test_a_text_export_checks_its_noise(self):
        output, stderr = self._run_in_c("serving_default", np.zeros((2, 3), np.float32),
                                        version_path=self.text_path)
        self.assertIsNone(output)
        self.assertIn("z must have shape [batch >= 1, 10]", stderr)


def signature_input(signature):
    """The key of a signature's first input: `z` or `seed`."""
    return {"serving_default": "z", "sample": "seed"}[signature]


if __name__ == "__main__":
    tf.test.main()
