"""Whether a change keeps every preset's training bit for bit: checkpoints of two trees.

Runs `scripts/train.py` for every preset (and a few flag variants) on small
data it writes itself (random MNIST-format IDX files, random PNG folders, a
text file), a few iterations each, once in a baseline commit extracted with
`git archive` and once in this checkout; then compares the newest checkpoint
of each pair tensor by tensor, and their sample grids byte by byte. Prints one
line per case and exits non-zero if any differs.

    python -m benchmarks.same_checkpoints --baseline=c7cde96 --work_dir=/tmp/same
    python -m benchmarks.same_checkpoints --baseline=c7cde96 --work_dir=/tmp/same \
        --cases=mnist_mlp,toy_1d

The baseline's runs are kept in `--work_dir` and reused by a later call with
the same commit, so that comparing again after an edit trains only this tree.
"""

import argparse
import gzip
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_SMALL = ("--batch_size=8",)
_TEXT = ("--model_dim=16", "--batch_size=16", "--iterations=2")
# name: (preset, data, flags); data is a key of `_write_data`'s folders, or None.
CASES = {
    "mnist_mlp": ("mnist_mlp", "mnist", ("--iterations=20",)),
    "mnist_mlp_nojit": ("mnist_mlp", "mnist", ("--iterations=10", "--nojit_compile")),
    "mnist_mlp_ema_bf16": ("mnist_mlp", "mnist", ("--iterations=20", "--generator_ema=0.999",
                                                  "--mixed_precision=bfloat16")),
    "mnist_mlp_clip": ("mnist_mlp", "mnist", ("--iterations=20", "--penalty=clip",
                                              "--clip_value=0.02")),
    "mnist_mlp_diff_hinge": ("mnist_mlp", "mnist", ("--iterations=20",
                                                    "--penalty=diff_hinge")),
    "mnist_mlp_spectral": ("mnist_mlp", "mnist", ("--iterations=10",
                                                  "--critic_norm=spectral")),
    "mnist_mlp_paper": ("mnist_mlp_paper", "mnist", ("--iterations=20",)),
    "fashion_mnist_mlp": ("fashion_mnist_mlp", "mnist", ("--iterations=10",)),
    "mnist_mlp_acgan": ("mnist_mlp_acgan", "mnist", ("--iterations=10",)),
    "toy_1d": ("toy_1d", None, ("--iterations=30",)),
    "toy_mlp": ("toy_mlp", None, ("--iterations=10",)),
    "mnist_dcgan": ("mnist_dcgan", "mnist", ("--iterations=3",)),
    "mnist_dcgan_acgan": ("mnist_dcgan_acgan", "mnist", ("--iterations=3",)),
    "celeba_dcgan": ("celeba_dcgan", "images", (*_SMALL, "--iterations=2")),
    "cifar10_dcgan_ema": ("cifar10_dcgan", "images", (*_SMALL, "--iterations=2",
                                                      "--generator_ema=0.99")),
    "folder_dcgan": ("folder_dcgan", "images", (*_SMALL, "--iterations=2",
                                                "--image_size=32")),
    "wgan_sn_celeba": ("wgan_sn_celeba", "images", (*_SMALL, "--iterations=2")),
    "dcgan_celeba": ("dcgan_celeba", "images", (*_SMALL, "--iterations=2")),
    "dcgan_sn_celeba": ("dcgan_sn_celeba", "images", (*_SMALL, "--iterations=2")),
    "rsgan_sn_celeba": ("rsgan_sn_celeba", "images", (*_SMALL, "--iterations=2")),
    "wgan_div_celeba": ("wgan_div_celeba", "images", (*_SMALL, "--iterations=2",
                                                      "--image_size=32")),
    "gan_one_step_celeba": ("gan_one_step_celeba", "images", (*_SMALL, "--iterations=2",
                                                              "--image_size=32")),
    "cifar10_resnet": ("cifar10_resnet", "images", (*_SMALL, "--generator_batch_size=16",
                                                    "--iterations=2")),
    "cifar10_resnet_acgan": ("cifar10_resnet_acgan", "labelled",
                             (*_SMALL, "--generator_batch_size=16", "--iterations=2")),
    "imagenet64_resnet": ("imagenet64_resnet", "images", (*_SMALL, "--iterations=2")),
    "language_resnet": ("language_resnet", "text", _TEXT),
    "language_rnn": ("language_rnn", "text", _TEXT),
}


def _write_idx(path, array):
    header = (0x800 + array.ndim).to_bytes(4, "big") + b"".join(
        size.to_bytes(4, "big") for size in array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


def _write_data(directory):
    """Writes the small data sets once; returns their folders by kind."""
    from PIL import Image

    folders = {kind: os.path.join(directory, kind)
               for kind in ("mnist", "images", "labelled", "text")}
    if os.path.isdir(directory):
        return folders
    rng = np.random.default_rng(0)
    os.makedirs(folders["mnist"])
    for split in ("train", "t10k"):
        _write_idx(os.path.join(folders["mnist"], f"{split}-images-idx3-ubyte.gz"),
                   rng.integers(0, 256, (400, 28, 28)))
        _write_idx(os.path.join(folders["mnist"], f"{split}-labels-idx1-ubyte.gz"),
                   rng.integers(0, 10, (400,)))
    for index in range(24):
        for folder, name in ((folders["images"], ""), (folders["labelled"], f"c{index % 2}")):
            os.makedirs(os.path.join(folder, name), exist_ok=True)
            Image.fromarray(rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)).save(
                os.path.join(folder, name, f"{index:03d}.png"))
    os.makedirs(folders["text"])
    words = ["the", "cat", "sat", "on", "a", "mat", "while", "dogs", "ran", "far"]
    with open(os.path.join(folders["text"], "lines.txt"), "w", encoding="utf-8") as file:
        for _ in range(200):
            file.write(" ".join(rng.choice(words, rng.integers(2, 8))) + "\n")
    return folders


def _train(tree, case, run_dir, folders):
    preset, data, flags = CASES[case]
    command = [sys.executable, os.path.join(tree, "scripts", "train.py"), f"--preset={preset}",
               f"--output_dir={run_dir}", f"--export_dir={run_dir}/export", "--eval_samples=100",
               *flags]
    if data:
        command.append(f"--data_dir={folders[data]}")
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{case} failed in {tree}:\n{result.stderr[-3000:]}")


def _newest_checkpoint(run_dir):
    import tensorflow as tf

    return tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints"))


def _differences(first, second):
    """What differs between two run folders' newest checkpoints and sample grids."""
    import tensorflow as tf

    readers = [tf.train.load_checkpoint(_newest_checkpoint(run)) for run in (first, second)]
    shapes = [reader.get_variable_to_shape_map() for reader in readers]
    problems = []
    if set(shapes[0]) != set(shapes[1]):
        problems.append(f"tensors only in one: {sorted(set(shapes[0]) ^ set(shapes[1]))[:5]}")
    names = sorted(set(shapes[0]) & set(shapes[1]) - {"_CHECKPOINTABLE_OBJECT_GRAPH"})
    unequal = [name for name in names if not np.array_equal(
        readers[0].get_tensor(name), readers[1].get_tensor(name))]
    if unequal:
        problems.append(f"{len(unequal)} of {len(names)} tensors differ, e.g. {unequal[:3]}")
    grids = [sorted(os.listdir(os.path.join(run, "samples"))) for run in (first, second)]
    if grids[0] != grids[1]:
        problems.append(f"sample files differ: {grids[0]} against {grids[1]}")
    else:
        for name in grids[0]:
            contents = []
            for run in (first, second):
                with open(os.path.join(run, "samples", name), "rb") as file:
                    contents.append(file.read())
            if contents[0] != contents[1]:
                problems.append(f"samples/{name} differs")
    return problems, len(names)


def _baseline_tree(commit, work_dir):
    tree = os.path.join(work_dir, f"tree-{commit}")
    if not os.path.isdir(tree):
        os.makedirs(tree)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    return tree


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="the commit to compare against")
    parser.add_argument("--work_dir", required=True, help="where data and runs are kept")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    folders = _write_data(os.path.join(args.work_dir, "data"))
    baseline = _baseline_tree(args.baseline, args.work_dir)
    failed = 0
    for case in args.cases.split(","):
        old = os.path.join(args.work_dir, f"runs-{args.baseline}", case)
        new = os.path.join(args.work_dir, "runs-checkout", case)
        if not os.path.isdir(old):
            _train(baseline, case, old, folders)
        subprocess.run(["rm", "-rf", new], check=True)
        _train(ROOT, case, new, folders)
        problems, count = _differences(old, new)
        failed += bool(problems)
        print(f"{case}: {'; '.join(problems) if problems else f'same ({count} tensors)'}",
              flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
