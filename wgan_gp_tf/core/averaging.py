"""The generator average: an exponential moving average of the generator's weights.

Yazici et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training":
the generator never settles, since it follows a critic that keeps moving, and
an average of its weights smooths that jitter out. The average does not feed
back into training.
"""

import tensorflow as tf


def update_average(average_generator, generator, decay, iteration):
    """Moves `average_generator`'s weights towards `generator`'s.

    Iteration t uses the smaller decay `(1 + t) / (10 + t)` while that is below
    `decay`, as `tf.train.ExponentialMovingAverage` does with `num_updates`,
    so that the average does not linger on the initial weights.

    Args:
        average_generator: the average, a network of the generator's architecture.
        generator: the trained generator.
        decay: the decay, in [0, 1).
        iteration: the iteration counter, an int64 variable.
    """
    def update(strategy):
        # In cross-replica context: the replicas' generators are equal, and
        # each device updates its copy of the average from its own.
        step = tf.cast(iteration.value, "float32")
        warmed_up = tf.minimum(decay, (1.0 + step) / (10.0 + step))
        for average, weight in zip(average_generator.weights, generator.weights, strict=True):
            strategy.extended.update(average.value, _move_towards,
                                     args=(weight.value, warmed_up), group=False)

    context = tf.distribute.get_replica_context()
    if context is None:
        update(tf.distribute.get_strategy())
    else:
        context.merge_call(update)


def _move_towards(average, weight, decay):
    return average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))
