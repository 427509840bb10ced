"""Wall time to a target FID as a user gets it: `scripts/train.py` against the original.

    python scripts/time_to_quality.py --data_dir=../shared/data/mnist --target_fid=150 --seeds=5
    python scripts/time_to_quality.py --data_dir=../shared/data/mnist --preset=mnist_dcgan \
        --target_fid=10 --seeds=3 --plot=docs/time_to_fid_dcgan.png

Each side runs as a process of its own, started here with this interpreter:
ours is `scripts/train.py --preset=...` with its defaults (sample grids,
checkpoints, TensorBoard) and `--eval_every`; the original is its TF1 replica:
for `mnist_mlp`, `python -m benchmarks.tf1_baseline` (mnist_gangp.py's loop, a
grid every 1,000 iterations), for `mnist_dcgan`, `python -m
benchmarks.tf1_gan_mnist` (the WGAN-GP paper's gan_mnist.py: dev cost and a
grid every 100), evaluating at the same iterations. Both judge `--eval_samples`
images on the reference CNN against the test split and append each evaluation
to a JSON-lines file with its start time and length. The race ends at the first
evaluation whose FID is at most `--target_fid`, and the process is then
stopped. Its time is the wall time from starting the process to that
evaluation, less the evaluations before it: start-up, data loading and
compilation count, judging does not. Seeds alternate which side goes first.
Prints every race, each side's median and the ratio per seed; `--plot` also
draws each race's FID against its training time. With `--results`, each race
is kept in a file when it ends and races already there are not run again, so
that races of hours can be spread over several sittings:

    python scripts/time_to_quality.py ... --seeds=3 --results=runs/dcgan_races.jsonl
"""

import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import _startup  # noqa: E402, F401  (the library without TensorFlow in this process)

from benchmarks.timing import (  # noqa: E402
    finished_races,
    first_at_target,
    race_record,
    training_curve,
)
from wgan_gp_tf.core import xla_cache  # noqa: E402
from wgan_gp_tf.files import write_text  # noqa: E402

# The TF1 replica each preset races.
REPLICAS = {"mnist_mlp": "benchmarks.tf1_baseline", "mnist_dcgan": "benchmarks.tf1_gan_mnist"}

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
flags.DEFINE_enum("preset", "mnist_mlp", list(REPLICAS), "Ours, and the replica it races.")
flags.DEFINE_float("target_fid", 150.0, "FID to reach.")
flags.DEFINE_integer("eval_every", 500, "Iterations between evaluations, a multiple of 100.",
                     lower_bound=100)
flags.register_validator("eval_every", lambda every: every % 100 == 0,
                         "--eval_every must be a multiple of 100")
flags.DEFINE_integer("eval_samples", 5000, "Images per evaluation.", lower_bound=100)
flags.DEFINE_integer("max_iterations", 20_000, "Give up after this many.")
flags.DEFINE_integer("seeds", 5, "Races per side, seeds 0, 1, ...", lower_bound=1)
flags.DEFINE_string("ours_flags", "", "More flags for scripts/train.py, e.g. "
                    "--mixed_precision=bfloat16.")
flags.DEFINE_string("plot", None, "PNG file to draw FID against training time in.")
flags.DEFINE_string("results", None, "JSON-lines file that keeps each race when it ends; "
                    "races already in it are not run again.")

OURS, ORIGINAL = "ours", "original"


def _command(side, seed, workdir):
    common = [f"--data_dir={FLAGS.data_dir}", f"--seed={seed}",
              f"--iterations={FLAGS.max_iterations}", f"--eval_every={FLAGS.eval_every}",
              f"--eval_samples={FLAGS.eval_samples}"]
    if side == OURS:
        return ([sys.executable, os.path.join(ROOT, "scripts", "train.py"),
                 f"--preset={FLAGS.preset}", *common, f"--output_dir={workdir}/run",
                 f"--export_dir={workdir}/export", *shlex.split(FLAGS.ours_flags)],
                os.path.join(workdir, "run", "metrics.jsonl"))
    metrics = os.path.join(workdir, "metrics.jsonl")
    return ([sys.executable, "-m", REPLICAS[FLAGS.preset], *common,
             f"--out_dir={workdir}/out", f"--metrics_file={metrics}"], metrics)


def _read_text(path):
    """The file's text, or "" if there is none yet."""
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as file:
        return file.read()


def _read_lines(path):
    return [json.loads(line) for line in _read_text(path).splitlines() if line.endswith("}")]


def _race(side, seed):
    """Runs one side until its FID reaches the target.

    Returns:
        `(iteration, seconds, fid)` at the target, and the `training_curve` to it.
    """
    workdir = tempfile.mkdtemp(prefix=f"time_to_quality_{side}_")
    command, metrics = _command(side, seed, workdir)
    with open(os.path.join(workdir, "stderr"), "w+", encoding="utf-8") as stderr:
        launched = time.time()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        reached = None
        while reached is None and process.poll() is None:
            time.sleep(0.5)
            reached = first_at_target(_read_lines(metrics), launched, FLAGS.target_fid)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait()
        lines = _read_lines(metrics)
        reached = reached or first_at_target(lines, launched, FLAGS.target_fid)
        if reached is None:
            stderr.seek(0)
            raise SystemExit(f"error: {side}, seed {seed}, did not reach FID "
                             f"{FLAGS.target_fid} in {FLAGS.max_iterations} iterations "
                             f"(exit {process.returncode}); its files are in {workdir}:\n"
                             f"{stderr.read()[-2000:]}")
    curve = [point for point in training_curve(lines, launched) if point[0] <= reached[0]]
    shutil.rmtree(workdir, ignore_errors=True)
    return reached, curve


def main(argv):
    del argv
    races, curves = {OURS: [], ORIGINAL: []}, {OURS: [], ORIGINAL: []}
    finished = _finished_races()
    for seed in range(FLAGS.seeds):
        for side in (OURS, ORIGINAL) if seed % 2 == 0 else (ORIGINAL, OURS):
            race = finished.get((side, seed)) or _kept(side, seed, *_race(side, seed))
            iteration, seconds, fid = race["iteration"], race["seconds"], race["fid"]
            races[side].append((iteration, seconds))
            curves[side].append(race["curve"])
            kept = f", kept {race['finished']}" if (side, seed) in finished else ""
            print(f"seed {seed}: {side:8s} FID {fid:6.1f} at iteration {iteration:6d}, "
                  f"{seconds:6.1f} s ({iteration / seconds:.1f} it/s{kept})", flush=True)
    print(f"\ntarget FID {FLAGS.target_fid}, {FLAGS.eval_samples} samples, evaluated every "
          f"{FLAGS.eval_every} iterations; medians (range) over {FLAGS.seeds} seed(s)")
    for side, results in races.items():
        iterations = [iteration for iteration, _ in results]
        seconds = [second for _, second in results]
        print(f"{side:8s} iterations {statistics.median(iterations):8.0f} "
              f"({min(iterations)}-{max(iterations)})   seconds "
              f"{statistics.median(seconds):6.1f} ({min(seconds):.1f}-{max(seconds):.1f})")
    ratios = [original[1] / ours[1]
              for ours, original in zip(races[OURS], races[ORIGINAL], strict=True)]
    print(f"time to target, original / ours: {statistics.median(ratios):.2f} "
          f"(per seed: {', '.join(f'{ratio:.2f}' for ratio in ratios)})")
    if FLAGS.plot:
        _plot(curves, FLAGS.plot)
        print(f"wrote {FLAGS.plot}")


def _settings():
    return {"preset": FLAGS.preset, "target_fid": FLAGS.target_fid,
            "eval_every": FLAGS.eval_every, "eval_samples": FLAGS.eval_samples,
            "ours_flags": FLAGS.ours_flags}


def _finished_races():
    if not FLAGS.results:
        return {}
    try:
        return finished_races(_read_text(FLAGS.results), _settings())
    except (ValueError, KeyError) as error:
        raise SystemExit(f"error: --results={FLAGS.results}: {error}; pass another "
                         f"--results file for these settings") from None


def _kept(side, seed, reached, curve):
    """The race's `race_record`, appended to `--results` if given."""
    race = race_record(_settings(), side, seed, reached, curve, machine=_machine(),
                       finished=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
    if FLAGS.results:
        write_text(FLAGS.results, _read_text(FLAGS.results) + json.dumps(race) + "\n")
    return race


def _machine():
    """The CPU's model name and count, for races kept from several sittings."""
    model = xla_cache.cpu_model() or platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} cores"


def _plot(curves, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), dpi=100, layout="constrained")
    axes = figure.subplots()
    for side, color in ((OURS, "tab:blue"), (ORIGINAL, "tab:orange")):
        name = f"{FLAGS.preset} (ours)" if side == OURS else REPLICAS[FLAGS.preset]
        for seed, curve in enumerate(curves[side]):
            axes.plot([seconds for _, seconds, _ in curve], [fid for _, _, fid in curve],
                      color=color, marker=".", alpha=0.8,
                      label=name if seed == 0 else None)
    axes.axhline(FLAGS.target_fid, color="gray", linestyle="--", label="target")
    axes.set(xlabel="training seconds (start-up in, evaluations out)", ylabel="FID",
             yscale="log", title=f"FID of {FLAGS.eval_samples} samples against wall time, "
                                 f"{FLAGS.seeds} seed(s) each")
    axes.legend()
    figure.savefig(path)


if __name__ == "__main__":
    app.run(main)
