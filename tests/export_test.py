"""The exported SavedModel: signatures, determinism, versions, atomicity."""

import math
import os
from unittest import mock

import tensorflow as tf

from tests import helpers
from tests.helpers import mlp_generator
from wgan_gp_tf import serving, training
from wgan_gp_tf.core import sampling
from wgan_gp_tf.serving import export


def _signature_defs(version_path):
    """`{signature: (input shapes, output shapes)}` as TF Serving's metadata reports them."""
    def shapes(infos):
        return {key: [dim.size for dim in info.tensor_shape.dim] for key, info in infos.items()}

    return {name: (shapes(definition.inputs), shapes(definition.outputs))
            for name, definition in helpers.signature_defs(version_path).items()
            if not name.startswith("__")}


def _stored_values(version_path):
    """How many numbers the export's variables file holds."""
    stored = tf.train.list_variables(os.path.join(version_path, "variables", "variables"))
    return sum(math.prod(shape) for _, shape in stored if shape)


class WeightsOnceTest(tf.test.TestCase):

    def test_an_averaged_generator_is_exported_alone(self):
        model = training.build_trainer(training.make_config("mnist_mlp", generator_ema=0.9))
        path = export.export_generator(model, helpers.temp_dir(self))
        self.assertEqual(_stored_values(path), model.generator.count_params())
        loaded = tf.saved_model.load(path)
        z = tf.random.uniform([3, 10], -1, 1, seed=1)
        self.assertAllClose(loaded.signatures["serving_default"](z=z)["images"],
                            model.sampling_generator(z), atol=1e-6)

    def test_batch_norm_statistics_are_stored_once(self):
        model = training.build_trainer(training.make_config("cifar10_dcgan"))
        generator = model.generator
        self.assertNotEmpty(generator.non_trainable_weights)
        path = export.export_generator(model, helpers.temp_dir(self))
        self.assertEqual(_stored_values(path), generator.count_params())


class WarmupTest(tf.test.TestCase):

    def test_each_warmup_record_is_a_request_the_signatures_answer(self):
        from tensorflow_serving.apis import prediction_log_pb2

        for num_classes in (0, 3):
            path = export.export_generator(mlp_generator(num_classes=num_classes),
                                           helpers.temp_dir(self))
            loaded = tf.saved_model.load(path)
            asked = []
            for record in tf.data.TFRecordDataset(os.path.join(path, serving.WARMUP_FILE)):
                request = prediction_log_pb2.PredictionLog.FromString(
                    record.numpy()).predict_log.request
                inputs = {name: tf.make_ndarray(tensor)
                          for name, tensor in request.inputs.items()}
                signature = request.model_spec.signature_name
                batch = len(inputs["z" if signature == "serving_default" else "seed"])
                images = loaded.signatures[signature](**inputs)["images"]
                self.assertEqual(images.shape[0], batch)
                asked.append((signature, batch, sorted(inputs)))
            label = ["label"] if num_classes else []
            self.assertEqual(asked, [("serving_default", 1, sorted(["z", *label])),
                                     ("sample", 1, sorted(["seed", *label])),
                                     ("serving_default", 8, sorted(["z", *label])),
                                     ("sample", 8, sorted(["seed", *label]))])


class RoundTripTest(tf.test.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = mlp_generator()
        cls.path = export.export_generator(
            cls.generator, os.path.join(helpers.temp_dir(cls), "round_trip"),
            metadata={"iterations": 12, "preset": "test"})
        cls.loaded = tf.saved_model.load(cls.path)

    def test_version_folder_and_signatures(self):
        self.assertEqual(os.path.basename(self.path), "1")
        self.assertEqual(set(self.loaded.signatures), {"serving_default", "sample"})
        outputs = self.loaded.signatures["serving_default"].structured_outputs
        self.assertEqual(outputs["images"].shape.as_list(), [None, 28, 28, 1])

    def test_each_weight_is_stored_once(self):
        self.assertEqual(_stored_values(self.path), self.generator.count_params())

    def test_serving_default_equals_themlp_generator(self):
        serve = self.loaded.signatures["serving_default"]
        for batch in (1, 7):
            z = tf.random.uniform([batch, 10], -1, 1, seed=batch)
            images = serve(z=z)["images"]
            self.assertAllClose(images, self.generator(z), atol=1e-6)
            self.assertAllInRange(images, 0.0, 1.0)

    def test_sample_is_deterministic_per_seed(self):
        sample = self.loaded.signatures["sample"]
        seeds = tf.constant([3, -9, 2**40, 3], tf.int64)
        images = sample(seed=seeds)["images"]
        self.assertEqual(images.shape, (4, 28, 28, 1))
        self.assertAllEqual(images[0], images[3])
        self.assertNotAllClose(images[0], images[1])
        self.assertAllEqual(sample(seed=seeds[1:2])["images"][0], images[1])

    def test_sample_draws_from_the_prior(self):
        sample = self.loaded.signatures["sample"]
        noise = sampling.stateless_latent(
            "uniform", 10, tf.constant([5, export._SEED_STREAM], tf.int64))
        self.assertAllClose(sample(seed=tf.constant([5], tf.int64))["images"],
                            self.generator(noise[tf.newaxis]), atol=1e-6)

    def test_bad_batches_are_refused_by_the_signature(self):
        serve = self.loaded.signatures["serving_default"]
        sample = self.loaded.signatures["sample"]
        message = (r"z must have shape \[batch >= 1, 10\] and finite values \(no NaN or "
                   r"infinity\); got shape\] \[%s\]")
        cases = {"2 11": tf.zeros([2, 11]), "0 10": tf.zeros([0, 10]), "10": tf.zeros([10]),
                 "1 2 10": tf.zeros([1, 2, 10]),
                 "2 10": tf.constant([[0.0] * 10, [float("nan")] + [0.0] * 9]),
                 "1 10": tf.fill([1, 10], float("inf"))}
        for shape, z in cases.items():
            with self.subTest(shape), self.assertRaisesRegex(
                    tf.errors.InvalidArgumentError, message % shape):
                serve(z=z)
        for seed in (tf.constant([], tf.int64), tf.constant(3, tf.int64),
                     tf.constant([[3]], tf.int64)):
            with self.subTest(seed=seed.shape), self.assertRaisesRegex(
                    tf.errors.InvalidArgumentError, r"seed must have shape \[batch >= 1\]; "):
                sample(seed=seed)

    def test_signatures_declare_their_shapes(self):
        labelled = export.export_generator(mlp_generator(num_classes=3), helpers.temp_dir(self))
        for path, label in ((self.path, {}), (labelled, {"label": [-1]})):
            definitions = _signature_defs(path)
            for name, inputs in (("serving_default", {"z": [-1, 10]}),
                                 ("sample", {"seed": [-1]})):
                with self.subTest(path=path, signature=name):
                    inputs = {**inputs, **label}
                    self.assertEqual(definitions[name], (inputs, {"images": [-1, 28, 28, 1]}))
                    _, specs = tf.saved_model.load(path).signatures[name].structured_input_signature
                    self.assertEqual({key: spec.shape.as_list() for key, spec in specs.items()},
                                     {key: [None if size < 0 else size for size in shape]
                                      for key, shape in inputs.items()})

    def test_a_wrong_dtype_is_refused(self):
        error = tf.errors.InvalidArgumentError
        with self.assertRaisesRegex(error, "expected to be a float tensor but is a int32"):
            self.loaded.signatures["serving_default"](z=tf.zeros([2, 10], tf.int32))
        with self.assertRaisesRegex(error, "expected to be a int64 tensor but is a float"):
            self.loaded.signatures["sample"](seed=tf.constant([1.5]))

    def test_metadata_describes_the_export(self):
        metadata = serving.read_metadata(self.path)
        self.assertEqual(metadata["latent_dim"], 10)
        self.assertEqual(metadata["prior"], "uniform")
        self.assertEqual(metadata["image_shape"], [28, 28, 1])
        self.assertEqual(metadata["value_range"], [0.0, 1.0])
        self.assertEqual(metadata["iterations"], 12)
        self.assertEqual(metadata["preset"], "test")
        self.assertEqual(set(metadata["signatures"]), set(self.loaded.signatures))

    def test_resolve_version_picks_the_newest(self):
        base = os.path.dirname(self.path)
        self.assertEqual(serving.resolve_version(base), self.path)
        self.assertEqual(serving.resolve_version(self.path), self.path)
        with self.assertRaisesRegex(FileNotFoundError, "no SavedModel in"):
            serving.resolve_version(self.get_temp_dir())


class VersionsTest(tf.test.TestCase):

    def test_versions_increase_and_are_never_overwritten(self):
        base = os.path.join(self.get_temp_dir(), "versions")
        os.rename(export.export_generator(mlp_generator(), base), os.path.join(base, "7"))
        os.makedirs(os.path.join(base, "not_a_version"))
        path = export.export_generator(mlp_generator(), base)
        self.assertEqual(path, os.path.join(base, "8"))
        self.assertTrue(tf.saved_model.contains_saved_model(os.path.join(base, "7")))
        self.assertEqual(serving.existing_versions(base), [7, 8])

    def test_a_failed_write_leaves_nothing(self):
        base = os.path.join(self.get_temp_dir(), "atomic")

        def write_half_then_fail(filepath, **kwargs):
            os.makedirs(os.path.join(filepath, "variables"))
            with open(os.path.join(filepath, "saved_model.pb"), "wb") as stream:
                stream.write(b"half")
            raise OSError("disk full")

        archive = mock.Mock()
        archive.write_out.side_effect = write_half_then_fail
        with mock.patch.object(export, "build_archive", return_value=archive):
            with self.assertRaisesRegex(OSError, "disk full"):
                export.export_generator(mlp_generator(), base)
        self.assertEqual(os.listdir(base), [])


if __name__ == "__main__":
    tf.test.main()
