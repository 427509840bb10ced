"""Presets: the settings of the original scripts, each naming the script it reproduces."""

import dataclasses
import types

from wgan_gp_tf.core.catalog import PENALTIES
from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.registry import Registry
from wgan_gp_tf.training.config import PENALTY_SETTINGS, TrainConfig, check_known

_BOJONE = "github.com/bojone/gan"
_PAPER = "github.com/igul222/improved_wgan_training"


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named set of `TrainConfig` values.

    Attributes:
        name: the name `--preset` takes.
        source: the script whose settings it reproduces, or where they come from.
        values: the fields that differ from `TrainConfig`'s defaults.
    """

    name: str
    source: str
    values: types.MappingProxyType = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "values", types.MappingProxyType(dict(self.values)))


_CELEBA_64 = {"dataset": "celeb_a", "architecture": "dcgan_celeba", "latent_dim": 100,
              "prior": "normal", "batch_size": 64, "critic_learning_rate": 2e-4,
              "generator_learning_rate": 2e-4, "adam_epsilon": 1e-7, "grid_size": 9,
              "sample_every": 100, "checkpoint_every": 100}
_FOLDER_128 = {"dataset": "folder", "image_size": 128, "channels": 3, "latent_dim": 128,
               "prior": "normal", "batch_size": 64, "critic_norm": "batch",
               "adam_epsilon": 1e-7, "grid_size": 9, "sample_every": 100,
               "checkpoint_every": 100}
# gan_cifar_resnet.py: N(0, 1) noise of 128, squared penalty at 10, n_critic
# 5, batch 64 for the critic and 128 for the generator, Adam(2e-4, 0, 0.9)
# decaying linearly to 0 over its 100k iterations.
_CIFAR_RESNET = {"dataset": "cifar10", "architecture": "resnet_cifar10", "latent_dim": 128,
                 "prior": "normal", "penalty": "squared", "batch_size": 64,
                 "generator_batch_size": 128, "critic_learning_rate": 2e-4,
                 "generator_learning_rate": 2e-4, "beta_1": 0.0, "beta_2": 0.9,
                 "learning_rate_decay": "linear", "iterations": 100_000, "grid_size": 10,
                 "sample_every": 100, "checkpoint_every": 100}

# gan_language.py: 32-character lines, N(0, 1) noise of 128, n_critic 10,
# squared penalty at 10, Adam(1e-4, 0.5, 0.9), batch 64, 200k iterations; the
# n-gram JS divergences of 640 samples every 100 iterations, samples written
# as often.
_LANGUAGE = {"dataset": "text", "architecture": "language_resnet", "latent_dim": 128,
             "prior": "normal", "penalty": "squared", "n_critic": 10, "batch_size": 64,
             "beta_2": 0.9, "iterations": 200_000, "eval_every": 100, "eval_samples": 640,
             "grid_size": 8, "sample_every": 100, "checkpoint_every": 100}

PRESETS = Registry("preset", (
    # Exactly; TrainConfig's defaults.
    Preset("mnist_mlp", f"{_BOJONE} mnist_gangp.py"),
    # The same networks trained as the WGAN-GP paper's code trains its own:
    # two-sided penalty, Adam(1e-4, 0.5, 0.9).
    Preset("mnist_mlp_paper", f"{_BOJONE} mnist_gangp.py, trained as {_PAPER} gan_mnist.py",
           {"penalty": "squared", "beta_2": 0.9}),
    # 3 ReLU layers of 512 on both sides, 2-d N(0, 1) noise, batch 256,
    # lambda 0.1, n_critic 5, Adam(1e-4, 0.5, 0.9), 100k iterations; its
    # default data set.
    Preset("toy_mlp", f"{_PAPER} gan_toy.py",
           {"dataset": "8gaussians", "architecture": "toy_mlp", "latent_dim": 2,
            "prior": "normal", "penalty": "squared", "penalty_weight": 0.1, "batch_size": 256,
            "beta_2": 0.9, "iterations": 100_000}),
    # 1-d U[0, 1] noise to N(0, 1), with small networks, the hinge penalty at
    # lambda 1, n_critic 10, Adam(3e-3, 0.5, 0.9) decaying linearly over 3000
    # iterations, and the generator averaged: the settings under which every
    # penalty form, each with its own lambda, reached W1 < 0.05 in our runs
    # (docs/benchmarks.md).
    Preset("toy_1d", "the opening question of kexue.fm/archives/4439; settings ours",
           {"dataset": "toy_1d", "architecture": "toy_mlp_64", "latent_dim": 1,
            "prior": "unit_uniform", "penalty_weight": 1.0, "n_critic": 10, "batch_size": 256,
            "beta_2": 0.9, "critic_learning_rate": 3e-3, "generator_learning_rate": 3e-3,
            "learning_rate_decay": "linear", "generator_ema": 0.999, "iterations": 3000}),
    # mnist_gangp.py on Fashion-MNIST.
    Preset("fashion_mnist_mlp", f"{_BOJONE} fashion_mnist_gangp.py",
           {"dataset": "fashion_mnist"}),
    # 64x64 DCGAN with batch norm in the critic, N(0, 1) noise of 100, squared
    # penalty, Keras 2's Adam(2e-4, 0.5) (epsilon 1e-7), batch 64, a 9x9 grid
    # every 100 iterations.
    Preset("celeba_dcgan", f"{_BOJONE} keras/wgan_gp_celeba.py",
           {"dataset": "celeb_a", "architecture": "dcgan_celeba", "latent_dim": 100,
            "prior": "normal", "penalty": "squared", "batch_size": 64,
            "critic_learning_rate": 2e-4, "generator_learning_rate": 2e-4,
            "adam_epsilon": 1e-7, "critic_norm": "batch", "grid_size": 9, "sample_every": 100,
            "checkpoint_every": 100}),
    # DIM 64, no batch norm, N(0, 1) noise of 128, squared penalty,
    # Adam(1e-4, 0.5, 0.9), batch 50, 200k iterations.
    Preset("mnist_dcgan", f"{_PAPER} gan_mnist.py",
           {"architecture": "dcgan_mnist", "latent_dim": 128, "prior": "normal",
            "penalty": "squared", "batch_size": 50, "beta_2": 0.9, "iterations": 200_000,
            "sample_every": 100, "checkpoint_every": 100}),
    # DIM 128, batch norm in the generator only, N(0, 1) noise of 128, squared
    # penalty, Adam(1e-4, 0.5, 0.9), batch 64, 200k iterations.
    Preset("cifar10_dcgan", f"{_PAPER} gan_cifar.py",
           {"dataset": "cifar10", "architecture": "dcgan_cifar10", "latent_dim": 128,
            "prior": "normal", "penalty": "squared", "batch_size": 64, "beta_2": 0.9,
            "iterations": 200_000, "sample_every": 100, "checkpoint_every": 100}),
    # Any folder of images (--data_dir, --image_size 16 to 256, default 64):
    # the networks the original builds from the image size in its 128x128
    # scripts (N(0, 0.02) kernels, batch norm in both, global average pooling
    # before the score), noise N(0, 1) of 128, trained as wgan_gp_celeba.py.
    Preset("folder_dcgan", f"{_BOJONE} keras/wgan_div_celeba.py's networks, trained as "
                           f"keras/wgan_gp_celeba.py",
           {"dataset": "folder", "architecture": "dcgan_sized", "latent_dim": 128,
            "prior": "normal", "penalty": "squared", "batch_size": 64,
            "critic_learning_rate": 2e-4, "generator_learning_rate": 2e-4,
            "adam_epsilon": 1e-7, "critic_norm": "batch", "grid_size": 9,
            "sample_every": 100, "checkpoint_every": 100}),
    # The other scripts of the original repo, each with its exact settings.
    # Keras 2's Adam and RMSprop default to epsilon 1e-7. The 64x64 ones take
    # wgan_gp_celeba.py's networks, noise N(0, 1) of 100, batch 64.
    Preset("wgan_sn_celeba", f"{_BOJONE} keras/wgan_sn_celeba.py",
           {**_CELEBA_64, "penalty": "none", "critic_norm": "batch_spectral"}),
    Preset("dcgan_celeba", f"{_BOJONE} keras/dcgan_celeba.py",
           {**_CELEBA_64, "architecture": "dcgan_celeba_score_bias", "loss": "standard",
            "penalty": "none", "critic_norm": "batch", "n_critic": 1, "n_generator": 2}),
    Preset("dcgan_sn_celeba", f"{_BOJONE} keras/dcgan_sn_celeba.py",
           {**_CELEBA_64, "loss": "standard", "penalty": "none",
            "critic_norm": "batch_spectral", "n_critic": 1, "n_generator": 2}),
    # Its generator steps score the iteration's real batch again, where the
    # original draws a fresh one for each.
    Preset("rsgan_sn_celeba", f"{_BOJONE} keras/rsgan_sn_celeba.py",
           {**_CELEBA_64, "loss": "relativistic", "penalty": "none",
            "critic_norm": "batch_spectral", "n_critic": 1, "n_generator": 2}),
    # 128x128 images from a folder (--data_dir), networks built from the size.
    Preset("wgan_div_celeba", f"{_BOJONE} keras/wgan_div_celeba.py",
           {**_FOLDER_128, "architecture": "dcgan_sized", "penalty": "div",
            "penalty_weight": 2.0, "div_power": 6.0, "n_critic": 1,
            "critic_learning_rate": 2e-4, "generator_learning_rate": 2e-4}),
    Preset("gan_one_step_celeba", f"{_BOJONE} gan_one_step_with_hinge_loss.py",
           {**_FOLDER_128, "architecture": "dcgan_sized_one_step", "loss": "hinge",
            "penalty": "none", "one_step": True, "n_critic": 1, "optimizer": "rmsprop",
            "beta_2": 0.99}),
    # The WGAN-GP paper's residual networks. Its Table 3 gives inception scores
    # of 7.86 unsupervised and 8.42 supervised (the script's default,
    # CONDITIONAL and ACGAN: the label conditions the generator's batch norms
    # and a classifier head on the critic is trained, weighted 1 and 0.1).
    Preset("cifar10_resnet", f"{_PAPER} gan_cifar_resnet.py, CONDITIONAL = False",
           _CIFAR_RESNET),
    Preset("cifar10_resnet_acgan", f"{_PAPER} gan_cifar_resnet.py",
           {**_CIFAR_RESNET, "conditional": True}),
    # gan_64x64.py's ResNet (64 to 512 channels, layer norm in the critic) in
    # its wgan-gp mode: Adam(1e-4, 0, 0.9), n_critic 5, batch 64, 200k
    # iterations, on a folder of 64x64 images (it reads downsampled ImageNet).
    Preset("imagenet64_resnet", f"{_PAPER} gan_64x64.py",
           {"dataset": "folder", "image_size": 64, "channels": 3, "architecture": "resnet_64",
            "critic_norm": "layer", "latent_dim": 128, "prior": "normal", "penalty": "squared",
            "batch_size": 64, "beta_1": 0.0, "beta_2": 0.9, "iterations": 200_000,
            "grid_size": 8, "sample_every": 200, "checkpoint_every": 200}),
    # MNIST networks made class-conditional as gan_cifar_resnet.py's AC-GAN
    # (the one-hot label appended to the noise, a classifier head beside the
    # score), the generator's classification term weighted 1 rather than 0.1:
    # at 0.1 mnist_mlp reached 76% conditional accuracy in 30,000 iterations,
    # at 1 86% (docs/benchmarks.md).
    Preset("mnist_mlp_acgan", f"{_BOJONE} mnist_gangp.py, conditioned as {_PAPER} "
                              f"gan_cifar_resnet.py's AC-GAN",
           {"conditional": True, "generator_classifier_weight": 1.0, "grid_size": 10}),
    Preset("mnist_dcgan_acgan", f"{_PAPER} gan_mnist.py, conditioned as "
                                f"gan_cifar_resnet.py's AC-GAN",
           {"architecture": "dcgan_mnist", "latent_dim": 128, "prior": "normal",
            "penalty": "squared", "batch_size": 50, "beta_2": 0.9, "iterations": 200_000,
            "conditional": True, "generator_classifier_weight": 1.0, "grid_size": 10,
            "sample_every": 100, "checkpoint_every": 100}),
    # The paper's character-level language model on a corpus from --data_dir.
    Preset("language_resnet", f"{_PAPER} gan_language.py", _LANGUAGE),
    # Its generator against a GRU critic, held to the post's finite-difference
    # squared penalty (the last section of kexue.fm/archives/4439: a recurrent
    # critic is where the gradient penalties cannot go). The critic learns at
    # 4e-4: at 1e-4 its generator's JS-4 stayed at 0.93-1.00 through 3,000
    # iterations (docs/benchmarks.md).
    Preset("language_rnn", f"{_PAPER} gan_language.py with a GRU critic and the "
                           f"diff_squared penalty of {_BOJONE}",
           {**_LANGUAGE, "architecture": "language_rnn", "penalty": "diff_squared",
            "critic_learning_rate": 4e-4}),
))


_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}

preset_names = PRESETS.names
get_preset = PRESETS.get


def _refuse_idle_settings(config, given, preset_values):
    """Raises `ConfigError` for a setting given that this config would not use."""
    read = {field for fields in PENALTY_SETTINGS.values() for field in fields}
    read -= set(PENALTY_SETTINGS.get(config.penalty, {}))
    if not PENALTIES.get(config.penalty).weighted:
        read.add("penalty_weight")
    idle = sorted(read & set(given))
    if idle:
        raise ConfigError(f"--{idle[0]} does nothing with --penalty={config.penalty}: leave "
                          f"it out, or choose a --penalty that reads it")
    if given.get("image_size") == 0:
        own = preset_values.get("image_size") or config.data_source().shape[0]
        raise ConfigError(f"--image_size=0 is not a size: leave it out for "
                          f"{config.preset}'s own ({own}), or pass a side of 8 pixels or more")


def make_config(preset="mnist_mlp", **overrides):
    """Builds a checked config from a preset and explicit overrides.

    `output_dir` and `export_dir` default to `runs/<name>` and
    `saved_models/<name>`, where the name is the preset's followed by
    `-<field>=<value>` for each setting that differs from it (other than the
    resumable ones: how long, how often, where, on what hardware). Runs of
    different settings never share a folder, and the same command resumes.

    Args:
        preset: a name from `preset_names()`.
        **overrides: `TrainConfig` fields; `None` values are ignored, so flags
            left unset fall back to the preset.

    Returns:
        A `TrainConfig`.

    Raises:
        ConfigError: unknown preset or field, an invalid value, or a
            setting given that the run would not use (`--clip_value` without
            `--penalty=clip`, `--penalty_weight` with `clip` or `none`, ...).
    """
    values = {"preset": preset, **get_preset(preset).values}
    given = {name: value for name, value in overrides.items() if value is not None}
    check_known({**values, **given})
    config = TrainConfig(**{**values, **given})
    _refuse_idle_settings(config, given, values)
    name = run_name(config, {name: value for name, value in given.items()
                             if value != values.get(name, _DEFAULTS[name])})
    return dataclasses.replace(config, **{
        "output_dir": f"runs/{name}", "export_dir": f"saved_models/{name}",
        **{key: given[key] for key in ("output_dir", "export_dir") if key in given}})


def run_name(config, changed):
    """`<preset>-<field>=<value>...` for the fields in `changed`, other than resumable ones."""
    return "-".join([config.preset, *(
        f"{field.name}={_short(getattr(config, field.name))}"
        for field in dataclasses.fields(config)
        if field.name in changed and not field.metadata["resumable"])])


def _short(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
