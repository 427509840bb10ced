"""Trains WGAN-GP: `python scripts/train.py --penalty=squared`.

Flags left unset take the preset's value (`--preset`, default `mnist_mlp`, the
original mnist_gangp.py). Rerunning the same command resumes from the last
checkpoint in `--output_dir`.
"""

import dataclasses
import sys

import _cli
from absl import app, flags

from wgan_gp_tf import config as config_lib
from wgan_gp_tf import penalties

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", "mnist_mlp",
                    f"One of: {', '.join(config_lib.preset_names())}.")
flags.DEFINE_string("penalty", None, f"One of: {', '.join(penalties.names())}.")
flags.DEFINE_float("penalty_weight", None, "Lambda, the penalty's weight.")
flags.DEFINE_string("dataset", None, "Data set name.")
flags.DEFINE_string("data_dir", None,
                    "mnist, fashion_mnist: folder of the IDX .gz files; celeb_a, cifar10: "
                    "any folder of png/jpg/jpeg/bmp/gif images, searched recursively. "
                    "Unset: download with tensorflow-datasets.")
flags.DEFINE_integer("iterations", None,
                     "Generator updates, each after n_critic critic updates.")
flags.DEFINE_integer("batch_size", None, "Batch size.")
flags.DEFINE_integer("n_critic", None, "Critic updates per generator update.")
flags.DEFINE_integer("latent_dim", None, "Noise size.")
flags.DEFINE_string("architecture", None, "Critic/generator pair, e.g. mlp or toy_mlp.")
flags.DEFINE_string("prior", None, "Noise prior: uniform, unit_uniform or normal.")
flags.DEFINE_float("critic_learning_rate", None, "Critic Adam learning rate.")
flags.DEFINE_float("generator_learning_rate", None,
                   "Generator Adam learning rate.")
flags.DEFINE_float("clip_value", None, "Weight bound of --penalty=clip.")
flags.DEFINE_string("output_dir", None,
                    "Run folder (config, checkpoints, samples, logs); "
                    "default runs/<preset>.")
flags.DEFINE_string("export_dir", None,
                    "SavedModel base folder; default saved_models/<preset>.")
flags.DEFINE_integer("seed", None, "Seed of weights, noise and data order.")
flags.DEFINE_integer("sample_every", None, "Iterations between sample grids.")
flags.DEFINE_integer("checkpoint_every", None, "Iterations between checkpoints.")
flags.DEFINE_integer("eval_every", None,
                     "Iterations between FID/KID/IS evaluations (0: off).")
flags.DEFINE_integer("eval_samples", None, "Generated images per evaluation.")
flags.DEFINE_enum("critic_norm", None, list(config_lib.CRITIC_NORMS),
                  "Normalisation in the convolutional critics (celeba_dcgan: batch, "
                  "as the original; the WGAN-GP paper advises layer or none).")
flags.DEFINE_enum("learning_rate_decay", None, list(config_lib.DECAYS),
                  "linear: both learning rates fall to 0 at --iterations.")
flags.DEFINE_float("generator_ema", None,
                   "Decay of a moving average of the generator's weights, used for samples, "
                   "evaluations and the export (e.g. 0.999; 0: none).")
flags.DEFINE_enum("mixed_precision", None, list(config_lib.PRECISIONS),
                  "Compute dtype of the hidden layers; float16 adds loss scaling. "
                  "Penalty and norms stay float32.")
flags.DEFINE_boolean("skip_bad_images", None,
                     "Image folders: skip and count undecodable files instead of failing.")
flags.DEFINE_boolean("cache_images", None,
                     "Image folders: decode every image once into memory.")
flags.DEFINE_enum("on_nan", None, list(config_lib.NAN_ACTIONS),
                  "On NaN or infinite losses: stop (keeping the last checkpoint) or "
                  "restore (roll back to it and go on with new noise).")
flags.DEFINE_boolean("deterministic", None,
                     "Op determinism: the same --seed gives bit-identical weights.")
flags.DEFINE_enum("strategy", None, list(config_lib.STRATEGIES),
                  "tf.distribute strategy: default (one device), mirrored (all local "
                  "GPUs), multi_worker (the cluster in TF_CONFIG) or tpu. --batch_size "
                  "is the global batch.")
flags.DEFINE_boolean("jit_compile", None,
                     "Compile the train step with XLA (convolutional networks: on a "
                     "GPU or TPU only).")
flags.DEFINE_integer("steps_per_execution", None,
                     "Iterations per compiled call; 0 chooses.")
flags.DEFINE_boolean("dry_run", False,
                     "Print the resolved config and exit without training.")

def _overrides():
    """The flag of every config field that has one (the preset aside), by field name."""
    return {field.name: FLAGS[field.name].value
            for field in dataclasses.fields(config_lib.TrainConfig)
            if field.name != "preset" and field.name in FLAGS}


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    config = config_lib.make_config(
        FLAGS.preset, **_overrides())
    if FLAGS.dry_run:
        print(config.to_json())
        return
    from wgan_gp_tf import toys, train_lib

    result = train_lib.run(config, verbose=1 if sys.stdout.isatty() else 2)
    if result.export_path:
        export = result.export_path
    elif result.iteration == result.start_iteration:
        export = "(nothing new to export)"
    elif toys.is_toy(config.dataset):
        export = "(none: toy runs are not exported)"
    else:
        export = "(the chief worker exports)"
    print(f"iteration {result.iteration}; run folder {config.output_dir}; export {export}")
    if result.metrics:
        print("metrics: " + ", ".join(f"{name} {value:.4g}" for name, value in
                                      result.metrics.items() if isinstance(value, float)))


if __name__ == "__main__":
    app.run(_cli.run_main(main))
