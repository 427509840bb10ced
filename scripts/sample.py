"""Images from an exported generator, with no training code involved.

`python scripts/sample.py --export_dir=saved_models/mnist --num=64 --out=grid.png`
loads the newest version under `--export_dir` (or the version folder given),
runs its `sample` signature on the seeds `--seed, --seed + 1, ...` and writes
the images as one PNG grid. The same seeds always give the same grid. A
class-conditional generator draws `--label`'s class, or without it one row
per class. A text generator's lines are printed, and written to `--out` if
it is given.
"""

import math
import os

import _cli
import numpy as np
from absl import flags

import wgan_gp_tf
from wgan_gp_tf import images

FLAGS = flags.FLAGS
flags.DEFINE_string("export_dir", "saved_models/mnist",
                    "An export version folder, or a base folder of versions.")
flags.DEFINE_integer("num", 64, "Images to draw.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of the first image; the others follow.")
flags.DEFINE_integer("columns", None, "Images per row; default: a square.", lower_bound=1)
flags.DEFINE_string("out", "grid.png", "PNG file to write (text: a file for the lines, "
                    "which are printed either way).")
flags.DEFINE_integer("label", None, "Class-conditional generators: the class of every image; "
                     "default: one row per class.", lower_bound=0)


# A grid larger than this many pixels is refused rather than drawn.
MAX_GRID_PIXELS = 100_000_000


def main(argv):
    del argv
    _check_out(FLAGS.out)
    seeds = np.arange(FLAGS.seed, FLAGS.seed + FLAGS.num)
    version_path = wgan_gp_tf.serving.resolve_version(FLAGS.export_dir)
    metadata = wgan_gp_tf.serving.read_metadata(version_path)
    if "symbols" in metadata:
        _write_text(version_path, seeds)
        return
    height, width, _ = metadata["image_shape"]
    num_classes = metadata.get("num_classes", 0)
    labels, columns = FLAGS.label, FLAGS.columns
    if FLAGS.label is not None and FLAGS.label >= num_classes:
        raise wgan_gp_tf.ConfigError(
            f"--label={FLAGS.label}, but {version_path} "
            + (f"has classes 0 to {num_classes - 1}" if num_classes
               else "is an unconditional generator; leave --label out"))
    if num_classes and labels is None:
        # One row per class, the same seeds along each.
        columns = columns or math.ceil(FLAGS.num / num_classes)
        labels = np.arange(FLAGS.num) // columns % num_classes
        seeds = FLAGS.seed + np.arange(FLAGS.num) % columns
    columns = columns or math.ceil(math.sqrt(FLAGS.num))
    pixels = math.ceil(FLAGS.num / columns) * height * columns * width
    if pixels > MAX_GRID_PIXELS:
        raise wgan_gp_tf.ConfigError(
            f"a grid of {FLAGS.num:,} images of {height}x{width} has {pixels:,} pixels, more "
            f"than the {MAX_GRID_PIXELS:,} a PNG viewer takes; draw fewer with --num")
    version_path, samples = wgan_gp_tf.serving.sample_export(version_path, seeds, labels)
    images.write_png(images.image_grid(samples, columns), FLAGS.out)
    print(f"wrote {FLAGS.num} images from {version_path} to {FLAGS.out}")


def _write_text(version_path, seeds):
    if FLAGS.label is not None:
        raise wgan_gp_tf.ConfigError(f"--label={FLAGS.label}, but {version_path} is an "
                                     f"unconditional text generator; leave --label out")
    version_path, lines = wgan_gp_tf.serving.sample_export(version_path, seeds)
    print("\n".join(lines))
    if FLAGS["out"].present:
        with open(FLAGS.out, "w", encoding="utf-8") as file:
            file.writelines(line + "\n" for line in lines)
        print(f"wrote {len(lines)} lines from {version_path} to {FLAGS.out}")


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
