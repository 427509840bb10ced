"""What the command-line scripts share: a quiet TensorFlow start, flags, one-line errors.

Import this before anything that imports TensorFlow.
"""

import dataclasses
import errno
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

import tensorflow as tf  # noqa: E402
from absl import app, flags  # noqa: E402

from wgan_gp_tf import WGANGPError, training  # noqa: E402

_DEFINE = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_boolean}

_HELP_FLAGS = {"-h", "-?", "--help", "--helpshort", "--helpfull", "--helpxml"}


def define_config_flags(config_class, skip=()):
    """Defines one flag per field of a config dataclass, from the field's metadata.

    Each flag defaults to `None`, "left unset", so that the preset's value
    applies; its help is the field's, with its choices. Values are checked
    by the config, which names a bad one in one line.

    Returns:
        A function giving the flags' values by field name.
    """
    fields = [field for field in dataclasses.fields(config_class) if field.name not in skip]
    for field in fields:
        help_text = field.metadata["help"]
        choices = training.field_choices(field)
        if choices:
            help_text += f" One of: {', '.join(choices)}."
        help_text += f" (Default: the preset's; mnist_mlp's is {field.default}.)"
        _DEFINE.get(field.type, flags.DEFINE_string)(field.name, None, help_text)
    return lambda: {field.name: flags.FLAGS[field.name].value for field in fields}


def _parse_flags(argv):
    try:
        arguments = flags.FLAGS(argv)
    except flags.Error as error:
        print(f"error: {error}; see --helpfull", file=sys.stderr)
        sys.exit(2)
    except SystemExit as exit_:
        # absl exits 1 after printing the help it was asked for.
        if exit_.code == 1 and _HELP_FLAGS.intersection(argv[1:]):
            sys.exit(0)
        raise
    if len(arguments) > 1:
        # No script takes positional arguments; `--dry_run true` leaves one.
        print(f"error: unexpected arguments {' '.join(arguments[1:])!r}: flags take the form "
              f"--name=value (booleans --name or --noname); see --helpfull", file=sys.stderr)
        sys.exit(2)
    if flags.FLAGS["verbosity"].using_default_value:
        # absl's app.run raises an unset verbosity to INFO, and TensorFlow's
        # savers then print their timings; WARNING keeps the screen to what
        # the script prints. --verbosity=0 brings everything back.
        flags.FLAGS.verbosity = -1
        _show_library_messages()
    return arguments


def _show_library_messages():
    """Prints the library's own INFO lines as plain text, without absl's prefix."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    library = logging.getLogger("wgan_gp_tf")
    library.addHandler(handler)
    library.setLevel(logging.INFO)
    library.propagate = False


def run(main):
    """Runs an absl `main`; bad flags, user errors and a full disk print one line and exit 2.

    Unless `--verbosity` is given, only warnings of TensorFlow and absl are
    shown, and the library's own messages as plain lines.
    """
    app.run(one_line_errors(main), flags_parser=_parse_flags)


def one_line_errors(main):
    """`main`, printing `error: ...` and exiting 2 for what the user can fix."""

    def wrapped(argv):
        try:
            return main(argv)
        except WGANGPError as error:
            print(f"error: {error}", file=sys.stderr)
        except (OSError, tf.errors.OpError) as error:
            if not _disk_full(error):
                raise
            # Checkpoints and exports are written aside and renamed into place,
            # so what the disk refused never replaced anything complete.
            print(f"error: the disk is full ({_first_line(error)}); free some space or choose "
                  f"another folder, and run the same command again: the checkpoints and "
                  f"exports written before are complete", file=sys.stderr)
        sys.exit(2)

    return wrapped


def _disk_full(error):
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return any(os.strerror(code) in str(error) for code in (errno.ENOSPC, errno.EDQUOT))


def _first_line(error):
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror}: {error.filename}"
    return str(error).strip().splitlines()[0][:300]
