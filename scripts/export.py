"""Exports a run's generator from its last checkpoint as a SavedModel.

`python scripts/export.py --run_dir=runs/mnist_mlp` writes the next version
under the run's export_dir (or `--export_dir`), as `scripts/train.py` does at
the end of training. An iteration already exported there is not written
again (`--force` writes a new version anyway); exporters of one folder take
turns, so that two started together write one version.
"""

import dataclasses

import _cli
from absl import flags

import wgan_gp_tf

FLAGS = flags.FLAGS
flags.DEFINE_string("run_dir", None, "Run folder written by scripts/train.py.")
flags.DEFINE_string("export_dir", None,
                    "SavedModel base folder; default: the run's export_dir.")
flags.DEFINE_integer("eval_samples", None,
                     "Samples for the metrics recorded with the export; default: the run's.")
flags.DEFINE_bool("force", False,
                  "Write a new version even if the folder holds this iteration of the run.")
flags.mark_flag_as_required("run_dir")


def main(argv):
    del argv
    model, config = wgan_gp_tf.training.restore_run(FLAGS.run_dir)
    if FLAGS.export_dir:
        config = dataclasses.replace(config, export_dir=FLAGS.export_dir)
    if FLAGS.eval_samples is not None:
        config = dataclasses.replace(config, eval_samples=FLAGS.eval_samples)
    # Before the evaluation, which takes a while, not after it.
    wgan_gp_tf.training.check_writable(config.export_dir, "export_dir")
    iteration = model.iterations_done
    with wgan_gp_tf.training.export_lock(config.export_dir):
        existing = wgan_gp_tf.training.find_export(config, iteration)
        if existing and not FLAGS.force:
            print(f"iteration {iteration} of {FLAGS.run_dir} is already exported as "
                  f"{existing}; nothing written (--force writes a new version)")
            return
        metrics = wgan_gp_tf.evaluation.evaluate_generator(
            wgan_gp_tf.training.find_evaluator(config), model, config.eval_samples, config.seed)
        path = wgan_gp_tf.training.export_run(model, config, metrics=metrics)
    print(f"exported iteration {iteration} to {path}")


if __name__ == "__main__":
    _cli.run(main)
