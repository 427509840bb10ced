"""Every preset's networks: shapes, value ranges, a few training steps; mixed precision."""

import math

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers, original_presets_test
from wgan_gp_tf import data, models, training
from wgan_gp_tf.core import penalties
from wgan_gp_tf.errors import ConfigError

# The presets of the original repo's other scripts train in original_presets_test,
# the paper's unconditional ResNets in paper_resnet_test, mnist_mlp_acgan in
# conditional_test.
_IMAGE_PRESETS = [preset.name for preset in training.PRESETS.values()
                  if data.get(preset.values.get("dataset", "mnist")).makes == "images"
                  and preset.name not in original_presets_test.SETTINGS
                  and preset.name not in ("cifar10_resnet", "imagenet64_resnet",
                                          "mnist_mlp_acgan")]


def _config(preset, **overrides):
    values = dict(batch_size=4, iterations=2, sample_every=2, checkpoint_every=2,
                  steps_per_execution=2)
    return training.make_config(preset, **{**values, **overrides})


def _fit(model, config, shape, iterations):
    images = np.random.default_rng(0).integers(0, 256, (16, *shape), dtype=np.uint8)
    labels = np.arange(16) % config.num_classes if config.conditional else None
    batches = data.training_batches(images, batch_size=config.batch_size,
                                    per_iteration=model.real_batches_per_iteration, seed=0,
                                    value_range=model.output_range, labels=labels)
    return model.fit(batches, steps_per_epoch=iterations, epochs=1, verbose=0).history


@helpers.slow(seconds=85)
class PresetNetworksTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.parameters(*_IMAGE_PRESETS)
    def test_shapes_ranges_and_a_few_steps(self, preset):
        # The networks are tested here, not XLA: its compiles are spared, and
        # an image folder is taken at a small size.
        sizes = {"image_size": 32} if preset == "folder_dcgan" else {}
        config = _config(preset, jit_compile=False, **sizes)
        shape = config.data_source().shape
        model = training.build_trainer(config)
        noise = model.generator.sample_latent(3, seed=1)
        images = model.generate(noise, training=False, generator=model.generator)
        self.assertEqual(images.shape, (3, *shape))
        self.assertEqual(images.dtype, tf.float32)
        low, high = model.generator.output_range
        self.assertBetween(float(tf.reduce_min(images)), low, high)
        self.assertBetween(float(tf.reduce_max(images)), low, high)
        scores = model.critic(images)
        if config.conditional:
            scores, logits = scores
            self.assertEqual(logits.shape, (3, config.num_classes))
        self.assertEqual(scores.shape, (3, 1))
        before = [variable.numpy() for variable in model.generator.trainable_variables]
        history = _fit(model, config, shape, 2)
        self.assertEqual(int(model.iteration), 2)
        self.assertTrue(all(np.isfinite(values[-1]) for values in history.values()))
        after = [variable.numpy() for variable in model.generator.trainable_variables]
        self.assertFalse(all(map(np.array_equal, before, after)))

    def test_celeba_networks_are_the_original_scripts(self):
        critic, generator = models.build(models.get("dcgan_celeba"), 100,
                                         "normal", (64, 64, 3), critic_norm="batch")
        self.assertEqual([layer.filters for layer in critic.convolutions], [64, 128, 256, 512])
        self.assertEqual(critic.activation.negative_slope, 0.3)
        self.assertFalse(critic.score.use_bias)
        self.assertEqual(sum(norm is not None for norm in critic.norms), 3)
        self.assertEqual(generator.dense.units, 4 * 4 * 512)
        self.assertEqual([layer.filters for layer in generator.upsamplings], [256, 128, 64])
        # Worked out from the Keras 2 script's layers; batch norm has 4 per channel.
        convolutions = sum(25 * fan_in * fan_out + fan_out for fan_in, fan_out in
                           ((3, 64), (64, 128), (128, 256), (256, 512)))
        self.assertEqual(critic.count_params(),
                         convolutions + 4 * (128 + 256 + 512) + 4 * 4 * 512)
        transposed = sum(25 * fan_in * fan_out + fan_out for fan_in, fan_out in
                         ((512, 256), (256, 128), (128, 64), (64, 3)))
        self.assertEqual(generator.count_params(), 100 * 8192 + 8192 + transposed
                         + 4 * (8192 + 256 + 128 + 64))

    def test_sized_networks_are_wgan_div_celeba_at_128(self):
        critic, generator = models.build(models.get("dcgan_sized"), 128, "normal",
                                         (128, 128, 3), critic_norm="batch")
        # keras/wgan_div_celeba.py at img_dim 128: num_layers 4, 1024 channels
        # at 4x4; 5x5 kernels, the critic's without biases.
        self.assertEqual([layer.kernel.shape for layer in critic.convolutions],
                         [(5, 5, 3, 64), (5, 5, 64, 128), (5, 5, 128, 256),
                          (5, 5, 256, 512), (5, 5, 512, 1024)])
        self.assertFalse(any(layer.use_bias for layer in critic.convolutions))
        self.assertEqual(sum(norm is not None for norm in critic.norms), 4)
        self.assertIsInstance(critic.pool, keras.layers.GlobalAveragePooling2D)
        self.assertEqual((critic.activation.negative_slope, critic.score.use_bias), (0.2, False))
        convolutions = sum(25 * fan_in * fan_out for fan_in, fan_out in
                           ((3, 64), (64, 128), (128, 256), (256, 512), (512, 1024)))
        self.assertEqual(critic.count_params(),
                         convolutions + 4 * (128 + 256 + 512 + 1024) + 1024)
        self.assertEqual(generator.dense.kernel.shape, (128, 4 * 4 * 1024))
        self.assertEqual([layer.kernel.shape for layer in generator.upsamplings],
                         [(5, 5, 512, 1024), (5, 5, 256, 512), (5, 5, 128, 256),
                          (5, 5, 64, 128)])
        self.assertEqual(generator.to_image.kernel.shape, (5, 5, 3, 64))
        transposed = sum(25 * fan_in * fan_out + fan_out for fan_in, fan_out in
                         ((1024, 512), (512, 256), (256, 128), (128, 64), (64, 3)))
        self.assertEqual(generator.count_params(), 128 * 16384 + 16384 + transposed
                         + 4 * (16384 + 512 + 256 + 128 + 64))
        self.assertEqual(generator(tf.zeros([1, 128])).shape, (1, 128, 128, 3))
        # RandomNormal(stddev=0.02) kernels, but Keras's default for the score.
        for kernel in (critic.convolutions[-1].kernel, generator.dense.kernel,
                       generator.upsamplings[0].kernel):
            self.assertAllClose(np.std(kernel.numpy()), 0.02, rtol=0.02)
        self.assertGreater(np.std(critic.score.kernel.numpy()), 0.03)

    @parameterized.parameters((16, 1, [64, 128]), (32, 3, [64, 128, 256]))
    def test_sized_networks_follow_the_image_size(self, size, channels, filters):
        critic, generator = models.build(models.get("dcgan_sized"), 8, "normal",
                                         (size, size, channels))
        self.assertEqual([layer.filters for layer in critic.convolutions], filters)
        self.assertEqual(generator.dense.units, 16 * filters[-1])
        self.assertEqual(generator(tf.zeros([2, 8])).shape, (2, size, size, channels))
        self.assertEqual(critic(tf.zeros([2, size, size, channels])).shape, (2, 1))

    def test_sized_networks_refuse_other_sizes(self):
        for shape in ((48, 48, 3), (512, 512, 3), (64, 32, 3)):
            with self.subTest(shape), self.assertRaisesRegex(ConfigError, "square images"):
                models.build(models.get("dcgan_sized"), 8, "normal", shape)

    def test_mnist_generator_crops_to_seven_like_the_paper(self):
        _, generator = models.build(models.get("dcgan_mnist"), 128, "normal",
                                    (28, 28, 1))
        self.assertEqual(generator.map_sizes, [4, 7, 14])
        self.assertEqual(generator(tf.zeros([2, 128])).shape, (2, 28, 28, 1))

    @parameterized.parameters("batch", "layer", "none")
    def test_critic_norms(self, norm):
        critic, _ = models.build(models.get("dcgan_mnist"), 8, "normal",
                                 (28, 28, 1), critic_norm=norm)
        kinds = {type(layer).__name__ for layer in critic.norms if layer is not None}
        expected = {"batch": {"BatchNormalization"}, "layer": {"GroupNormalization"},
                    "none": set()}[norm]
        self.assertEqual(kinds, expected)
        self.assertEqual(critic(tf.zeros([2, 28, 28, 1]), training=True).shape, (2, 1))

    def test_mlp_refuses_a_critic_norm(self):
        with self.assertRaisesRegex(ConfigError, "critic_norm='batch' does not apply to the "
                                                 "mlp critic"):
            models.build(models.get("mlp"), 10, "uniform", (28, 28, 1),
                         critic_norm="batch")

    def test_generator_refuses_an_image_size_it_cannot_make(self):
        with self.assertRaisesRegex(ConfigError, "makes square images of 33 to 64 pixels"):
            models.build(models.get("dcgan_celeba"), 100, "normal",
                         (28, 28, 1))

    def test_batch_norm_critic_penalty_ignores_the_bias_before_the_norm(self):
        # A conv bias followed by batch norm shifts every example alike, which
        # the norm removes: no score, no input gradient and so no penalty
        # depends on it. Keras's local moments give it a penalty gradient of
        # the kernels' size (they stop the gradient through the mean).
        keras.utils.set_random_seed(0)
        critic, _ = models.build(models.get("dcgan_cifar10"), 128, "normal",
                                 (32, 32, 3), critic_norm="batch")
        real, fake = (tf.random.stateless_uniform([8, 32, 32, 3], [seed, 0], -1.0, 1.0)
                      for seed in (1, 2))
        convolutions = critic.convolutions
        with tf.GradientTape() as tape:
            penalty = penalties.resolve("squared")(critic, real, fake, 5).value
        kernels, biases = tape.gradient(penalty, (
            [layer.kernel for layer in convolutions], [layer.bias for layer in convolutions]))
        # Every convolution but the first is followed by the norm.
        for index, (kernel, bias) in enumerate(zip(kernels, biases, strict=True)):
            self.assertGreater(float(tf.reduce_max(tf.abs(kernel))), 0.01, msg=index)
            if index:
                self.assertAllClose(bias, tf.zeros_like(bias), atol=1e-5, msg=index)

    @parameterized.parameters("dcgan_mnist", "dcgan_celeba")
    def test_initial_weights_follow_the_seed(self, name):
        def kernels(seed):
            keras.utils.set_random_seed(seed)
            critic, generator = models.build(models.get(name), 100, "normal",
                                             (28, 28, 1) if name == "dcgan_mnist" else (64, 64, 3))
            return [weight.numpy() for weight in critic.weights + generator.weights
                    if "kernel" in weight.path]

        first, again, other = kernels(1), kernels(1), kernels(2)
        for index, (kernel, same, different) in enumerate(zip(first, again, other, strict=True)):
            self.assertAllEqual(kernel, same, msg=f"kernel {index}")
            self.assertNotAllClose(kernel, different, msg=f"kernel {index}")

    def test_toy_kernels_start_as_the_papers_tflib(self):
        # gan_toy.py's layers draw U(-b, b): "he" b = sqrt(6 / fan_in) in the
        # ReLU layers, tflib's default (Glorot's) b = sqrt(6 / (fan_in +
        # fan_out)) in the last. With 500 or more draws per kernel the largest
        # |w| is within 3% of b.
        def glorot(kernel):
            return math.sqrt(6 / sum(kernel.shape))

        def he(kernel):
            return math.sqrt(6 / kernel.shape[0])

        critic, generator = models.build(models.get("toy_mlp"), 2, "normal", (2,))
        expected = [(layer.kernel, he) for layer in critic.hidden + generator.hidden]
        expected += [(critic.score.kernel, glorot), (generator.pixels.kernel, glorot)]
        for kernel, bound in expected:
            largest = float(tf.reduce_max(tf.abs(kernel)))
            self.assertBetween(largest, 0.97 * bound(kernel), bound(kernel), msg=kernel.path)

    def test_xla_only_where_it_helps(self):
        on_gpu = bool(tf.config.list_physical_devices("GPU"))
        self.assertTrue(training.build_trainer(_config("mnist_mlp")).jit_compile)
        self.assertEqual(training.build_trainer(_config("mnist_dcgan")).jit_compile, on_gpu)
        self.assertFalse(training.build_trainer(
            _config("mnist_mlp", jit_compile=False)).jit_compile)


@helpers.slow(seconds=30)
class MixedPrecisionTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.product(preset=["mnist_dcgan", "mnist_mlp"],
                           precision=["float16", "bfloat16"])
    def test_steps_stay_finite_and_the_penalty_is_float32(self, preset, precision):
        config = _config(preset, mixed_precision=precision)
        model = training.build_trainer(config)
        for network in (model.critic, model.generator):
            self.assertIn(precision, {layer.compute_dtype for layer in network.layers})
            self.assertEqual({variable.dtype for variable in network.weights}, {"float32"})
        real = tf.random.uniform([4, 28, 28, 1])
        fake = model.generator(model.generator.sample_latent(4, seed=2))
        self.assertEqual(fake.dtype, tf.float32)
        for name in ("squared", "hinge", "diff_squared"):
            output = penalties.resolve(name)(model.critic, real, fake, seed=3)
            self.assertEqual(output.value.dtype, tf.float32, name)
            self.assertEqual(output.norm.dtype, tf.float32, name)
            self.assertTrue(np.isfinite(output.value.numpy()), name)
        history = _fit(model, config, (28, 28, 1), 2)
        self.assertTrue(all(np.isfinite(values[-1]) for values in history.values()))
        self.assertEqual(int(model.iteration), 2)
        optimizer = model.critic_optimizer
        self.assertEqual(type(optimizer).__name__,
                         "LossScaleOptimizer" if precision == "float16" else "Adam")

    def test_policy_is_restored_after_building(self):
        models.build(models.get("dcgan_mnist"), 8, "normal", (28, 28, 1),
                     mixed_precision="float16")
        self.assertEqual(keras.config.dtype_policy().name, "float32")


if __name__ == "__main__":
    tf.test.main()
