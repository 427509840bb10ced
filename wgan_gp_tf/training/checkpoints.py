"""Checkpoints of a `WGANGP`: every weight, both optimisers, the noise state, the iteration.

Saving goes through a `tf.train.CheckpointManager`, which writes each
checkpoint completely before pointing its state file at it, so a run killed
mid-save resumes from the previous one. Restoring reads the newest checkpoint
from disk, so that in a multi-worker run the other workers restore the one the
chief wrote; a damaged one (a truncated or missing file) is skipped, with a
warning, for the newest one that reads, and the state file is not needed.
Checkpoints of earlier versions restore too.
"""

import logging
import os
import re
import shutil
import weakref

import keras
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

from wgan_gp_tf.errors import CheckpointError

logger = logging.getLogger(__name__)

# The files of checkpoint `ckpt-<iteration>`: its index and its data shards.
_CHECKPOINT_FILE = re.compile(r"^(ckpt-\d+)\.(index|data-\d+-of-\d+)$")
# A sharded save writes into `ckpt-<iteration>_temp/` before it renames the shards.
_UNFINISHED_SAVE = re.compile(r"^ckpt-\d+_temp")
# The CheckpointManager's state file, which names the newest checkpoint.
_STATE_FILE = "checkpoint"

# What an optimiser with a constant learning rate saves that one with a schedule does not.
_SAVED_RATE = "_learning_rate/.ATTRIBUTES/VARIABLE_VALUE"

# What a checkpoint holds that earlier versions did not write.
_LATER_ROOTS = ("iteration", "critic_weights", "generator_weights")

# One checkpoint object per model, so that what restores it also saves it and
# its save counter carries on.
_CHECKPOINTS = weakref.WeakKeyDictionary()


def _checkpoint(model):
    if model not in _CHECKPOINTS:
        _CHECKPOINTS[model] = _new_checkpoint(model)
    return _CHECKPOINTS[model]


def _new_checkpoint(model):
    networks = {"critic": model.critic, "generator": model.generator}
    if model.average_generator is not None:
        networks["average_generator"] = model.average_generator
    kept = dict(networks, critic_optimizer=model.critic_optimizer,
                generator_optimizer=model.generator_optimizer,
                seed_state=model.seed_generator.state, iteration=model.iteration)
    # A Keras 3 layer hides the layers it keeps in a Python list from
    # tf.train.Checkpoint, which then saves only what an optimiser also
    # tracks: trainable weights. Batch norm statistics and the averaged
    # generator need their weights listed.
    for name, network in networks.items():
        kept[f"{name}_weights"] = list(network.weights)
    return tf.train.Checkpoint(**kept)


def checkpoint_manager(model, directory, max_to_keep=3):
    """A `tf.train.CheckpointManager` for everything a resume needs.

    What a kill during a save leaves in `directory` is cleared first: the
    temporary folders of an unfinished save, and a state file that is not
    text (set aside as `checkpoint.damaged`; restoring reads the checkpoints'
    own files, and the next save writes a new state file).

    Args:
        model: a compiled `WGANGP`.
        directory: the checkpoint folder, which one process writes at a time.
        max_to_keep: checkpoints kept.
    """
    _clear_unfinished_saves(directory)
    return tf.train.CheckpointManager(_checkpoint(model), directory, max_to_keep)


def _clear_unfinished_saves(directory):
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if _UNFINISHED_SAVE.match(name):
            path = os.path.join(directory, name)
            logger.warning("removed %s, left by a save that did not finish", path)
            shutil.rmtree(path, ignore_errors=True)
    state = os.path.join(directory, _STATE_FILE)
    try:
        with open(state, "rb") as file:
            file.read().decode("utf-8")
    except FileNotFoundError:
        return
    except UnicodeDecodeError:
        logger.warning("%s is not text (damaged); set aside as %s.damaged, the checkpoints are "
                       "read from their own files", state, _STATE_FILE)
        os.replace(state, f"{state}.damaged")


def saved_checkpoints(directory):
    """The checkpoints in `directory` with any file on disk, newest first.

    Found from the files themselves, so that a damaged or missing state file
    (`checkpoint`) hides none.
    """
    if not os.path.isdir(directory):
        return []
    prefixes = {match.group(1) for match in map(_CHECKPOINT_FILE.match, os.listdir(directory))
                if match}
    return sorted((os.path.join(directory, prefix) for prefix in prefixes),
                  key=checkpoint_iteration, reverse=True)


def restore_latest(model, directory):
    """Restores the newest intact checkpoint in `directory` into `model`, if there is one.

    A checkpoint that cannot be read (its index or data truncated or
    missing) is skipped, with a warning that names it, for the next newest.
    Checkpoints of earlier versions restore too: without the iteration
    counter (then the generator optimiser's count) or the weight lists; and
    so do those of the other `learning_rate_decay` (not under float16).

    Args:
        model: a compiled `WGANGP` of the architecture that was saved.
        directory: the checkpoint folder.

    Returns:
        The checkpoint path restored, or `None` if there is no checkpoint.

    Raises:
        CheckpointError: there are checkpoint files, but none can be read.
    """
    damaged = []
    for path in saved_checkpoints(directory):
        try:
            _restore(model, path)
        except (tf.errors.OpError, IndexError, ValueError) as error:
            reason = getattr(error, "message", None) or str(error)
            damaged.append(f"{os.path.basename(path)} ({reason.strip().splitlines()[0]})")
            continue
        if damaged:
            logger.warning("skipped the damaged checkpoint(s) %s; resuming from %s",
                           "; ".join(damaged), os.path.basename(path))
        return path
    if damaged:
        raise CheckpointError(
            f"no checkpoint in {directory} can be read: {'; '.join(damaged)}; move the "
            f"folder aside to train anew, or restore it from a copy")
    return None


def _restore(model, path):
    if not os.path.exists(f"{path}.index"):
        raise ValueError("its index file is missing")
    checkpoint = _checkpoint(model)
    reader = tf.train.load_checkpoint(path)
    saved_roots = _saved_roots(reader)
    # tf.train.Checkpoint keeps its keyword arguments as attributes.
    everything = {name: value for name, value in vars(checkpoint).items()
                  if not name.startswith("_")}
    kept = {name: value for name, value in everything.items()
            if name in saved_roots or name not in _LATER_ROOTS}
    for name in ("critic_optimizer", "generator_optimizer"):
        saved = f"{name}/inner_optimizer" if hasattr(kept[name], "inner_optimizer") else name
        kept[name] = _in_saved_layout(kept[name], reader.has_tensor(f"{saved}/{_SAVED_RATE}"))
    if all(kept.get(name) is value for name, value in everything.items()):
        checkpoint.restore(path).assert_existing_objects_matched()
        return
    tf.train.Checkpoint(**kept).restore(path).assert_existing_objects_matched()
    if "iteration" not in saved_roots:
        # Before the trainer counted iterations, the generator optimiser's
        # count was the iteration.
        model.iteration.assign(model.generator_optimizer.iterations)


def _in_saved_layout(optimizer, saved_rate):
    """The optimiser, or a stand-in that reads a checkpoint of another decay.

    Keras lists an optimiser's variables by position: the step count, the
    learning rate if it is a variable (a constant rate, not a schedule), then
    the slots. A run resumed with another `learning_rate_decay` reads its
    slots from where they were saved and keeps its own rate.
    """
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if isinstance(inner.learning_rate, keras.Variable) == saved_rate:
        return optimizer
    if inner is not optimizer:
        raise CheckpointError("a float16 run cannot change its learning_rate_decay when it "
                              "resumes; resume it with the decay it was saved with")
    variables = list(optimizer.variables)
    if saved_rate:
        variables.insert(1, tf.Variable(0.0))
    else:
        del variables[1]
    return tf.train.Checkpoint(_iterations=optimizer.iterations, _variables=variables)


def _saved_roots(reader):
    """The names of the objects a checkpoint holds at its top level, from its reader."""
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return {child.local_name for child in graph.nodes[0].children}


def checkpoint_iteration(path):
    """The iteration a checkpoint path `.../ckpt-<iteration>` was saved at.

    Returns:
        The iteration, or `None` for `path=None` (no checkpoint yet).
    """
    return None if path is None else int(path.rsplit("-", 1)[1])
