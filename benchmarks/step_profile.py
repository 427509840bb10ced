"""Where an iteration of `mnist_mlp` goes: its compiled call with one part taken away.

    python -m benchmarks.step_profile --data_dir=../shared/data/mnist --rounds=3

Each variant runs in a process of its own, in turn, for `--rounds` rounds: it
builds the preset's trainer as `train.py` does, times the first call of its
train function (100 iterations plus tracing and the XLA compile), then
`--calls` more calls, and reports the median milliseconds per iteration. The
differences between variants apportion the iteration:

- `full`: the preset as it trains.
- `constant_input`: the same batch every iteration from a one-element
  dataset, so no gather, conversion or stacking: the input pipeline's share.
- `no_penalty`: `--penalty=none`: the second-order path of the penalty.
- `n_critic_1`: one critic update per iteration instead of 5: a critic
  update's cost (full minus this, over 4).
- `no_xla`: `--nojit_compile`, Keras's step-by-step loop without XLA.
"""

import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

from benchmarks.compiled_call import preset_call

VARIANTS = {"full": {}, "constant_input": {}, "no_penalty": {"penalty": "none"},
            "n_critic_1": {"n_critic": 1}, "no_xla": {"jit_compile": False}}

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
flags.DEFINE_integer("rounds", 3, "Rounds over the variants.")
flags.DEFINE_integer("calls", 8, "Timed calls of 100 iterations per variant and round.")
flags.DEFINE_string("variant", None, "Run one variant in this process and print its times.")


def _measure(variant):
    """`(first_call_seconds, [ms per iteration of each timed call])` in this process."""
    model, iterator, train = preset_call(FLAGS.data_dir, variant == "constant_input",
                                         **VARIANTS[variant])
    steps = model.steps_per_execution

    def timed_call():
        started = time.perf_counter()
        float(train(iterator)["critic_loss"])
        return time.perf_counter() - started

    first = timed_call()
    return first, [timed_call() * 1000 / steps for _ in range(FLAGS.calls)]


def main(argv):
    del argv
    if FLAGS.variant:
        first, per_iteration = _measure(FLAGS.variant)
        print(f"{first} {statistics.median(per_iteration)}")
        return
    results = {variant: [] for variant in VARIANTS}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for round_index in range(FLAGS.rounds):
        for variant in VARIANTS:
            output = subprocess.run(
                [sys.executable, "-m", "benchmarks.step_profile", f"--data_dir={FLAGS.data_dir}",
                 f"--calls={FLAGS.calls}", f"--variant={variant}"],
                cwd=root, capture_output=True, text=True, check=True).stdout.split()
            first, per_iteration = float(output[-2]), float(output[-1])
            results[variant].append((first, per_iteration))
            print(f"round {round_index + 1}: {variant:15s} first call {first:5.1f} s, "
                  f"{per_iteration:6.2f} ms/iteration", flush=True)
    print(f"\nmedians over {FLAGS.rounds} rounds")
    for variant, pairs in results.items():
        print(f"{variant:15s} first call {statistics.median(p[0] for p in pairs):5.1f} s   "
              f"{statistics.median(p[1] for p in pairs):6.2f} ms/iteration "
              f"({min(p[1] for p in pairs):.2f}-{max(p[1] for p in pairs):.2f})")


if __name__ == "__main__":
    app.run(main)
