"""What the workers of a multi-worker run do when one of them is lost.

A collective op whose peer died (its connection reset) or froze (its
heartbeats stopped: TensorFlow's coordination service gives up on a task after
10 s without them) fails on every other worker. That failure becomes a
`WorkerLostError` naming the lost task and the checkpoint that every worker
resumes from when all are relaunched with the same command.
"""

import contextlib
import re

import tensorflow as tf

from wgan_gp_tf.core import distribute
from wgan_gp_tf.errors import WorkerLostError
from wgan_gp_tf.training import checkpoints

# What a collective op raises when a peer is gone: its connection closed or
# reset, its heartbeats late, or the collective aborted for either reason.
_PEER_FAILURES = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
                  tf.errors.AbortedError, tf.errors.CancelledError)

_TASK = re.compile(r"/job:(\w+)/(?:replica:\d+/)?task:(\d+)")


@contextlib.contextmanager
def reporting_lost_workers(strategy, checkpoint_dir):
    """Raises `WorkerLostError` for a peer's failure in a multi-worker run.

    Args:
        strategy: the run's strategy; with any other than a multi-worker
            one, errors pass unchanged.
        checkpoint_dir: where the chief checkpoints, named in the message.
    """
    try:
        yield
    except _PEER_FAILURES as error:
        if not distribute.is_multi_worker(strategy):
            raise
        raise WorkerLostError(_message(error, distribute.task_name(strategy),
                                       checkpoint_dir)) from None


def _message(error, own_task, checkpoint_dir):
    text = re.sub(r"\{\{.*?\}\}\s*", "", error.message).strip()
    lost = sorted({f"{job} {index}" for job, index in _TASK.findall(text)} - {own_task})
    # The line that says why the collective stopped, past TensorFlow's wrappers.
    lines = [line for line in text.splitlines() if "aborted by:" in line] or text.splitlines()
    reason = lines[0] if lines else type(error).__name__
    reason = re.sub(r"^.*aborted by: (Error reported from \S+: )?", "", reason).rstrip(":")[:200]
    saved = checkpoints.saved_checkpoints(checkpoint_dir)
    resume = (f"the last checkpoint, {saved[0]}" if saved
              else "the start (no checkpoint was written yet)")
    return (f"{' and '.join(lost) or 'another worker'} of the multi-worker run was lost "
            f"({reason}); {own_task} cannot go on without it. Relaunch every worker with the "
            f"same command: all of them resume from {resume}")
