"""Errors that mean the user asked for something that cannot work.

The command-line scripts print these as a single line (no traceback) and exit
non-zero; every message names the problem and how to fix it.
"""


class WGANGPError(Exception):
    """Base class of the errors that are the user's to fix."""


class ConfigError(WGANGPError, ValueError):
    """An option has a value that is unknown, out of range, or inconsistent."""


class DataError(WGANGPError):
    """Training data is missing, malformed, or cannot be downloaded."""


class ExportNotFoundError(WGANGPError, FileNotFoundError):
    """A folder that should hold an exported SavedModel holds none."""


class ServingError(WGANGPError):
    """A model server refused a request or could not be reached."""


class DivergedError(WGANGPError):
    """Training losses became NaN or infinite."""


class CheckpointError(WGANGPError):
    """A run's checkpoints exist but none of them can be read."""


class RunInUseError(WGANGPError):
    """Another process is training in the same run folder."""


class WorkerLostError(WGANGPError):
    """A worker of a multi-worker run died or stopped answering."""
