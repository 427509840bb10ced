"""A training run from a config: presets, the trainer's build, callbacks, checkpoints, `run`.

The top layer: it wires the data sets, the architectures, the trainer, the
evaluation and the export together, and nothing below it imports it.
"""

from wgan_gp_tf.training.build import build_trainer
from wgan_gp_tf.training.callbacks import Checkpoint, Evaluate, SampleGrid, ScalarLog
from wgan_gp_tf.training.checkpoints import checkpoint_manager, restore_latest
from wgan_gp_tf.training.config import TrainConfig
from wgan_gp_tf.training.exports import export_lock, export_run, find_evaluator, find_export
from wgan_gp_tf.training.fields import field_choices
from wgan_gp_tf.training.presets import PRESETS, Preset, get_preset, make_config, preset_names
from wgan_gp_tf.training.run import RunResult, run
from wgan_gp_tf.training.run_folder import (
    RUN_CONFIG_FILE,
    check_writable,
    read_config,
    restore_run,
    samples_from,
)
from wgan_gp_tf.training.stopping import StopAtIteration, StopOnNonFinite, StopOnSignal

__all__ = ["PRESETS", "RUN_CONFIG_FILE", "Checkpoint", "Evaluate", "Preset", "RunResult",
           "SampleGrid", "ScalarLog", "StopAtIteration", "StopOnNonFinite", "StopOnSignal",
           "TrainConfig", "build_trainer", "check_writable", "checkpoint_manager", "export_lock",
           "export_run", "field_choices", "find_evaluator", "find_export", "get_preset",
           "make_config", "preset_names", "read_config", "restore_latest", "restore_run", "run",
           "samples_from"]
