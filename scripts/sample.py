"""Images from an exported generator, with no training code involved.

`python scripts/sample.py --export_dir=saved_models/mnist --num=64 --out=grid.png`
loads the newest version under `--export_dir` (or the version folder given),
runs its `sample` signature on the seeds `--seed, --seed + 1, ...` and writes
the images as one PNG grid. The same seeds always give the same grid.
"""

import math
import os

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


# A grid larger than this many pixels is refused rather than drawn.
MAX_GRID_PIXELS = 100_000_000


def main(argv):
    del argv
    _check_out(FLAGS.out)
    seeds = range(FLAGS.seed, FLAGS.seed + FLAGS.num)
    version_path = wgan_gp_tf.serving.resolve_version(FLAGS.export_dir)
    height, width, _ = wgan_gp_tf.serving.read_metadata(version_path)["image_shape"]
    columns = FLAGS.columns or math.ceil(math.sqrt(FLAGS.num))
    pixels = math.ceil(FLAGS.num / columns) * height * columns * width
    if pixels > MAX_GRID_PIXELS:
        raise wgan_gp_tf.ConfigError(
            f"a grid of {FLAGS.num:,} images of {height}x{width} has {pixels:,} pixels, more "
            f"than the {MAX_GRID_PIXELS:,} a PNG viewer takes; draw fewer with --num")
    version_path, samples = wgan_gp_tf.serving.sample_export(version_path, seeds)
    wgan_gp_tf.write_png(wgan_gp_tf.image_grid(samples, FLAGS.columns), FLAGS.out)
    print(f"wrote {FLAGS.num} images from {version_path} to {FLAGS.out}")


def _check_out(path):
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise wgan_gp_tf.ConfigError(f"--out={path} is a folder; pass a file name, such as "
                                     f"{os.path.join(path, 'grid.png')}")
    if not os.path.isdir(folder):
        raise wgan_gp_tf.ConfigError(f"--out={path}: the folder {folder} does not exist; "
                                     f"create it, or write elsewhere")


if __name__ == "__main__":
    _cli.run(main)
