"""tf.distribute: several replicas train what one device trains.

The multi-replica runs need devices configured before TensorFlow starts, so
each run is a process of its own (`tests/distributed_worker.py`) that saves its
weights and metrics; the tests compare those files.
"""

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from unittest import mock

import numpy as np
import tensorflow as tf

from tests import helpers
from wgan_gp_tf import training
from wgan_gp_tf.core import distribute
from wgan_gp_tf.errors import ConfigError, WorkerLostError
from wgan_gp_tf.training import workers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _worker_command(job, output, logical_cpus=1):
    """`job`: a `TrainConfig` to run, or `"fit"` for a user's networks fitted to an array."""
    return [sys.executable, "-m", "tests.distributed_worker",
            job if job == "fit" else job.to_json(), output, str(logical_cpus)]


def _train(*runs):
    """Runs training processes side by side; returns each one's saved arrays.

    Args:
        *runs: `(job, output)` or `(job, output, logical_cpus)` tuples.
    """
    processes = [subprocess.Popen(_worker_command(*run), cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for run in runs]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        if process.returncode:
            raise AssertionError(errors[-3000:])
    return [dict(np.load(run[1])) for run in runs]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _DistributedRun:
    """Mixin: the run configuration and comparisons of the distributed tests."""

    def _config(self, name, **overrides):
        values = dict(iterations=4, sample_every=4, checkpoint_every=4, batch_size=64,
                      eval_samples=100, seed=3, output_dir=os.path.join(self.get_temp_dir(), name),
                      export_dir=os.path.join(self.get_temp_dir(), name + "_export"),
                      # Several replicas train without XLA; so does the reference.
                      jit_compile=False,
                      # Adam moves each weight by about +-lr whatever the
                      # gradient's size until its moments settle, so rounding
                      # decides the sign for a weight whose gradient is near 0,
                      # and a gradient twice too large goes unseen. With
                      # epsilon 1 the updates are lr times the gradient.
                      adam_epsilon=1.0, critic_learning_rate=1e-2,
                      generator_learning_rate=1e-2,
                      # The average is updated across replicas, so check it too.
                      generator_ema=0.5)
        values.update(overrides)
        return training.make_config(values.pop("preset", "mnist_mlp"), **values)

    def _mnist_config(self, name, **overrides):
        folder = helpers.write_mnist_folder(os.path.join(self.get_temp_dir(), "mnist"), 256)
        return self._config(name, data_dir=folder, **overrides)

    def _output(self, name):
        return os.path.join(self.get_temp_dir(), name + ".npz")

    def assertSameRun(self, replicated, single, weight_atol, metric_rtol, average=True):
        self.assertEqual(int(replicated["iteration"]), int(single["iteration"]))
        names = sorted(name for name in single if "/" in name)
        self.assertEqual(names, sorted(name for name in replicated if "/" in name))
        if average:
            self.assertIn("average_generator/0", names)
        for name in names:
            tolerance = dict(rtol=metric_rtol, atol=0) if name.startswith("metric/") else dict(
                atol=weight_atol, rtol=0)
            self.assertAllClose(replicated[name], single[name], msg=name, **tolerance)


@helpers.slow(seconds=105)
class MirroredTest(_DistributedRun, tf.test.TestCase):
    """MirroredStrategy over 2 logical CPU devices against one device."""

    def test_a_users_fit_on_an_array_matches_one_device(self):
        # Two epochs of a shuffled array, both drawing the same permutations,
        # then one of a dataset whose epoch ends when its data does, with no
        # extra step.
        single, mirrored = _train(("fit", self._output("fit_single")),
                                  ("fit", self._output("fit_mirrored"), 2))
        self.assertEqual((int(single["replicas"]), int(mirrored["replicas"])), (1, 2))
        self.assertEqual(int(mirrored["iteration"]), 30)
        self.assertSameRun(mirrored, single, weight_atol=1e-6, metric_rtol=1e-5, average=False)

    def test_mlp_matches_one_device_and_resumes_on_the_other(self):
        single, mirrored = _train(
            (self._mnist_config("single"), self._output("single")),
            (self._mnist_config("mirrored", strategy="mirrored"), self._output("mirrored"), 2))
        self.assertEqual(int(single["replicas"]), 1)
        self.assertEqual(int(mirrored["replicas"]), 2)
        # 20 critic and 4 generator updates: only float rounding apart.
        self.assertSameRun(mirrored, single, weight_atol=1e-6, metric_rtol=1e-5)
        # Each run goes on to iteration 8 from its checkpoint on the other setup.
        single_then_two, two_then_single = _train(
            (self._mnist_config("single", strategy="mirrored", iterations=8),
             self._output("single_then_two"), 2),
            (self._mnist_config("mirrored", iterations=8), self._output("two_then_single")))
        self.assertEqual(int(single_then_two["replicas"]), 2)
        self.assertSameRun(single_then_two, two_then_single, weight_atol=1e-6,
                           metric_rtol=1e-5)

    def test_batch_norm_matches_one_device(self):
        folder = os.path.join(self.get_temp_dir(), "images")
        os.makedirs(folder)
        rng = np.random.default_rng(0)
        for index in range(16):
            tf.io.write_file(os.path.join(folder, f"{index}.png"), tf.io.encode_png(
                rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)))
        options = dict(preset="cifar10_dcgan", data_dir=folder, critic_norm="batch",
                       batch_size=8, n_critic=2, iterations=2, sample_every=2,
                       checkpoint_every=2, grid_size=2)
        single, mirrored = _train(
            (self._config("bn_single", **options), self._output("bn_single")),
            (self._config("bn_mirrored", strategy="mirrored", **options),
             self._output("bn_mirrored"), 2))
        self.assertEqual(int(mirrored["replicas"]), 2)
        # Batch statistics over each replica's half alone change the critic
        # loss by about 25%. The moments summed across replicas round
        # differently by CPU: on an AMD EPYC, critic weights 2e-5 apart and
        # the critic loss 1.1e-5 of itself.
        self.assertSameRun(mirrored, single, weight_atol=5e-5, metric_rtol=5e-5)


def _train_command(config):
    """`scripts/train.py` with a flag per field in which `config` leaves its preset."""
    preset = training.make_config(config.preset)
    flags = [f"--preset={config.preset}"]
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if value == getattr(preset, field.name):
            continue
        if isinstance(value, bool):
            flags.append(f"--{'' if value else 'no'}{field.name}")
        else:
            flags.append(f"--{field.name}={value}")
    return helpers.script_command("train.py", *flags)


@helpers.slow(seconds=100)
class MultiWorkerTest(_DistributedRun, tf.test.TestCase):
    """MultiWorkerMirroredStrategy: 2 `scripts/train.py` workers on loopback, 1 thread each."""

    def _launch(self, config, attempt):
        """Starts both workers, their output into files; returns the processes."""
        cluster = {"worker": [f"127.0.0.1:{_free_port()}" for _ in range(2)]}
        processes = []
        for index in range(2):
            environment = dict(os.environ, TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1",
                               TF_CONFIG=json.dumps({"cluster": cluster, "task": {
                                   "type": "worker", "index": index}}))
            with (open(self._log(attempt, index, "out"), "w") as stdout,
                  open(self._log(attempt, index, "err"), "w") as stderr):
                processes.append(subprocess.Popen(_train_command(config), cwd=ROOT, env=environment,
                                                stdout=stdout, stderr=stderr))
            self.addCleanup(processes[-1].kill)
        return processes

    def _log(self, attempt, index, stream):
        return os.path.join(self.get_temp_dir(), f"{attempt}_worker{index}.{stream}")

    def _read(self, attempt, index, stream="err"):
        with open(self._log(attempt, index, stream)) as file:
            return file.read()

    def test_a_killed_worker_stops_the_other_and_both_resume_to_one_process_run(self):
        config = self._mnist_config("workers", strategy="multi_worker", iterations=60,
                                    checkpoint_every=10, sample_every=60)
        checkpoints = os.path.join(config.output_dir, "checkpoints")
        # The reference, one process training two mirrored replicas, runs alongside.
        reference = self._mnist_config("two_replicas", strategy="mirrored", iterations=60,
                                       checkpoint_every=10, sample_every=60)
        reference_process = subprocess.Popen(
            _worker_command(reference, self._output("two_replicas"), 2), cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(reference_process.kill)
        processes = self._launch(config, "killed")
        while not os.path.exists(os.path.join(checkpoints, "ckpt-10.index")):
            self.assertIsNone(processes[0].poll(), self._read("killed", 0)[-3000:])
            time.sleep(0.05)
        processes[1].kill()
        processes[0].wait(timeout=60)
        processes[1].wait()
        errors = self._read("killed", 0)
        self.assertEqual(processes[0].returncode, 2, errors[-3000:])
        resumed_at = int(tf.train.latest_checkpoint(checkpoints).rsplit("-", 1)[1])
        self.assertLess(resumed_at, 60)
        self.assertRegex(errors.splitlines()[-1],
                         r"^error: worker 1 of the multi-worker run was lost \(.+\); worker 0 "
                         r"cannot go on without it\. Relaunch every worker with the same "
                         r"command: all of them resume from the last checkpoint, .*ckpt-"
                         f"{resumed_at}$")

        processes = self._launch(config, "resumed")
        for index, process in enumerate(processes):
            process.wait(timeout=300)
            self.assertEqual(process.returncode, 0, self._read("resumed", index)[-3000:])
        self.assertIn(f"resumed {config.output_dir} at iteration {resumed_at}",
                      self._read("resumed", 0))
        self.assertIn("export (the chief worker exports)", self._read("resumed", 1, "out"))
        # The chief's grids: after the new run's first compiled call, and at the end.
        self.assertEqual(os.listdir(config.export_dir), ["1"])
        self.assertEqual(sorted(os.listdir(os.path.join(config.output_dir, "samples"))),
                         ["00000010.png", "00000060.png"])

        _, errors = reference_process.communicate(timeout=300)
        self.assertEqual(reference_process.returncode, 0, errors[-3000:])
        # Every tensor but the save counter, which counts saves, not training.
        workers_run, one_process = (
            {name: value for name, value in helpers.checkpoint_tensors(
                os.path.join(run.output_dir, "checkpoints", "ckpt-60")).items()
             if not name.startswith("save_counter")}
            for run in (config, reference))
        self.assertEqual(sorted(workers_run), sorted(one_process))
        self.assertGreater(len(workers_run), 40)
        for name, value in one_process.items():
            self.assertAllClose(workers_run[name], value, atol=1e-6, rtol=0, msg=name)


class StrategyTest(tf.test.TestCase):

    def test_one_device_draws_and_losses_are_unchanged(self):
        draw = tf.range(6)
        self.assertAllEqual(distribute.replica_rows(lambda size: draw[:size], 4), draw[:4])
        self.assertEqual(float(distribute.replica_share(tf.constant(3.0))), 3.0)
        dataset = tf.data.Dataset.range(3)
        self.assertIs(distribute.distribute_batches(tf.distribute.get_strategy(), dataset),
                      dataset)

    def test_the_chief_is_worker_0_unless_the_cluster_names_one(self):
        def strategy(task_type, task_id, chief=False):
            cluster = {"worker": ["a:1", "b:1"], **({"chief": ["c:1"]} if chief else {})}
            fake = mock.create_autospec(tf.distribute.MultiWorkerMirroredStrategy,
                                        instance=True)
            fake.cluster_resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
                tf.train.ClusterSpec(cluster), task_type=task_type, task_id=task_id)
            return fake

        self.assertTrue(distribute.is_chief(strategy("worker", 0)))
        self.assertFalse(distribute.is_chief(strategy("worker", 1)))
        self.assertFalse(distribute.is_chief(strategy("worker", 0, chief=True)))
        self.assertTrue(distribute.is_chief(strategy("chief", 0, chief=True)))
        self.assertTrue(distribute.is_chief(distribute.make_strategy("default")))

    def test_a_lost_worker_is_named_with_the_checkpoint_to_resume_from(self):
        strategy = mock.create_autospec(tf.distribute.MultiWorkerMirroredStrategy,
                                        instance=True)
        strategy.cluster_resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec({"worker": ["a:1", "b:1"]}), task_type="worker", task_id=0)
        self.assertTrue(distribute.is_multi_worker(strategy))
        self.assertFalse(distribute.is_multi_worker(distribute.make_strategy("default")))
        checkpoints = self.get_temp_dir()
        for name in ("ckpt-20.index", "ckpt-40.index"):
            open(os.path.join(checkpoints, name), "w").close()
        # What TensorFlow 2.21 raised on worker 0 when worker 1 froze, and when it died.
        frozen = ("{{function_node __wrapped__CollectiveReduceV2_device_/job:worker/replica:0/"
                  "task:0/device:CPU:0}} Collective ops is aborted by: Error reported from "
                  "/job:worker/task:1: The following tasks are unhealthy (stopped sending "
                  "heartbeats):\n/job:worker/replica:0/task:1\nThe tasks have crashed.")
        killed = ("Graph execution error:\n\nDetected at node CollectiveReduceV2\nCollective "
                  "ops is aborted by: recvmsg:Connection reset by peer\nAdditional GRPC error "
                  "information from remote target /job:worker/replica:0/task:1 while calling")
        for text, reason in ((frozen, "The following tasks are unhealthy (stopped sending "
                                      "heartbeats)"),
                             (killed, "recvmsg:Connection reset by peer")):
            with self.assertRaises(WorkerLostError) as raised:
                with workers.reporting_lost_workers(strategy, checkpoints):
                    raise tf.errors.UnavailableError(None, None, text)
            self.assertEqual(str(raised.exception), (
                f"worker 1 of the multi-worker run was lost ({reason}); worker 0 cannot go on "
                f"without it. Relaunch every worker with the same command: all of them resume "
                f"from the last checkpoint, {checkpoints}/ckpt-40"))
        # One process has no peers to lose: its errors pass as they are.
        with self.assertRaises(tf.errors.UnavailableError):
            with workers.reporting_lost_workers(distribute.make_strategy("default"),
                                                checkpoints):
                raise tf.errors.UnavailableError(None, None, killed)

    def test_bad_strategies_are_clear_errors(self):
        with self.assertRaisesRegex(ConfigError, "unknown strategy 'horovod'; choose one of: "
                                                 "default, mirrored"):
            training.make_config(strategy="horovod")
        with self.assertRaisesRegex(ConfigError, "unknown strategy 'horovod'"):
            distribute.make_strategy("horovod")
        environment = {name: value for name, value in os.environ.items() if name != "TF_CONFIG"}
        with self.assertRaisesRegex(ConfigError, "needs the cluster in the TF_CONFIG"):
            with mock.patch.dict(os.environ, environment, clear=True):
                distribute.make_strategy("multi_worker")

    def test_no_tpu_is_a_clear_error(self):
        # Its own process: looking for a TPU connects this one to a cluster.
        process = subprocess.run(
            [sys.executable, os.path.join(ROOT, "scripts", "train.py"), "--strategy=tpu",
             f"--output_dir={self.get_temp_dir()}/run"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        self.assertEqual(process.returncode, 2, process.stderr[-3000:])
        self.assertRegex(process.stderr, "error: strategy=tpu found no TPU .*TPU_NAME")

    def test_batch_must_split_over_replicas(self):
        strategy = mock.Mock(num_replicas_in_sync=3)
        distribute.check_batch_size(strategy, 96)
        with self.assertRaisesRegex(ConfigError, "batch_size=100 does not split evenly over "
                                                 "the 3 replicas.*multiple of 3"):
            distribute.check_batch_size(strategy, 100)


if __name__ == "__main__":
    tf.test.main()
