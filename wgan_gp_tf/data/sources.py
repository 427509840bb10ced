"""A data set as one object: its shape, where it lies, how to load and stream it.

Every data set the configs can name is a `DataSource`: an `ImageSource`
here (IDX files, image folders, tensorflow-datasets), a `ToySource`
(`wgan_gp_tf.data.toys`) or a `TextSource` (`wgan_gp_tf.data.text`). A source
is told once where its files lie (`reading(data_dir)`); a run then asks it
for the training stream and whether the generator is exported. How samples
of it are judged and drawn is `wgan_gp_tf.evaluation.judging`'s business.
"""

import abc
import dataclasses

import numpy as np

from wgan_gp_tf.data import idx, local_copies, stream, tfds
from wgan_gp_tf.data.image_folder import IMAGE_EXTENSIONS, ImageFolder, class_names
from wgan_gp_tf.errors import ConfigError, DataError


class DataSource(abc.ABC):
    """A data set: its sample shape and training stream.

    Attributes:
        name: the name `--dataset` takes.
        shape: one sample's shape, `(H, W, C)`, `(D,)` for points, or
            `(seq_len, vocabulary)` for text.
        makes: `"images"`, `"points"` or `"text"`.
        exportable: whether a generator trained on it is exported for serving.
    """

    name: str
    shape: tuple[int, ...]
    makes: str
    exportable: bool

    def reading(self, data_dir):
        """This data set read from `data_dir`; most data sets read nothing and ignore it.

        An image set reads its files there (`None`: a copy the user already
        has, else tensorflow-datasets); text reads its corpus at once, since
        its characters make the vocabulary.
        """
        del data_dir
        return self

    def class_names(self):
        """The names of the labels' classes, in label order; empty if unlabelled.

        Raises:
            DataError: a folder asked for its classes has fewer than two
                sub-folders.
        """
        return ()

    @abc.abstractmethod
    def training_data(self, *, batch_size, skip_bad_images=False, cache_images=False,
                      labelled=False):
        """The training data, ready to stream (`TrainingData`).

        Args:
            batch_size: samples per batch, which the data must fill.
            skip_bad_images, cache_images: for image folders.
            labelled: stream each batch with its labels, for conditional
                training.

        Raises:
            DataError: the data cannot be found or read, holds fewer samples
                than one batch, or has no labels that were asked for.
        """

    def sized(self, image_size=0, channels=0, seq_len=0):
        """This data set with images of `image_size` and `channels`, or lines of `seq_len`.

        Only an image folder resizes, and only text takes a `seq_len`; any
        other data set is itself at 0.

        Raises:
            ConfigError: a size for a data set of fixed shape.
        """
        if seq_len:
            raise ConfigError(f"--seq_len sets the length of text samples; {self.name} holds "
                              f"{self.makes}")
        if image_size or channels:
            raise ConfigError(
                f"{self.name} {self.makes} have shape {'x'.join(map(str, self.shape))}; "
                f"--image_size and --channels resize an image folder: pass --dataset=folder")
        return self


class TrainingData(abc.ABC):
    """Training samples that stream as the real batches of one iteration per element."""

    @abc.abstractmethod
    def batches(self, *, batch_size, per_iteration, seed, value_range, start_iteration=0):
        """The infinite stream of float32 `[per_iteration, batch_size, *shape]`, from a seed."""

    @abc.abstractmethod
    def description(self):
        """What the data is, for the lines a run starts with ("60,000 images of 28x28x1")."""

    def explain_read_failure(self):  # noqa: B027 (optional: most data cannot fail to read)
        """Raises a `DataError` naming what failed to read, if it can tell."""


@dataclasses.dataclass(frozen=True)
class ImageTrainingData(TrainingData):
    """Images in memory (uint8 `[N, H, W, C]`) or an `ImageFolder` decoded as read.

    With `labels` (int `[N]`, one per image) the stream yields
    `(images, labels)` pairs, for conditional training.
    """

    images: object
    labels: object = None

    def batches(self, *, batch_size, per_iteration, seed, value_range, start_iteration=0):
        return stream.training_batches(self.images, batch_size=batch_size,
                                       per_iteration=per_iteration,
                                       seed=seed, value_range=value_range,
                                       start_iteration=start_iteration, labels=self.labels)

    def description(self):
        if isinstance(self.images, ImageFolder):
            return (f"{len(self.images):,} image files cropped and resized to "
                    f"{'x'.join(map(str, self.images.shape))}")
        return f"{len(self.images):,} images of {'x'.join(map(str, self.images.shape[1:]))}"

    def explain_read_failure(self):
        if isinstance(self.images, ImageFolder):
            self.images.raise_if_undecodable()


@dataclasses.dataclass(frozen=True)
class ImageSource(DataSource):
    """An image data set from tensorflow-datasets, IDX files or a folder of images.

    Attributes:
        name: the name `--dataset` takes, and its tensorflow-datasets name.
        shape: `(H, W, C)`.
        data_dir_holds: what `--data_dir` points at: `"idx"` (a folder of the
            four MNIST-format IDX files, train and test) or `"images"` (any
            folder of image files, cropped and resized to `shape`; no test
            split).
        in_tfds: whether tensorflow-datasets has it, so that `data_dir` may
            be left out.
        any_size: whether `sized` may give it another shape.
        classes: the names of its labels' classes, in label order (none:
            unlabelled). A folder of images read from `--data_dir` is
            labelled by its sub-folders instead.
        data_dir: where its files lie (see `data_dir_holds`), or `None` for a
            copy the user already has (`local_copies`), else
            tensorflow-datasets; set by `reading`.
    """

    name: str
    shape: tuple[int, int, int]
    data_dir_holds: str
    in_tfds: bool = True
    any_size: bool = False
    classes: tuple[str, ...] = ()
    data_dir: str | None = None
    makes = "images"
    exportable = True

    def sized(self, image_size=0, channels=0, seq_len=0):
        """This data set at `image_size` x `image_size` x `channels` (0: its own).

        Raises:
            ConfigError: a size or channel count for a data set of fixed shape,
                an image size under 8 or channels other than 1 or 3, or a
                `seq_len`.
        """
        if seq_len:
            return super().sized(seq_len=seq_len)
        height, _, own_channels = self.shape
        shape = (image_size or height, image_size or height, channels or own_channels)
        if shape == self.shape:
            return self
        if not self.any_size:
            return super().sized(image_size, channels)
        if shape[0] < 8 or shape[2] not in (1, 3):
            raise ConfigError(f"an image folder trains at --image_size of 8 or more and "
                              f"--channels of 1 or 3, not {shape[0]} and {shape[2]}")
        return dataclasses.replace(self, shape=shape)

    def reading(self, data_dir):
        return dataclasses.replace(self, data_dir=data_dir)

    def reads_folder(self):
        """Whether `data_dir` is a folder of image files for this data set."""
        return bool(self.data_dir) and self.data_dir_holds == "images"

    def training_data(self, *, batch_size, skip_bad_images=False, cache_images=False,
                      labelled=False):
        labels = None
        if self.reads_folder():
            images = ImageFolder.scan(self.data_dir, self.shape, skip_bad_images)
            if labelled:
                labels = images.labels(self.data_dir)
            if cache_images:
                images = images.load()
        else:
            images, labels = self.load("train")
        stream.require_a_batch(len(images), batch_size)
        return ImageTrainingData(images, labels if labelled else None)

    def class_names(self):
        if self.reads_folder():
            return tuple(class_names(self.data_dir))
        return self.classes

    def load(self, split="train"):
        """A split in memory: `(images uint8 [N, H, W, C], labels int [N])`.

        Args:
            split: `"train"` or `"test"`.

        Returns:
            Images and labels; labels are -1 where the data set has none.

        Raises:
            DataError: the data cannot be found or read, an image folder is
                asked for a test split, or the images have another shape.
        """
        data_dir = self.data_dir
        if not data_dir and not self.in_tfds:
            raise DataError(f"{self.name} reads a folder of images: pass "
                            f"--data_dir=<folder of {'/'.join(IMAGE_EXTENSIONS)} files>")
        if self.reads_folder():
            if split != "train":
                raise DataError(f"an image folder has no {split!r} split or labels; "
                                f"{self.name} from {data_dir} can only be trained on")
            images = ImageFolder.scan(data_dir, self.shape).load()
            return images, np.full(len(images), -1)
        if data_dir:
            images, labels = idx.load_idx_folder(data_dir, split)
        elif copy := local_copies.find(self.name):
            images, labels = local_copies.load(copy, split)
        else:
            offline = (local_copies.how_to_get(self.name) if self.data_dir_holds == "idx"
                       else f"pass --data_dir=<folder of {self.name} images>")
            images, labels = tfds.load_tfds(self.name, split, self.shape, offline)
        if images.shape[1:] != self.shape:
            raise DataError(
                f"{self.name} images must be {'x'.join(map(str, self.shape))}, but "
                f"{data_dir or 'the tfds data'} holds "
                f"{'x'.join(map(str, images.shape[1:]))} images; point --data_dir "
                f"at the {self.name} files or choose the matching --dataset")
        return images, labels


IMAGE_SOURCES = (
    ImageSource("mnist", (28, 28, 1), "idx", classes=tuple("0123456789")),
    ImageSource("fashion_mnist", (28, 28, 1), "idx",
                classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot")),
    ImageSource("celeb_a", (64, 64, 3), "images"),
    ImageSource("cifar10", (32, 32, 3), "images",
                classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                         "horse", "ship", "truck")),
    # Any folder of images, at --image_size and --channels.
    ImageSource("folder", (64, 64, 3), "images", in_tfds=False, any_size=True),
)
