"""What the command-line scripts share: a quiet TensorFlow start, one-line errors.

Import this before anything that imports TensorFlow.
"""

import logging
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _import_tensorflow_quietly():
    """Imports TensorFlow with its C++ start-up notices held back.

    TensorFlow 2.21 prints them through absl before any log level applies.
    They are shown if the import fails, and whenever the user has set
    TF_CPP_MIN_LOG_LEVEL, which we then leave to them.
    """
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    saved_stderr = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved_stderr, 2)
            capture.seek(0)
            sys.stderr.buffer.write(capture.read())
            raise
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)


_import_tensorflow_quietly()

from wgan_gp_tf.errors import WGANGPError  # noqa: E402


def run_main(main):
    """Wraps an absl `main` so that user errors print one line and exit 2."""

    def wrapped(argv):
        # TensorFlow's own INFO lines (saver timings, signature renames).
        for name in ("absl", "tensorflow"):
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            return main(argv)
        except WGANGPError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)

    return wrapped
