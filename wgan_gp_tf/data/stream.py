"""The training stream of an image data set: an iteration's real batches per element.

Its order depends only on the seed, so a resumed run sees the same data as an
uninterrupted one, and an image folder gives the same stream cached or not.
"""

import tensorflow as tf

from wgan_gp_tf.data.image_folder import ImageFolder
from wgan_gp_tf.errors import DataError


def require_a_batch(count, batch_size, what="images"):
    """Raises `DataError` if `count` samples (`what`: images, lines) do not fill one batch."""
    if count < batch_size:
        raise DataError(
            f"only {count:,} training {what}, fewer than one batch of "
            f"{batch_size}; use a smaller --batch_size or more data")


def training_batches(images, *, batch_size, per_iteration, seed,
                     value_range=(0.0, 1.0), start_iteration=0, labels=None, to_samples=None):
    """The training stream: one element of `per_iteration` real batches per iteration.

    Batches are drawn like the original's `mnist.train.next_batch`: each data
    epoch is a fresh permutation cut into batches without replacement (a
    remainder smaller than a batch is left out of that epoch).

    Args:
        images: uint8 array `[N, H, W, C]`, or an `ImageFolder`.
        batch_size: examples per batch.
        per_iteration: batches per element (the trainer's
            `real_batches_per_iteration`: one per critic update, and one per
            generator update if its loss scores real samples).
        seed: int; the order of the whole stream depends on it alone.
        value_range: `(low, high)` that pixel values 0 and 255 map to.
        start_iteration: skip the elements of the iterations before this one,
            so that a resumed run continues the same stream.
        labels: the images' int labels `[N]`, for a conditional trainer.
        to_samples: maps a gathered batch to float32 samples instead of
            scaling pixels to `value_range` (text: one-hot rows of indices).

    Returns:
        An infinite `tf.data.Dataset` of float32 `[per_iteration, batch_size, H, W, C]`,
        or with `labels` of pairs of them and int32 `[per_iteration, batch_size]`.

    Raises:
        DataError: fewer images than one batch.
    """
    count = len(images)
    require_a_batch(count, batch_size)
    batches_per_epoch = count // batch_size
    first_epoch, first_batch = divmod(start_iteration * per_iteration,
                                      batches_per_epoch)
    low, high = value_range

    def epoch_batches(epoch):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([tf.cast(seed, tf.int64), epoch]))
        order = tf.reshape(order[:batches_per_epoch * batch_size],
                           [batches_per_epoch, batch_size])
        return tf.data.Dataset.from_tensor_slices(order)

    def scale(batch, batch_labels=None):
        if to_samples is None:
            samples = tf.cast(batch, tf.float32) * ((high - low) / 255.0) + low
        else:
            samples = to_samples(batch)
        return samples if batch_labels is None else (samples, batch_labels)

    classes = None if labels is None else tf.constant(labels, tf.int32)

    index_batches = (tf.data.Dataset.counter(first_epoch)
                     .flat_map(epoch_batches)
                     .skip(first_batch))
    if isinstance(images, ImageFolder):
        indices = index_batches.unbatch()
        decoded = images.decoded(indices)
        if classes is not None:
            decoded = tf.data.Dataset.zip(decoded, indices.map(lambda i: tf.gather(classes, i)))
        batches = (decoded.batch(batch_size).batch(per_iteration, drop_remainder=True)
                   .map(scale, num_parallel_calls=tf.data.AUTOTUNE))
    else:
        # In memory, one map gathers and scales: this stream feeds every step.
        pixels = tf.constant(images)

        def gather(indices):
            if classes is None:
                return scale(tf.gather(pixels, indices))
            return scale(tf.gather(pixels, indices), tf.gather(classes, indices))

        batches = index_batches.batch(per_iteration, drop_remainder=True).map(
            gather, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)
