"""Registries whose names are declared before the modules registering them are imported."""

import os
import sys
import types

import tensorflow as tf

from wgan_gp_tf.core import catalog as core_catalog
from wgan_gp_tf.data import catalog as data_catalog
from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.models import catalog as models_catalog
from wgan_gp_tf.registry import Registry


class _Item(types.SimpleNamespace):
    pass


class DeclaredRegistryTest(tf.test.TestCase):

    def _loader(self, registers):
        """A module that registers `registers` into the registry the test makes next."""
        name = f"loader_{self.id().rpartition('.')[2]}"
        folder = os.path.join(self.get_temp_dir(), name)
        os.makedirs(folder)
        with open(os.path.join(folder, f"{name}.py"), "w") as stream:
            stream.write("from tests.registry_test import REGISTRY, _Item\n"
                         f"REGISTRY.register_all(_Item(name=n) for n in {registers!r})\n")
        sys.path.insert(0, folder)
        self.addCleanup(sys.path.remove, folder)
        self.addCleanup(sys.modules.pop, name, None)
        return name

    def _registry(self, declared, registers):
        global REGISTRY
        REGISTRY = Registry("widget", declared=declared, loader=self._loader(registers))
        return REGISTRY

    def test_names_are_known_before_the_loader_is_imported(self):
        registry = self._registry(("a", "b"), ("a", "b"))
        self.assertEqual(registry.names(), ("a", "b"))
        self.assertNotIn(registry.loader, sys.modules)
        self.assertEqual(registry.get("b").name, "b")
        self.assertIsNone(registry.loader)  # Loaded, once.
        self.assertEqual([item.name for item in registry.values()], ["a", "b"])

    def test_an_unknown_name_is_refused_without_importing(self):
        registry = self._registry(("a",), ("a",))
        with self.assertRaisesRegex(ConfigError, "unknown widget 'c'; choose one of: a"):
            registry.get("c")
        self.assertIsNotNone(registry.loader)

    def test_a_loader_registering_other_names_is_refused(self):
        registry = self._registry(("a", "b"), ("a", "c"))
        with self.assertRaisesRegex(ImportError, r"registers the widgets \('a',\), but "
                                                 r"\('a', 'b'\) are declared"):
            registry.get("a")

    def test_names_registered_later_follow_the_declared_ones(self):
        registry = self._registry(("a", "b"), ("b", "a"))
        registry.register(_Item(name="mine"))
        self.assertEqual(registry.names(), ("a", "b", "mine"))
        with self.assertRaisesRegex(ImportError, "registers the widgets"):
            registry.values()  # The loader registered them in another order.

    def test_declared_names_come_with_their_loader(self):
        with self.assertRaisesRegex(ValueError, "come with the loader"):
            Registry("widget", declared=("a",))

    def test_each_catalog_declares_what_its_loader_registers(self):
        for registry in (core_catalog.PENALTIES, core_catalog.LOSSES,
                         models_catalog.ARCHITECTURES, data_catalog.DATASETS):
            with self.subTest(registry.kind):
                declared = registry.declared
                registry.load()  # Raises if the two differ.
                self.assertEqual(tuple(item.name for item in registry.values()), declared)


if __name__ == "__main__":
    tf.test.main()
