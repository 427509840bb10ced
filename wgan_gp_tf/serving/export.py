"""Export a generator as a SavedModel that TensorFlow Serving loads.

Layout: `<export_dir>/<version>/`, integer versions as TF Serving expects. A
version is written in a hidden temporary folder beside it and renamed into
place when complete, so a reader never sees half an export and an existing
version is never overwritten.

Signatures (tag `serve`):
    serving_default: `z` float32 `[batch, latent_dim]` -> `images` float32
        `[batch, H, W, C]` in [0, 1].
    sample: `seed` int64 `[batch]` -> `images`, noise drawn from the
        generator's own prior by a stateless RNG, so a seed always gives the
        same image (negative seeds included).
A class-conditional generator's signatures take a second input, `label`
int64 `[batch]`, the class of each image. A text generator's (exported with
its `symbols`) return `text`, string `[batch]`: the most likely symbol at
each position, joined, padding dropped.
All check their inputs in the graph: an empty batch, another rank, a `z` of
the wrong width or with NaN or infinite values, a label outside
`[0, num_classes)` or a label batch of another size fails with an
`InvalidArgumentError` that says what was expected, in TF Serving as in
Python. TF Serving rejects a wrong dtype itself.

Beside the graph, `assets.extra/model.json` (`client.METADATA_FILE`) describes the
model: latent size and prior, image shape and value range, and whatever the
exporter adds (preset, penalty, iterations trained, metrics at export), and
`assets.extra/tf_serving_warmup_requests` (`warmup`) a few requests per
signature that TF Serving replays when it loads the version.

What is exported is a `WGANGP`'s sampling generator (the average if it keeps
one), with the trainer's noise prior and output range, so any Keras generator
exports; or one of our `wgan_gp_tf.models.Generator`s, which carry both.
"""

import json
import os
import shutil
import uuid

import keras
import tensorflow as tf

from wgan_gp_tf.core import sampling
from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.serving.client import METADATA_FILE, existing_versions
from wgan_gp_tf.serving.warmup import write_warmup

# Second word of the stateless seed `[seed, _SEED_STREAM]` of `sample`.
_SEED_STREAM = 0x5EED

# A version being written: `.partial-<pid of its writer>-<random>`.
_PARTIAL = ".partial-"


def generator_metadata(model, symbols=None):
    """What an export records about the generator of `model`, JSON-ready.

    With `symbols` (a text generator's vocabulary) it records them, the
    sequence length, and string outputs.
    """
    image_shape = list(model.image_shape)
    num_classes = _num_classes(model)
    label = {"label": ["int64", [None]]} if num_classes else {}
    if symbols is None:
        outputs = {"images": ["float32", [None, *image_shape]]}
        shape = {"image_shape": image_shape, "value_range": [0.0, 1.0]}
    else:
        outputs = {"text": ["string", [None]]}
        shape = {"seq_len": image_shape[0], "symbols": list(symbols)}
    return {
        "latent_dim": model.latent_dim,
        "prior": model.prior,
        **shape,
        "num_classes": num_classes,
        "signatures": {
            "serving_default": {"inputs": {"z": ["float32", [None, model.latent_dim]], **label},
                                "outputs": outputs},
            "sample": {"inputs": {"seed": ["int64", [None]], **label}, "outputs": outputs},
        },
    }


def _num_classes(model):
    return int(getattr(model, "num_classes", 0) or 0)


def _checked(batch, name, row_shape):
    """`batch` once the graph has checked it: rank, a non-empty batch of rows
    `row_shape`, and finite values if it is a float tensor.

    TF Serving passes a request's tensor as it comes, whatever the
    signature's shape says, so the checks run in the graph, on a copy whose
    shape the graph does not know: from the declared one, the optimiser would
    otherwise fold the checks and the reshapes away.
    """
    batch = tf.io.parse_tensor(tf.io.serialize_tensor(batch), batch.dtype)
    shape = tf.shape(batch, out_type=tf.int64)
    rank = len(row_shape) + 1
    # Padded so that a tensor of another rank can be indexed before the
    # rank check has failed it.
    padded = tf.concat([shape, tf.zeros([rank], tf.int64)], 0)
    valid = tf.logical_and(tf.equal(tf.size(shape), rank), padded[0] > 0)
    for axis, size in enumerate(row_shape, start=1):
        valid = tf.logical_and(valid, tf.equal(padded[axis], size))
    expected = ", ".join(["batch >= 1", *map(str, row_shape)])
    problem = f"{name} must have shape [{expected}]"
    # Flat, so that no op depends on a rank the checks have not yet confirmed.
    flat = tf.reshape(batch, [-1])
    if batch.dtype.is_floating:
        valid = tf.logical_and(valid, tf.reduce_all(tf.math.is_finite(flat)))
        problem += " and finite values (no NaN or infinity)"
    check = tf.debugging.Assert(valid, [f"{problem}; got shape", shape])
    with tf.control_dependencies([check]):
        return tf.reshape(flat, [-1, *row_shape])


def _checked_labels(labels, num_classes, batch):
    """`labels` once the graph has checked them: `[batch]`, each in `[0, num_classes)`."""
    labels = _checked(labels, "label", [])
    valid = tf.logical_and(
        tf.equal(tf.size(labels, out_type=tf.int64), tf.cast(batch, tf.int64)),
        tf.logical_and(tf.reduce_all(labels >= 0), tf.reduce_all(labels < num_classes)))
    check = tf.debugging.Assert(valid, [
        f"label must hold one class in [0, {num_classes}) per image; got", labels,
        "for a batch of", batch])
    with tf.control_dependencies([check]):
        return tf.identity(labels)


def build_archive(model, symbols=None):
    """A `keras.export.ExportArchive` with the two serving signatures.

    Args:
        model: a `WGANGP`, or a built `wgan_gp_tf.models.Generator`.
        symbols: for a text generator, the string each index of its
            output's last axis stands for; the signatures then return text.

    Returns:
        The archive, ready for `write_out`.
    """
    generator = getattr(model, "sampling_generator", model)
    latent_dim = model.latent_dim
    output_range = model.output_range
    num_classes = _num_classes(model)

    def outputs(z, label):
        """The signatures' outputs for noise that is known to be good."""
        if num_classes:
            inputs = [z, tf.cast(_checked_labels(label, num_classes, tf.shape(z)[0]), tf.int32)]
        else:
            inputs = z
        samples = generator(inputs, training=False)
        if symbols is not None:
            return {"text": _decoded(samples, symbols)}
        return {"images": sampling.to_unit_range(samples, output_range)}

    def generate(z, label=None):
        return outputs(_checked(z, "z", [latent_dim]), label)

    def sample(seed, label=None):
        seed = _checked(seed, "seed", [])
        noise = tf.map_fn(
            lambda one: sampling.stateless_latent(
                model.prior, latent_dim,
                tf.stack([one, tf.constant(_SEED_STREAM, tf.int64)])),
            seed, fn_output_signature=tf.TensorSpec([latent_dim], tf.float32))
        # Drawn from the prior, the noise needs none of the checks of `z`.
        return outputs(noise, label)

    # The declared shapes are what clients and TF Serving's metadata read; the
    # checks inside still run, since TF Serving and the C API pass a request's
    # tensor on whatever shape the signature declares.
    labels = [tf.TensorSpec([None], tf.int64, name="label")] if num_classes else []
    # Not `archive.track(generator)`: it stores every weight a second time, beside
    # the variables the endpoints capture (keras-team/keras#23553).
    archive = keras.export.ExportArchive()
    noise = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    archive.add_endpoint("serving_default", generate, input_signature=[noise, *labels])
    seeds = tf.TensorSpec([None], tf.int64, name="seed")
    archive.add_endpoint("sample", sample, input_signature=[seeds, *labels])
    return archive


def _decoded(rows, symbols):
    """Rows `[B, seq_len, vocabulary]` as strings `[B]`: each position's likeliest symbol."""
    indices = tf.argmax(rows, axis=-1)
    return tf.strings.reduce_join(tf.gather(tf.constant(list(symbols)), indices), axis=-1)


def export_generator(model, export_dir, metadata=None, symbols=None):
    """Writes the next version of a generator under `export_dir`, atomically.

    Args:
        model: a `WGANGP` (its `sampling_generator` is exported), or a built
            `wgan_gp_tf.models.Generator`.
        export_dir: base folder; created if missing.
        metadata: a JSON-ready dict added to `generator_metadata(model)` in
            the version's `model.json`.
        symbols: a text generator's vocabulary, index by index (see
            `build_archive`).

    Returns:
        The path of the new version folder.

    Raises:
        ConfigError: `export_dir` is a version folder itself, or holds
            numbered folders that are not SavedModels (TF Serving would try
            to load them).
    """
    check_export_dir(export_dir)
    os.makedirs(export_dir, exist_ok=True)
    _remove_abandoned_partials(export_dir)
    archive = build_archive(model, symbols)
    temporary = os.path.join(export_dir, f"{_PARTIAL}{os.getpid()}-{uuid.uuid4().hex}")
    try:
        archive.write_out(temporary, verbose=False)
        write_json_asset(temporary, METADATA_FILE,
                         {**generator_metadata(model, symbols), **(metadata or {})})
        write_warmup(temporary, model.latent_dim, _num_classes(model))
        while True:
            versions = existing_versions(export_dir)
            path = os.path.join(export_dir, str(versions[-1] + 1 if versions else 1))
            try:
                os.rename(temporary, path)
                return path
            except OSError:
                if not os.path.exists(path):
                    raise
                # Another exporter took this version first; take the next.
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def check_export_dir(export_dir):
    """Raises `ConfigError` if new versions cannot go into `export_dir` (see `export_generator`)."""
    if os.path.isfile(os.path.join(export_dir, "saved_model.pb")):
        raise ConfigError(
            f"{export_dir} is a SavedModel version itself; export into the folder that holds "
            f"the versions, {os.path.dirname(os.path.abspath(export_dir))}")
    strays = [str(version) for version in existing_versions(export_dir)
              if not os.path.isfile(os.path.join(export_dir, str(version), "saved_model.pb"))]
    if strays:
        raise ConfigError(
            f"{export_dir} holds numbered folders that are not SavedModels: "
            f"{', '.join(strays)}; TF Serving would try to load them as versions: move them "
            f"out, or export elsewhere")


def _remove_abandoned_partials(export_dir):
    """Removes the temporary folders of exporters that died before renaming them."""
    for name in os.listdir(export_dir):
        if not name.startswith(_PARTIAL):
            continue
        owner = name[len(_PARTIAL):].split("-", 1)[0]
        if owner.isdigit() and _alive(int(owner)):
            continue
        shutil.rmtree(os.path.join(export_dir, name), ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_json_asset(saved_model_path, relative_path, content):
    """Writes `content` as JSON at `relative_path` inside a SavedModel folder."""
    path = os.path.join(saved_model_path, relative_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=2, sort_keys=True)
        file.write("\n")
