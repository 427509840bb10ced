"""TrainConfig: the presets, validation, JSON."""

import tensorflow as tf

from wgan_gp_tf import training
from wgan_gp_tf.errors import ConfigError


class PresetTest(tf.test.TestCase):

    def test_mnist_mlp_is_the_original_script(self):
        c = training.make_config("mnist_mlp")
        self.assertEqual(
            (c.dataset, c.architecture, c.latent_dim, c.prior, c.penalty,
             c.penalty_weight, c.n_critic, c.batch_size, c.critic_learning_rate,
             c.generator_learning_rate, c.beta_1, c.beta_2, c.adam_epsilon,
             c.sample_every, c.grid_size),
            ("mnist", "mlp", 10, "uniform", "hinge", 10.0, 5, 100, 1e-4, 1e-4,
             0.5, 0.999, 1e-8, 1000, 6))
        self.assertEqual(c.output_dir, "runs/mnist_mlp")
        self.assertEqual(c.export_dir, "saved_models/mnist_mlp")

    def test_the_keras_2_scripts_keep_its_adam_epsilon(self):
        # wgan_gp_celeba.py's Adam(2e-4, 0.5) is Keras 2's, whose epsilon is 1e-7.
        for preset in ("celeba_dcgan", "folder_dcgan"):
            c = training.make_config(preset)
            self.assertEqual((c.critic_learning_rate, c.beta_1, c.adam_epsilon),
                             (2e-4, 0.5, 1e-7), preset)

    def test_run_folders_are_named_by_the_settings_changed_from_the_preset(self):
        c = training.make_config("mnist_mlp", penalty="squared", penalty_weight=2.0, seed=3,
                                 iterations=500, data_dir="/data", mixed_precision="bfloat16")
        # How long, where and in what precision leave the name alone: a longer
        # run, or the same one resumed, finds its folder.
        self.assertEqual((c.output_dir, c.export_dir),
                         ("runs/mnist_mlp-penalty=squared-penalty_weight=2-seed=3",
                          "saved_models/mnist_mlp-penalty=squared-penalty_weight=2-seed=3"))
        self.assertEqual(training.make_config("mnist_mlp", penalty="hinge").output_dir,
                         "runs/mnist_mlp")
        self.assertEqual(training.make_config("mnist_mlp", one_step=True, n_critic=1).output_dir,
                         "runs/mnist_mlp-n_critic=1-one_step=true")
        c = training.make_config("mnist_mlp", penalty="squared", output_dir="/tmp/mine")
        self.assertEqual((c.output_dir, c.export_dir),
                         ("/tmp/mine", "saved_models/mnist_mlp-penalty=squared"))

    def test_paper_preset_and_overrides(self):
        c = training.make_config("mnist_mlp_paper", batch_size=64, seed=None)
        self.assertEqual((c.penalty, c.beta_2, c.batch_size, c.seed),
                         ("squared", 0.9, 64, 0))

    def test_unknown_preset_lists_the_valid_ones(self):
        with self.assertRaisesRegex(ConfigError, "unknown preset 'mnist'.*mnist_mlp"):
            training.make_config("mnist")


class ValidationTest(tf.test.TestCase):

    def test_bad_values_are_named(self):
        cases = {
            "batch_size must be positive": {"batch_size": 0},
            "iterations must be positive": {"iterations": -5},
            "n_critic must be of type int": {"n_critic": 2.5},
            "unknown penalty 'l2'": {"penalty": "l2"},
            "unknown prior 'cauchy'; choose one of: uniform, unit_uniform, normal": {
                "prior": "cauchy"},
            "unknown learning_rate_decay 'cosine'; choose one of: none, linear": {
                "learning_rate_decay": "cosine"},
            "unknown architecture 'bogus'; choose one of: mlp, ": {"architecture": "bogus"},
            "unknown dataset 'mnst'; choose one of: mnist, ": {"dataset": "mnst"},
            "critic_norm='layer' does not apply to the mlp critic": {"critic_norm": "layer"},
            "the toy_mlp architecture makes points, but dataset 'mnist' holds images": {
                "architecture": "toy_mlp"},
            "seed must be in": {"seed": -1},
            "beta_1 must be in": {"beta_1": 1.5},
            "beta_2 must be in": {"beta_2": 1.0},
            "penalty_weight must be >= 0": {"penalty_weight": -1.0},
            r"generator_ema must be in \[0, 1\)": {"generator_ema": 1.0},
            "jit_compile must be of type bool": {"jit_compile": 1},
            "unknown config field.*bogus": {"bogus": 3},
            "sample_every must be a multiple of steps_per_execution": {
                "steps_per_execution": 300},
            "mnist images have shape 28x28x1; --image_size and --channels resize an image folder": {
                "image_size": 32},
            "the dcgan_sized architecture is built for square images of 16, 32, 64, 128, 256 "
            "pixels, but dataset 'folder' holds 48x48x3 images": {
                "preset": "folder_dcgan", "image_size": 48},
            "--channels of 1 or 3, not 64 and 4": {"dataset": "folder", "channels": 4},
            "unknown loss 'lsgan'; choose one of: wasserstein, standard": {"loss": "lsgan"},
            "unknown optimizer 'sgd'; choose one of: adam, rmsprop": {"optimizer": "sgd"},
            "div_power must be positive": {"div_power": 0.0},
            r"learning_rate_decay_start \(5\) needs --learning_rate_decay=linear and a later "
            r"--iterations \(got none, 10\)": {"learning_rate_decay_start": 5, "iterations": 10},
            r"learning_rate_decay_start \(10\) .*\(got linear, 10\)": {
                "learning_rate_decay_start": 10, "iterations": 10,
                "learning_rate_decay": "linear"},
            "n_generator must be positive": {"n_generator": 0},
            "one_step .* pass --n_critic=1 --n_generator=1 .got 5 and 1.": {"one_step": True},
            "critic_norm='batch_spectral' does not apply to the mlp critic; it takes: none, "
            "spectral": {"critic_norm": "batch_spectral"},
        }
        for message, overrides in cases.items():
            with self.subTest(message):
                with self.assertRaisesRegex(ConfigError, message):
                    training.make_config(**overrides)

    def test_auto_steps_per_execution_divides_every_period(self):
        c = training.make_config(iterations=250, sample_every=50, checkpoint_every=100)
        self.assertEqual(c.execution_steps, 50)
        self.assertEqual(training.make_config().execution_steps, 100)

    def test_json_round_trip(self):
        c = training.make_config(penalty="diff_squared", data_dir="/data")
        self.assertEqual(training.TrainConfig.from_json(c.to_json()), c)
        self.assertIsInstance(training.TrainConfig.from_json(
            c.to_json().replace("10.0", "10")).penalty_weight, float)
        with self.assertRaisesRegex(ConfigError, "not valid JSON"):
            training.TrainConfig.from_json("{")


if __name__ == "__main__":
    tf.test.main()
