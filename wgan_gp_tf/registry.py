"""Named things the configs refer to: penalties, architectures, data sets, presets."""

from wgan_gp_tf.errors import ConfigError


class Registry:
    """Items with a `name`, found by it, in the order they were registered.

    Args:
        kind: what the items are, for messages (`"penalty"`, `"dataset"`, ...).
        items: the items to start with.
    """

    def __init__(self, kind, items=()):
        self.kind = kind
        self._items = {}
        for item in items:
            self.register(item)

    def register(self, item):
        """Adds `item` under its name; returns it.

        Raises:
            ConfigError: the name is taken.
        """
        if item.name in self._items:
            raise ConfigError(f"a {self.kind} named {item.name!r} is registered already")
        self._items[item.name] = item
        return item

    def names(self):
        """The names, in registration order."""
        return tuple(self._items)

    def values(self):
        """The items, in registration order."""
        return tuple(self._items.values())

    def get(self, name):
        """The item called `name`.

        Raises:
            ConfigError: unknown name; the message lists the valid ones.
        """
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; choose one of: "
                              f"{', '.join(self.names())}") from None
