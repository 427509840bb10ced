"""`WGANGP`, a `keras.Model` that trains a critic and a generator with `fit`.

Sign convention: that of Su Jianlin's post (kexue.fm/archives/4439), which is
the WGAN-GP paper's with the sign flipped; the two are equivalent. The critic
scores generated samples high and real ones low:

    critic loss     L_D = mean D(real) - mean D(fake) + lambda * penalty
    generator loss  L_G = mean D(G(noise))

and `mean D(fake) - mean D(real)`, the critic loss without its penalty negated,
is the running estimate of the Wasserstein distance.
"""

import keras
import tensorflow as tf

from wgan_gp_tf import distribute, penalties

METRIC_NAMES = (
    "critic_loss",
    "generator_loss",
    "penalty",
    "wasserstein_estimate",
    "gradient_norm",
)


class WGANGP(keras.Model):
    """A critic and a generator, trained n_critic : 1 by `train_step`.

    Each element of the training data is one iteration's real data: a tensor
    `[n_critic, batch_size, ...]`, one fresh real batch per critic update. One
    `train_step` runs n_critic critic updates, each with fresh noise, then one
    generator update, and counts one iteration in `iteration`.

    Under a `tf.distribute` strategy each replica trains on its slice of the
    global batch with its rows of the global noise and interpolation draws,
    and scales its losses by its share (`wgan_gp_tf.distribute`), so that
    any number of replicas computes the single-device update.

    With an `average_generator`, a second generator of the same
    architecture, each iteration ends by moving its weights towards the
    trained generator's, an exponential moving average (Yazici et al. 2019,
    "The Unusual Effectiveness of Averaging in GAN Training"). The average
    does not feed back into training; `sampling_generator` is the network to
    draw samples from.

    Losses go through each optimiser's `scale_loss`, so a
    `keras.optimizers.LossScaleOptimizer` trains in float16 (it skips the
    updates whose gradients overflow; the iteration still counts).

    Metrics (epoch means): `critic_loss`, `generator_loss`, `penalty` (the
    unweighted penalty), `wasserstein_estimate` and `gradient_norm` (the mean
    gradient norm at the interpolates, or the mean Lipschitz quotient for the
    finite-difference penalties).
    """

    def __init__(self, critic, generator, seed=0, average_generator=None, **kwargs):
        """Creates the trainer.

        Args:
            critic: a `keras.Model`, images -> scores `[B, 1]`.
            generator: a `wgan_gp_tf.models.Generator`.
            seed: seeds the noise and the interpolation coefficients.
            average_generator: `None`, or a built generator of the same
                architecture to hold the moving average of `generator`'s
                weights; it starts as a copy of them.
            **kwargs: passed to `keras.Model`.
        """
        super().__init__(**kwargs)
        self.critic = critic
        self.generator = generator
        self.average_generator = average_generator
        if average_generator is not None:
            average_generator.set_weights(generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.iteration = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="iteration")
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in METRIC_NAMES}

    def compile(self, critic_optimizer, generator_optimizer, penalty="hinge",
                penalty_weight=10.0, n_critic=5, clip_value=0.01, generator_ema=0.999,
                **kwargs):
        """Configures training.

        Args:
            critic_optimizer: a `keras.optimizers.Optimizer` for the critic.
            generator_optimizer: a `keras.optimizers.Optimizer` for the
                generator.
            penalty: a name from `wgan_gp_tf.penalties.names()`.
            penalty_weight: lambda.
            n_critic: critic updates per generator update.
            clip_value: weight bound used by the `clip` penalty.
            generator_ema: the decay of the `average_generator`'s moving
                average, if there is one. Early iterations use the smaller
                `(1 + t) / (10 + t)` at iteration t, so that the average does
                not linger on the initial weights.
            **kwargs: passed to `keras.Model.compile`, e.g. `jit_compile` and
                `steps_per_execution`.
        """
        super().compile(optimizer=None, **kwargs)
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self.penalty = penalties.get(penalty)
        self.penalty_weight = penalty_weight
        self.n_critic = n_critic
        self.clip_value = clip_value
        self.generator_ema = generator_ema
        # Optimiser slots must exist before a checkpoint is restored into them.
        critic_optimizer.build(self.critic.trainable_variables)
        generator_optimizer.build(self.generator.trainable_variables)
        self.built = True

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def sampling_generator(self):
        """The generator to sample, evaluate and export: the average if kept."""
        if self.average_generator is not None:
            return self.average_generator
        return self.generator

    @property
    def iterations_done(self):
        """`iteration` as a Python int, also under a distribution strategy."""
        return int(self.iteration.numpy())

    def reseed(self, seed):
        """Restarts the noise and interpolation draws from `seed`."""
        self.seed_generator.state.assign(
            tf.constant([seed, 0], dtype=self.seed_generator.state.dtype))

    def make_train_function(self, force=False):
        """Builds `fit`'s step function; under XLA, one program per execution.

        Keras compiles each step on its own and loops over the steps of an
        execution outside XLA, which costs a program launch per iteration.
        With `jit_compile` and `steps_per_execution > 1` on a single replica,
        the real batches of the whole execution are drawn first and one XLA
        program runs all its iterations in a `tf.while_loop`. Several
        replicas run the steps of an execution in a `tf.while_loop` of
        `strategy.run` (Keras's own loop fails to trace under a strategy).
        Other cases (no XLA, `train_on_batch`) use Keras's own function.
        """
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force=True)
        if self.run_eagerly:
            return self.train_function
        if self.distribute_strategy.num_replicas_in_sync > 1:
            self.train_function = self._replicated_train_function()
            return self.train_function
        if not (self.jit_compile and self.steps_per_execution > 1):
            return self.train_function
        keras_function = self.train_function
        fused_function = self._fused_train_function()

        def function(iterator):
            if isinstance(iterator, tf.data.Iterator):
                return fused_function(iterator)
            return keras_function(iterator)

        self.train_function = function
        return function

    def _fused_train_function(self):
        steps = self.steps_per_execution

        @tf.function(jit_compile=True, reduce_retracing=True)
        def run_steps(execution_batches):
            def body(index, logs):
                del logs
                return index + 1, self.train_step(execution_batches[index])

            logs = {name: tracker.result()
                    for name, tracker in self.trackers.items()}
            return tf.while_loop(lambda index, logs: index < steps, body,
                                 (tf.constant(0), logs))[1]

        @tf.function(reduce_retracing=True)
        def train_function(iterator):
            return run_steps(tf.stack([iterator.get_next()
                                       for _ in range(steps)]))

        return train_function

    def _replicated_train_function(self):
        strategy = self.distribute_strategy
        steps = self.steps_per_execution

        @tf.function(reduce_retracing=True)
        def train_function(iterator):
            def body(index, logs):
                del logs
                logs = strategy.run(self.train_step, args=(next(iterator),))
                return index + 1, {name: strategy.reduce("MEAN", value, axis=None)
                                   for name, value in logs.items()}

            logs = {name: tracker.result()
                    for name, tracker in self.trackers.items()}
            return tf.while_loop(lambda index, logs: index < steps, body,
                                 (tf.constant(0), logs))[1]

        return train_function

    def call(self, noise, training=False):
        return self.sampling_generator(noise, training=training)

    def train_step(self, data):
        real_batches = data
        # A multi-worker input pipeline leaves the leading dimension unknown.
        if real_batches.shape[0] not in (None, self.n_critic):
            raise ValueError(
                f"each training element must hold n_critic={self.n_critic} "
                f"real batches [n_critic, batch, ...]; got shape "
                f"{real_batches.shape}")
        # Unrolled: XLA fuses across the updates, 15% faster on mnist_mlp than a
        # tf.while_loop for all its longer compile (docs/benchmarks.md).
        for real in tf.unstack(real_batches, num=self.n_critic):
            self.critic_step(real)
        self.generator_step(tf.shape(real_batches)[1])
        if self.average_generator is not None:
            self.update_average_generator()
        self.iteration.assign_add(1)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def critic_step(self, real):
        """One critic update on a real batch and a fresh generated one.

        Args:
            real: a real batch `[B, ...]`.
        """
        fake = self.generator(self._noise(tf.shape(real)[0]), training=True)
        variables = self.critic.trainable_variables
        with tf.GradientTape() as tape:
            real_mean = tf.reduce_mean(self.critic(real, training=True))
            fake_mean = tf.reduce_mean(self.critic(fake, training=True))
            penalty = self.penalty.fn(self.critic, real, fake,
                                      self.seed_generator)
            loss = real_mean - fake_mean + self.penalty_weight * penalty.value
            scaled_loss = self.critic_optimizer.scale_loss(distribute.replica_share(loss))
        gradients = tape.gradient(scaled_loss, variables)
        self.critic_optimizer.apply(gradients, variables)
        if self.penalty.clips_weights:
            for variable in variables:
                variable.assign(tf.clip_by_value(
                    variable, -self.clip_value, self.clip_value))
        self.trackers["critic_loss"].update_state(loss)
        self.trackers["penalty"].update_state(penalty.value)
        self.trackers["wasserstein_estimate"].update_state(fake_mean - real_mean)
        self.trackers["gradient_norm"].update_state(penalty.norm)

    def generator_step(self, batch_size):
        """One generator update on fresh noise.

        Args:
            batch_size: a scalar, the number of samples to generate.
        """
        noise = self._noise(batch_size)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self.generator(noise, training=True)
            loss = tf.reduce_mean(self.critic(fake, training=True))
            scaled_loss = self.generator_optimizer.scale_loss(distribute.replica_share(loss))
        gradients = tape.gradient(scaled_loss, variables)
        self.generator_optimizer.apply(gradients, variables)
        self.trackers["generator_loss"].update_state(loss)

    def update_average_generator(self):
        """Moves `average_generator`'s weights towards `generator`'s."""
        def update(strategy):
            # In cross-replica context: the replicas' generators are equal,
            # and each device updates its copy of the average from its own.
            step = tf.cast(self.iteration.value, "float32")
            decay = tf.minimum(self.generator_ema, (1.0 + step) / (10.0 + step))
            for average, weight in zip(self.average_generator.weights,
                                       self.generator.weights, strict=True):
                strategy.extended.update(average.value, _move_towards,
                                         args=(weight.value, decay), group=False)

        context = tf.distribute.get_replica_context()
        if context is None:
            update(tf.distribute.get_strategy())
        else:
            context.merge_call(update)

    def _noise(self, batch_size):
        return distribute.replica_rows(
            lambda size: self.generator.sample_latent(size, self.seed_generator), batch_size)


def _move_towards(average, weight, decay):
    return average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))
