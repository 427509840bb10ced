"""The functions `WGANGP.fit` calls once per execution of `steps_per_execution` iterations.

Keras compiles each step on its own and loops over the steps of an execution
outside XLA, which costs a program launch per iteration. With `jit_compile`
and `steps_per_execution > 1` on a single replica, `fused` draws the real
batches of the whole execution first and runs all its iterations in one XLA
program. Several replicas run the steps of an execution in a `tf.while_loop`
of `strategy.run` (`replicated`: Keras's own loop fails to trace under a
strategy). Other cases (no XLA, `train_on_batch`) keep Keras's own function.
"""

import tensorflow as tf


def make(model, keras_function):
    """The train function for `model`, given the one Keras made.

    Args:
        model: a compiled `WGANGP`.
        keras_function: what `keras.Model.make_train_function` built.

    Returns:
        A function of an iterator that runs one execution and returns the
        metric logs, raising `StopIteration` when the data has run out.
    """
    if model.run_eagerly:
        return keras_function
    if model.distribute_strategy.num_replicas_in_sync > 1:
        return replicated(model)
    if not (model.jit_compile and model.steps_per_execution > 1):
        return keras_function
    fused_function = fused(model)

    def function(iterator):
        if isinstance(iterator, tf.data.Iterator):
            return fused_function(iterator)
        return keras_function(iterator)

    return function


def fused(model):
    """One XLA program per execution; a last, shorter execution runs its rest."""
    steps = model.steps_per_execution

    @tf.function(jit_compile=True, reduce_retracing=True)
    def run_steps(execution_batches):
        def body(index, logs):
            del logs
            return index + 1, model.train_step(execution_batches[index])

        count = tf.shape(execution_batches)[0]
        return tf.while_loop(lambda index, logs: index < count, body,
                             (tf.constant(0), model.metric_results()))[1]

    @tf.function(reduce_retracing=True)
    def next_execution(iterator):
        # Exactly `steps` draws, so that an infinite stream loses nothing
        # between executions; a finite one ends with a prefix of them.
        optionals = [iterator.get_next_as_optional() for _ in range(steps)]
        count = tf.add_n([tf.cast(optional.has_value(), tf.int32) for optional in optionals])

        def train():
            first = optionals[0].get_value()
            batches = tf.stack([first] + [
                tf.cond(optional.has_value(), optional.get_value, lambda: first)
                for optional in optionals[1:]])
            # A slice of the whole tensor forwards it, without a copy.
            return run_steps(batches[:count])

        return count, tf.cond(count > 0, train, model.metric_results)

    def function(iterator):
        count, logs = next_execution(iterator)
        if not int(count):
            raise StopIteration
        return logs

    return function


def replicated(model):
    """The steps of an execution in a `tf.while_loop` of `strategy.run`."""
    strategy = model.distribute_strategy
    steps = model.steps_per_execution

    @tf.function(reduce_retracing=True)
    def function(iterator):
        def body(index, logs):
            del logs
            logs = strategy.run(model.train_step, args=(next(iterator),))
            return index + 1, {name: strategy.reduce("MEAN", value, axis=None)
                               for name, value in logs.items()}

        return tf.while_loop(lambda index, logs: index < steps, body,
                             (tf.constant(0), model.metric_results()))[1]

    return function
