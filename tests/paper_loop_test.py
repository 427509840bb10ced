"""`benchmarks.tf1_gan_mnist`, the yardstick of `mnist_dcgan`: the paper's networks and loop."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

from benchmarks.tf1_gan_mnist import PaperMNISTGANGP
from tests.helpers import MNIST, ROOT, needs_mnist, slow, temp_dir
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

    def test_generated_images_depend_on_the_noise_alone(self):
        images = np.random.default_rng(0).integers(0, 256, (20, 28, 28, 1), dtype=np.uint8)
        paper = PaperMNISTGANGP(images, seed=0, batch_size=10)
        noise = np.random.default_rng(1).normal(size=(5, 128)).astype(np.float32)
        generated = paper.generate(noise)
        self.assertEqual(generated.shape, (5, 28, 28, 1))
        self.assertTrue(((generated >= 0) & (generated <= 1)).all())
        self.assertAllEqual(paper.generate(noise, batch_size=2), generated)
        self.assertNotAllClose(paper.generate(noise[::-1]), generated)


@slow(95)
@needs_mnist
class PaperScriptTest(tf.test.TestCase):

    def test_an_evaluation_is_appended_with_its_times(self):
        folder = temp_dir(self)
        metrics = os.path.join(folder, "metrics.jsonl")
        launched = time.time()
        run = subprocess.run(
            [sys.executable, "-m", "benchmarks.tf1_gan_mnist", f"--data_dir={MNIST}",
             "--iterations=100", "--eval_every=100", "--eval_samples=200",
             f"--metrics_file={metrics}", f"--out_dir={folder}/out"],
            capture_output=True, text=True, timeout=300, cwd=ROOT)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        with open(metrics, encoding="utf-8") as file:
            (line,) = [json.loads(line) for line in file]
        self.assertEqual((line["iteration"], line["samples"]), (100, 200))
        self.assertTrue(np.isfinite(line["fid"]))
        self.assertBetween(line["wall_time"], launched, time.time() - line["eval_seconds"])
        self.assertTrue(os.path.isfile(os.path.join(folder, "out", "samples_99.png")))


if __name__ == "__main__":
    tf.test.main()
