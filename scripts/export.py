"""Exports a run's generator from its last checkpoint as a SavedModel.

`python scripts/export.py --run_dir=runs/mnist_mlp` writes the next version
under the run's export_dir (or `--export_dir`), as `scripts/train.py` does at
the end of training.
"""

import dataclasses

import _cli
from absl import app, flags

from wgan_gp_tf.config import TrainConfig

FLAGS = flags.FLAGS
flags.DEFINE_string("run_dir", None, "Run folder written by scripts/train.py.")
flags.DEFINE_string("export_dir", None,
                    "SavedModel base folder; default: the run's export_dir.")
flags.mark_flag_as_required("run_dir")


def main(argv):
    del argv
    config = TrainConfig.from_run_folder(FLAGS.run_dir)
    from wgan_gp_tf import evaluation, train_lib

    model, _ = train_lib.restore_run(config, FLAGS.run_dir)
    if FLAGS.export_dir:
        config = dataclasses.replace(config, export_dir=FLAGS.export_dir)
    metrics = evaluation.evaluate_generator(train_lib.find_evaluator(config),
                                            model.sampling_generator,
                                            config.eval_samples, config.seed)
    path = train_lib.export_run(model, config, metrics=metrics)
    print(f"exported iteration {model.iterations_done} to {path}")


if __name__ == "__main__":
    app.run(_cli.run_main(main))
