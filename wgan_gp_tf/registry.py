"""Named things the configs refer to: penalties, losses, architectures, data sets, presets."""

import importlib

from wgan_gp_tf.errors import ConfigError


class Registry:
    """Items with a `name`, found by it, in the order they were registered.

    An item may be a class with a `name` attribute; `resolve` then makes an
    instance of it with its default settings.

    A registry of built-in items that need TensorFlow is made before them,
    from their names (`declared`) and the module that registers them
    (`loader`): its names are known without importing TensorFlow, so that a
    config is checked and a script's `--help` shown without it, and the
    loader is imported when an item is first asked for.

    Args:
        kind: what the items are, for messages (`"penalty"`, `"dataset"`, ...).
        items: the items to start with.
        declared: the names `loader` registers, in its order.
        loader: the module registering the declared items, by its name.
    """

    def __init__(self, kind, items=(), *, declared=(), loader=None):
        if bool(declared) != bool(loader):
            raise ValueError("a registry's declared names come with the loader registering them")
        self.kind = kind
        self.declared = tuple(declared)
        self.loader = loader
        self._items = {}
        self.register_all(items)

    def load(self):
        """Imports the loader, once; it registers the declared items.

        Raises:
            ImportError: the loader left a declared name unregistered or
                registered another in its place.
        """
        if self.loader is None:
            return
        importlib.import_module(self.loader)
        registered = tuple(name for name in self._items if name in self.declared)
        if registered != self.declared:
            raise ImportError(f"{self.loader} registers the {self.kind}s {registered}, but "
                              f"{self.declared} are declared")
        self.loader = None

    def register(self, item):
        """Adds `item` under its name; returns it, so that it can decorate a class.

        Raises:
            ConfigError: the name is taken.
        """
        if item.name in self._items:
            raise ConfigError(f"a {self.kind} named {item.name!r} is registered already")
        self._items[item.name] = item
        return item

    def register_all(self, items):
        """Adds each of `items` under its name, in order."""
        for item in items:
            self.register(item)

    def names(self):
        """The names, the declared ones first, without loading anything."""
        return self.declared + tuple(name for name in self._items if name not in self.declared)

    def values(self):
        """The items, the declared ones first."""
        self.load()
        return tuple(self._items[name] for name in self.names())

    def get(self, name):
        """The item called `name`.

        Raises:
            ConfigError: unknown name; the message lists the valid ones.
        """
        if name not in self._items and name in self.declared:
            self.load()
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; choose one of: "
                              f"{', '.join(self.names())}") from None

    def resolve(self, identifier, base=None, wrap=None):
        """The item an identifier names, as `keras.optimizers.get` resolves an optimiser.

        Args:
            identifier: a registered name, an instance of `base` (returned
                as it is), a subclass of it (made with its defaults), or, if
                `wrap` is given, a function.
            base: the type passed through as it is, if any.
            wrap: what to make of a function (e.g. a penalty object that
                calls it); `None` if functions are refused.

        Returns:
            The item; a registered class is made with its default settings.

        Raises:
            ConfigError: an unknown name (the message lists the valid ones)
                or an identifier of none of those kinds.
        """
        self.load()
        if base is not None and isinstance(identifier, base):
            return identifier
        if isinstance(identifier, str):
            identifier = self.get(identifier)
            if base is None or isinstance(identifier, base):
                return identifier
        if base is not None and isinstance(identifier, type) and issubclass(identifier, base):
            return identifier()
        if wrap is not None and callable(identifier):
            return wrap(identifier)
        kinds = ["a registered name"]
        if base is not None:
            kinds.append(f"a {base.__name__}")
        if wrap is not None:
            kinds.append("a function")
        listed = " or ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
        raise ConfigError(f"a {self.kind} must be {listed}; got {identifier!r}")
