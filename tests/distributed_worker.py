"""One training process for distribute_test: `training.run`, then its weights to a file.

    python -m tests.distributed_worker CONFIG_JSON OUTPUT_NPZ [LOGICAL_CPUS]

Splits the CPU into LOGICAL_CPUS devices first (for `strategy=mirrored`),
then trains the config and saves the weights of the critic, the generator and
its average (if kept), the iteration reached and the trainer's metrics (means
over the last Keras epoch) to OUTPUT_NPZ. `TF_CONFIG` in the environment makes it a worker of a
multi-worker run.
"""

import sys

import numpy as np


def main(config_json, output_path, logical_cpus=1):
    from wgan_gp_tf import training
    from wgan_gp_tf.core import distribute

    if logical_cpus > 1:
        distribute.split_cpu(logical_cpus)

    result = training.run(training.TrainConfig.from_json(config_json), verbose=0)
    model = result.model
    arrays = {f"{name}/{index}": np.asarray(variable.numpy())
              for name in ("critic", "generator", "average_generator")
              if getattr(model, name) is not None
              for index, variable in enumerate(getattr(model, name).weights)}
    arrays.update({f"metric/{name}": np.asarray(tracker.result())
                   for name, tracker in model.trackers.items()})
    np.savez(output_path, iteration=result.iteration,
             replicas=model.distribute_strategy.num_replicas_in_sync, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
