"""`model.save("m.keras")` and `keras.models.load_model` round-trip a `WGANGP`."""

import json
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import wgan_gp_tf
from tests import helpers
from wgan_gp_tf import models
from wgan_gp_tf.core import penalties

SHAPE = (28, 28, 1)


def _sequential_pair():
    critic = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(),
                               keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    generator = keras.Sequential([keras.Input((6,)), keras.layers.Dense(784, activation="sigmoid"),
                                  keras.layers.Reshape(SHAPE)])
    return critic, generator


def _model(kind):
    keras.utils.set_random_seed(0)
    if kind == "sequential":
        critic, generator = _sequential_pair()
        return wgan_gp_tf.WGANGP(critic, generator, penalty=penalties.Clip(0.02), n_critic=2,
                                 loss="hinge", seed=3)
    architecture = models.get("dcgan_mnist" if kind == "dcgan" else "mlp")
    num_classes = 10 if kind == "conditional" else 0
    critic, generator = models.build(architecture, 6, "uniform", SHAPE, num_classes=num_classes)
    average = models.build_generator(architecture, 6, "uniform", SHAPE, num_classes=num_classes)
    return wgan_gp_tf.WGANGP(critic, generator, penalty=penalties.Div(power=3.0),
                             penalty_weight=2.0, n_critic=2, average_generator=average,
                             generator_ema=0.9, seed=3)


def _plain(config):
    """A config as JSON reads it back: tuples become lists."""
    return json.loads(json.dumps(config))


def _squared_plus_one(critic, real, fake, seed):
    value, norm = penalties.squared_penalty(critic, real, fake, seed)
    return penalties.PenaltyOutput(value + 1.0, norm)


@helpers.slow(seconds=20)
class KerasFileTest(tf.test.TestCase, parameterized.TestCase):

    def _fit(self, model, epochs=1):
        rng = np.random.default_rng(0)
        x = rng.uniform(size=(16, *SHAPE)).astype(np.float32)
        y = rng.integers(0, 10, size=16) if model.num_classes else None
        model.fit(x, y, batch_size=4, epochs=epochs, verbose=0, shuffle=False)

    @parameterized.parameters("mlp", "dcgan", "conditional", "sequential")
    def test_the_loaded_model_samples_alike_and_trains_on_alike(self, kind):
        model = _model(kind)
        model.compile(keras.optimizers.Adam(1e-3), "rmsprop", jit_compile=False)
        self._fit(model)
        path = os.path.join(self.get_temp_dir(), f"{kind}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)

        self.assertIsInstance(loaded, wgan_gp_tf.WGANGP)
        self.assertEqual(_plain(loaded.get_config()), _plain(model.get_config()))
        self.assertEqual((loaded.iterations_done, loaded.penalty, type(loaded.generator_optimizer)),
                         (2, model.penalty, keras.optimizers.RMSprop))
        noise = model.sample_latent(5, seed=7)
        self.assertAllEqual(loaded.generate(noise), model.generate(noise))
        self.assertAllEqual(loaded.generate(noise, generator=loaded.generator),
                            model.generate(noise, generator=model.generator))
        # Optimiser slots and the noise draws come back too: the next epoch is the same.
        self._fit(model)
        self._fit(loaded)
        self.assertEqual(loaded.iterations_done, 4)
        for ours, theirs in zip(model.weights, loaded.weights, strict=True):
            self.assertAllEqual(ours, theirs)

    def test_a_users_penalty_function_is_saved_by_name(self):
        critic, generator = _sequential_pair()
        model = wgan_gp_tf.WGANGP(critic, generator, penalty=_squared_plus_one)
        model.compile()
        path = os.path.join(self.get_temp_dir(), "function.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        self.assertIs(loaded.penalty.fn, _squared_plus_one)
        self.assertFalse(loaded.penalty.scores_only)


class ConfigTest(tf.test.TestCase):

    def test_every_penalty_and_loss_remakes_itself_from_its_config(self):
        for name in penalties.names():
            penalty = penalties.resolve(name)
            remade = keras.saving.deserialize_keras_object(
                keras.saving.serialize_keras_object(penalty))
            self.assertEqual(remade, penalty)
        for name in wgan_gp_tf.losses.names():
            loss = wgan_gp_tf.losses.resolve(name)
            remade = keras.saving.deserialize_keras_object(
                keras.saving.serialize_keras_object(loss))
            self.assertEqual((type(remade), remade.name), (type(loss), name))

    def test_every_architecture_remakes_its_networks(self):
        shapes = {"images": (32, 32, 3), "points": (2,), "text": (6, 5)}
        for name in models.names():
            architecture = models.get(name)
            shape = shapes[architecture.makes]
            if architecture.image_sizes or name.startswith("dcgan_celeba"):
                shape = ((architecture.image_sizes or (64,))[0],) * 2 + (3,)
            options = {"dim": 4} if architecture.dim else {}
            for network in models.build(architecture, 4, "normal", shape, **options):
                with self.subTest(name=name, network=type(network).__name__):
                    remade = type(network).from_config(network.get_config())
                    self.assertEqual(_plain(remade.get_config()), _plain(network.get_config()))


if __name__ == "__main__":
    tf.test.main()
