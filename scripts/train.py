"""Trains WGAN-GP: `python scripts/train.py --penalty=squared`.

Flags left unset take the preset's value (`--preset`, default `mnist_mlp`, the
original mnist_gangp.py); there is one flag per `TrainConfig` field. Rerunning
the same command resumes from the last checkpoint in `--output_dir`.
"""

import signal
import sys

import _cli
from absl import flags

from wgan_gp_tf import training
from wgan_gp_tf.training.config import TrainConfig
from wgan_gp_tf.training.presets import PRESETS, make_config

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", "mnist_mlp", "One of: " + ", ".join(
    f"{preset.name} ({preset.source})" for preset in PRESETS.values()))
flags.register_validator("preset", _cli.refusing(PRESETS.get))
flags.DEFINE_boolean("dry_run", False, "Print the resolved config and exit without training.")
config_flags = _cli.define_config_flags(TrainConfig, skip=("preset",))
_cli.define_xla_cache_flag()
flags.adopt_module_key_flags(_cli)


def main(argv):
    del argv
    config = make_config(FLAGS.preset, **config_flags())
    if FLAGS.dry_run:
        print(config.to_json())
        return
    result = training.run(config, verbose=1 if sys.stdout.isatty() else 2)
    if result.stopped_by:
        sys.exit(128 + signal.Signals[result.stopped_by])
    print(f"iteration {result.iteration}; run folder {config.output_dir}; "
          f"export {_export_note(config, result)}")
    if result.metrics:
        print("metrics: " + ", ".join(f"{name} {value:.4g}" for name, value in
                                      result.metrics.items() if isinstance(value, float)))


def _export_note(config, result):
    if result.export_path:
        return result.export_path
    if result.iteration == result.start_iteration:
        return "(nothing new to export)"
    if not config.data_source().exportable:
        return f"(none: {config.dataset} generators are not exported)"
    return "(the chief worker exports)"


if __name__ == "__main__":
    _cli.run(main)
