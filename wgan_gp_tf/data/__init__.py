"""The data sets, one `DataSource` each, found by name.

    source = wgan_gp_tf.data.get("mnist").reading("MNIST_data")
    images, labels = source.load("train")                     # uint8 [N, 28, 28, 1]
    batches = source.training_data(batch_size=64).batches(...)  # the training stream

Image sets come from tensorflow-datasets, from a folder of IDX files (MNIST,
Fashion-MNIST) or from any folder of images (CelebA, CIFAR-10); the toy
problems are drawn in the graph; text is read from any UTF-8 file or
folder (`wgan_gp_tf.data.text`). A data set knows no model and no yardstick:
`wgan_gp_tf.evaluation.evaluator_for(source)` judges samples of it.
"""

from wgan_gp_tf.data.catalog import DATASETS
from wgan_gp_tf.data.image_folder import IMAGE_EXTENSIONS, ImageFolder
from wgan_gp_tf.data.sources import DataSource, ImageSource, TrainingData
from wgan_gp_tf.data.stream import training_batches
from wgan_gp_tf.data.text import TextSource
from wgan_gp_tf.data.toys import ToySource

__all__ = ["IMAGE_EXTENSIONS", "DataSource", "ImageFolder", "ImageSource", "TextSource",
           "ToySource", "TrainingData", "get", "names", "training_batches"]

REGISTRY = DATASETS
names = REGISTRY.names
get = REGISTRY.get
