"""A script's start: the library's package `__init__`s held back until it is used.

The package `__init__`s of `wgan_gp_tf` import all of it, TensorFlow with it.
A script's flags come from modules that import no TensorFlow (the configs,
presets and catalogs), so until the script first uses the library (an
attribute of one of its packages, or `import_library`), the `__init__`s are
held back, and `--help` and a refused value answer at once. The first use
imports TensorFlow, quietly, and then runs every held `__init__`.

Import this before anything of `wgan_gp_tf` (`_cli` does).
"""

import importlib.abc
import importlib.machinery
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_LIBRARY = "wgan_gp_tf"


class _HeldInits(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the library's packages without running their `__init__`s, until first used.

    A held package has its submodules, as any package (`from package import
    submodule` imports one), but nothing else: any other attribute asked of
    it runs the held `__init__`s, its own among them.
    """

    def __init__(self):
        self.held = []

    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] != _LIBRARY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.submodule_search_locations is None:
            return spec
        spec.loader_state = spec.loader  # Runs the __init__ when released.
        spec.loader = self
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, package):
        def first_use(name):
            if importlib.machinery.PathFinder.find_spec(f"{package.__name__}.{name}",
                                                        package.__path__):
                raise AttributeError(name)  # So that the import system imports it.
            self.release()
            _run_init(package)
            return getattr(package, name)

        package.__getattr__ = first_use
        self.held.append(package)

    def release(self):
        """Imports TensorFlow quietly, then runs the held `__init__`s; packages import as usual."""
        if self not in sys.meta_path:
            return
        sys.meta_path.remove(self)
        _import_tensorflow_quietly()
        for package in self.held:
            _run_init(package)


def _run_init(package):
    if package.__dict__.pop("__getattr__", None) is None:
        return  # Run already, or running: its __init__ imports from itself.
    package.__spec__.loader = package.__loader__ = package.__spec__.loader_state
    package.__loader__.exec_module(package)


def _import_tensorflow_quietly():
    """Imports TensorFlow with its C++ start-up notices held back.

    TensorFlow 2.21 prints them through absl before any log level applies.
    They are shown if the import fails, and whenever the user has set
    TF_CPP_MIN_LOG_LEVEL, which we then leave to them.
    """
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    # No TensorFlow with it: the library's `__init__`s are still held.
    from wgan_gp_tf.native_output import held_stderr

    with held_stderr(keep=lambda line: False):
        import tensorflow as tf

        tf.config.list_physical_devices()


def import_library():
    """Imports TensorFlow, quietly, and runs the held `__init__`s, if not done yet."""
    _HELD_INITS.release()


_HELD_INITS = _HeldInits()
if _LIBRARY not in sys.modules:
    sys.meta_path.insert(0, _HELD_INITS)
