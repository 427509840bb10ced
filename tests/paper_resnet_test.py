"""The WGAN-GP paper's residual networks and presets: shapes, parameters, a short run."""

import collections
import os

import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf import models, serving, training


def _conv(size, fan_in, fan_out, bias=True):
    return size * size * fan_in * fan_out + (fan_out if bias else 0)


def _kernels(network):
    return collections.Counter(tuple(weight.shape) for weight in network.trainable_weights
                               if len(weight.shape) in (2, 4))


def _trainable(network):
    return sum(int(tf.size(weight)) for weight in network.trainable_weights)


# gan_cifar_resnet.py, counted from its layers (tflib: a scale and an offset
# per batch-norm channel, or per class and channel when conditional).
_CIFAR_CRITIC = (_conv(3, 3, 128) + _conv(3, 128, 128) + _conv(1, 3, 128)
                 + 2 * _conv(3, 128, 128) + _conv(1, 128, 128)
                 + 4 * _conv(3, 128, 128) + 128 + 1)


def _cifar_generator(classes=1):
    block = 2 * 2 * 128 * classes + 2 * _conv(3, 128, 128) + _conv(1, 128, 128)
    return 128 * 2048 + 2048 + 3 * block + 2 * 128 + _conv(3, 128, 3)


# gan_64x64.py's GoodDiscriminator and GoodGenerator (DIM 64).
_64_CRITIC = (_conv(3, 3, 64) + sum(
    2 * 2 * fan_in + _conv(3, fan_in, fan_in, bias=False) + _conv(3, fan_in, fan_out)
    + _conv(1, fan_in, fan_out) for fan_in, fan_out in ((64, 128), (128, 256), (256, 512),
                                                      (512, 512)))
    + 4 * 4 * 512 + 1)
_64_GENERATOR = (128 * 8192 + 8192 + sum(
    2 * fan_in + _conv(3, fan_in, fan_out, bias=False) + 2 * fan_out + _conv(3, fan_out, fan_out)
    + _conv(1, fan_in, fan_out) for fan_in, fan_out in ((512, 512), (512, 256), (256, 128),
                                                      (128, 64)))
    + 2 * 64 + _conv(3, 64, 3))


@helpers.slow(seconds=45)
class PaperResNetTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.parameters(
        ("cifar10_resnet", _CIFAR_CRITIC, _cifar_generator()),
        ("cifar10_resnet_acgan", _CIFAR_CRITIC + 128 * 10 + 10, _cifar_generator(10)),
        ("imagenet64_resnet", _64_CRITIC, _64_GENERATOR))
    def test_parameters_are_the_papers(self, preset, critic_count, generator_count):
        config = training.make_config(preset)
        critic, generator = models.build(
            models.get(config.architecture), config.latent_dim, config.prior,
            config.data_source().shape, config.critic_norm, num_classes=config.num_classes)
        self.assertEqual((_trainable(critic), _trainable(generator)),
                         (critic_count, generator_count))

    def test_cifar_kernel_shapes(self):
        critic, generator = models.build(models.get("resnet_cifar10"), 128, "normal",
                                         (32, 32, 3))
        self.assertEqual(_kernels(critic), collections.Counter({
            (3, 3, 3, 128): 1, (1, 1, 3, 128): 1, (3, 3, 128, 128): 7, (1, 1, 128, 128): 1,
            (128, 1): 1}))
        self.assertEqual(_kernels(generator), collections.Counter({
            (128, 2048): 1, (3, 3, 128, 128): 6, (1, 1, 128, 128): 3, (3, 3, 128, 3): 1}))
        self.assertEqual(generator(tf.zeros([2, 128])).shape, (2, 32, 32, 3))

    def test_settings_are_the_papers(self):
        config = training.make_config("cifar10_resnet_acgan")
        self.assertEqual(
            (config.batch_size, config.generator_batch_size, config.n_critic,
             config.penalty, config.penalty_weight, config.critic_learning_rate,
             config.beta_1, config.beta_2, config.learning_rate_decay, config.iterations,
             config.classifier_weight, config.generator_classifier_weight),
            (64, 128, 5, "squared", 10.0, 2e-4, 0.0, 0.9, "linear", 100_000, 1.0, 0.1))
        self.assertFalse(training.make_config("cifar10_resnet").conditional)

    @parameterized.parameters(("cifar10_resnet", 32), ("imagenet64_resnet", 64))
    def test_trains_on_a_small_image_folder_and_exports(self, preset, size):
        work = helpers.temp_dir(self)
        images = os.path.join(work, "images")
        helpers.write_image_folder(images, corrupt=False)
        config = training.make_config(
            preset, dataset="folder", data_dir=images, image_size=size, channels=3,
            batch_size=2, generator_batch_size=4, n_critic=1, iterations=2, sample_every=2,
            checkpoint_every=2, output_dir=os.path.join(work, "run"),
            export_dir=os.path.join(work, "export"))
        result = training.run(config, verbose=0)
        self.assertEqual(result.iteration, 2)
        _, samples = serving.sample_export(result.export_path, [0, 1, 2])
        self.assertEqual(samples.shape, (3, size, size, 3))


if __name__ == "__main__":
    tf.test.main()
