"""The training configuration: one frozen dataclass, checked on construction, and JSON.

Each field documents itself in its metadata (`wgan_gp_tf.training.fields`):
`scripts/train.py` generates its flags from them, so a field, its flag and its
validation are written once.
The library never reads flags; a config is written as `config.json` beside
every run.
"""

import dataclasses
import json
import math
import os

from wgan_gp_tf.core.catalog import DIV_POWER, LOSSES, PENALTIES, PRIORS, STRATEGIES
from wgan_gp_tf.core.xla_cache import cache_home
from wgan_gp_tf.data.catalog import DATASETS
from wgan_gp_tf.errors import ConfigError, DataError
from wgan_gp_tf.models.catalog import ARCHITECTURES, CRITIC_NORMS, PRECISIONS
from wgan_gp_tf.training.fields import (
    checked,
    field,
    fraction,
    non_negative,
    not_empty,
    positive,
    seed_range,
    sequence_length,
)

NAN_ACTIONS = ("stop", "restore")
DECAYS = ("none", "linear")
OPTIMIZERS = ("adam", "rmsprop")

# Iterations run inside one compiled call when `steps_per_execution` is 0
# (auto); large enough that the Python loop costs nothing measurable.
DEFAULT_STEPS_PER_EXECUTION = 100

# The flags that only one penalty reads, and the argument each gives its constructor.
PENALTY_SETTINGS = {"div": {"div_power": "power"}, "clip": {"clip_value": "clip_value"}}


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; each field's `help` documents it.

    The defaults are the original mnist_gangp.py of github.com/bojone/gan.
    Only the `resumable` fields (how long, how often, where, on what
    hardware, and the learning rates' decay) may change between the runs
    that share a run folder.

    Raises:
        ConfigError: on construction, for any field of the wrong type, an
            unknown name or a value out of range; the message names it.
    """

    preset: str = field("mnist_mlp", "The preset the run started from (recorded, not "
                                     "interpreted).")
    dataset: str = field("mnist", "Data set.", choices=DATASETS.names)
    data_dir: str | None = field(
        None, "mnist, fashion_mnist: folder of the IDX .gz files; celeb_a, cifar10, folder: "
              "any folder of png/jpg/jpeg/bmp/gif images, searched recursively, each cropped "
              "to its central square and resized; text: a UTF-8 text file or folder of them "
              "(e.g. /usr/share/games/fortunes). Unset: tensorflow-datasets.",
        resumable=True)
    image_size: int = field(0, "--dataset=folder: the images' side in pixels (0: 64).",
                            check=non_negative)
    channels: int = field(0, "--dataset=folder: 3 (RGB) or 1 (grayscale); 0: 3.",
                          check=non_negative)
    seq_len: int = field(0, "--dataset=text: characters per sample, longer lines cut, shorter "
                            "ones padded (0: 32, as gan_language.py).", check=sequence_length)
    architecture: str = field("mlp", "Critic/generator pair.", choices=ARCHITECTURES.names)
    model_dim: int = field(0, "Width of the text networks (gan_language.py's DIM; 0: 512, "
                              "which its comment calls slow and overfitting on small "
                              "corpora).", check=non_negative)
    latent_dim: int = field(10, "Size of the generator's noise input.", check=positive)
    prior: str = field("uniform", "Noise prior: U(-1, 1), U(0, 1) or N(0, 1).",
                       choices=PRIORS)
    loss: str = field("wasserstein", "Adversarial loss: the post's Wasserstein one, the "
                                     "standard (non-saturating) GAN's, the relativistic "
                                     "standard GAN's, or hinge.", choices=LOSSES.names)
    penalty: str = field("hinge", "Lipschitz penalty (div: WGAN-div's, at the real and "
                                  "generated samples).", choices=PENALTIES.names)
    penalty_weight: float = field(10.0, "Lambda, the penalty's weight in the critic loss.",
                                  check=non_negative)
    div_power: float = field(DIV_POWER, "Exponent p of --penalty=div.",
                             check=positive)
    clip_value: float = field(0.01, "Weight bound of --penalty=clip.", check=positive)
    n_critic: int = field(5, "Critic updates per iteration, before the generator's.",
                          check=positive)
    n_generator: int = field(1, "Generator updates per iteration (keras/dcgan_celeba.py: 2).",
                             check=positive)
    one_step: bool = field(False, "Update critic and generator at once from the same batches "
                                  "(gan_one_step_with_hinge_loss.py); needs n_critic 1.")
    batch_size: int = field(100, "Samples per batch, the critic's, and the generator's "
                                 "unless --generator_batch_size; the global batch under "
                                 "a strategy.", check=positive)
    generator_batch_size: int = field(
        0, "Samples per generator update (0: --batch_size; gan_cifar_resnet.py: twice it).",
        check=non_negative)
    conditional: bool = field(
        False, "Class-conditional training as the WGAN-GP paper's supervised CIFAR-10 model "
               "(AC-GAN): the generator takes a label, the critic gains a classifier head; "
               "needs a labelled data set (mnist, fashion_mnist, cifar10, or a --data_dir "
               "folder of one sub-folder per class).")
    classifier_weight: float = field(
        1.0, "--conditional: weight of the critic's classification loss on real images "
             "(gan_cifar_resnet.py's ACGAN_SCALE).", check=non_negative)
    generator_classifier_weight: float = field(
        0.1, "--conditional: weight of the generator's classification loss on its images "
             "(ACGAN_SCALE_G).", check=non_negative)
    iterations: int = field(1_000_000, "Generator updates to train for, each after "
                                       "n_critic critic updates.", check=positive,
                            resumable=True)
    optimizer: str = field("adam", "Optimiser of both networks (rmsprop: beta_2 is its rho, "
                                   "beta_1 is unused).", choices=OPTIMIZERS)
    critic_learning_rate: float = field(1e-4, "Learning rate of the critic.",
                                        check=positive)
    generator_learning_rate: float = field(1e-4, "Learning rate of the generator.",
                                           check=positive)
    beta_1: float = field(0.5, "Adam beta_1 of both optimisers.", check=fraction)
    beta_2: float = field(0.999, "Adam beta_2 (RMSprop rho) of both optimisers.",
                          check=fraction)
    adam_epsilon: float = field(1e-8, "Epsilon of both optimisers (1e-8 as in TensorFlow 1; "
                                      "Keras uses 1e-7).", check=positive)
    learning_rate_decay: str = field(
        "none", "linear: both learning rates fall in a straight line to 0 at --iterations, "
                "as in the WGAN-GP paper's ResNet CIFAR-10 script.", choices=DECAYS,
        resumable=True)
    learning_rate_decay_start: int = field(
        0, "linear: the iteration the fall starts from, the rates constant until then; a "
           "run resumed with this at its iteration cools down to 0 at --iterations.",
        check=non_negative, resumable=True)
    generator_ema: float = field(
        0.0, "Decay of a moving average of the generator's weights, used for samples, "
             "evaluations and the export (e.g. 0.999 averages over about 1,000 "
             "iterations; 0: none).", check=fraction)
    seed: int = field(0, "Seed of weights, noise and data order; the same seed gives the "
                         "same run.", check=seed_range)
    output_dir: str = field("runs/mnist_mlp", "Run folder (config, checkpoints, samples, "
                                              "logs); default runs/<preset> followed by "
                                              "-<flag>=<value> for each setting changed "
                                              "from the preset (runs/mnist_mlp-penalty="
                                              "squared).",
                            check=not_empty, resumable=True)
    export_dir: str = field("saved_models/mnist_mlp", "SavedModel base folder, versions in "
                                                      "<export_dir>/<n>/; default "
                                                      "saved_models/ and the run "
                                                      "folder's name.",
                            check=not_empty, resumable=True)
    sample_every: int = field(1000, "Iterations between sample grids.", check=positive,
                              resumable=True)
    checkpoint_every: int = field(1000, "Iterations between checkpoints.", check=positive,
                                  resumable=True)
    max_checkpoints: int = field(3, "Checkpoints kept.", check=positive, resumable=True)
    grid_size: int = field(6, "Sample grids are grid_size x grid_size images.",
                           check=positive)
    eval_every: int = field(
        0, "Iterations between evaluations against the test split (FID, KID, inception "
           "score, class coverage; W1 for toys), logged to TensorBoard; 0: off. An export "
           "is evaluated whenever the data set has an evaluator.", check=non_negative,
        resumable=True)
    eval_samples: int = field(10_000, "Generated samples per evaluation.", check=positive,
                              resumable=True)
    inception_weights: str | None = field(
        None, "Measure FID, KID and the inception score in InceptionV3 features with these "
              "weights (imagenet, Keras's cached download, or a weights file) instead of "
              "the data set's reference classifier; an image folder has no other.",
        resumable=True)
    feature_cache_dir: str = field(
        os.path.join(cache_home(), "features"),
        "Where the real images' features in the reference classifier (or InceptionV3) "
        "are kept between evaluations and runs, in a folder per TensorFlow version and "
        "CPU; empty: computed by each run.", resumable=True)
    critic_norm: str = field(
        "none", "Normalisation in the critic: batch or layer (convolutional critics; "
                "celeba_dcgan: batch, as the original; the WGAN-GP paper advises layer or "
                "none, since batch norm makes each score depend on its batch), spectral "
                "(every kernel divided by its largest singular value), or batch_spectral "
                "(both, as wgan_sn_celeba.py).", choices=CRITIC_NORMS)
    mixed_precision: str = field(
        "none", "Compute dtype of the hidden layers; float16 adds loss scaling. Scores, "
                "images, losses, the penalty and its norms stay float32; the weights "
                "are float32 in any case, so a run may change it when it resumes.",
        choices=PRECISIONS, resumable=True)
    skip_bad_images: bool = field(False, "Image folders: skip and count undecodable files "
                                         "instead of failing.", resumable=True)
    cache_images: bool = field(False, "Image folders: decode every image once into memory.",
                               resumable=True)
    on_nan: str = field(
        "stop", "On NaN or infinite losses (checked after every compiled call): stop, keeping "
                "the last checkpoint intact, or restore: roll back to it and go on with new "
                "noise, up to 3 times.", choices=NAN_ACTIONS, resumable=True)
    deterministic: bool = field(False, "Op determinism: the same --seed gives bit-identical "
                                       "weights (slower on a GPU).", resumable=True)
    strategy: str = field(
        "default", "tf.distribute strategy: default (one device), mirrored (all local GPUs), "
                   "multi_worker (the cluster in TF_CONFIG) or tpu. --batch_size is the "
                   "global batch.", choices=STRATEGIES, resumable=True)
    jit_compile: bool = field(
        True, "Compile the train step with XLA where it was measured faster: always for "
              "networks without convolutions, on a GPU or TPU for the others; never with "
              "several replicas.", resumable=True)
    steps_per_execution: int = field(
        0, "Iterations per compiled call; 0 chooses the largest divisor of 100 that also "
           "divides sample_every, checkpoint_every, eval_every and iterations.",
        check=non_negative, resumable=True)

    def __post_init__(self):
        for each in dataclasses.fields(self):
            object.__setattr__(self, each.name, checked(each, getattr(self, each.name)))
        architecture = ARCHITECTURES.get(self.architecture)
        architecture.check_critic_norm(self.critic_norm)
        architecture.check_dim(self.model_dim)
        try:
            source = self.data_source()
            architecture.check_data(self.dataset, source.makes, source.shape)
        except DataError as error:
            raise ConfigError(str(error)) from None
        if self.conditional:
            self._check_labelled()
        if self.one_step and (self.n_critic, self.n_generator) != (1, 1):
            raise ConfigError(f"one_step updates both networks once per iteration; pass "
                              f"--n_critic=1 --n_generator=1 (got {self.n_critic} and "
                              f"{self.n_generator})")
        if self.learning_rate_decay_start and (
                self.learning_rate_decay != "linear"
                or self.learning_rate_decay_start >= self.iterations):
            raise ConfigError(f"learning_rate_decay_start ({self.learning_rate_decay_start}) "
                              f"needs --learning_rate_decay=linear and a later --iterations "
                              f"(got {self.learning_rate_decay}, {self.iterations})")
        for name in ("sample_every", "checkpoint_every", "eval_every", "iterations"):
            if getattr(self, name) % self.execution_steps:
                raise ConfigError(f"{name} must be a multiple of steps_per_execution "
                                  f"({self.execution_steps})")

    def _check_labelled(self):
        source = self.data_source()
        if source.makes == "images" and source.reads_folder():
            try:
                source.class_names()
            except DataError as error:
                raise ConfigError(f"--conditional: {error}") from None
        elif not source.class_names():
            labelled = ", ".join(each.name for each in DATASETS.values() if each.class_names())
            raise ConfigError(f"--conditional needs a labelled data set ({labelled}, or a "
                              f"--data_dir folder of one sub-folder per class); "
                              f"{self.dataset} has no labels")

    def data_source(self):
        """The `DataSource` trained on, read from `data_dir`, at its sizes.

        The sizes are `image_size` and `channels`, or `seq_len`.
        """
        source = DATASETS.get(self.dataset).sized(self.image_size, self.channels, self.seq_len)
        return source.reading(self.data_dir)

    @property
    def num_classes(self):
        """The classes the networks are conditioned on; 0 unless `conditional`."""
        return len(self.class_names) if self.conditional else 0

    @property
    def class_names(self):
        """The names of the data's classes (from the folder, for a labelled folder)."""
        return self.data_source().class_names()

    @property
    def execution_steps(self):
        """Iterations per compiled call, with 0 (auto) resolved."""
        if self.steps_per_execution:
            return self.steps_per_execution
        return math.gcd(DEFAULT_STEPS_PER_EXECUTION, self.sample_every,
                        self.checkpoint_every, self.eval_every, self.iterations)

    def changes_from(self, other):
        """The fields, other than resumable ones, that differ from `other`'s."""
        return [f"{each.name}: {getattr(other, each.name)!r} -> {getattr(self, each.name)!r}"
                for each in dataclasses.fields(self)
                if not each.metadata["resumable"]
                and getattr(other, each.name) != getattr(self, each.name)]

    def to_json(self):
        """The config as an indented JSON string, keys in field order."""
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text):
        """Reads a config written by `to_json`.

        Raises:
            ConfigError: the text is not a JSON object of known, valid fields.
        """
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"config is not valid JSON: {error}") from None
        if not isinstance(values, dict):
            raise ConfigError("config JSON must be an object")
        check_known(values)
        return cls(**values)


def check_known(values):
    """Raises `ConfigError` if `values` has keys that are not `TrainConfig` fields."""
    known = {each.name for each in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"unknown config field(s): {', '.join(unknown)}; "
            f"known fields: {', '.join(sorted(known))}")
