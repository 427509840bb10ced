"""Inside one compiled call of `mnist_mlp`: its operations, by kind and by matmul shape.

    python -m benchmarks.op_profile --data_dir=../shared/data/mnist
    python -m benchmarks.op_profile --data_dir=../shared/data/mnist --nojit_compile

Builds the preset's trainer as `train.py` does, runs its 100-iteration call
twice to compile and warm it, then once under TensorFlow's profiler, with the
optimised XLA program dumped to a temporary folder. XLA:CPU records every
operation it runs (a "thunk") on the thread that ran it; the dump gives each
matmul's operand shapes, hence its FLOPs. Prints the call's wall time, the
operations' time summed over threads by kind, and per matmul shape its count,
time and GFLOP/s, and which library calls (oneDNN's, XNNPACK's) the program
makes instead of XLA's own kernels. The profiler slows the call by 10-20%, so
the shares matter, not the absolute times.

With `--nojit_compile` the same call runs as a TensorFlow graph, op by op on
TensorFlow's executor (matmuls through oneDNN on this CPU), and the table is
by op type: each op's time on the executor thread that ran it, including any
shards it handed to the intra-op pool.
"""

import collections
import glob
import os
import re
import sys
import tempfile
import time

from absl import app, flags

from benchmarks import profile_text

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
flags.DEFINE_integer("top", 12, "Operation kinds and matmul shapes printed.")
flags.DEFINE_bool("jit_compile", True, "Profile the XLA program; false: the TensorFlow graph.")


def _host_plane(profile_dir):
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    path = sorted(glob.glob(os.path.join(profile_dir, "plugins/profile/*/*.xplane.pb")))[-1]
    with open(path, "rb") as file:
        space.ParseFromString(file.read())
    return next(plane for plane in space.planes if plane.name == "/host:CPU")


def _op_times(profile_dir):
    """`{op type: (milliseconds, count)}` summed over TensorFlow's executor threads."""
    host = _host_plane(profile_dir)
    times = collections.defaultdict(lambda: [0.0, 0])
    for line in host.lines:
        if not line.name.startswith("tf_Compute"):
            continue
        for event in line.events:
            kind = profile_text.op_type(host.event_metadata[event.metadata_id].name)
            if kind:
                times[kind][0] += event.duration_ps / 1e9
                times[kind][1] += 1
    return times


def _thunk_times(profile_dir):
    """`{operation name: (milliseconds, count)}` summed over XLA's threads."""
    host = _host_plane(profile_dir)
    times = collections.defaultdict(lambda: [0.0, 0])
    for line in host.lines:
        if "Eigen" not in line.name:
            continue
        for event in line.events:
            name = host.event_metadata[event.metadata_id].name
            if name.startswith(("ThunkExecutor", "ThreadpoolListener", "SlinkyThreadPool",
                                "end:")):
                continue
            times[name][0] += event.duration_ps / 1e9
            times[name][1] += 1
    return times


def _report_program(work, times, iterations):
    (program,) = glob.glob(f"{work}/hlo/*run_steps*cpu_after_optimizations.txt")
    with open(program) as file:
        hlo_text = file.read()
    dots = profile_text.dots(hlo_text)
    calls = profile_text.library_calls(hlo_text)
    print("custom calls and library fusions in the program: " + (", ".join(
        f"{target} x{count}" for target, count in calls.items()) or "none, XLA's own kernels"))
    total = sum(milliseconds for milliseconds, _ in times.values())
    kinds = collections.defaultdict(lambda: [0.0, 0])
    for name, (milliseconds, count) in times.items():
        kind = "matmul" if name in dots else re.sub(r"[.\d]+$", "", name)
        kinds[kind][0] += milliseconds
        kinds[kind][1] += count
    _print_kinds(kinds, total, iterations)

    shapes = collections.defaultdict(lambda: [0.0, 0, 0])
    for name, (key, flops) in dots.items():
        milliseconds, count = times.get(name, (0.0, 0))
        shapes[key][0] += milliseconds
        shapes[key][1] += count
        shapes[key][2] += flops * count
    flops = sum(entry[2] for entry in shapes.values())
    print(f"\nmatmuls: {flops / iterations / 1e9:.2f} GFLOP per iteration")
    print(f"{'shape':58s} {'ms':>8s} {'per iteration':>14s} {'GFLOP/s':>8s}")
    for key, (milliseconds, count, shape_flops) in sorted(
            shapes.items(), key=lambda item: -item[1][0])[:FLAGS.top]:
        if count:
            print(f"{key:58s} {milliseconds:8.1f} {count / iterations:14.1f} "
                  f"{shape_flops / milliseconds / 1e6:8.1f}")


def _print_kinds(kinds, total, iterations):
    print(f"\n{'operation kind':34s} {'ms':>8s} {'share':>6s} {'per iteration':>14s}")
    for kind, (milliseconds, count) in sorted(kinds.items(), key=lambda item: -item[1][0]
                                              )[:FLAGS.top]:
        print(f"{kind:34s} {milliseconds:8.1f} {milliseconds / total:6.1%} "
              f"{count / iterations:14.1f}")


def main(argv):
    del argv
    work = tempfile.mkdtemp(prefix="op_profile_")
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + f" --xla_dump_to={work}/hlo --xla_dump_hlo_as_text")
    import tensorflow as tf

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from benchmarks.compiled_call import preset_call

    model, iterator, train = preset_call(FLAGS.data_dir, jit_compile=FLAGS.jit_compile)
    for _ in range(2):
        float(train(iterator)["critic_loss"])
    tf.profiler.experimental.start(f"{work}/profile")
    started = time.perf_counter()
    float(train(iterator)["critic_loss"])
    wall = (time.perf_counter() - started) * 1000
    tf.profiler.experimental.stop()

    iterations = model.steps_per_execution
    times = (_thunk_times if FLAGS.jit_compile else _op_times)(f"{work}/profile")
    total = sum(milliseconds for milliseconds, _ in times.values())
    print(f"one call of {iterations} iterations: {wall:.0f} ms wall, {total:.0f} ms of "
          f"operations summed over threads (parallelism {total / wall:.2f})")
    if FLAGS.jit_compile:
        _report_program(work, times, iterations)
    else:
        _print_kinds(times, total, iterations)


if __name__ == "__main__":
    app.run(main)
