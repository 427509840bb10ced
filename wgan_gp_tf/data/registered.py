"""Registers the built-in data sets under the names `wgan_gp_tf.data.catalog` declares."""

from wgan_gp_tf.data.catalog import DATASETS
from wgan_gp_tf.data.sources import IMAGE_SOURCES
from wgan_gp_tf.data.text import TextSource
from wgan_gp_tf.data.toys import TOY_SOURCES

DATASETS.register_all((*IMAGE_SOURCES, *TOY_SOURCES, TextSource()))
