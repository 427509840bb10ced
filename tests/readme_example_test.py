"""The README's "Use it from Python" example, run as written against an installed package."""

import os
import re
import shutil
import subprocess
import sys

import tensorflow as tf

from tests import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = helpers.MNIST


def readme_example():
    """The first Python block after the README's "## Use it from Python" heading."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    section = readme[readme.index("## Use it from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def set_parameter(code, name, value):
    """`code` with its top-level `name = ...` line set to `name = value`."""
    code, count = re.subn(rf"^{name} = .*$", f"{name} = {value!r}", code, flags=re.MULTILINE)
    if count != 1:
        raise AssertionError(f"the example should set {name} once; it sets it {count} times")
    return code


@helpers.slow(seconds=35)
class ReadmeExampleTest(tf.test.TestCase):

    def _install(self):
        """`pip install` of the checkout's package files into a folder of its own."""
        source = os.path.join(self.get_temp_dir(), "source")
        for name in ("pyproject.toml", "README.md", "requirements.txt"):
            os.makedirs(source, exist_ok=True)
            shutil.copy(os.path.join(ROOT, name), source)
        shutil.copytree(os.path.join(ROOT, "wgan_gp_tf"), os.path.join(source, "wgan_gp_tf"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        target = os.path.join(self.get_temp_dir(), "site")
        # The dependencies are this environment's; no index is needed.
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
             "--no-build-isolation", "--target", target, source],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        return target

    @helpers.needs_mnist
    def test_the_example_trains_writes_grids_and_exports_from_an_installed_package(self):
        environment = dict(os.environ, PYTHONPATH=self._install())
        elsewhere = os.path.join(self.get_temp_dir(), "elsewhere")
        os.makedirs(elsewhere)
        code = set_parameter(set_parameter(readme_example(), "EPOCHS", 1), "DATA_DIR", MNIST)
        result = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=environment,
                                capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])

        # 60,000 images in batches of 64, 5 per iteration: 187 iterations.
        self.assertEqual(sorted(os.listdir(os.path.join(elsewhere, "mnist_wgan", "samples"))),
                         ["00000001.png", "00000187.png"])
        export = os.path.join(elsewhere, "mnist_wgan", "export", "1")
        self.assertIn(f"exported {os.path.join('mnist_wgan', 'export', '1')}", result.stdout)
        self.assertTrue(tf.saved_model.contains_saved_model(export))

        # The installed package is the one used, with its shipped classifiers.
        check = subprocess.run(
            [sys.executable, "-c",
             "import wgan_gp_tf; print(wgan_gp_tf.__file__); "
             "print(wgan_gp_tf.evaluation.evaluator_for("
             f"wgan_gp_tf.data.get('mnist').reading({MNIST!r})).classifier.path)"],
            cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=300)
        self.assertEqual(check.returncode, 0, check.stderr[-3000:])
        package, classifier = check.stdout.split()
        self.assertTrue(package.startswith(environment["PYTHONPATH"]), package)
        self.assertTrue(classifier.startswith(environment["PYTHONPATH"]), classifier)


if __name__ == "__main__":
    tf.test.main()
