"""Images from an exported generator, with no training code involved.

`python scripts/sample.py --export_dir=saved_models/mnist --num=64 --out=grid.png`
loads the newest version under `--export_dir` (or the version folder given),
runs its `sample` signature on the seeds `--seed, --seed + 1, ...` and writes
the images as one PNG grid. The same seeds always give the same grid.
"""

import _cli
from absl import flags

import wgan_gp_tf

FLAGS = flags.FLAGS
flags.DEFINE_string("export_dir", "saved_models/mnist",
                    "An export version folder, or a base folder of versions.")
flags.DEFINE_integer("num", 64, "Images to draw.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of the first image; the others follow.")
flags.DEFINE_integer("columns", None, "Images per row; default: a square.", lower_bound=1)
flags.DEFINE_string("out", "grid.png", "PNG file to write.")


def main(argv):
    del argv
    seeds = range(FLAGS.seed, FLAGS.seed + FLAGS.num)
    version_path, samples = wgan_gp_tf.serving.sample_export(FLAGS.export_dir, seeds)
    wgan_gp_tf.write_png(wgan_gp_tf.image_grid(samples, FLAGS.columns), FLAGS.out)
    print(f"wrote {FLAGS.num} images from {version_path} to {FLAGS.out}")


if __name__ == "__main__":
    _cli.run(main)
