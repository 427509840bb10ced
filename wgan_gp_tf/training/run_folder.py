"""Run folders: claiming one for a config, and reading a trained one back.

A run folder holds `config.json`, `checkpoints/`, `samples/` and `logs/`
(and a text run's `vocabulary.json`).
A folder that holds a run of another configuration is refused rather than
mixed, and folders that cannot take the run's files are refused before any
training.
"""

import contextlib
import fcntl
import json
import os
import shutil
import socket
import time

from wgan_gp_tf import evaluation, files, serving
from wgan_gp_tf.errors import ConfigError, RunInUseError
from wgan_gp_tf.training import checkpoints
from wgan_gp_tf.training.build import build_trainer
from wgan_gp_tf.training.config import TrainConfig

# The file in each run folder that holds the run's config.
RUN_CONFIG_FILE = "config.json"

# A text run's symbols, index by index, which its checkpoints depend on.
VOCABULARY_FILE = "vocabulary.json"

CHECKPOINTS = "checkpoints"

# The file a running process holds locked in its run folder.
LOCK_FILE = ".lock"

# A run is refused if its output or export folder has less free space. A
# floor that catches a full disk, not a guarantee: three checkpoints of
# mnist_mlp take under 2 MiB, of celeba_dcgan about 300 MiB.
MIN_FREE_BYTES = 64 * 2**20


def read_config(run_dir):
    """The `TrainConfig` that `run` wrote in a run folder's `config.json`.

    Raises:
        ConfigError: the folder has no config.json, or it is malformed.
    """
    path = os.path.join(run_dir, RUN_CONFIG_FILE)
    if not os.path.isfile(path):
        raise ConfigError(f"{run_dir} has no {RUN_CONFIG_FILE}; expected a run folder "
                          f"written by scripts/train.py")
    with open(path, encoding="utf-8") as stream:
        return TrainConfig.from_json(stream.read())


def prepare(config, write=True):
    """Refuses a folder of another run; with `write`, records the config in it.

    With `write`, the folder is one this process holds with `lock`, which has
    checked that it can be written and created it.

    Raises:
        ConfigError: the folder holds a run of another configuration, or
            checkpoints without the config that made them, or a text run whose
            corpus now gives another vocabulary, or the export folder of an
            exported data set cannot be written.
    """
    path = os.path.join(config.output_dir, RUN_CONFIG_FILE)
    if os.path.exists(path):
        changed = config.changes_from(read_config(config.output_dir))
        if changed:
            raise ConfigError(
                f"{config.output_dir} holds a run with another configuration "
                f"({'; '.join(changed)}); pass the same options to resume it, "
                f"or a new --output_dir")
    elif checkpoints.saved_checkpoints(os.path.join(config.output_dir, CHECKPOINTS)):
        raise ConfigError(
            f"{config.output_dir} holds checkpoints but no {RUN_CONFIG_FILE}, so the settings "
            f"they were trained with are unknown: put back its {RUN_CONFIG_FILE} (from a copy, "
            f"or the export's assets.extra/model.json \"config\") to resume it, or pass a new "
            f"--output_dir")
    source = config.data_source()
    symbols = list(source.vocabulary.symbols) if source.makes == "text" else None
    _check_vocabulary(config.output_dir, symbols)
    if not write:
        return
    if source.exportable:
        check_writable(config.export_dir, "export_dir")
    files.write_text(path, config.to_json() + "\n")
    if symbols is not None:
        files.write_text(os.path.join(config.output_dir, VOCABULARY_FILE),
                         json.dumps({"symbols": symbols}, ensure_ascii=False) + "\n")


def _check_vocabulary(run_dir, symbols):
    """Refuses a text run whose corpus now gives other indices than its checkpoints learnt."""
    path = os.path.join(run_dir, VOCABULARY_FILE)
    if symbols is None or not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as stream:
        recorded = json.load(stream)["symbols"]
    if recorded == symbols:
        return
    if len(recorded) != len(symbols):
        difference = f"{len(recorded)} symbols then, {len(symbols)} now"
    else:
        index = next(i for i, (old, new) in enumerate(zip(recorded, symbols, strict=True))
                     if old != new)
        difference = (f"the same {len(symbols)} symbols, but index {index} was "
                      f"{recorded[index]!r} and is now {symbols[index]!r}")
    raise ConfigError(f"the corpus at --data_dir gives another vocabulary than the one "
                      f"{run_dir} was trained on ({difference}; {VOCABULARY_FILE} records it): "
                      f"train on the same corpus to resume, or pass a new --output_dir")


@contextlib.contextmanager
def lock(run_dir):
    """Holds `run_dir` for this process; a second process's `lock` of it is refused.

    The lock is an advisory `flock` on `<run_dir>/.lock`, which the operating
    system drops when the process ends, however it ends: the file a killed
    run leaves behind blocks no one. The file names the holder, for the
    message the next process gets.

    Raises:
        ConfigError: the folder cannot be written.
        RunInUseError: another process holds the folder.
    """
    check_writable(run_dir, "output_dir")
    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, LOCK_FILE), "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunInUseError(f"{run_dir} is in use by {holder}; wait for that run to "
                                f"end, or pass another --output_dir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} on {socket.gethostname()} (since "
                     f"{time.strftime('%Y-%m-%d %H:%M:%S')})\n")
        handle.flush()
        yield


def check_writable(folder, name):
    """Checks that files can be written in `folder`, without creating it.

    The check writes and removes a probe file in `folder`, or, while it does
    not exist yet, in the nearest folder above it that does.

    Args:
        folder: the folder.
        name: the option it came from, for the message.

    Raises:
        ConfigError: the folder cannot be written, or its disk has less than
            `MIN_FREE_BYTES` free.
    """
    existing = os.path.abspath(folder)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    probe = os.path.join(existing, f".write-test-{os.getpid()}")
    try:
        with open(probe, "w") as stream:
            stream.write("ok")
        os.remove(probe)
        free = shutil.disk_usage(existing).free
    except OSError as error:
        raise ConfigError(f"cannot write to {name} {folder}: {error.strerror}; choose a "
                          f"writable --{name}") from None
    if free < MIN_FREE_BYTES:
        raise ConfigError(
            f"{name} {folder} has only {free // 2**20} MiB free, less than the "
            f"{MIN_FREE_BYTES // 2**20} MiB that checkpoints and exports may need; "
            f"free some space or choose another --{name}")


def restore_run(run_dir, config=None):
    """The trainer of a run folder, restored from its last checkpoint.

    Args:
        run_dir: the run folder.
        config: its `TrainConfig`; read from its `config.json` by default.

    Returns:
        `(model, config)`.

    Raises:
        ConfigError: the folder is no run folder, or has no checkpoint yet.
    """
    config = config or read_config(run_dir)
    model = build_trainer(config)
    if not checkpoints.restore_latest(model, os.path.join(run_dir, CHECKPOINTS)):
        raise ConfigError(f"{run_dir} has no checkpoint yet")
    return model, config


def samples_from(path, count, seed=0, trained_generator=False):
    """Samples from a run folder (its last checkpoint) or an export folder.

    Args:
        path: a run folder written by `run`, or an export (a version folder
            or a base folder of versions).
        count: samples to draw.
        seed: the same seed gives the same samples.
        trained_generator: for a run folder that keeps a generator average,
            draw from the trained generator instead of the average.

    Returns:
        `(images in [0, 1], description)`; the description holds `source`,
        `dataset`, `data_dir`, `iterations`, `num_classes` (0, or the classes
        of a conditional generator, whose image i is of class
        `i % num_classes`) and, for a run folder, `generator_average`
        (whether the run keeps one).
    """
    if os.path.isfile(os.path.join(path, RUN_CONFIG_FILE)):
        model, config = restore_run(path)
        images = evaluation.sample_generator(model, count, seed,
                                             trained_generator=trained_generator)
        return images, {
            "source": path, "dataset": config.dataset, "data_dir": config.data_dir,
            "iterations": model.iterations_done, "num_classes": model.num_classes,
            "generator_average": model.average_generator is not None}
    version_path, images = serving.sample_export(path, range(seed, seed + count))
    metadata = serving.read_metadata(version_path)
    return images, {"source": version_path, "dataset": metadata["dataset"],
                    "data_dir": metadata.get("config", {}).get("data_dir"),
                    "iterations": metadata.get("iterations"),
                    "num_classes": metadata.get("num_classes", 0)}
