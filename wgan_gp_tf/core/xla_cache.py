"""XLA's persistent compilation cache: a train step compiled once per machine, not per run.

TensorFlow saves each XLA program it compiles to the folder in `TF_XLA_FLAGS`'s
`--tf_xla_persistent_cache_directory`, and a later process that builds the
same program (the same HLO, checked in full) loads it instead of compiling it
again: the same executable, so the same results. Imports no TensorFlow, since
the flag must be set before TensorFlow runs its first op.
"""

import functools
import hashlib
import importlib.metadata
import logging
import os
import platform
import re

from wgan_gp_tf.native_output import held_stderr

logger = logging.getLogger(__name__)

_FLAG = "--tf_xla_persistent_cache_directory"
_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel",
                  "tensorflow-macos", "tf-nightly")
# What TensorFlow 2.21 logs as errors whenever it loads an entry, harmlessly:
# it tries the text format before the binary one it wrote, and takes XLA's
# tuning preferences ("+prefer-no-scatter") for missing CPU features. A real
# missing feature (an instruction set) is still shown.
_LOADING_NOTICES = re.compile(rb"tensorflow\.XlaSerializedCacheEntry|"
                              rb"Target machine feature \+prefer-[\w-]+ is not +supported")


def cache_home():
    """`$XDG_CACHE_HOME/wgan_gp_tf`, by default `~/.cache/wgan_gp_tf`: what runs share."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "wgan_gp_tf")


def default_directory():
    """`cache_home()/xla`, by default `~/.cache/wgan_gp_tf/xla`."""
    return os.path.join(cache_home(), "xla")


def cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo, or `None` where it cannot be read."""
    flags = _cpuinfo("flags", "Features")
    return None if flags is None else frozenset(flags.split())


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, or `None` where it cannot be read."""
    return _cpuinfo("model name")


@functools.cache
def _cpuinfo(*keys):
    """The value of the first /proc/cpuinfo line that starts with one of `keys`, or `None`."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith(keys):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_directory(directory):
    """The folder under `directory` for this TensorFlow version and CPU, or `None`.

    Compiled programs hold machine code for the CPU they were compiled on,
    and their format is TensorFlow's own, so each version and CPU gets a
    folder of its own: a cache shared across machines or upgrades then
    never loads a program that cannot run.
    """
    version = next((found for found in map(_installed_version, _DISTRIBUTIONS) if found), None)
    if version is None:
        return None
    features = " ".join(sorted(cpu_flags() or (platform.processor(),)))
    machine = hashlib.sha256(f"{platform.machine()} {features}".encode()).hexdigest()[:12]
    return os.path.join(directory, f"tf-{version}-{machine}")


def _installed_version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def enable(directory):
    """Turns the cache on in `machine_directory(directory)`; call before TensorFlow runs an op.

    Leaves a cache folder the user set in `TF_XLA_FLAGS` as it is. TensorFlow
    fails the compile if it cannot write an entry, so a folder that cannot be
    created or written leaves the cache off, with a warning.

    Returns:
        The folder entries go to, or `None` if the cache stays off.
    """
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if _FLAG in flags:
        return None
    folder = machine_directory(directory)
    if folder is None:
        logger.warning("XLA's compilation cache is off: TensorFlow's version is unknown")
        return None
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        logger.warning("XLA's compilation cache is off: cannot create %s (%s); pass "
                       "--xla_cache_dir= a writable folder", folder, error.strerror)
        return None
    if not os.access(folder, os.W_OK):
        logger.warning("XLA's compilation cache is off: cannot write to %s; pass "
                       "--xla_cache_dir= a writable folder", folder)
        return None
    os.environ["TF_XLA_FLAGS"] = f"{flags} {_FLAG}={folder}".strip()
    return folder


def enabled():
    """Whether `TF_XLA_FLAGS` names a cache folder."""
    return _FLAG in os.environ.get("TF_XLA_FLAGS", "")


def quiet_first_call(function):
    """`function`, its first call (which compiles or loads the program) without loading notices."""
    first = True

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        nonlocal first
        if not first or not enabled():
            return function(*args, **kwargs)
        first = False
        with held_stderr(keep=lambda line: not _LOADING_NOTICES.search(line)):
            return function(*args, **kwargs)

    return wrapped
