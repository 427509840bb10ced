"""The training-dynamics figures of the original repo's gan_numeric.py.

`python scripts/dynamics.py --out_dir=DIR` integrates the two-parameter GAN of
`wgan_gp_tf.evaluation.dynamics` for the standard GAN, WGAN, WGAN-GP with
c = 0 and c = 1, and GAN-QP, and writes the path of the generator's
parameter for each (`<system>.png`) and all side by side (`overview.png`);
`--gif` adds the animations gan_numeric.py draws.
"""

import os

import _cli
from absl import flags

import wgan_gp_tf
from wgan_gp_tf.evaluation import dynamics

FLAGS = flags.FLAGS
flags.DEFINE_string("out_dir", "dynamics", "Folder to write the figures to; created if missing.")
flags.DEFINE_enum("format", "png", ["png", "pdf", "svg"], "File format of the figures.")
flags.DEFINE_boolean("gif", False, "Also write each system's animation as <system>.gif.")
flags.DEFINE_list("systems", list(dynamics.SYSTEMS.names()),
                  "The systems to draw.")


def main(argv):
    del argv
    systems = [dynamics.get(name) for name in FLAGS.systems]
    if os.path.exists(FLAGS.out_dir) and not os.path.isdir(FLAGS.out_dir):
        raise wgan_gp_tf.ConfigError(f"--out_dir={FLAGS.out_dir} is a file; pass a folder")
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    solutions = {system: dynamics.solve(system)[1] for system in systems}
    figures = {system.name: dynamics.trajectory_figure(system, states)
               for system, states in solutions.items()}
    figures["overview"] = dynamics.overview_figure(solutions)
    for name, figure in figures.items():
        path = os.path.join(FLAGS.out_dir, f"{name}.{FLAGS.format}")
        dynamics.save_figure(figure, path)
        print(f"wrote {path}")
    if FLAGS.gif:
        for system, states in solutions.items():
            path = os.path.join(FLAGS.out_dir, f"{system.name}.gif")
            dynamics.save_animation(system, states, path)
            print(f"wrote {path}")


if __name__ == "__main__":
    _cli.run(main)
