"""What `WGANGP.fit` accepts, turned into one element per iteration.

An iteration needs fresh real batches, one per critic update (and one per
generator update if the loss scores real samples there: the trainer's
`real_batches_per_iteration`), so every input becomes a stream of float32
`[per_iteration, batch, ...]` elements: arrays are shuffled and cut into
batches, datasets of batches are grouped `per_iteration` at a time, and
datasets that already yield iterations pass through.
For a conditional trainer each element is a pair, `(images, labels)` with
int32 labels `[per_iteration, batch]`.
"""

import numpy as np
import tensorflow as tf

# Keras's default batch size.
DEFAULT_BATCH_SIZE = 32

# tf.data's autotuning thread holds up the release of fit's iterator, at the
# garbage collection after `fit` or at exit, by up to its optimisation period,
# which a user waits for at the end of every run: one element per iteration
# needs no tuning, and AUTOTUNE parallelism then means every core.
_WITHOUT_AUTOTUNE = tf.data.Options()
_WITHOUT_AUTOTUNE.autotune.enabled = False


def iteration_stream(x, y=None, *, batch_size, per_iteration, shuffle, seed, sample_shape,
                     epochs=1, initial_epoch=0, num_classes=0):
    """One element per iteration: float32 `[per_iteration, batch, *sample_shape]` (and labels).

    Args:
        x: real samples `[N, *sample_shape]` (a NumPy array or tensor); or a
            `tf.data.Dataset` of batches `[B, *sample_shape]`, or of tuples
            whose first item is such a batch; or a dataset of iterations
            `[per_iteration, B, *sample_shape]`, whose elements pass unchanged;
            or a distributed dataset, returned as it is.
        y: with `num_classes`, the int labels `[N]` of an array `x`.
        batch_size: samples per batch, for arrays (default 32); datasets
            are batched already.
        per_iteration: batches per iteration.
        shuffle: for arrays, draw each epoch's batches from a new
            permutation.
        seed: seeds the permutations: epoch e's depends on `(seed, e)`
            alone, whatever the graph, the replicas or an earlier `fit`.
        sample_shape: the shape of one generated sample, which real ones
            must have.
        epochs: for arrays, the epoch to end before.
        initial_epoch: for arrays, the epoch to start at.
        num_classes: 0, or the classes of a conditional trainer: elements
            are then `(images, labels)`, from `(x, y)` or from a dataset of
            `(batch, labels)` pairs.

    Returns:
        `(stream, iterations per epoch)`: for arrays, one stream over the
        epochs `[initial_epoch, epochs)`, one pass over the data each; for
        datasets, the grouped dataset and `None`. Every stream but a
        distributed dataset has tf.data's autotuning off.

    Raises:
        ValueError: samples of another shape, integer samples (not yet
            scaled), NaN or infinite values in an array, fewer samples than
            one iteration, `batch_size` with a dataset, or for a conditional
            trainer missing labels or labels outside `[0, num_classes)`.
    """
    if isinstance(x, tf.distribute.DistributedDataset):
        return x, None
    if isinstance(x, tf.data.Dataset):
        if batch_size is not None:
            raise ValueError("batch_size does not apply to a tf.data.Dataset, whose elements "
                             "are batches already; batch the dataset instead")
        stream, iterations = _dataset_stream(x, per_iteration, sample_shape, num_classes), None
    else:
        labels = _checked_labels(y, x, num_classes) if num_classes else None
        stream, iterations = _array_stream(x, labels, batch_size or DEFAULT_BATCH_SIZE,
                                           per_iteration, shuffle, seed, sample_shape,
                                           range(initial_epoch, epochs))
    return stream.with_options(_WITHOUT_AUTOTUNE), iterations


def split_labels(data, num_classes, per_iteration):
    """`(real_batches, labels)` of a train step's element; `labels` is `None` if unconditional.

    Raises:
        ValueError: a conditional element that is not an `(images, labels)`
            pair, or batches that are not `[per_iteration, batch, ...]`.
    """
    batches, labels = data, None
    if num_classes:
        if not isinstance(data, tuple | list) or len(data) != 2:
            raise ValueError("a conditional WGANGP (num_classes set) trains on (images, labels) "
                             "iterations: pass fit(x, y) or a dataset of (batch, labels) pairs")
        batches, labels = data
    # A multi-worker input pipeline leaves the leading dimension unknown.
    if batches.shape[0] not in (None, per_iteration):
        raise ValueError(f"each training element must hold the iteration's {per_iteration} "
                         f"real batches [{per_iteration}, batch, ...] (n_critic, and n_generator "
                         f"for a loss that scores real samples there); got shape "
                         f"{batches.shape}")
    return batches, labels


def refuse_targets(**arguments):
    """Raises `ValueError` for any of `fit`'s validation and weighting `arguments` given."""
    for name, value in arguments.items():
        if value is not None:
            raise ValueError(f"WGANGP.fit does not take {name}: a GAN has no targets "
                             f"to validate or weight")


def _checked_labels(y, x, num_classes):
    if y is None:
        raise ValueError(f"a conditional WGANGP (num_classes={num_classes}) needs the labels "
                         f"of its samples: fit(x, y)")
    labels = np.asarray(y.numpy() if isinstance(y, tf.Tensor) else y)
    if labels.ndim != 1 or len(labels) != len(x) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"y must hold one int label per sample, shape [{len(x)}]; got "
                         f"{labels.dtype} {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}); y holds "
                         f"{labels.min()} to {labels.max()}")
    return tf.constant(labels, tf.int32)


def _array_stream(x, labels, batch_size, per_iteration, shuffle, seed, sample_shape, epochs):
    if x is None:
        raise ValueError("WGANGP.fit needs real samples: an array, a tensor or a "
                         "tf.data.Dataset")
    values = x.numpy() if isinstance(x, tf.Tensor) else np.asarray(x)
    _check_samples(values.dtype, values.shape[1:], sample_shape, "x")
    finite = np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if not finite.all():
        raise ValueError(f"x holds NaN or infinite values in {np.sum(~finite):,} of its "
                         f"{len(values):,} samples (the first is sample "
                         f"{np.argmin(finite):,}); drop or repair them before fit")
    count = len(values)
    if count < batch_size * per_iteration:
        batches = "batch" if per_iteration == 1 else f"{per_iteration} batches"
        raise ValueError(
            f"{count} samples are fewer than one iteration's {batches} "
            f"of {batch_size}; pass more samples or a smaller batch_size")
    samples = tf.constant(values, tf.float32)
    iterations = count // (batch_size * per_iteration)

    def epoch_iterations(epoch):
        order = tf.range(count, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        used = iterations * per_iteration * batch_size
        return tf.data.Dataset.from_tensor_slices(
            tf.reshape(order[:used], [iterations, per_iteration, batch_size]))

    def gather(batches):
        if labels is None:
            return tf.gather(samples, batches)
        return tf.gather(samples, batches), tf.gather(labels, batches)

    stream = (tf.data.Dataset.range(epochs.start, epochs.stop)
              .flat_map(epoch_iterations)
              .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
              .prefetch(tf.data.AUTOTUNE))
    return stream, iterations


def _dataset_stream(dataset, per_iteration, sample_shape, num_classes):
    if num_classes:
        return _labelled_dataset_stream(dataset, per_iteration, sample_shape)
    if isinstance(dataset.element_spec, tuple | list):
        dataset = dataset.map(lambda *items: items[0])
    spec = dataset.element_spec
    if not isinstance(spec, tf.TensorSpec):
        raise ValueError(f"WGANGP.fit takes a dataset of sample batches or of (batch, labels) "
                         f"tuples; got elements {spec}")
    rank = len(sample_shape)
    if spec.shape.rank == rank + 2:
        _check_samples(spec.dtype, spec.shape[2:], sample_shape, "the dataset's iterations")
        return dataset
    _check_samples(spec.dtype, spec.shape[1:], sample_shape, "the dataset's batches")
    if spec.dtype != tf.float32:
        dataset = dataset.map(lambda batch: tf.cast(batch, tf.float32))
    # Batches of one size go together; a smaller last batch finds no partners.
    return dataset.group_by_window(
        key_func=lambda batch: tf.shape(batch, out_type=tf.int64)[0],
        reduce_func=lambda size, batches: batches.batch(per_iteration, drop_remainder=True),
        window_size=per_iteration)


def _labelled_dataset_stream(dataset, per_iteration, sample_shape):
    spec = dataset.element_spec
    if not (isinstance(spec, tuple | list) and len(spec) == 2
            and all(isinstance(item, tf.TensorSpec) for item in spec)):
        raise ValueError(f"a conditional WGANGP trains on a dataset of (batch, labels) pairs; "
                         f"got elements {spec}")
    images, labels = spec
    if not labels.dtype.is_integer:
        raise ValueError(f"the dataset's labels must be integers, not {labels.dtype.name}")
    rank = len(sample_shape)
    to_pairs = lambda batch, label: (tf.cast(batch, tf.float32), tf.cast(label, tf.int32))  # noqa: E731
    if images.shape.rank == rank + 2:
        _check_samples(images.dtype, images.shape[2:], sample_shape, "the dataset's iterations")
        return dataset.map(to_pairs)
    _check_samples(images.dtype, images.shape[1:], sample_shape, "the dataset's batches")
    return dataset.map(to_pairs).group_by_window(
        key_func=lambda batch, label: tf.shape(batch, out_type=tf.int64)[0],
        reduce_func=lambda size, batches: batches.batch(per_iteration, drop_remainder=True),
        window_size=per_iteration)


def _check_samples(dtype, shape, sample_shape, what):
    shape = tuple(shape)
    if len(shape) != len(sample_shape) or any(
            size is not None and size != expected for size, expected in zip(
                shape, sample_shape, strict=True)):
        raise ValueError(f"{what} hold samples of shape {shape}, but the generator makes "
                         f"{tuple(sample_shape)}; reshape them to match (e.g. x[..., None] "
                         f"adds a channel axis)")
    if not tf.as_dtype(dtype).is_floating:
        raise ValueError(f"{what} hold {tf.as_dtype(dtype).name} values; scale them to the "
                         f"generator's output range first, e.g. x.astype('float32') / 255 "
                         f"for a sigmoid generator")
