"""The base of the settings objects, penalties and losses: made from the config they give."""

import importlib

from wgan_gp_tf.errors import ConfigError


class Configurable:
    """An object that `get_config` describes and `from_config` remakes, as Keras objects.

    Two such objects are equal when they are of one type with one config.
    """

    def get_config(self):
        """The settings `__init__` takes, as a dict of plain values."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Makes the object `get_config` described."""
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        settings = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({settings})"


def function_config(fn):
    """A module-level function as a config holds it: its module and name."""
    return {"module": fn.__module__, "name": fn.__qualname__}


def function_from_config(config):
    """The function `function_config` described, imported from its module.

    Raises:
        ConfigError: the module does not import or has no such function.
    """
    try:
        return getattr(importlib.import_module(config["module"]), config["name"])
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"cannot find the function {config['module']}.{config['name']} "
                          f"({error}); import what defines it before loading, or save a "
                          f"module-level function rather than a lambda or a nested one") from None
