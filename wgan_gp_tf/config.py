"""The training configuration: one frozen dataclass, its presets, and JSON.

The library never reads flags. `scripts/train.py` turns flags into a
`TrainConfig` with `make_config(preset, **overrides)`; the config checks itself
once, on construction, and is written as `config.json` beside every run.
"""

import dataclasses
import json
import math
import os

from wgan_gp_tf import penalties
from wgan_gp_tf.distribute import STRATEGIES
from wgan_gp_tf.errors import ConfigError

# The file in each run folder that holds the run's config.
RUN_CONFIG_FILE = "config.json"

PRIORS = ("uniform", "unit_uniform", "normal")
CRITIC_NORMS = ("batch", "layer", "none")
PRECISIONS = ("none", "float16", "bfloat16")
NAN_ACTIONS = ("stop", "restore")
DECAYS = ("none", "linear")

_ACCEPTED_TYPES = {int: int, float: (int, float), str: str, bool: bool,
                   str | None: (str, type(None))}

# Iterations run inside one compiled call when `steps_per_execution` is 0
# (auto); large enough that the Python loop costs nothing measurable.
DEFAULT_STEPS_PER_EXECUTION = 100


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run.

    The defaults are the original mnist_gangp.py of github.com/bojone/gan.

    Attributes:
        preset: the preset the run started from (recorded, not interpreted).
        dataset: data source name (see `wgan_gp_tf.data`).
        data_dir: folder with the data set's files: the IDX files of mnist
            and fashion_mnist, any folder of images for celeb_a and cifar10;
            `None` downloads with tensorflow-datasets.
        architecture: critic and generator family (see `wgan_gp_tf.models`).
        latent_dim: size of the generator's noise input.
        prior: noise distribution, `"uniform"` (U(-1, 1)) or `"normal"` (N(0, 1)).
        penalty: Lipschitz penalty name (see `wgan_gp_tf.penalties`).
        penalty_weight: lambda, the penalty's weight in the critic loss.
        clip_value: weight bound of the `clip` penalty.
        n_critic: critic updates per generator update.
        batch_size: examples per batch, the same for critic and generator.
        iterations: generator updates to train for (each after n_critic
            critic updates).
        critic_learning_rate: Adam learning rate of the critic.
        generator_learning_rate: Adam learning rate of the generator.
        beta_1: Adam beta_1 of both optimisers.
        beta_2: Adam beta_2 of both optimisers.
        adam_epsilon: Adam epsilon (1e-8 as in TensorFlow 1, not Keras's 1e-7).
        learning_rate_decay: `"none"`, or `"linear"`: both learning rates fall
            in a straight line to 0 at `iterations`, as in the WGAN-GP paper's
            ResNet CIFAR-10 script; resuming with more `iterations` stretches
            the line.
        generator_ema: the decay of an exponential moving average of the
            generator's weights, kept beside the trained generator and used
            for samples, evaluations and the export; 0 keeps none. Averaging
            smooths out the generator's jitter around the critic's moving
            target (e.g. 0.999 averages over about 1,000 iterations).
        seed: seeds weights, noise and data order; the same seed gives the
            same run.
        output_dir: run folder: config, checkpoints, samples, logs.
        export_dir: SavedModel base folder; versions go in `<export_dir>/<n>/`.
        sample_every: iterations between sample grids.
        checkpoint_every: iterations between checkpoints.
        max_checkpoints: checkpoints kept.
        grid_size: sample grids are `grid_size x grid_size` images.
        eval_every: iterations between evaluations against the test split
            with the reference classifier (FID, KID, inception score,
            class coverage), logged to TensorBoard; 0 turns them off. An
            export is evaluated whenever a classifier for the data set exists.
        eval_samples: generated images per evaluation.
        critic_norm: normalisation in the convolutional critics, `"batch"`,
            `"layer"` or `"none"`. Batch norm makes each score depend on the
            rest of its batch, which the gradient penalty does not assume
            (the WGAN-GP paper uses layer norm or none); `celeba_dcgan` keeps
            it because the original script has it.
        mixed_precision: `"none"`, `"float16"` (with dynamic loss scaling) or
            `"bfloat16"`: the compute dtype of the hidden layers. Scores,
            images, losses, the penalty and its norms stay float32.
        skip_bad_images: for image folders, leave out files that cannot be
            decoded (counted and named in the log) instead of failing.
        cache_images: for image folders, decode every image once into memory
            instead of reading the files again each epoch.
        on_nan: what to do when losses become NaN or infinite (checked after
            every compiled call): `"stop"` ends the run with an error naming
            the iteration and the last good checkpoint, which is kept intact;
            `"restore"` rolls back to that checkpoint and goes on with new
            noise, up to 3 times.
        deterministic: turn on TensorFlow's op determinism for the process,
            so that the same seed gives bit-identical weights (at some cost in
            speed on a GPU, where ops without a deterministic kernel then
            raise an error).
        strategy: the `tf.distribute` strategy: `"default"` (one device),
            `"mirrored"` (every local GPU), `"multi_worker"` (the machines
            of `TF_CONFIG`, each with its GPUs) or `"tpu"`. `batch_size` is
            the global batch and must split evenly over the replicas; the
            same seed gives the same run on any number of replicas.
        jit_compile: compile the train step with XLA where it helps: always
            for the MLPs, on a GPU or TPU only for the convolutional networks;
            with `mirrored` or `multi_worker` over several replicas, never
            (XLA cannot compile a step that spans devices).
        steps_per_execution: iterations per compiled call; 0 chooses the
            largest divisor of 100 that also divides `sample_every`,
            `checkpoint_every`, `eval_every` and `iterations`.
    """

    preset: str = "mnist_mlp"
    dataset: str = "mnist"
    data_dir: str | None = None
    architecture: str = "mlp"
    latent_dim: int = 10
    prior: str = "uniform"
    penalty: str = "hinge"
    penalty_weight: float = 10.0
    clip_value: float = 0.01
    n_critic: int = 5
    batch_size: int = 100
    iterations: int = 1_000_000
    critic_learning_rate: float = 1e-4
    generator_learning_rate: float = 1e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    adam_epsilon: float = 1e-8
    learning_rate_decay: str = "none"
    generator_ema: float = 0.0
    seed: int = 0
    output_dir: str = "runs/mnist_mlp"
    export_dir: str = "saved_models/mnist_mlp"
    sample_every: int = 1000
    checkpoint_every: int = 1000
    max_checkpoints: int = 3
    grid_size: int = 6
    eval_every: int = 0
    eval_samples: int = 10_000
    critic_norm: str = "none"
    mixed_precision: str = "none"
    skip_bad_images: bool = False
    cache_images: bool = False
    on_nan: str = "stop"
    deterministic: bool = False
    strategy: str = "default"
    jit_compile: bool = True
    steps_per_execution: int = 0

    def __post_init__(self):
        self._check_types()
        for name in ("latent_dim", "n_critic", "batch_size", "iterations",
                     "sample_every", "checkpoint_every", "max_checkpoints",
                     "grid_size", "eval_samples"):
            _require(getattr(self, name) > 0, name, "must be positive")
        for name in ("critic_learning_rate", "generator_learning_rate",
                     "adam_epsilon", "clip_value"):
            _require(getattr(self, name) > 0, name, "must be positive")
        for name in ("beta_1", "beta_2"):
            _require(0 <= getattr(self, name) < 1, name, "must be in [0, 1)")
        _require(self.penalty_weight >= 0, "penalty_weight", "must be >= 0")
        _require(0 <= self.generator_ema < 1, "generator_ema",
                 "must be in [0, 1) (0 keeps no average)")
        _require(self.eval_every >= 0, "eval_every", "must be >= 0 (0 turns it off)")
        _require(self.steps_per_execution >= 0, "steps_per_execution",
                 "must be >= 0 (0 chooses it)")
        _require(0 <= self.seed < 2**31, "seed", "must be in [0, 2**31)")
        for name, valid in (("prior", PRIORS), ("critic_norm", CRITIC_NORMS),
                            ("mixed_precision", PRECISIONS), ("on_nan", NAN_ACTIONS),
                            ("learning_rate_decay", DECAYS),
                            ("strategy", STRATEGIES)):
            _require(getattr(self, name) in valid, name, f"must be one of: {', '.join(valid)}")
        penalties.get(self.penalty)
        for name in ("sample_every", "checkpoint_every", "eval_every", "iterations"):
            _require(getattr(self, name) % self.execution_steps == 0, name,
                     f"must be a multiple of steps_per_execution "
                     f"({self.execution_steps})")
        _require(bool(self.output_dir), "output_dir", "must not be empty")
        _require(bool(self.export_dir), "export_dir", "must not be empty")

    def _check_types(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            accepted = _ACCEPTED_TYPES[field.type]
            if not isinstance(value, accepted) or (
                    isinstance(value, bool) and field.type is not bool):
                raise ConfigError(
                    f"{field.name} must be of type "
                    f"{getattr(field.type, '__name__', field.type)}, "
                    f"got {value!r}")
            if field.type is float:
                object.__setattr__(self, field.name, float(value))

    @property
    def execution_steps(self):
        """Iterations per compiled call, with 0 (auto) resolved."""
        if self.steps_per_execution:
            return self.steps_per_execution
        return math.gcd(DEFAULT_STEPS_PER_EXECUTION, self.sample_every,
                        self.checkpoint_every, self.eval_every, self.iterations)

    def to_json(self):
        """The config as an indented JSON string, keys in field order."""
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text):
        """Reads a config written by `to_json`.

        Raises:
            ConfigError: the text is not a JSON object of known fields.
        """
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"config is not valid JSON: {error}") from None
        if not isinstance(values, dict):
            raise ConfigError("config JSON must be an object")
        _check_known(values)
        return cls(**values)

    @classmethod
    def from_run_folder(cls, run_dir):
        """Reads the `config.json` that `train_lib.run` wrote in a run folder.

        Raises:
            ConfigError: the folder has no config.json, or it is malformed.
        """
        path = os.path.join(run_dir, RUN_CONFIG_FILE)
        if not os.path.isfile(path):
            raise ConfigError(f"{run_dir} has no {RUN_CONFIG_FILE}; expected a run folder "
                              f"written by scripts/train.py")
        with open(path, encoding="utf-8") as stream:
            return cls.from_json(stream.read())


def _require(condition, name, message):
    if not condition:
        raise ConfigError(f"{name} {message}")


def _check_known(values):
    known = {field.name for field in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"unknown config field(s): {', '.join(unknown)}; "
            f"known fields: {', '.join(sorted(known))}")


PRESETS = {
    # github.com/bojone/gan mnist_gangp.py, exactly.
    "mnist_mlp": {},
    # The same networks trained as in the WGAN-GP paper's code
    # (igul222/improved_wgan_training): two-sided penalty, Adam(1e-4, 0.5, 0.9).
    "mnist_mlp_paper": {"penalty": "squared", "beta_2": 0.9},
    # gan_toy.py of the WGAN-GP paper's code: 3 ReLU layers of 512 on both
    # sides, 2-d N(0, 1) noise, batch 256, lambda 0.1, n_critic 5,
    # Adam(1e-4, 0.5, 0.9), 100k iterations; its default data set.
    "toy_mlp": {"dataset": "8gaussians", "architecture": "toy_mlp", "latent_dim": 2,
                "prior": "normal", "penalty": "squared", "penalty_weight": 0.1,
                "batch_size": 256, "beta_2": 0.9, "iterations": 100_000},
    # The post's opening question: 1-d U[0, 1] noise to N(0, 1), with small
    # networks, the hinge penalty at lambda 1, n_critic 10, Adam(3e-3, 0.5,
    # 0.9) decaying linearly over 3000 iterations, and the generator averaged:
    # the settings under which every penalty form, each with its own lambda,
    # reached W1 < 0.05 in our runs (docs/benchmarks.md).
    "toy_1d": {"dataset": "toy_1d", "architecture": "toy_mlp_64", "latent_dim": 1,
               "prior": "unit_uniform", "penalty_weight": 1.0, "n_critic": 10,
               "batch_size": 256, "beta_2": 0.9, "critic_learning_rate": 3e-3,
               "generator_learning_rate": 3e-3, "learning_rate_decay": "linear",
               "generator_ema": 0.999, "iterations": 3000},
    # fashion_mnist_gangp.py of the original repo: mnist_gangp.py on Fashion-MNIST.
    "fashion_mnist_mlp": {"dataset": "fashion_mnist"},
    # keras/wgan_gp_celeba.py of the original repo: 64x64 DCGAN with batch norm
    # in the critic, N(0, 1) noise of 100, squared penalty, Adam(2e-4, 0.5),
    # batch 64, a 9x9 grid every 100 iterations.
    "celeba_dcgan": {"dataset": "celeb_a", "architecture": "dcgan_celeba", "latent_dim": 100,
                     "prior": "normal", "penalty": "squared", "batch_size": 64,
                     "critic_learning_rate": 2e-4, "generator_learning_rate": 2e-4,
                     "critic_norm": "batch", "grid_size": 9, "sample_every": 100,
                     "checkpoint_every": 100},
    # gan_mnist.py of the WGAN-GP paper's code: DIM 64, no batch norm, N(0, 1)
    # noise of 128, squared penalty, Adam(1e-4, 0.5, 0.9), batch 50, 200k iterations.
    "mnist_dcgan": {"architecture": "dcgan_mnist", "latent_dim": 128, "prior": "normal",
                    "penalty": "squared", "batch_size": 50, "beta_2": 0.9,
                    "iterations": 200_000, "sample_every": 100, "checkpoint_every": 100},
    # gan_cifar.py of the WGAN-GP paper's code: DIM 128, batch norm in the
    # generator only, N(0, 1) noise of 128, squared penalty,
    # Adam(1e-4, 0.5, 0.9), batch 64, 200k iterations.
    "cifar10_dcgan": {"dataset": "cifar10", "architecture": "dcgan_cifar10",
                      "latent_dim": 128, "prior": "normal", "penalty": "squared",
                      "batch_size": 64, "beta_2": 0.9, "iterations": 200_000,
                      "sample_every": 100, "checkpoint_every": 100},
}


def preset_names():
    """The preset names, in definition order."""
    return tuple(PRESETS)


def make_config(preset="mnist_mlp", **overrides):
    """Builds a validated config from a preset and explicit overrides.

    `output_dir` and `export_dir` default to `runs/<preset>` and
    `saved_models/<preset>`.

    Args:
        preset: a name from `PRESETS`.
        **overrides: `TrainConfig` fields; `None` values are ignored, so flags
            left unset fall back to the preset.

    Returns:
        A `TrainConfig`.

    Raises:
        ConfigError: unknown preset or field, or an invalid value.
    """
    if preset not in PRESETS:
        raise ConfigError(
            f"unknown preset {preset!r}; choose one of: "
            f"{', '.join(preset_names())}")
    values = {"preset": preset, "output_dir": f"runs/{preset}",
              "export_dir": f"saved_models/{preset}", **PRESETS[preset]}
    values.update({k: v for k, v in overrides.items() if v is not None})
    _check_known(values)
    return TrainConfig(**values)
