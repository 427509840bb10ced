"""What the command-line scripts share: flags from the config, one-line errors.

Import this before anything of `wgan_gp_tf`: it holds back the library's
package `__init__`s until a script first uses the library (`_startup`), so
that `--help` and a bad flag, whose flags come from modules that import no
TensorFlow, answer without importing it.
"""

import dataclasses
import errno
import functools
import logging
import os
import sys

import _startup
from absl import app, flags

from wgan_gp_tf.core import xla_cache
from wgan_gp_tf.errors import ConfigError, WGANGPError
from wgan_gp_tf.training.fields import checked, field_choices

_DEFINE = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_boolean}

_HELP_FLAGS = {"-h", "-?", "--help", "--helpshort", "--helpfull", "--helpxml"}


def define_config_flags(config_class, skip=()):
    """Defines one flag per field of a config dataclass, from the field's metadata.

    Each flag defaults to `None`, "left unset", so that the preset's value
    applies; its help is the field's, with its choices. A value of the wrong
    type, not among the choices or out of range is refused as the flags are
    parsed, before TensorFlow is imported; the config checks the rest.

    Returns:
        A function giving the flags' values by field name.
    """
    fields = [field for field in dataclasses.fields(config_class) if field.name not in skip]
    for field in fields:
        help_text = field.metadata["help"]
        choices = field_choices(field)
        if choices:
            help_text += f" One of: {', '.join(choices)}."
        help_text += f" (Default: the preset's; mnist_mlp's is {field.default}.)"
        _DEFINE.get(field.type, flags.DEFINE_string)(field.name, None, help_text)
        flags.register_validator(field.name, refusing(functools.partial(checked, field)))
    return lambda: {field.name: flags.FLAGS[field.name].value for field in fields}


def define_xla_cache_flag():
    """Defines `--xla_cache_dir`, which `run` applies before TensorFlow is imported."""
    flags.DEFINE_string(
        "xla_cache_dir", xla_cache.default_directory(),
        "Keep the XLA programs compiled for the train step here (in a folder per TensorFlow "
        "version and CPU), so that a later run of the same networks loads its program "
        "instead of compiling it again; empty: compile every time.")


def refusing(check):
    """A flag validator: `check(value)` raises `ConfigError` for a value to refuse."""

    def validate(value):
        if value is not None:
            try:
                check(value)
            except ConfigError as error:
                raise flags.ValidationError(str(error)) from None
        return True

    return validate


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

    The library and TensorFlow are imported once the flags are parsed and
    checked, and XLA's compilation cache set up if the script has
    `--xla_cache_dir`. Unless `--verbosity` is given, only warnings of TensorFlow and
    absl are shown, and the library's own messages as plain lines.
    """

    def start(argv):
        if "xla_cache_dir" in flags.FLAGS and flags.FLAGS.xla_cache_dir:
            xla_cache.enable(flags.FLAGS.xla_cache_dir)
        _startup.import_library()
        return one_line_errors(main)(argv)

    app.run(start, flags_parser=_parse_flags)


def one_line_errors(main):
    """`main`, printing `error: ...` and exiting 2 for what the user can fix."""

    def wrapped(argv):
        try:
            return main(argv)
        except WGANGPError as error:
            print(f"error: {error}", file=sys.stderr)
        except Exception as error:
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
    tensorflow = sys.modules.get("tensorflow")  # None: nothing was written yet.
    if tensorflow is None or not isinstance(error, tensorflow.errors.OpError):
        return False
    return any(os.strerror(code) in str(error) for code in (errno.ENOSPC, errno.EDQUOT))


def _first_line(error):
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror}: {error.filename}"
    return str(error).strip().splitlines()[0][:300]
