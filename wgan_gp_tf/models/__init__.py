"""Critic and generator architectures, as Keras subclassed models.

A critic maps images `[B, H, W, C]` to float32 scores `[B, 1]` with no output
activation. A generator maps noise `[B, latent_dim]` to float32 images
`[B, H, W, C]` in its `output_range`, and carries its own noise prior, so that
sampling and the exported SavedModel need nothing but the generator. Under
mixed precision the layers compute in float16 or bfloat16, but the scores and
images (and so every penalty and norm) stay float32. Text networks
(`wgan_gp_tf.models.text`) take and make rows `[B, seq_len, vocabulary]`:
one-hot lines, or a softmax over the characters at each position.
"""

from wgan_gp_tf.models.architectures import (
    REGISTRY,
    Architecture,
    build,
    build_generator,
    get,
    names,
)
from wgan_gp_tf.models.catalog import CRITIC_NORMS, PRECISION_POLICIES, PRECISIONS
from wgan_gp_tf.models.conditional import ConditionalBatchNormalization
from wgan_gp_tf.models.dcgan import DCGANCritic, DCGANGenerator, sized_filters
from wgan_gp_tf.models.generator import Generator
from wgan_gp_tf.models.mlp import MLPCritic, MLPGenerator
from wgan_gp_tf.models.resnet import ResNetCritic, ResNetGenerator
from wgan_gp_tf.models.text import RecurrentCritic, TextResNetCritic, TextResNetGenerator

__all__ = ["CRITIC_NORMS", "PRECISIONS", "PRECISION_POLICIES", "REGISTRY", "Architecture",
           "ConditionalBatchNormalization", "DCGANCritic", "DCGANGenerator", "Generator",
           "MLPCritic", "MLPGenerator", "RecurrentCritic", "ResNetCritic", "ResNetGenerator",
           "TextResNetCritic", "TextResNetGenerator", "build", "build_generator", "get", "names",
           "sized_filters"]
