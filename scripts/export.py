"""Exports a run's generator from its last checkpoint as a SavedModel.

`python scripts/export.py --run_dir=runs/mnist_mlp` writes the next version
under the run's export_dir (or `--export_dir`), as `scripts/train.py` does at
the end of training.
"""

import dataclasses
import os

import _cli
from absl import app, flags

from wgan_gp_tf.config import TrainConfig
from wgan_gp_tf.errors import ConfigError

FLAGS = flags.FLAGS
flags.DEFINE_string("run_dir", None, "Run folder written by scripts/train.py.")
flags.DEFINE_string("export_dir", None,
                    "SavedModel base folder; default: the run's export_dir.")
flags.mark_flag_as_required("run_dir")


def main(argv):
    del argv
    config_path = os.path.join(FLAGS.run_dir, "config.json")
    if not os.path.isfile(config_path):
        raise ConfigError(f"{FLAGS.run_dir} has no config.json; --run_dir must "
                          f"be a run folder written by scripts/train.py")
    with open(config_path) as stream:
        config = TrainConfig.from_json(stream.read())
    from wgan_gp_tf import train_lib

    model, _ = train_lib.restore_run(config, FLAGS.run_dir)
    if FLAGS.export_dir:
        config = dataclasses.replace(config, export_dir=FLAGS.export_dir)
    metrics = train_lib.evaluate(train_lib.find_evaluator(config), model.generator, config)
    path = train_lib.export_run(model, config, metrics=metrics)
    print(f"exported iteration {int(model.iteration)} to {path}")


if __name__ == "__main__":
    app.run(_cli.run_main(main))
