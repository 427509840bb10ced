"""One training process for distribute_test, its weights then saved to a file.

    python -m tests.distributed_worker CONFIG_JSON OUTPUT_NPZ [LOGICAL_CPUS]
    python -m tests.distributed_worker fit OUTPUT_NPZ [LOGICAL_CPUS]

Splits the CPU into LOGICAL_CPUS devices first. The first form trains the
config with `training.run` (its `strategy` field decides the replicas); the
second fits small `keras.Sequential` networks as a user would, to an array
for two epochs and to a dataset of batches for one, under `MirroredStrategy`
over the logical CPUs when there are several. Both
save the weights of the critic, the generator and its average (if kept), the
iteration reached, the number of replicas and the trainer's metrics (means
over the last Keras epoch) to OUTPUT_NPZ. `TF_CONFIG` in the environment makes
the first form a worker of a multi-worker run.
"""

import sys

import numpy as np


def run(config_json):
    from wgan_gp_tf import training

    return training.run(training.TrainConfig.from_json(config_json), verbose=0).model


def fit(logical_cpus):
    import keras
    import tensorflow as tf

    import wgan_gp_tf

    strategy = tf.distribute.get_strategy()
    if logical_cpus > 1:
        strategy = tf.distribute.MirroredStrategy(
            [device.name for device in tf.config.list_logical_devices("CPU")])
    images = np.random.default_rng(0).uniform(size=(400, 4, 4, 1)).astype(np.float32)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        critic = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                                   keras.layers.Dense(16, activation="relu"),
                                   keras.layers.Dense(1)])
        generator = keras.Sequential([keras.Input((8,)),
                                      keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(16, activation="sigmoid"),
                                      keras.layers.Reshape((4, 4, 1))])
        model = wgan_gp_tf.WGANGP(critic, generator, seed=0, n_critic=2)
        # Epsilon 1: updates follow the gradients' size (see distribute_test).
        model.compile(keras.optimizers.Adam(1e-2, epsilon=1.0),
                      keras.optimizers.Adam(1e-2, epsilon=1.0), jit_compile=False)
    model.fit(images, batch_size=20, epochs=2, verbose=0)
    # A dataset of batches has no known length: its epoch ends with its data.
    model.fit(tf.data.Dataset.from_tensor_slices(images).batch(20), verbose=0)
    return model


def main(first, output_path, logical_cpus=1):
    from wgan_gp_tf.core import distribute

    if logical_cpus > 1:
        distribute.split_cpu(logical_cpus)
    model = fit(logical_cpus) if first == "fit" else run(first)
    arrays = {f"{name}/{index}": np.asarray(variable.numpy())
              for name in ("critic", "generator", "average_generator")
              if getattr(model, name, None) is not None
              for index, variable in enumerate(getattr(model, name).weights)}
    arrays.update({f"metric/{name}": np.asarray(tracker.result())
                   for name, tracker in model.trackers.items()})
    np.savez(output_path, iteration=model.iterations_done,
             replicas=model.distribute_strategy.num_replicas_in_sync, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
