"""The functions `WGANGP.fit` calls once per execution of `steps_per_execution` iterations.

Each draws the execution's iterations one by one from the input and runs a step
only for an iteration that is there, so a finite dataset ends its epoch
cleanly. (A plain draw past the end still runs the part of the step that does
not read the data: the optimisers' step counts and ours would advance, and a
replicated step would even update the weights on the empty batches it gets.)

- `fused`, with `jit_compile` on one replica: the real batches of the whole
  execution are drawn first and one XLA program runs all its iterations.
  Keras compiles each step on its own and loops over them outside XLA, which
  costs a program launch per iteration.
- `replicated`, with several replicas: `strategy.run` per iteration (Keras's
  own loop fails to trace under a strategy).
- `stepwise` otherwise: the step alone, compiled with XLA if `jit_compile`.

All trace without autograph, as Keras's own train functions do: rewriting the
source of the step and of everything it calls cost over half a second of start-up.
"""

import tensorflow as tf

from wgan_gp_tf.core import networks, xla_cache


def xla_helps(model):
    """Whether XLA was measured to train `model` faster here (docs/benchmarks.md).

    On a GPU or TPU, yes; on a CPU, unless a network has convolutions, which
    XLA's CPU backend runs slower than oneDNN; never under several replicas,
    whose step XLA cannot compile.
    """
    if model.distribute_strategy.num_replicas_in_sync > 1:
        return False
    if tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"):
        return True
    return not (networks.has_convolutions(model.critic)
                or networks.has_convolutions(model.generator))


def traced_once(model, name, times):
    """`model`'s update step `name`, as a function traced once if the step calls it repeatedly.

    Tracing an update in Python is most of a compiled train step's start-up.
    A `tf.function` that the step calls n_critic times is traced once, and
    XLA inlines its calls, so the compiled program is the same. Not eagerly,
    nor under several replicas: they would share one trace of their
    replica-dependent rows.

    Args:
        model: the `WGANGP`.
        name: `"critic"` or `"generator"`.
        times: how often the train step calls it.
    """
    step = getattr(model, f"{name}_step")
    functions = getattr(model, "_traced_steps", None)
    if (functions is None or times < 2 or not tf.inside_function()
            or model.distribute_strategy.num_replicas_in_sync > 1):
        return step
    return functions[name]


def make(model, keras_function):
    """The train function for `model`, given the one Keras made.

    Args:
        model: a compiled `WGANGP`.
        keras_function: what `keras.Model.make_train_function` built; used
            when the model runs eagerly, and for `train_on_batch`, which
            passes no iterator.

    Returns:
        A function of an iterator that runs one execution and returns the
        metric logs, raising `StopIteration` when the data has run out. Its
        `execution` attribute names the kind: `"fused"`, `"replicated"` or
        `"stepwise"`.
    """
    # Traced afresh whenever the train function is made, after any `compile`.
    model._traced_steps = {name: tf.function(getattr(model, f"{name}_step"), autograph=False)
                           for name in ("critic", "generator")}
    if model.run_eagerly:
        return keras_function
    if model.distribute_strategy.num_replicas_in_sync > 1:
        execution, ours = "replicated", replicated(model)
    elif model.jit_compile and model.steps_per_execution > 1:
        execution, ours = "fused", fused(model)
    else:
        execution, ours = "stepwise", stepwise(model)
    if model.jit_compile:
        ours = xla_cache.quiet_first_call(ours)

    def function(iterator):
        if isinstance(iterator, tf.data.Iterator | tf.distribute.DistributedIterator):
            return ours(iterator)
        return keras_function(iterator)

    function.execution = execution
    return function


def fused(model):
    """One XLA program per execution; a last, shorter execution runs what is left."""
    steps = model.steps_per_execution

    @tf.function(jit_compile=True, reduce_retracing=True, autograph=False)
    def run_steps(execution_batches):
        def body(index, logs):
            del logs
            return index + 1, model.train_step(
                tf.nest.map_structure(lambda batches: batches[index], execution_batches))

        count = tf.shape(tf.nest.flatten(execution_batches)[0])[0]
        return tf.while_loop(lambda index, logs: index < count, body,
                             (tf.constant(0), model.metric_results()))[1]

    @tf.function(reduce_retracing=True, autograph=False)
    def next_execution(iterator):
        # Up to `steps` draws, stopping at the first empty one, so that an
        # infinite stream loses nothing between executions and a finite one
        # ends with a prefix. A loop, so that a draw is traced once, not
        # `steps` times: tracing is start-up a user waits for.
        specs = tf.nest.flatten(iterator.element_spec)
        arrays = [tf.TensorArray(spec.dtype, size=steps, element_shape=spec.shape)
                  for spec in specs]

        def draw(count, exhausted, arrays):
            optional = iterator.get_next_as_optional()

            def write():
                items = tf.nest.flatten(optional.get_value())
                return count + 1, exhausted, [array.write(count, item)
                                              for array, item in zip(arrays, items, strict=True)]

            return tf.cond(optional.has_value(), write,
                           lambda: (count, tf.constant(True), arrays))

        count, _, arrays = tf.while_loop(
            lambda count, exhausted, arrays: tf.logical_and(count < steps,
                                                            tf.logical_not(exhausted)),
            draw, (tf.constant(0), tf.constant(False), arrays))

        def train():
            # A slice of the whole tensor forwards it, without a copy.
            stacked = [array.stack()[:count] for array in arrays]
            return run_steps(tf.nest.pack_sequence_as(iterator.element_spec, stacked))

        return count, tf.cond(count > 0, train, model.metric_results)

    return _raising_when_empty(next_execution)


def replicated(model):
    """The steps of an execution in a `tf.while_loop` of `strategy.run`."""
    strategy = model.distribute_strategy

    def run_step(batches):
        logs = strategy.run(model.train_step, args=(batches,))
        return {name: strategy.reduce("MEAN", value, axis=None) for name, value in logs.items()}

    return _step_by_step(model, run_step)


def stepwise(model):
    """The steps of an execution in a `tf.while_loop`, each compiled on its own."""
    return _step_by_step(model, tf.function(model.train_step, jit_compile=model.jit_compile,
                                            reduce_retracing=True, autograph=False))


def _step_by_step(model, run_step):
    steps = model.steps_per_execution

    @tf.function(reduce_retracing=True, autograph=False)
    def next_execution(iterator):
        def body(count, exhausted, logs):
            optional = iterator.get_next_as_optional()
            return tf.cond(optional.has_value(),
                           lambda: (count + 1, exhausted, run_step(optional.get_value())),
                           lambda: (count, tf.constant(True), logs))

        count, _, logs = tf.while_loop(
            lambda count, exhausted, logs: tf.logical_and(count < steps,
                                                          tf.logical_not(exhausted)),
            body, (tf.constant(0), tf.constant(False), model.metric_results()))
        return count, logs

    return _raising_when_empty(next_execution)


def _raising_when_empty(next_execution):
    """Keras's train function: the logs, or `StopIteration` once the data has run out."""
    def function(iterator):
        count, logs = next_execution(iterator)
        if not int(count):
            raise StopIteration
        return logs

    return function
