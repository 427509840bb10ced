"""`mnist_mlp` against mnist_gangp.py's own loop, step for step.

The TF1 replica of the original (`benchmarks.tf1_baseline`, the graph and
`Session.run` calls of mnist_gangp.py) and our trainer start from the same
weights and are fed the same real batches, noise and interpolation draws; after
a few iterations their weights must agree to float32 rounding. Only the draws
are injected: the losses, the penalty, the update order and Adam are each
side's own.
"""

from unittest import mock

import numpy as np
import tensorflow as tf

from benchmarks.tf1_baseline import OriginalMNISTGANGP
from wgan_gp_tf import training
from wgan_gp_tf.core import gradients

BATCH, ITERATIONS, N_CRITIC, LATENT = 20, 3, 5, 10
CRITIC_SCALE = 4.0


class StepForStepTest(tf.test.TestCase):

    def test_mnist_mlp_follows_the_original_loop(self):
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (200, 28, 28, 1), dtype=np.uint8)
        original = OriginalMNISTGANGP(images, seed=0, batch_size=BATCH)
        model = training.build_trainer(training.make_config(
            "mnist_mlp", batch_size=BATCH, jit_compile=False))
        session = original.session
        # The original's U(-0.05, 0.05) critic has gradient norms far below 1,
        # where the hinge penalty is flat; scaled up, they straddle 1, and the
        # penalty's second-order path is in play.
        with original.graph.as_default():
            session.run([variable.assign(CRITIC_SCALE * variable)
                         for variable in original.critic_variables])
        networks = ((model.critic, original.critic_variables),
                    (model.generator, original.generator_variables))
        initial = [session.run(theirs) for _, theirs in networks]
        for (ours, _), values in zip(networks, initial, strict=True):
            self.assertEqual([tuple(v.shape) for v in ours.trainable_variables],
                             [value.shape for value in values])
            for variable, value in zip(ours.trainable_variables, values, strict=True):
                variable.assign(value)

        reals = (rng.integers(0, 256, (ITERATIONS, N_CRITIC, BATCH, 784)) / 255).astype(
            np.float32)
        noises = rng.uniform(-1, 1, (ITERATIONS * (N_CRITIC + 1), BATCH, LATENT)).astype(
            np.float32)
        epss = rng.uniform(0, 1, (ITERATIONS * N_CRITIC, BATCH, 1)).astype(np.float32)

        noise_draws, eps_draws = iter(noises), iter(epss)
        for batches in reals:
            for real in batches:
                session.run(original.critic_update, {
                    original.real: real, original.noise: next(noise_draws),
                    original.eps: next(eps_draws)})
            session.run(original.generator_update, {original.noise: next(noise_draws)})

        # The original interpolates eps * real + (1 - eps) * fake; ours draws
        # eps the other way round, which is the same in distribution, so ours
        # is given 1 - eps.
        noise_draws, eps_draws = iter(noises), iter(epss)
        model._noise = lambda size: tf.constant(next(noise_draws))

        def interpolation_weights(real, seed):
            del real, seed
            return 1.0 - tf.reshape(next(eps_draws), [BATCH, 1, 1, 1])

        with mock.patch.object(gradients, "_interpolation_weights", interpolation_weights):
            for batches in reals:
                logs = model.train_step(tf.constant(batches.reshape(N_CRITIC, BATCH, 28, 28, 1)))
                # Measured: mean norms 1.37, 1.32, 1.28.
                self.assertGreater(float(logs["gradient_norm"]), 1.0)

        for (ours, theirs), start in zip(networks, initial, strict=True):
            for variable, value in zip(ours.trainable_variables, session.run(theirs),
                                       strict=True):
                # The updates move weights by about 1e-4 each; rounding
                # differs between the two runtimes' matmuls.
                self.assertAllClose(variable.numpy(), value, rtol=0, atol=2e-6,
                                    msg=variable.path)
            # And the test has teeth: the weights moved by far more than that.
            self.assertGreater(max(np.abs(variable.numpy() - first).max() for variable, first
                                   in zip(ours.trainable_variables, start, strict=True)), 1e-4)


if __name__ == "__main__":
    tf.test.main()
