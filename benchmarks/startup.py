"""How long `scripts/train.py` takes to answer before training: help, a refusal, a dry run.

Runs each command as a whole process, `--rounds` times, the commands and the
checkouts interleaved (the order reversed every other round, so that drift in
the machine's speed falls on all), and prints the medians with their range.
`--checkouts` compares other checkouts of this project with the same commands,
e.g. a `git worktree` of an earlier commit.

    python -m benchmarks.startup --rounds=7
    python -m benchmarks.startup --checkouts=.,/tmp/before --rounds=7
"""

import argparse
import os
import subprocess
import sys
import time

from benchmarks import timing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = {
    "--help": ("--help",),
    "a refused value (--penalty=wgan)": ("--penalty=wgan",),
    "--dry_run (the whole library)": ("--dry_run",),
}


def seconds(checkout, flags):
    """The wall time of `scripts/train.py <flags>` in `checkout`, as one process."""
    start = time.monotonic()
    subprocess.run([sys.executable, os.path.join(checkout, "scripts", "train.py"), *flags],
                   cwd=checkout, capture_output=True, check=False)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", default=ROOT,
                        help="Comma-separated project checkouts to time (default: this one).")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    checkouts = [os.path.abspath(path) for path in args.checkouts.split(",")]
    runs = [(checkout, name) for name in COMMANDS for checkout in checkouts]
    times = {run: [] for run in runs}
    for index in range(args.rounds):
        for run in runs if index % 2 == 0 else runs[::-1]:
            times[run].append(seconds(run[0], COMMANDS[run[1]]))
        print(f"round {index + 1}: " + ", ".join(
            f"{values[-1]:.2f}" for values in times.values()), flush=True)
    for (checkout, name), values in times.items():
        print(f"{checkout}: {name}: median {timing.spread(values)} s")


if __name__ == "__main__":
    main()
