"""A faithful TensorFlow 1 graph replica of the original mnist_gangp.py.

This is the yardstick for `scripts/benchmark.py`: the same networks, init,
hinge penalty (written `relu(||grad|| - 1)` as the original does), Adam(1e-4,
0.5) and loop as github.com/bojone/gan, run the way the original runs: one
`Session.run` per update, real batches and noise fed from NumPy through
`feed_dict`, batches drawn like `mnist.train.next_batch`. It is built with
`tf.compat.v1` in its own graph, so it can run beside the TF2 trainer in one
process.

Run as a module, it is the original script's whole process, which
`scripts/benchmark.py` times against `scripts/train.py`: load MNIST, build,
train, and every 1,000 iterations print the losses and save a 6x6 grid.

    python -m benchmarks.tf1_baseline --data_dir=../shared/data/mnist --iterations=7000
"""

import os

import numpy as np
import tensorflow as tf

from benchmarks.evaluations import Evaluations

v1 = tf.compat.v1


class NextBatch:
    """NumPy batches like TF1's `mnist.train.next_batch`: epoch permutations."""

    def __init__(self, images, rng):
        self._images = images
        self._rng = rng
        self._order = rng.permutation(len(images))
        self._position = 0

    def __call__(self, batch_size):
        if self._position + batch_size > len(self._images):
            self._order = self._rng.permutation(len(self._images))
            self._position = 0
        indices = self._order[self._position:self._position + batch_size]
        self._position += batch_size
        return self._images[indices]


class OriginalMNISTGANGP:
    """mnist_gangp.py as a TF1 graph and session.

    Args:
        images: uint8 `[N, 28, 28, 1]` (or any `[N, ...]` of 784 pixels).
        seed: seeds the graph and the NumPy batches and noise.
        batch_size, latent_dim, penalty_weight, n_critic: the original's
            100, 10, 10 and 5 unless changed.
    """

    def __init__(self, images, seed=0, batch_size=100, latent_dim=10,
                 penalty_weight=10.0, n_critic=5):
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.n_critic = n_critic
        self._rng = np.random.default_rng(seed)
        flat = images.reshape(len(images), -1).astype(np.float32) / 255.0
        self._next_batch = NextBatch(flat, self._rng)
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(seed)
            self._build(flat.shape[1], penalty_weight)
            self.session = v1.Session(graph=self.graph)
            self.session.run(v1.global_variables_initializer())

    def _build(self, pixels, penalty_weight):
        def init(shape):
            return v1.random_uniform(shape, -0.05, 0.05)

        def dense_stack(sizes):
            return [(tf.Variable(init([fan_in, fan_out])),
                     tf.Variable(tf.zeros([fan_out])))
                    for fan_in, fan_out in zip(sizes, sizes[1:], strict=False)]

        critic_layers = dense_stack([pixels, 128, 32, 1])
        generator_layers = dense_stack([self.latent_dim, 32, 128, pixels])

        def apply(layers, x, last_activation):
            for index, (kernel, bias) in enumerate(layers):
                x = tf.matmul(x, kernel) + bias
                x = last_activation(x) if index == len(layers) - 1 else tf.nn.relu(x)
            return x

        def critic(x):
            return apply(critic_layers, x, tf.identity)

        self.real = v1.placeholder(tf.float32, [self.batch_size, pixels])
        self.noise = v1.placeholder(tf.float32, [None, self.latent_dim])
        self.fake = apply(generator_layers, self.noise, tf.sigmoid)
        # Fed only by the test that runs this loop and ours step for step.
        self.eps = v1.placeholder_with_default(
            v1.random_uniform([self.batch_size, 1], 0.0, 1.0), [self.batch_size, 1])
        interpolates = self.eps * self.real + (1.0 - self.eps) * self.fake
        gradient = v1.gradients(critic(interpolates), [interpolates])[0]
        gradient_norm = tf.sqrt(tf.reduce_sum(gradient**2, axis=1))
        penalty = penalty_weight * tf.reduce_mean(tf.nn.relu(gradient_norm - 1.0))
        self.critic_loss = (tf.reduce_mean(critic(self.real))
                            - tf.reduce_mean(critic(self.fake)) + penalty)
        self.generator_loss = tf.reduce_mean(critic(self.fake))
        self.critic_variables = [v for layer in critic_layers for v in layer]
        self.generator_variables = [v for layer in generator_layers for v in layer]
        self.critic_update = v1.train.AdamOptimizer(1e-4, 0.5).minimize(
            self.critic_loss, var_list=self.critic_variables)
        self.generator_update = v1.train.AdamOptimizer(1e-4, 0.5).minimize(
            self.generator_loss, var_list=self.generator_variables)

    def _noise(self, count):
        return self._rng.uniform(-1, 1, (count, self.latent_dim))

    def train(self, iterations):
        """Runs the original loop for `iterations` generator updates.

        Returns:
            `(critic_loss, generator_loss)` of the last iteration.
        """
        for _ in range(iterations):
            for _ in range(self.n_critic):
                _, critic_loss = self.session.run(
                    [self.critic_update, self.critic_loss],
                    feed_dict={self.real: self._next_batch(self.batch_size),
                               self.noise: self._noise(self.batch_size)})
            _, generator_loss = self.session.run(
                [self.generator_update, self.generator_loss],
                feed_dict={self.noise: self._noise(self.batch_size)})
        return critic_loss, generator_loss

    def sample(self, count, noise=None):
        """Generated images, float32 `[count, 784]` in [0, 1].

        The noise is drawn from the training stream, as the original's grids
        draw it, unless given: `[count, latent_dim]` in [-1, 1].
        """
        if noise is None:
            noise = self._noise(count)
        return self.session.run(self.fake, feed_dict={self.noise: noise})


def _next_multiple(iteration, every):
    return (iteration // every + 1) * every


def main(argv):
    """The original script's process: `--iterations` of its loop, a grid every 1,000.

    With `--eval_every`, also evaluates every that many iterations into
    `--metrics_file`, for `scripts/time_to_quality.py`.
    """
    del argv
    from absl import flags

    from wgan_gp_tf import data, images

    options = flags.FLAGS
    train_images, _ = data.get("mnist").reading(options.data_dir).load("train")
    original = OriginalMNISTGANGP(train_images, seed=options.seed)
    evaluate = options.eval_every and Evaluations(options.data_dir, options.metrics_file)
    if evaluate:
        # The same noise at every evaluation, as train.py's.
        noise = np.random.default_rng(options.seed).uniform(
            -1, 1, (options.eval_samples, original.latent_dim))
    os.makedirs(options.out_dir, exist_ok=True)
    iteration = 0
    while iteration < options.iterations:
        if iteration % 1000 == 0:
            # As the original: after iteration 0, 1000, 2000, ... the losses and a grid.
            critic_loss, generator_loss = original.train(1)
            print(f"iteration {iteration}, critic_loss: {critic_loss}, "
                  f"generator_loss: {generator_loss}", flush=True)
            grid = images.image_grid(original.sample(36).reshape(36, 28, 28, 1))
            images.write_png(grid, os.path.join(options.out_dir, f"{iteration // 1000}.png"))
            iteration += 1
        stop = min(options.iterations, _next_multiple(iteration, 1000),
                   *([_next_multiple(iteration, options.eval_every)] if evaluate else []))
        if stop > iteration:
            original.train(stop - iteration)
            iteration = stop
        if evaluate and iteration % options.eval_every == 0:
            evaluate(iteration, lambda: original.sample(len(noise), noise).reshape(-1, 28, 28, 1))


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_string("data_dir", None, "Folder of the MNIST IDX .gz files.", required=True)
    flags.DEFINE_integer("iterations", 1000, "Generator updates, each after 5 critic updates.")
    flags.DEFINE_integer("seed", 0, "Seeds the graph, the batches and the noise.")
    flags.DEFINE_string("out_dir", "out", "Where the grids go, as the original's out/.")
    flags.DEFINE_integer("eval_every", 0, "Iterations between evaluations; 0: none.")
    flags.DEFINE_integer("eval_samples", 5000, "Generated images per evaluation.")
    flags.DEFINE_string("metrics_file", "metrics.jsonl", "Where evaluations are appended.")
    app.run(main)
