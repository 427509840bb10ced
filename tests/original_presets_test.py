"""The presets of the original repo's other scripts: settings, networks, a short run each."""

import os

import keras
import tensorflow as tf
from absl.testing import parameterized

from tests import helpers
from wgan_gp_tf import models, serving, training
from wgan_gp_tf.models import spectral

# Each preset and the settings its script fixes (networks apart).
SETTINGS = {
    "wgan_sn_celeba": dict(loss="wasserstein", penalty="none", critic_norm="batch_spectral",
                           n_critic=5, n_generator=1, optimizer="adam",
                           critic_learning_rate=2e-4, beta_1=0.5, latent_dim=100),
    "dcgan_celeba": dict(loss="standard", penalty="none", critic_norm="batch", n_critic=1,
                         n_generator=2, optimizer="adam", critic_learning_rate=2e-4,
                         beta_1=0.5, latent_dim=100),
    "dcgan_sn_celeba": dict(loss="standard", penalty="none", critic_norm="batch_spectral",
                            n_critic=1, n_generator=2, optimizer="adam", latent_dim=100),
    "rsgan_sn_celeba": dict(loss="relativistic", penalty="none",
                            critic_norm="batch_spectral", n_critic=1, n_generator=2,
                            optimizer="adam", latent_dim=100),
    "wgan_div_celeba": dict(loss="wasserstein", penalty="div", penalty_weight=2.0,
                            div_power=6.0, critic_norm="batch", n_critic=1, n_generator=1,
                            optimizer="adam", critic_learning_rate=2e-4, image_size=128,
                            latent_dim=128),
    "gan_one_step_celeba": dict(loss="hinge", penalty="none", critic_norm="batch",
                                one_step=True, n_critic=1, optimizer="rmsprop",
                                critic_learning_rate=1e-4, generator_learning_rate=1e-4,
                                beta_2=0.99, image_size=128, latent_dim=128),
}

# Keras 2 counts 4 weights per batch-norm channel (2 of them moving statistics).
_CRITIC_64 = (sum(25 * fan_in * fan_out + fan_out for fan_in, fan_out in
                  ((3, 64), (64, 128), (128, 256), (256, 512)))
              + 4 * (128 + 256 + 512) + 4 * 4 * 512)
_GENERATOR_64 = (100 * 8192 + 8192 + 4 * 8192
                 + sum(25 * fan_in * fan_out + fan_out + 4 * fan_out for fan_in, fan_out in
                       ((512, 256), (256, 128), (128, 64)))
                 + 25 * 64 * 3 + 3)
_CRITIC_128 = (sum(25 * fan_in * fan_out for fan_in, fan_out in
                   ((3, 64), (64, 128), (128, 256), (256, 512), (512, 1024)))
               + 4 * (128 + 256 + 512 + 1024))
_GENERATOR_128 = (128 * 16384 + 16384
                  + sum(25 * fan_in * fan_out + fan_out + 4 * fan_out for fan_in, fan_out in
                        ((1024, 512), (512, 256), (256, 128), (128, 64)))
                  + 25 * 64 * 3 + 3)

# Parameter counts of each script's Keras models, worked out from their layers:
# the 64x64 critics differ only in the score's bias, the 128x128 ones in how
# the last map reaches the score (global average pooling of 1024 channels, or
# a flattened 4x4x1024), and their generators in where the first batch norm
# sits (per unit of the dense layer, or per channel of the 4x4 map).
PARAMETERS = {
    "wgan_sn_celeba": (_CRITIC_64, _GENERATOR_64),
    "dcgan_celeba": (_CRITIC_64 + 1, _GENERATOR_64),
    "dcgan_sn_celeba": (_CRITIC_64, _GENERATOR_64),
    "rsgan_sn_celeba": (_CRITIC_64, _GENERATOR_64),
    "wgan_div_celeba": (_CRITIC_128 + 1024, _GENERATOR_128 + 4 * 16384),
    "gan_one_step_celeba": (_CRITIC_128 + 16384, _GENERATOR_128 + 4 * 1024),
}


def _networks(config):
    architecture = models.get(config.architecture)
    return models.build(architecture, config.latent_dim, config.prior,
                        config.data_source().shape, config.critic_norm)


@helpers.slow(seconds=65)
class OriginalPresetsTest(tf.test.TestCase, parameterized.TestCase):

    @parameterized.parameters(*SETTINGS)
    def test_settings_and_networks_are_the_scripts(self, preset):
        config = training.make_config(preset)
        script = ("gan_one_step_with_hinge_loss.py" if preset == "gan_one_step_celeba"
                  else f"keras/{preset}.py")
        self.assertIn(script, training.get_preset(preset).source)
        for name, value in SETTINGS[preset].items():
            self.assertEqual(getattr(config, name), value, name)
        self.assertEqual((config.prior, config.batch_size, config.adam_epsilon),
                         ("normal", 64, 1e-7))
        critic, generator = _networks(config)
        self.assertEqual((critic.count_params(), generator.count_params()), PARAMETERS[preset])
        size = config.data_source().shape[0]
        first, last = critic.convolutions[0], critic.convolutions[-1]
        self.assertEqual((first.kernel.shape, last.kernel.shape[-1]),
                         ((5, 5, 3, 64), 512 if size == 64 else 1024))
        spectral_layers = [layer for layer in critic._flatten_layers()
                           if isinstance(layer, spectral.SpectralConv2D | spectral.SpectralDense)]
        self.assertLen(spectral_layers, 5 if "spectral" in config.critic_norm else 0)

    @parameterized.parameters(*SETTINGS)
    def test_trains_on_a_small_image_folder_and_exports(self, preset):
        work = helpers.temp_dir(self)
        images = os.path.join(work, "images")
        helpers.write_image_folder(images, corrupt=False)
        size = 64 if training.get_preset(preset).values["dataset"] == "celeb_a" else 32
        # One critic update per iteration keeps the step's graph, and the
        # minute it takes to build, small.
        config = training.make_config(
            preset, dataset="folder", data_dir=images, image_size=size, channels=3,
            batch_size=4, n_critic=1, iterations=2, sample_every=2, checkpoint_every=2,
            output_dir=os.path.join(work, "run"), export_dir=os.path.join(work, "export"))
        result = training.run(config, verbose=0)
        self.assertEqual(result.iteration, 2)
        steps = 1 if config.one_step else config.n_generator
        self.assertEqual(int(result.model.generator_optimizer.iterations), 2 * steps)
        self.assertEqual(int(result.model.critic_optimizer.iterations), 2 * config.n_critic)
        optimizer = result.model.generator_optimizer
        if config.optimizer == "rmsprop":
            self.assertIsInstance(optimizer, keras.optimizers.RMSprop)
            self.assertAllClose((optimizer.rho, optimizer.epsilon), (0.99, 1e-7))
        else:
            self.assertIsInstance(optimizer, keras.optimizers.Adam)
        _, samples = serving.sample_export(result.export_path, [0, 1])
        self.assertEqual(samples.shape, (2, size, size, 3))


if __name__ == "__main__":
    tf.test.main()
