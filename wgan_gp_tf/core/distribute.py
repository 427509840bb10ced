"""`tf.distribute` for training: the strategies, and dealing batches and draws out.

A run with several replicas trains on the same global batch, noise and
interpolation coefficients as one device would: each replica gets a
contiguous slice of every global batch and the matching rows of every random
draw, and its losses are scaled by its share of the global batch, so that the
optimisers' sum of replica gradients is the gradient of the global mean. The
same seed therefore gives the same run, up to float rounding, on any number of
devices or machines.
"""

import logging
import os

import tensorflow as tf

from wgan_gp_tf.core.catalog import STRATEGIES
from wgan_gp_tf.errors import ConfigError

logger = logging.getLogger(__name__)


def make_strategy(name):
    """Creates the `tf.distribute.Strategy` that `TrainConfig.strategy` names.

    `"mirrored"` replicates over every local GPU, or, on a machine without
    GPUs, over every logical CPU device (one unless the program has split
    the CPU). `"multi_worker"` reads the cluster from the `TF_CONFIG`
    environment variable and must be created before TensorFlow runs any op.
    `"tpu"` connects to the TPU that `TPU_NAME` names, or the local one.

    Args:
        name: one of `STRATEGIES`.

    Returns:
        The strategy; `tf.distribute.get_strategy()` for `"default"`.

    Raises:
        ConfigError: an unknown name, a multi-worker run without `TF_CONFIG`,
            or no TPU to connect to.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = (tf.config.list_logical_devices("GPU")
                   or tf.config.list_logical_devices("CPU"))
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ConfigError(
                "strategy=multi_worker needs the cluster in the TF_CONFIG environment "
                "variable (README: 'Several GPUs or machines')")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        return _tpu_strategy()
    raise ConfigError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")


def split_cpu(count):
    """Splits the CPU into `count` logical devices, for `"mirrored"` without GPUs.

    Must run before TensorFlow initialises its devices. The devices share the
    CPU's cores: a way to exercise several replicas, not to speed them up.
    """
    tf.config.set_logical_device_configuration(
        tf.config.list_physical_devices("CPU")[0],
        [tf.config.LogicalDeviceConfiguration()] * count)


def _tpu_strategy():
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
            tpu=os.environ.get("TPU_NAME", "local"))
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.OpError) as error:
        reason = str(error).split(". ")[0]
        raise ConfigError(f"strategy=tpu found no TPU ({reason}); run on a TPU VM or "
                          f"set TPU_NAME") from None
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """Whether this process writes the run's files (samples, checkpoints, export).

    Every process of a multi-worker run trains; the chief, worker 0 unless the
    cluster names a `chief` task, is the one that writes.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    task_type = resolver.task_type
    if task_type is None or task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and resolver.task_id == 0 and not has_chief


def is_multi_worker(strategy):
    """Whether `strategy` trains across worker processes."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    cluster = resolver.cluster_spec().as_dict()
    return sum(len(cluster.get(job, ())) for job in ("chief", "worker")) > 1


def task_name(strategy):
    """This process's task in its cluster, e.g. `"worker 1"`; `None` outside a cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type is None:
        return None
    return f"{resolver.task_type} {resolver.task_id}"


def check_batch_size(strategy, batch_size):
    """Raises `ConfigError` unless the global batch splits evenly over the replicas."""
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ConfigError(
            f"batch_size={batch_size} does not split evenly over the {replicas} replicas "
            f"of strategy {type(strategy).__name__}; pass a multiple of {replicas}")


def distribute_batches(strategy, dataset):
    """Deals each global element of the training stream out to the replicas.

    Args:
        strategy: the run's strategy.
        dataset: the global stream, elements `[per_iteration, batch, ...]` (or
            pairs of them and their labels `[per_iteration, batch]`).

    Returns:
        `dataset` itself with one replica or when it is distributed already;
        otherwise a distributed dataset
        whose replica `r` of `R` gets rows `[r * batch / R, (r + 1) * batch / R)`
        of each global batch. Every worker reads the whole global stream (it
        depends on the seed alone) and keeps its replicas' rows, so the
        replicas see the single-device run's data whatever the cluster.
    """
    if (strategy.num_replicas_in_sync == 1
            or isinstance(dataset, tf.distribute.DistributedDataset)):
        return dataset

    def replica_dataset(context):
        replicas = context.num_replicas_in_sync
        local = replicas // context.num_input_pipelines
        first = context.input_pipeline_id * local

        def rows_of_local_replicas(*element):
            # [per_iteration, batch, ...] -> [local, per_iteration, batch / replicas, ...],
            # the images and (if conditional) their labels alike.
            def rows(batches):
                parts = tf.stack(tf.split(batches, replicas, axis=1))
                return parts[first:first + local]

            return tf.nest.map_structure(rows, element if len(element) > 1 else element[0])

        # Consecutive elements of a worker's dataset go to its replicas in turn.
        return (dataset.map(rows_of_local_replicas).unbatch()
                .prefetch(tf.data.AUTOTUNE))

    return strategy.distribute_datasets_from_function(replica_dataset)


def _replica_context():
    """The replica context of a step under several replicas, else `None`."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def replica_rows(draw, batch_size):
    """This replica's rows of a draw over the global batch.

    Args:
        draw: `global_batch_size -> tensor [global_batch_size, ...]`, a random
            draw that every replica makes alike (from the same seed state).
        batch_size: the replica's batch size.

    Returns:
        `draw(batch_size)` outside a multi-replica step; inside one, rows
        `[r * batch_size, (r + 1) * batch_size)` of the draw over all
        replicas, `r` being this replica's index, so that the replicas
        together use exactly the single-device draw.
    """
    context = _replica_context()
    if context is None:
        return draw(batch_size)
    rows = draw(batch_size * context.num_replicas_in_sync)
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * batch_size
    return rows[start:start + batch_size]


def replica_share(loss):
    """A replica's mean loss scaled to its share of the global mean.

    The optimisers sum the replicas' gradients, so each replica's loss is
    divided by the number of replicas.
    """
    context = _replica_context()
    if context is None:
        return loss
    return loss / context.num_replicas_in_sync
