"""How fast `mnist_mlp`'s matmul shapes run alone: XLA:CPU's kernel against TensorFlow's.

    python -m benchmarks.matmul_rate --rounds=3

Each (shape, kernel) pair runs in a process of its own, in turn, for `--rounds`
rounds: a `tf.while_loop` of 2,000 products of one shape, compiled with XLA
(`xla`) or run by TensorFlow's own kernels, oneDNN's on this CPU (`tf`; the
loop then also pays TensorFlow's per-op dispatch, which flatters XLA). Prints
each run and the median GFLOP/s (range) per pair. The shapes are the largest
products of an iteration (benchmarks/op_profile.py), `[rows, inner] x
[inner, columns]`.
"""

import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

SHAPES = {"forward": (100, 784, 128), "weight_gradient": (784, 100, 128),
          "generator_output": (100, 128, 784), "forward_200_rows": (200, 784, 128)}
# A weight gradient multiplies the transposed input batch, as in the program.
TRANSPOSED_LEFT = ("weight_gradient",)
KERNELS = ("xla", "tf")
PRODUCTS = 2000

FLAGS = flags.FLAGS
flags.DEFINE_integer("rounds", 3, "Rounds over the pairs.")
flags.DEFINE_string("run", None, "Run one `shape:kernel` in this process and print its GFLOP/s.")


def _measure(shape, kernel):
    """GFLOP/s of `PRODUCTS` products of `shape` by `kernel`, median of 5 warm calls."""
    import tensorflow as tf

    rows, inner, columns = SHAPES[shape]
    transpose = shape in TRANSPOSED_LEFT
    left = tf.random.normal([inner, rows] if transpose else [rows, inner], seed=1)
    right = tf.random.normal([inner, columns], seed=2)

    @tf.function(jit_compile=kernel == "xla")
    def products(left, right):
        def body(index, total):
            # The shift keeps the products from being hoisted out of the loop.
            product = tf.matmul(left + tf.cast(index, tf.float32) * 1e-9, right,
                                 transpose_a=transpose)
            return index + 1, total + product[0, 0]

        return tf.while_loop(lambda index, _: index < PRODUCTS, body, (0, 0.0))[1]

    products(left, right)
    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        float(products(left, right))
        seconds.append(time.perf_counter() - started)
    return 2 * rows * inner * columns * PRODUCTS / statistics.median(seconds) / 1e9


def main(argv):
    del argv
    if FLAGS.run:
        print(_measure(*FLAGS.run.split(":")))
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pairs = [(shape, kernel) for shape in SHAPES for kernel in KERNELS]
    results = {pair: [] for pair in pairs}
    for round_index in range(FLAGS.rounds):
        for shape, kernel in pairs:
            output = subprocess.run(
                [sys.executable, "-m", "benchmarks.matmul_rate", f"--run={shape}:{kernel}"],
                cwd=root, capture_output=True, text=True, check=True).stdout.split()
            results[shape, kernel].append(float(output[-1]))
            print(f"round {round_index + 1}: {shape:17s} {kernel:4s} {output[-1][:6]} GFLOP/s",
                  flush=True)
    print(f"\nGFLOP/s, medians (range) over {FLAGS.rounds} rounds")
    for (shape, kernel), rates in results.items():
        rows, inner, columns = SHAPES[shape]
        print(f"{shape:17s} [{rows},{inner}]x[{inner},{columns}]  {kernel:4s} "
              f"{statistics.median(rates):6.0f} ({min(rates):.0f}-{max(rates):.0f})")


if __name__ == "__main__":
    app.run(main)
