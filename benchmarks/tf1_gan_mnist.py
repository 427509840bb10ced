"""A TensorFlow 1 graph replica of the WGAN-GP paper's gan_mnist.py (wgan-gp mode).

The yardstick of `scripts/benchmark.py --preset=mnist_dcgan`, as
`benchmarks.tf1_baseline` is for `mnist_mlp`: igul222/improved_wgan_training's
networks (DIM 64, tflib's initialisers), squared penalty at lambda 10, Adam(1e-4,
0.5, 0.9) for both, batch 50, five critic updates per generator update, run the
way the script runs: one `Session.run` per update, real batches fed from NumPy,
noise drawn in the graph, and every 100 iterations the critic's cost over the
whole dev set and a grid of 128 samples of fixed noise.

What differs, and why: the original computes in NCHW, which TensorFlow's CPU
kernels do not take, so this graph is NHWC (the generator's first reshape and
the critic's last one read the same numbers in another order, which changes no
cost); tflib's loss plots are not drawn; MNIST is the IDX files, of which the
first 50,000 training images train and the last 10,000 are the dev set, as
tflib's mnist.pkl.gz splits them.

    python -m benchmarks.tf1_gan_mnist --data_dir=../shared/data/mnist --iterations=300
"""

import os

import numpy as np
import tensorflow as tf

from benchmarks.evaluations import Evaluations
from benchmarks.tf1_baseline import NextBatch

v1 = tf.compat.v1

DIM = 64
LATENT_DIM = 128
# The training images, of the 60,000, that tflib's mnist.pkl.gz trains on.
TRAIN_IMAGES = 50_000


def _uniform(rng, stdev, shape):
    return rng.uniform(-stdev * np.sqrt(3), stdev * np.sqrt(3), shape).astype(np.float32)


class _Parameters:
    """tflib's `Linear`, `Conv2D` and `Deconv2D` weights, drawn from one NumPy generator."""

    def __init__(self, rng):
        self._rng = rng
        self.critic, self.generator = [], []

    def linear(self, owner, fan_in, fan_out, he=False):
        # tflib: 'he' is sqrt(2 / fan_in), its default ('glorot') sqrt(2 / (in + out)).
        stdev = np.sqrt(2.0 / fan_in) if he else np.sqrt(2.0 / (fan_in + fan_out))
        return self._pair(owner, _uniform(self._rng, stdev, (fan_in, fan_out)), fan_out)

    def conv(self, owner, channels_in, channels_out, stride=2, size=5):
        fan_in, fan_out = channels_in * size**2, channels_out * size**2 / stride**2
        filters = _uniform(self._rng, np.sqrt(4.0 / (fan_in + fan_out)),
                           (size, size, channels_in, channels_out))
        return self._pair(owner, filters, channels_out)

    def deconv(self, owner, channels_in, channels_out, size=5):
        fan_in, fan_out = channels_in * size**2 / 4, channels_out * size**2
        filters = _uniform(self._rng, np.sqrt(4.0 / (fan_in + fan_out)),
                           (size, size, channels_out, channels_in))
        return self._pair(owner, filters, channels_out)

    def _pair(self, owner, weights, outputs):
        pair = (tf.Variable(weights), tf.Variable(tf.zeros([outputs])))
        owner.extend(pair)
        return pair


class PaperMNISTGANGP:
    """gan_mnist.py's wgan-gp mode as a TF1 graph and session.

    Args:
        images: uint8 `[N, 28, 28, 1]`, the training images.
        seed: seeds the initial weights, the graph's draws and the batches.
        batch_size: the original's 50.
    """

    def __init__(self, images, seed=0, batch_size=50):
        self.batch_size = batch_size
        rng = np.random.default_rng(seed)
        flat = images.reshape(len(images), -1).astype(np.float32) / 255.0
        self._next_batch = NextBatch(flat, rng)
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(seed)
            parameters = _Parameters(rng)
            self._build(parameters, rng)
            self.critic_variables = parameters.critic
            self.generator_variables = parameters.generator
            self.session = v1.Session(graph=self.graph)
            self.session.run(v1.global_variables_initializer())

    def _build(self, parameters, rng):
        generator_input = parameters.linear(parameters.generator, LATENT_DIM, 4 * 4 * 4 * DIM)
        deconvs = [parameters.deconv(parameters.generator, 4 * DIM, 2 * DIM),
                   parameters.deconv(parameters.generator, 2 * DIM, DIM),
                   parameters.deconv(parameters.generator, DIM, 1)]
        convs = [parameters.conv(parameters.critic, 1, DIM),
                 parameters.conv(parameters.critic, DIM, 2 * DIM),
                 parameters.conv(parameters.critic, 2 * DIM, 4 * DIM)]
        critic_output = parameters.linear(parameters.critic, 4 * 4 * 4 * DIM, 1)

        def deconv(x, weights):
            filters, biases = weights
            shape = tf.shape(x)
            out = tf.stack([shape[0], 2 * shape[1], 2 * shape[2], filters.shape[2]])
            return tf.nn.bias_add(v1.nn.conv2d_transpose(x, filters, out, [1, 2, 2, 1],
                                                         padding="SAME"), biases)

        def generator(noise):
            x = tf.nn.relu(tf.matmul(noise, generator_input[0]) + generator_input[1])
            x = tf.reshape(x, [-1, 4, 4, 4 * DIM])
            x = tf.nn.relu(deconv(x, deconvs[0]))[:, :7, :7, :]
            x = tf.nn.relu(deconv(x, deconvs[1]))
            return tf.reshape(tf.sigmoid(deconv(x, deconvs[2])), [-1, 784])

        def critic(samples):
            x = tf.reshape(samples, [-1, 28, 28, 1])
            for filters, biases in convs:
                x = tf.nn.bias_add(tf.nn.conv2d(x, filters, [1, 2, 2, 1], "SAME"), biases)
                x = tf.maximum(0.2 * x, x)
            x = tf.reshape(x, [-1, 4 * 4 * 4 * DIM])
            return tf.reshape(tf.matmul(x, critic_output[0]) + critic_output[1], [-1])

        self.real = v1.placeholder(tf.float32, [self.batch_size, 784])
        fake = generator(v1.random_normal([self.batch_size, LATENT_DIM]))
        critic_fake = critic(fake)
        self.generator_cost = -tf.reduce_mean(critic_fake)
        alpha = v1.random_uniform([self.batch_size, 1], 0.0, 1.0)
        interpolates = self.real + alpha * (fake - self.real)
        gradients = v1.gradients(critic(interpolates), [interpolates])[0]
        slopes = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=1))
        self.critic_cost = (tf.reduce_mean(critic_fake) - tf.reduce_mean(critic(self.real))
                            + 10.0 * tf.reduce_mean((slopes - 1.0) ** 2))

        def adam():
            return v1.train.AdamOptimizer(1e-4, beta1=0.5, beta2=0.9)

        self.generator_update = adam().minimize(self.generator_cost,
                                                var_list=parameters.generator)
        self.critic_update = adam().minimize(self.critic_cost, var_list=parameters.critic)
        self.fixed_samples = generator(tf.constant(
            rng.normal(size=(128, LATENT_DIM)).astype(np.float32)))
        # Not the script's: what an evaluation draws, built last so that the
        # ops above keep the seeds the graph gives them.
        self.noise = v1.placeholder(tf.float32, [None, LATENT_DIM])
        self.generated = generator(self.noise)

    def train(self, iterations, first=0):
        """Runs iterations `first` to `first + iterations` of the loop.

        As the original, iteration 0 has no generator update before its
        critic's. Returns the last critic cost.
        """
        for iteration in range(first, first + iterations):
            if iteration > 0:
                self.session.run(self.generator_update)
            for _ in range(5):
                critic_cost, _ = self.session.run(
                    [self.critic_cost, self.critic_update],
                    feed_dict={self.real: self._next_batch(self.batch_size)})
        return critic_cost

    def dev_cost(self, dev_images):
        """The critic's mean cost over the dev set, batch by batch, as the original logs it."""
        flat = dev_images.reshape(len(dev_images), -1).astype(np.float32) / 255.0
        usable = len(flat) // self.batch_size * self.batch_size
        return float(np.mean([
            self.session.run(self.critic_cost, feed_dict={self.real: batch})
            for batch in np.split(flat[:usable], usable // self.batch_size)]))

    def sample(self):
        """The 128 images of the fixed noise, float32 `[128, 784]` in [0, 1]."""
        return self.session.run(self.fixed_samples)

    def generate(self, noise, batch_size=1000):
        """Images of `noise` `[N, 128]`, float32 `[N, 28, 28, 1]` in [0, 1]."""
        batches = [noise[start:start + batch_size] for start in range(0, len(noise), batch_size)]
        return np.concatenate([self.session.run(self.generated, feed_dict={self.noise: batch})
                               for batch in batches]).reshape(-1, 28, 28, 1)


def main(argv):
    """The script's process: `--iterations` of its loop, dev cost and samples every 100.

    With `--eval_every` (a multiple of 100), also evaluates every that many
    iterations into `--metrics_file`, for `scripts/time_to_quality.py`.
    """
    del argv
    from absl import flags

    from wgan_gp_tf import data, images

    options = flags.FLAGS
    train_images, _ = data.get("mnist").reading(options.data_dir).load("train")
    dev_images = train_images[TRAIN_IMAGES:]
    paper = PaperMNISTGANGP(train_images[:TRAIN_IMAGES], seed=options.seed)
    evaluate = options.eval_every and Evaluations(options.data_dir, options.metrics_file)
    if evaluate:
        # The same noise at every evaluation, as train.py's.
        noise = np.random.default_rng(options.seed).normal(
            size=(options.eval_samples, LATENT_DIM)).astype(np.float32)
    os.makedirs(options.out_dir, exist_ok=True)
    for first in range(0, options.iterations, 100):
        count = min(100, options.iterations - first)
        critic_cost = paper.train(count, first)
        if count == 100:
            # As the original's `iteration % 100 == 99`.
            print(f"iteration {first + 99}: train disc cost {critic_cost:.4f}, dev disc cost "
                  f"{paper.dev_cost(dev_images):.4f}", flush=True)
            grid = images.image_grid(paper.sample().reshape(128, 28, 28, 1))
            images.write_png(grid, os.path.join(options.out_dir, f"samples_{first + 99}.png"))
        if evaluate and (first + count) % options.eval_every == 0:
            evaluate(first + count, lambda: paper.generate(noise))


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
    flags.DEFINE_integer("iterations", 200, "Generator iterations, each with 5 critic updates.")
    flags.DEFINE_integer("seed", 0, "Seeds the weights, the graph and the batches.")
    flags.DEFINE_string("out_dir", "out", "Where the sample grids go.")
    flags.DEFINE_integer("eval_every", 0, "Iterations between evaluations, a multiple of "
                         "100; 0: none.")
    flags.DEFINE_integer("eval_samples", 5000, "Generated images per evaluation.")
    flags.DEFINE_string("metrics_file", "metrics.jsonl", "Where evaluations are appended.")
    flags.register_validator("eval_every", lambda every: every % 100 == 0,
                             "--eval_every must be a multiple of 100")
    app.run(main)
