"""Named things the configs refer to: penalties, losses, architectures, data sets, presets."""

from wgan_gp_tf.errors import ConfigError


class Registry:
    """Items with a `name`, found by it, in the order they were registered.

    An item may be a class with a `name` attribute; `resolve` then makes an
    instance of it with its default settings.

    Args:
        kind: what the items are, for messages (`"penalty"`, `"dataset"`, ...).
        items: the items to start with.
        base: the type `resolve` passes through as it is, if any.
        wrap: what `resolve` makes of a function (e.g. a penalty object that
            calls it); `None` if functions are refused.
    """

    def __init__(self, kind, items=(), base=None, wrap=None):
        self.kind = kind
        self.base = base
        self.wrap = wrap
        self._items = {}
        for item in items:
            self.register(item)

    def register(self, item):
        """Adds `item` under its name; returns it, so that it can decorate a class.

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

    def resolve(self, identifier):
        """The item an identifier names, as `keras.optimizers.get` resolves an optimiser.

        Args:
            identifier: a registered name, an instance of `base` (returned
                as it is), a subclass of it (made with its defaults), or, if
                this registry wraps functions, a function.

        Returns:
            The item; a registered class is made with its default settings.

        Raises:
            ConfigError: an unknown name (the message lists the valid ones)
                or an identifier of none of those kinds.
        """
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            identifier = self.get(identifier)
            if self.base is None or isinstance(identifier, self.base):
                return identifier
        if self.base is not None and isinstance(identifier, type) and issubclass(
                identifier, self.base):
            return identifier()
        if self.wrap is not None and callable(identifier):
            return self.wrap(identifier)
        kinds = ["a registered name"]
        if self.base is not None:
            kinds.append(f"a {self.base.__name__}")
        if self.wrap is not None:
            kinds.append("a function")
        listed = " or ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
        raise ConfigError(f"a {self.kind} must be {listed}; got {identifier!r}")
