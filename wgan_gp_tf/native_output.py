"""What native code writes to standard error, held back while it says nothing useful.

TensorFlow's C++ logs bypass Python's `sys.stderr` and every Python log
level, so the only way to keep a known notice off the screen is at the file
descriptor. Imports no TensorFlow.
"""

import contextlib
import os
import sys
import tempfile


@contextlib.contextmanager
def held_stderr(keep=lambda line: True):
    """Holds what is written to file descriptor 2 in the block; writes it out after.

    Args:
        keep: called with each line (bytes, newline included) when the block
            ends without an exception; the lines it refuses are dropped. If
            the block raises, every line is written out.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = [line for line in capture if failed or keep(line)]
            if lines:
                sys.stderr.buffer.write(b"".join(lines))
                sys.stderr.flush()
