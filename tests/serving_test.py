"""The serving client against loopback servers that answer as TF Serving does.

TF Serving itself cannot be installed here, so `_FakeModelServer` speaks its
documented REST API (`POST /v1/models/<name>[/versions/<n>]:predict`, row and
columnar formats, `{"error": ...}` on failure) and, with the optional
tensorflow-serving-api, its gRPC `PredictionService.Predict`, answering from
a real export loaded in this process.
"""

import json
import math
import os
import re
import subprocess
import sys
import threading
from concurrent import futures
from http import server as http_server

import numpy as np
import tensorflow as tf
from absl.testing import parameterized
from PIL import Image

from tests import helpers
from tests.helpers import TEXT_SYMBOLS, mlp_generator, text_generator
from wgan_gp_tf import serving, training
from wgan_gp_tf.errors import ExportNotFoundError, ServingError
from wgan_gp_tf.serving import export

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PREDICT_PATH = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+))?:predict$")


def _rest_handler(model_name, loaded):
    class Handler(http_server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status, body):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self):
            match = _PREDICT_PATH.match(self.path)
            if not match or match.group(1) != model_name:
                name = match.group(1) if match else self.path
                return self._reply(404, {"error": f"Servable not found for request: "
                                                  f"Latest({name})"})
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name = request.get("signature_name", "serving_default")
            signature = loaded.signatures[name]
            specs = signature.structured_input_signature[1]
            row = "instances" in request
            values = request["instances"] if row else request["inputs"]
            # Named inputs: objects per instance (row) or one list per name (columnar).
            if row and isinstance(values[0], dict):
                columns = {key: [instance[key] for instance in values] for key in specs}
            elif isinstance(values, dict):
                columns = values
            else:
                [key] = specs
                columns = {key: values}
            try:
                [output] = signature(**{key: tf.constant(columns[key], spec.dtype)
                                        for key, spec in specs.items()}).values()
            except tf.errors.InvalidArgumentError as error:
                return self._reply(400, {"error": error.message})
            key = "predictions" if row else "outputs"
            if output.dtype == tf.string:
                # TF Serving writes a string tensor as JSON strings (UTF-8).
                return self._reply(200, {key: [line.decode() for line in output.numpy()]})
            return self._reply(200, {key: output.numpy().tolist()})

    return Handler


class _LoopbackRest:
    """Mixin: an export of `_GENERATOR` served under `_MODEL` by a loopback REST server.

    Not a `TestCase` itself, so that the loader does not run its class set-up
    for a class without tests.
    """

    _MODEL = "mnist"
    _GENERATOR = {"seed": 2}

    @classmethod
    def _export(cls, export_dir):
        return export.export_generator(mlp_generator(**cls._GENERATOR), export_dir)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.version_path = cls._export(os.path.join(helpers.temp_dir(cls), cls._MODEL))
        cls.loaded = tf.saved_model.load(cls.version_path)
        cls.rest = http_server.ThreadingHTTPServer(
            ("127.0.0.1", 0), _rest_handler(cls._MODEL, cls.loaded))
        threading.Thread(target=cls.rest.serve_forever, daemon=True).start()
        cls.rest_url = f"http://127.0.0.1:{cls.rest.server_port}"

    @classmethod
    def tearDownClass(cls):
        cls.rest.shutdown()
        cls.rest.server_close()
        super().tearDownClass()


class LabelledServingTest(_LoopbackRest, tf.test.TestCase, parameterized.TestCase):
    """A class-conditional export: its label travels in both REST formats."""

    _MODEL = "digits"
    _GENERATOR = {"seed": 3, "num_classes": 10}

    @parameterized.parameters("row", "columnar")
    def test_labels_reach_the_signature(self, request_format):
        seeds = np.arange(4, dtype=np.int64)
        result = serving.rest_predict(self.rest_url, "digits", "sample", seeds,
                                      request_format, labels=7)
        expected = self.loaded.signatures["sample"](
            seed=tf.constant(seeds), label=tf.constant([7] * 4, tf.int64))["images"]
        self.assertAllClose(result, expected, atol=1e-6)

    def test_a_bad_label_is_reported(self):
        with self.assertRaisesRegex(ServingError, r"label must hold one class in \[0, 10\)"):
            serving.rest_predict(self.rest_url, "digits", "sample", [1, 2], labels=12)


class TextServingTest(_LoopbackRest, tf.test.TestCase, parameterized.TestCase):
    """A text export: its lines come back as strings, in both REST formats."""

    _MODEL = "lines"

    @classmethod
    def _export(cls, export_dir):
        return export.export_generator(text_generator(seed=1), export_dir,
                                       symbols=TEXT_SYMBOLS)

    @parameterized.parameters("row", "columnar")
    def test_lines_come_back_as_strings(self, request_format):
        seeds = np.arange(3, dtype=np.int64)
        lines = serving.rest_predict(self.rest_url, "lines", "sample", seeds, request_format)
        expected = self.loaded.signatures["sample"](seed=tf.constant(seeds))["text"].numpy()
        self.assertEqual(lines, [line.decode("utf-8") for line in expected])


class ServingClientTest(_LoopbackRest, tf.test.TestCase, parameterized.TestCase):


    def _expected(self, signature, values):
        name = serving.SIGNATURE_INPUTS[signature]
        dtype = tf.int64 if signature == "sample" else tf.float32
        return self.loaded.signatures[signature](
            **{name: tf.constant(values, dtype)})["images"]

    @parameterized.product(request_format=["row", "columnar"],
                           signature=["sample", "serving_default"])
    def test_rest_images_equal_the_export(self, request_format, signature):
        values = (np.arange(-3, 3, dtype=np.int64) if signature == "sample"
                  else np.random.default_rng(0).uniform(-1, 1, (6, 10)).astype(np.float32))
        result = serving.rest_predict(self.rest_url, "mnist", signature, values,
                                      request_format)
        self.assertEqual(result.shape, (6, 28, 28, 1))
        self.assertAllClose(result, self._expected(signature, values), atol=1e-6)

    def test_rest_errors_are_reported(self):
        with self.assertRaisesRegex(ServingError, r"z must have shape \[batch >= 1, 10\]"):
            serving.rest_predict(self.rest_url, "mnist", "serving_default",
                                 np.zeros((2, 3), np.float32))
        with self.assertRaisesRegex(ServingError, "Servable not found"):
            serving.rest_predict(self.rest_url, "other", "sample", [1])
        with self.assertRaisesRegex(ServingError, "cannot reach the model server"):
            serving.rest_predict("http://127.0.0.1:9", "mnist", "sample", [1], timeout=5)

    def test_responses_with_several_outputs_are_read_by_name(self):
        images = [[[0.5]]]
        self.assertAllEqual(serving.parse_rest_response(
            {"predictions": [{"images": images, "noise": [1.0]}]}), [images])
        self.assertAllEqual(serving.parse_rest_response(
            {"outputs": {"images": [images], "noise": [[1.0]]}}), [images])
        with self.assertRaisesRegex(ServingError, "no output 'images'"):
            serving.parse_rest_response({"outputs": {"noise": [1.0]}})

    def _grpc_server(self):
        """A loopback gRPC `PredictionService` serving the export; returns its address."""
        try:
            import grpc
            from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
        except ImportError:
            self.skipTest("the optional tensorflow-serving-api is not installed")
        loaded = self.loaded

        class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
            def Predict(self, request, context):
                signature = loaded.signatures[request.model_spec.signature_name]
                inputs = {name: tf.constant(tf.make_ndarray(proto))
                          for name, proto in request.inputs.items()}
                response = predict_pb2.PredictResponse()
                response.outputs["images"].CopyFrom(
                    tf.make_tensor_proto(signature(**inputs)["images"].numpy()))
                return response

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            Servicer(), server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self.addCleanup(server.stop, None)
        return f"127.0.0.1:{port}"

    def test_grpc_images_equal_the_export(self):
        address = self._grpc_server()
        seeds = np.array([5, -5, 2**33], np.int64)
        result = serving.grpc_predict(address, "mnist", "sample", seeds)
        self.assertAllClose(result, self._expected("sample", seeds), atol=1e-6)

    def test_the_readme_grpc_request_runs_as_written(self):
        address = self._grpc_server()
        with open(os.path.join(_ROOT, "README.md"), encoding="utf-8") as file:
            readme = file.read()
        section = readme[readme.index("## Shipped generators and serving"):]
        code = section[section.index("```python\n") + 10:]
        code = code[:code.index("```")]
        self.assertIn('"localhost:8500"', code)
        namespace = {}
        exec(code.replace('"localhost:8500"', repr(address)), namespace)
        self.assertAllClose(namespace["images"],
                            self._expected("sample", np.array([1, 2, 3], np.int64)), atol=1e-6)

    def test_client_script_writes_the_grid(self):
        out = os.path.join(self.get_temp_dir(), "served.png")
        result = subprocess.run(
            [sys.executable, os.path.join(_ROOT, "scripts", "serving_client.py"),
             f"--server={self.rest_url}", "--num=6", "--format=columnar", f"--out={out}"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        with Image.open(out) as picture:
            grid = np.asarray(picture)
        self.assertEqual(grid.shape, (2 * 28, 3 * 28))
        expected = self._expected("sample", np.arange(6, dtype=np.int64)).numpy()
        self.assertAllClose(grid[:28, 28:56] / 255.0, expected[1, ..., 0], atol=1 / 255)


@helpers.slow(seconds=15)
class SampleScriptTest(tf.test.TestCase):

    def _run(self, *flags):
        return subprocess.run(
            [sys.executable, os.path.join(_ROOT, "scripts", "sample.py"), *flags],
            capture_output=True, text=True, timeout=120)

    def test_same_seeds_same_grid(self):
        base = os.path.join(self.get_temp_dir(), "export")
        export.export_generator(mlp_generator(seed=1), base)
        outputs = []
        for name in ("a.png", "b.png"):
            out = os.path.join(self.get_temp_dir(), name)
            result = self._run(f"--export_dir={base}", "--num=10", "--columns=5",
                               f"--out={out}")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(os.path.join(base, "1"), result.stdout)
            with Image.open(out) as picture:
                outputs.append(np.asarray(picture))
        self.assertEqual(outputs[0].shape, (2 * 28, 5 * 28))
        self.assertAllEqual(outputs[0], outputs[1])

    def test_a_folder_without_an_export_is_one_line(self):
        result = self._run(f"--export_dir={self.get_temp_dir()}")
        self.assertEqual(result.returncode, 2)
        self.assertRegex(result.stderr, r"^error: no SavedModel in .*\n$")


class ShippedModelTest(tf.test.TestCase):
    """The pretrained generator committed under saved_models/mnist."""

    def test_it_loads_samples_and_matches_its_metadata(self):
        base = os.path.join(_ROOT, "saved_models", "mnist")
        try:
            version_path = serving.resolve_version(base)
        except ExportNotFoundError:
            self.fail(f"no shipped model in {base}")
        metadata = serving.read_metadata(version_path)
        self.assertEqual(metadata["preset"], "mnist_dcgan")
        self.assertEqual(metadata["dataset"], "mnist")
        self.assertGreater(metadata["iterations"], 0)
        loaded = tf.saved_model.load(version_path)
        z = tf.zeros([3, metadata["latent_dim"]])
        images = loaded.signatures["serving_default"](z=z)["images"]
        self.assertEqual(images.shape.as_list(), [3, *metadata["image_shape"]])
        low, high = metadata["value_range"]
        self.assertAllInRange(images, low, high)
        _, first = serving.sample_export(base, [7, 8])
        _, again = serving.sample_export(base, [8])
        self.assertAllEqual(first[1], again[0])

    def test_the_newest_shipped_versions_hold_each_weight_once_and_declare_shapes(self):
        for name in ("mnist", "mnist_acgan", "fashion_mnist_acgan"):
            version_path = serving.resolve_version(os.path.join(_ROOT, "saved_models", name))
            metadata = serving.read_metadata(version_path)
            generator = training.build_trainer(training.TrainConfig(
                **metadata["config"])).sampling_generator
            stored = tf.train.list_variables(
                os.path.join(version_path, "variables", "variables"))
            self.assertEqual(sum(math.prod(shape) for _, shape in stored if shape),
                             generator.count_params(), name)
            inputs = helpers.signature_defs(version_path)["serving_default"].inputs
            self.assertEqual([dim.size for dim in inputs["z"].tensor_shape.dim],
                             [-1, metadata["latent_dim"]], name)
            self.assertTrue(os.path.isfile(os.path.join(version_path, serving.WARMUP_FILE)))


if __name__ == "__main__":
    tf.test.main()
