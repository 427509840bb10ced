"""The package's layers: imports point one way (the contracts in pyproject.toml)."""

import os
import subprocess
import sys

import tensorflow as tf
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ImportContractsTest(tf.test.TestCase):

    def test_every_import_points_down_the_layers(self):
        # import-linter reads [tool.importlinter] in pyproject.toml; it fails on
        # any import of a higher layer, of absl in the library, or of a model
        # in a data set, direct or through other modules.
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                                   "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
            contracts = tomllib.load(file)["tool"]["importlinter"]["contracts"]
        self.assertIn(f"{len(contracts)} kept, 0 broken", result.stdout)


if __name__ == "__main__":
    tf.test.main()
