"""Training speed as a user gets it: `scripts/train.py` against the original's process.

Each side runs as a process of its own, started here with this interpreter and
environment: ours is `scripts/train.py --preset=<preset>` with its defaults
(sample grids, checkpoints, TensorBoard, and the export with its evaluation at
the end); the original is its TF1 replica: for `mnist_mlp`,
`python -m benchmarks.tf1_baseline`, mnist_gangp.py's loop, printing and saving a
grid every 1,000 iterations; for `mnist_dcgan`, `python -m benchmarks.tf1_gan_mnist`,
the paper's gan_mnist.py, with its dev-set cost and 128 samples every 100. Every
round runs both sides at `--short` and at `--long` iterations, in the order
A B B A, then B A A B in the next round, so that drift in the machine's speed
falls on both. From a round's two wall times come the steady rate,
(long - short) / (T_long - T_short), in which start-up, compilation and the
final export cancel, and the fixed cost, T_short - short / rate. Prints every
run, then the medians with their range, and the ratios within each round.

    python scripts/benchmark.py --data_dir=../shared/data/mnist --rounds=3
    python scripts/benchmark.py --data_dir=../shared/data/mnist \
        --ours_flags=--mixed_precision=bfloat16
    python scripts/benchmark.py --data_dir=../shared/data/mnist --preset=mnist_dcgan \
        --short=40 --long=200 --rounds=3
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from absl import app, flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.timing import spread, steady_rate_and_fixed_cost  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
flags.DEFINE_integer("short", 1000, "Iterations of the short run of each side.")
flags.DEFINE_integer("long", 7000, "Iterations of the long run of each side.")
flags.DEFINE_integer("rounds", 3, "Interleaved rounds.")
flags.DEFINE_enum("preset", "mnist_mlp", ["mnist_mlp", "mnist_dcgan"],
                  "Our preset; the original is its script's TF1 replica.")
flags.DEFINE_string("ours_flags", "", "More flags for scripts/train.py, e.g. "
                    "--mixed_precision=bfloat16.")

OURS, ORIGINAL = "ours", "original"

# Each preset's original, as a module of benchmarks/.
ORIGINALS = {"mnist_mlp": "benchmarks.tf1_baseline", "mnist_dcgan": "benchmarks.tf1_gan_mnist"}


def _command(side, iterations, workdir):
    if side == OURS:
        return [sys.executable, os.path.join(ROOT, "scripts", "train.py"),
                f"--preset={FLAGS.preset}",
                f"--data_dir={FLAGS.data_dir}", f"--iterations={iterations}",
                f"--output_dir={workdir}/run", f"--export_dir={workdir}/export",
                *shlex.split(FLAGS.ours_flags)]
    return [sys.executable, "-m", ORIGINALS[FLAGS.preset], f"--data_dir={FLAGS.data_dir}",
            f"--iterations={iterations}", f"--out_dir={workdir}/out"]


def _wall_time(side, iterations):
    """Seconds from starting the side's process to its exit, in a fresh folder."""
    workdir = tempfile.mkdtemp(prefix=f"benchmark_{side}_")
    try:
        start = time.perf_counter()
        result = subprocess.run(_command(side, iterations, workdir), cwd=ROOT,
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if result.returncode:
        raise SystemExit(f"error: {side} at {iterations} iterations exited with "
                         f"{result.returncode}:\n{result.stderr[-2000:]}")
    return seconds


def _round_order(round_index):
    runs = [(OURS, FLAGS.short), (ORIGINAL, FLAGS.short), (ORIGINAL, FLAGS.long),
            (OURS, FLAGS.long)]
    return runs if round_index % 2 == 0 else runs[::-1]


def main(argv):
    del argv
    if FLAGS.long <= FLAGS.short:
        raise app.UsageError("--long must be more iterations than --short")
    seconds = {}
    for round_index in range(FLAGS.rounds):
        for side, iterations in _round_order(round_index):
            seconds[side, iterations, round_index] = _wall_time(side, iterations)
            print(f"round {round_index + 1}: {side:8s} {iterations:6d} iterations "
                  f"{seconds[side, iterations, round_index]:7.1f} s", flush=True)
    measured = {side: [steady_rate_and_fixed_cost(
        FLAGS.short, FLAGS.long, seconds[side, FLAGS.short, index],
        seconds[side, FLAGS.long, index]) for index in range(FLAGS.rounds)]
        for side in (ORIGINAL, OURS)}
    print(f"\nmedians (range) over {FLAGS.rounds} rounds")
    print(f"{'':10s} {'steady it/s':>22s} {'fixed cost s':>20s} "
          f"{f'whole run of {FLAGS.long} s':>24s}")
    for side, pairs in measured.items():
        whole = [seconds[side, FLAGS.long, index] for index in range(FLAGS.rounds)]
        print(f"{side:10s} {spread([rate for rate, _ in pairs], '{:.3g}'):>22s} "
              f"{spread([fixed for _, fixed in pairs], '{:.1f}'):>20s} "
              f"{spread(whole, '{:.1f}'):>24s}")
    rate_ratios = [ours[0] / original[0]
                   for ours, original in zip(measured[OURS], measured[ORIGINAL], strict=True)]
    whole_ratios = [seconds[ORIGINAL, FLAGS.long, index] / seconds[OURS, FLAGS.long, index]
                    for index in range(FLAGS.rounds)]
    print(f"\nsteady rate, ours / original: {spread(rate_ratios, '{:.2f}')}")
    print(f"whole run of {FLAGS.long}, original / ours: {spread(whole_ratios, '{:.2f}')}")


if __name__ == "__main__":
    app.run(main)
