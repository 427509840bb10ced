"""The end of a run: its evaluator, and its generator exported with the run's facts."""

import json
import logging
import os

import keras
import tensorflow as tf

from wgan_gp_tf import serving
from wgan_gp_tf.errors import ConfigError, DataError, ExportNotFoundError

logger = logging.getLogger(__name__)


def find_evaluator(config):
    """The data set's evaluator, or `None` without one.

    Raises:
        ConfigError: `config.eval_every` asks for evaluations that the data
            set cannot give (no reference classifier or test split).
    """
    try:
        return config.data_source().evaluator(config.data_dir,
                                              inception_weights=config.inception_weights)
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


def has_export(config, iteration):
    """Whether `config.export_dir` holds an export of this run folder at `iteration`."""
    for version in serving.existing_versions(config.export_dir):
        try:
            metadata = serving.read_metadata(os.path.join(config.export_dir, str(version)))
        except (OSError, ValueError):
            continue
        if (metadata.get("iterations") == iteration
                and metadata.get("config", {}).get("output_dir") == config.output_dir):
            return True
    return False
