"""Export a generator as a SavedModel that TensorFlow Serving loads.

Layout: `<export_dir>/<version>/`, integer versions as TF Serving expects. A
version is written in a hidden temporary folder beside it and renamed into
place when complete, so a reader never sees half an export and an existing
version is never overwritten.

Signatures (tag `serve`):
    serving_default: `z` float32 `[None, latent_dim]` -> `images` float32
        `[None, H, W, C]` in [0, 1].
    sample: `seed` int64 `[None]` -> `images`, noise drawn from the
        generator's own prior by a stateless RNG, so a seed always gives the
        same image.
"""

import os
import re
import shutil
import uuid

import keras
import tensorflow as tf

from wgan_gp_tf import models

# Second word of the stateless seed `[seed, _SEED_STREAM]` of `sample`.
_SEED_STREAM = 0x5EED

_VERSION_PATTERN = re.compile(r"^[0-9]+$")


def existing_versions(export_dir):
    """The integer version folders in `export_dir`, ascending."""
    if not os.path.isdir(export_dir):
        return []
    return sorted(int(name) for name in os.listdir(export_dir)
                  if _VERSION_PATTERN.match(name)
                  and os.path.isdir(os.path.join(export_dir, name)))


def build_archive(generator):
    """A `keras.export.ExportArchive` with the two serving signatures.

    Args:
        generator: a built `wgan_gp_tf.models.Generator`.

    Returns:
        The archive, ready for `write_out`.
    """
    latent_dim = generator.latent_dim

    def generate(z):
        images = generator(z, training=False)
        return {"images": generator.to_unit_range(images)}

    def sample(seed):
        noise = tf.map_fn(
            lambda one: models.stateless_latent(
                generator.prior, latent_dim,
                tf.stack([one, tf.constant(_SEED_STREAM, tf.int64)])),
            seed, fn_output_signature=tf.TensorSpec([latent_dim], tf.float32))
        return generate(noise)

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint(
        "serving_default", generate,
        input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")])
    archive.add_endpoint(
        "sample", sample,
        input_signature=[tf.TensorSpec([None], tf.int64, name="seed")])
    return archive


def export_generator(generator, export_dir):
    """Writes the next version of `generator` under `export_dir`, atomically.

    Args:
        generator: a built `wgan_gp_tf.models.Generator`.
        export_dir: base folder; created if missing.

    Returns:
        The path of the new version folder.
    """
    os.makedirs(export_dir, exist_ok=True)
    archive = build_archive(generator)
    temporary = os.path.join(export_dir, f".partial-{uuid.uuid4().hex}")
    try:
        archive.write_out(temporary, verbose=False)
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
