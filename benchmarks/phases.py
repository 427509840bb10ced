"""Where a short training run's wall time goes, from the moments its lines appear.

Runs `scripts/train.py --iterations=1` as a whole process `--rounds` times and
reads the time from launch to the run's first header line (start-up: imports,
data, networks), from there to the first iteration's line (tracing, graph
optimisation and the iteration), and from there to exit (checkpoint, export
and its evaluation). Prints each round and the medians with their spread.

    python -m benchmarks.phases --data_dir=../shared/data/mnist --preset=mnist_dcgan
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchmarks import timing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ("to the header", "first iteration", "export and exit", "total")


def one_round(preset, data_dir, folder):
    """The seconds of each of `PHASES` for one process."""
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "scripts", "train.py"), f"--preset={preset}",
         f"--data_dir={data_dir}", "--iterations=1", f"--output_dir={folder}/run",
         f"--export_dir={folder}/export"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    header = first = None
    for line in process.stdout:
        now = time.monotonic() - start
        if header is None and line.startswith(f"{preset} ("):
            header = now
        if first is None and line.startswith("iteration 1/1"):
            first = now
    if process.wait() or header is None or first is None:
        raise SystemExit(f"round failed (exit {process.returncode})")
    total = time.monotonic() - start
    return header, first - header, total - first, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="mnist_dcgan")
    parser.add_argument("--data_dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for index in range(args.rounds):
        folder = tempfile.mkdtemp()
        try:
            rounds.append(one_round(args.preset, args.data_dir, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"round {index}: " + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in zip(PHASES, rounds[-1], strict=True)))
    for index, name in enumerate(PHASES):
        values = [row[index] for row in rounds]
        print(f"{name}: median {timing.spread(values, '{:.1f}')} s")


if __name__ == "__main__":
    main()
