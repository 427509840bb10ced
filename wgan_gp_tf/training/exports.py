"""The end of a run: its evaluator, and its generator exported with the run's facts."""

import contextlib
import fcntl
import json
import logging
import os

import keras
import tensorflow as tf

from wgan_gp_tf import evaluation, serving
from wgan_gp_tf.errors import ConfigError, DataError, ExportNotFoundError

logger = logging.getLogger(__name__)


def find_evaluator(config):
    """The data set's evaluator, or `None` without one.

    Raises:
        ConfigError: `config.eval_every` asks for evaluations that the data
            set cannot give (no reference classifier or test split).
    """
    try:
        return evaluation.evaluator_for(config.data_source(),
                                        inception_weights=config.inception_weights,
                                        cache_dir=config.feature_cache_dir)
    except (ExportNotFoundError, DataError) as error:
        if config.eval_every:
            raise ConfigError(f"eval_every needs a reference classifier: {error}") from None
        # No yardstick for the data set is a fact; one that fails to load
        # (a damaged test split) costs the run its metrics, and is said so.
        level = logging.INFO if isinstance(error, ExportNotFoundError) else logging.WARNING
        logger.log(level, "no evaluation: %s", error)
        return None


def export_run(model, config, training_metrics=None, metrics_span=None, metrics=None):
    """Exports a run's generator with the run's facts in its `model.json`.

    Args:
        model: the run's `WGANGP`.
        config: the run's `TrainConfig`.
        training_metrics: the trainer's metrics averaged over the last
            `metrics_span` iterations before the export, if known.
        metrics_span: iterations those means cover.
        metrics: the evaluation of the exported generator, if any.

    Returns:
        The path of the new version folder.
    """
    metadata = {
        "preset": config.preset,
        "dataset": config.dataset,
        "architecture": config.architecture,
        "penalty": config.penalty,
        "penalty_weight": config.penalty_weight,
        "seed": config.seed,
        "iterations": model.iterations_done,
        "config": json.loads(config.to_json()),
        "class_names": list(config.class_names) if config.conditional else [],
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
    }
    if training_metrics:
        metadata["training_metrics"] = {
            "span_iterations": metrics_span,
            **{name: float(value) for name, value in training_metrics.items()}}
    if metrics:
        metadata["metrics"] = metrics
    source = config.data_source()
    symbols = source.vocabulary.symbols if source.makes == "text" else None
    return serving.export_generator(model, config.export_dir, metadata, symbols)


def find_export(config, iteration):
    """The version of `config.export_dir` that holds this run folder at `iteration`, or `None`."""
    for version in serving.existing_versions(config.export_dir):
        path = os.path.join(config.export_dir, str(version))
        try:
            metadata = serving.read_metadata(path)
        except (OSError, ValueError):
            continue
        if (metadata.get("iterations") == iteration
                and metadata.get("config", {}).get("output_dir") == config.output_dir):
            return path
    return None


def has_export(config, iteration):
    """Whether `config.export_dir` holds an export of this run folder at `iteration`."""
    return find_export(config, iteration) is not None


@contextlib.contextmanager
def export_lock(export_dir):
    """Holds `export_dir` for this exporter; another waits until it is released.

    An advisory `flock` on the folder itself (no file for TF Serving to
    see), dropped by the operating system when the process ends, however it
    ends. Exporters that check `find_export` under it write one version of an
    iteration between them.
    """
    os.makedirs(export_dir, exist_ok=True)
    descriptor = os.open(export_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
