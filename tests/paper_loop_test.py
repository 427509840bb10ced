"""`benchmarks.tf1_gan_mnist`, the yardstick of `mnist_dcgan`: the paper's networks and loop."""

import numpy as np
import tensorflow as tf

from benchmarks.tf1_gan_mnist import PaperMNISTGANGP
from wgan_gp_tf import training


class PaperLoopTest(tf.test.TestCase):

    def test_the_replica_has_our_dcgan_mnist_networks_and_the_paper_loop(self):
        images = np.random.default_rng(0).integers(0, 256, (120, 28, 28, 1), dtype=np.uint8)
        paper = PaperMNISTGANGP(images[:100], seed=0, batch_size=10)
        model = training.build_trainer(training.make_config("mnist_dcgan", batch_size=10))
        variables = {"critic": paper.critic_variables, "generator": paper.generator_variables}
        for name, network in (("critic", model.critic), ("generator", model.generator)):
            self.assertEqual(sum(int(np.prod(v.shape)) for v in variables[name]),
                             network.count_params(), name)
        before = paper.session.run(variables["generator"])
        # Iteration 0 updates the critic only, as the original's `if iteration > 0`.
        self.assertTrue(np.isfinite(paper.train(1)))
        for old, new in zip(before, paper.session.run(variables["generator"]), strict=True):
            self.assertAllEqual(old, new)
        paper.train(1, first=1)
        self.assertFalse(all(np.array_equal(old, new) for old, new in zip(
            before, paper.session.run(variables["generator"]), strict=True)))
        self.assertTrue(np.isfinite(paper.dev_cost(images[100:])))
        samples = paper.sample()
        self.assertEqual(samples.shape, (128, 784))
        self.assertTrue(((samples >= 0) & (samples <= 1)).all())


if __name__ == "__main__":
    tf.test.main()
