"""The two-parameter GAN dynamics of gan_numeric.py: known properties, and the figures."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf
from PIL import Image

from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.evaluation import dynamics

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _theta_norms_and_turns(name):
    _, states = dynamics.solve(dynamics.get(name))
    norms = np.linalg.norm(states[2:], axis=0)
    angles = np.unwrap(np.arctan2(states[3], states[2]))
    return states, norms, abs(angles[-1] - angles[0]) / (2 * np.pi)


class PropertiesTest(tf.test.TestCase):

    def test_wgan_gp_with_zero_target_converges_to_the_origin(self):
        _, norms, _ = _theta_norms_and_turns("wgan_gp_c0")
        self.assertAllClose(norms[0], np.hypot(0.2, 0.1))
        self.assertLess(norms[-1], 0.02 * norms[0])
        self.assertLess(norms[-len(norms) // 10:].max(), 0.05 * norms[0])

    def test_wgan_circles_the_origin_with_a_critic_of_constant_norm(self):
        states, norms, turns = _theta_norms_and_turns("wgan")
        # phi' is orthogonal to phi, so ||phi|| is a constant of the motion
        # (RK45 at its default tolerance lets it drift by 2%).
        self.assertAllClose(np.linalg.norm(states[:2], axis=0), np.full(len(norms), 0.2236),
                            rtol=0.025)
        self.assertGreater(turns, 5)
        self.assertGreater(norms[len(norms) // 2:].min(), 0.3 * norms[0])

    def test_wgan_gp_with_unit_target_ends_on_the_unit_circle(self):
        _, norms, turns = _theta_norms_and_turns("wgan_gp_c1")
        self.assertBetween(norms[-len(norms) // 10:].mean(), 0.85, 1.05)
        self.assertGreater(turns, 5)

    def test_fields_at_a_point(self):
        state = np.array([0.3, -0.4, 1.0, 2.0])
        phi, theta = state[:2], state[2:]
        self.assertAllClose(dynamics.wgan_gp_field(state, target=0.0, weight=0.5),
                            np.concatenate([-theta - phi, phi]))
        self.assertAllClose(dynamics.wgan_gp_field(state, target=0.5, weight=0.5),
                            np.concatenate([-theta, phi]))
        p = 1 / (1 + np.exp(0.5))  # phi . theta = -0.5
        self.assertAllClose(dynamics.standard_gan_field(state),
                            np.concatenate([-p * theta, (1 - p) * phi]))
        self.assertAllClose(dynamics.wgan_field(state) @ np.concatenate([phi, [0, 0]]), 0.0)


class FiguresTest(tf.test.TestCase):

    def _temporary_folder(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        return folder.name

    def test_script_writes_the_six_figures(self):
        out_dir = self._temporary_folder()
        subprocess.run([sys.executable, os.path.join(REPO, "scripts", "dynamics.py"),
                        f"--out_dir={out_dir}"], check=True, capture_output=True, timeout=300)
        names = sorted(os.listdir(out_dir))
        self.assertEqual(names, sorted([f"{name}.png" for name in dynamics.SYSTEMS.names()]
                                       + ["overview.png"]))
        with Image.open(os.path.join(out_dir, "overview.png")) as image:
            self.assertGreater(image.width, 4 * image.height)

    def test_an_unknown_system_is_named_with_the_known_ones(self):
        with self.assertRaisesRegex(ConfigError, "unknown system 'gan'; choose one of: "
                                                 "standard_gan, wgan, wgan_gp_c0,"):
            dynamics.get("gan")

    def test_animation_is_a_gif_of_the_frames_asked_for(self):
        system = dynamics.get("wgan_gp_c0")
        path = os.path.join(self._temporary_folder(), "c0.gif")
        dynamics.save_animation(system, dynamics.solve(system)[1], path, frames=4)
        with Image.open(path) as image:
            self.assertEqual((image.format, image.n_frames), ("GIF", 4))
        self.assertEqual(os.listdir(os.path.dirname(path)), ["c0.gif"])


if __name__ == "__main__":
    tf.test.main()
