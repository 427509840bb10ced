"""`WGANGP`, a `keras.Model` that trains a critic and a generator with `fit`.

Sign convention: that of Su Jianlin's post (kexue.fm/archives/4439), which is
the WGAN-GP paper's with the sign flipped; the two are equivalent. The critic
scores generated samples high and real ones low:

    critic loss     L_D = mean D(real) - mean D(fake) + lambda * penalty
    generator loss  L_G = mean D(G(noise))

and `mean D(fake) - mean D(real)`, the critic loss without its penalty negated,
is the running estimate of the Wasserstein distance. Other losses
(`wgan_gp_tf.core.losses`) replace the first two terms of each.
"""

import warnings

import keras
import tensorflow as tf

from wgan_gp_tf.core import (
    averaging,
    classes,
    distribute,
    guards,
    inputs,
    losses,
    metrics,
    networks,
    penalties,
    saving,
    stems,
    train_functions,
)
from wgan_gp_tf.core.generation import GeneratingModel


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class WGANGP(GeneratingModel):
    """A critic and a generator, trained n_critic : 1 by `fit`.

    One iteration is n_critic critic updates, each on a fresh real batch and
    fresh noise, then n_generator generator updates, each on fresh noise; or,
    with `one_step` (gan_one_step_with_hinge_loss.py), one simultaneous update
    of both from the same batches. `iteration` counts them, and a Keras step
    is one iteration. Real samples must already be in the generator's output
    range.

    What the model is, the networks and the algorithm's settings, is given
    here and returned by `get_config`, so that `model.save("m.keras")` and
    `keras.models.load_model` round-trip; how it is optimised (the
    optimisers, `jit_compile`, `steps_per_execution`) is given to `compile`.

    docs/library.md says what it does under a `tf.distribute` strategy, in
    float16 and with a user's penalty or loss, and which metrics it reports.

    Args:
        critic: a `keras.Model`, samples -> scores `[B, 1]` with no output
            activation (`(scores, class_logits)` if conditional).
        generator: a `keras.Model`, noise `[B, latent_dim]` (`[noise,
            labels]` if conditional) -> samples.
        penalty: a registered name (`wgan_gp_tf.penalties.names()`), a
            `Penalty` such as `Div(power=6)` or `Clip(0.01)`, or a function
            `fn(critic, real, fake, seed) -> PenaltyOutput`, which is given
            this critic.
        penalty_weight: lambda.
        loss: a registered name (`wgan_gp_tf.losses.names()`), a `Loss`, or
            a function `fn(real_scores, fake_scores) -> LossOutput`.
        n_critic: critic updates per iteration.
        n_generator: generator updates per iteration, after the critic's.
        one_step: update both networks at once; needs `n_critic=1` and
            `n_generator=1`.
        latent_dim, prior, output_range, num_classes, average_generator:
            as `GeneratingModel`'s; a `num_classes` trains class-conditionally
            (the WGAN-GP paper's AC-GAN), and the average is an exponential
            moving one (`wgan_gp_tf.core.averaging`).
        generator_ema: the average's decay.
        classifier_weight: of the critic's classifier loss, if conditional.
        generator_classifier_weight: of the generator's.
        generator_batch_size: samples per generator update (global); by
            default the critic's batch size.
        seed: seeds `seed_generator` (the noise and the interpolation
            draws) and `fit`'s shuffle.
        **kwargs: passed to `keras.Model`.

    Raises:
        ConfigError: an unknown penalty, loss or prior, a gradient penalty
            for a critic without a second derivative, settings that
            contradict the generator or each other.
    """

    def __init__(self, critic, generator, *, penalty="hinge", penalty_weight=10.0,
                 loss="wasserstein", n_critic=5, n_generator=1, one_step=False,
                 latent_dim=None, prior=None, output_range=None, num_classes=None,
                 average_generator=None, generator_ema=0.999,
                 classifier_weight=classes.CLASSIFIER_WEIGHT,
                 generator_classifier_weight=classes.GENERATOR_CLASSIFIER_WEIGHT,
                 generator_batch_size=None, seed=0, **kwargs):
        super().__init__(generator, latent_dim, prior, output_range, num_classes,
                         average_generator, seed, **kwargs)
        self.critic = critic
        self.penalty = penalties.resolve(penalty)
        self.penalty.check_critic(critic)
        self.penalty_weight = penalty_weight
        self.adversarial_loss = losses.resolve(loss)
        self.n_critic, self.n_generator, self.one_step = n_critic, n_generator, one_step
        self.generator_ema = generator_ema
        self.classifier_weight = classifier_weight
        self.generator_classifier_weight = generator_classifier_weight
        self.generator_batch_size = generator_batch_size
        networks.check_schedule(self)
        self.iteration = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="iteration")
        self.trackers = metrics.trackers(conditional=bool(self.num_classes))

    def get_config(self):
        return {**super().get_config(), **saving.trainer_config(self)}

    @classmethod
    def from_config(cls, config):
        model = cls(**saving.trainer_arguments(config))
        # Networks remade from their configs may create variables at their first call;
        # the optimisers and the saved weights need them now.
        model.critic(model.generate(tf.zeros([1, model.latent_dim])), training=False)
        return model

    def compile(self, critic_optimizer=None, generator_optimizer=None, jit_compile="auto",
                **kwargs):
        """Configures the optimisation.

        Args:
            critic_optimizer: an optimiser, or a name or config for
                `keras.optimizers.get`. Default: the WGAN-GP paper's
                Adam(1e-4, beta_1=0.5, beta_2=0.9).
            generator_optimizer: the generator's, alike.
            jit_compile: `True`, `False`, or `"auto"`: XLA where it was
                measured faster (docs/benchmarks.md): on a GPU or TPU, and on
                a CPU unless a network has convolutions; never with several
                replicas, whose step XLA cannot compile.
            **kwargs: passed to `keras.Model.compile`, e.g.
                `steps_per_execution`.
        """
        self._compile_settings = {"jit_compile": jit_compile, **kwargs}
        if jit_compile == "auto":
            jit_compile = train_functions.xla_helps(self)
        super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)
        self.critic_optimizer = saving.optimizer(critic_optimizer)
        self.generator_optimizer = saving.optimizer(generator_optimizer)
        # Optimiser slots must exist before a checkpoint is restored into them.
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.built = True

    def get_compile_config(self):
        return saving.compile_config(self, self._compile_settings) if self.compiled else {}

    def compile_from_config(self, config):
        self.compile(**saving.compile_arguments(config))

    @property
    def real_batches_per_iteration(self):
        """The real batches one iteration reads.

        One per critic update, and one per generator update if the loss's
        generator term scores real samples, as keras/rsgan_sn_celeba.py draws
        them.
        """
        fresh_for_generator = self.adversarial_loss.generator_needs_real and not self.one_step
        return self.n_critic + (self.n_generator if fresh_for_generator else 0)

    def train_step(self, data):
        count = self.real_batches_per_iteration
        batches, batch_labels = inputs.split_labels(data, self.num_classes, count)
        real_batches = tf.unstack(batches, num=count)
        labels = [None] * count if batch_labels is None else tf.unstack(batch_labels, num=count)
        if self.one_step:
            self.joint_step(real_batches[0], labels[0])
        else:
            critic_step = train_functions.traced_once(self, "critic", self.n_critic)
            for real, real_label in zip(real_batches[:self.n_critic], labels[:self.n_critic],
                                        strict=True):
                critic_step(real, real_label)
            # Without batches of its own, a generator update reads only the batch size.
            generator_batches = real_batches[self.n_critic:] or [real] * self.n_generator
            generator_step = train_functions.traced_once(self, "generator", self.n_generator)
            for real in generator_batches:
                generator_step(real)
        if self.average_generator is not None:
            averaging.update_average(self.average_generator, self.generator,
                                     self.generator_ema, self.iteration)
        self.iteration.assign_add(1)
        return self.metric_results()

    def critic_step(self, real, labels=None):
        """One critic update on a real batch and a generated one for the same labels."""
        fake = self._generate(self._noise(tf.shape(real)[0]), labels)
        with tf.GradientTape() as tape:
            loss = self._scaled(self.critic_optimizer, self._critic_loss(real, fake, labels))
        self._apply_critic(tape.gradient(loss, self.critic.trainable_variables))

    def generator_step(self, real):
        """One generator update on fresh noise (and uniform labels if conditional).

        `real` is scored only if the loss's generator term needs real scores.
        """
        batch_size = self._generator_batch_size(tf.shape(real)[0])
        labels = None
        if self.num_classes:
            labels = classes.uniform_labels(batch_size, self.num_classes, self.seed_generator)
        noise = self._noise(batch_size)
        with tf.GradientTape() as tape:
            loss = self._scaled(self.generator_optimizer,
                                self._generator_loss(real, self._generate(noise, labels), labels))
        self._apply_generator(tape.gradient(loss, self.generator.trainable_variables))

    def joint_step(self, real, labels=None):
        """Both networks updated at once, at the weights before the step.

        The critic's gradients are taken with the generated batch held fixed,
        the generator's through it: simultaneous gradient descent, which the
        original writes as one loss for one optimiser.
        """
        noise = self._noise(tf.shape(real)[0])
        with tf.GradientTape(persistent=True) as tape:
            fake = self._generate(noise, labels)
            critic_loss = self._critic_loss(real, tf.stop_gradient(fake), labels)
            generator_loss = self._generator_loss(real, fake, labels)
            scaled_critic_loss = self._scaled(self.critic_optimizer, critic_loss)
            scaled_generator_loss = self._scaled(self.generator_optimizer, generator_loss)
        critic_gradients = tape.gradient(scaled_critic_loss, self.critic.trainable_variables)
        generator_gradients = tape.gradient(scaled_generator_loss,
                                            self.generator.trainable_variables)
        del tape
        self._apply_critic(critic_gradients)
        self._apply_generator(generator_gradients)

    def _critic_loss(self, real, fake, labels=None):
        """The critic's loss with its weighted penalty, recorded in the metrics.

        The penalty's nested tape differentiates the critic's input gradient
        at the interpolates inside this update's tape. Built-in penalties
        score through `stems.CriticScores`, which reuses the real and
        generated batches' affine stems for the interpolates.
        """
        scorer = stems.CriticScores(self.critic)
        real_scores, real_logits = classes.split_outputs(scorer.outputs(real), self.num_classes)
        fake_scores, fake_logits = classes.split_outputs(scorer.outputs(fake), self.num_classes)
        penalty = self.penalty(scorer if self.penalty.scores_only else self.critic,
                               real, fake, self.seed_generator)
        loss = (self.adversarial_loss(real_scores, fake_scores).critic
                + self.penalty_weight * penalty.value)
        if labels is not None:
            classifier_loss = classes.cross_entropy(real_logits, labels)
            loss += self.classifier_weight * classifier_loss
            metrics.record_classifier(self.trackers, classifier_loss, real_logits, fake_logits,
                                      labels)
        metrics.record_critic(self.trackers, loss, penalty, real_scores, fake_scores)
        return loss

    def _generator_loss(self, real, fake, labels=None):
        fake_scores, fake_logits = self._critique(fake)
        if self.adversarial_loss.generator_needs_real:
            real_scores, _ = self._critique(real)
        else:
            real_scores = tf.zeros_like(fake_scores)
        loss = self.adversarial_loss(real_scores, fake_scores).generator
        if labels is not None:
            loss += self.generator_classifier_weight * classes.cross_entropy(fake_logits, labels)
        self.trackers["generator_loss"].update_state(loss)
        return loss

    def _critique(self, samples):
        return classes.split_outputs(self.critic(samples, training=True), self.num_classes)

    def _generate(self, noise, labels=None):
        if labels is None:
            return self.generator(noise, training=True)
        return self.generator([noise, labels], training=True)

    def _noise(self, batch_size):
        return distribute.replica_rows(
            lambda size: self.sample_latent(size, self.seed_generator), batch_size)

    def _generator_batch_size(self, critic_batch_size):
        if not self.generator_batch_size:
            return critic_batch_size
        return self.generator_batch_size // self.distribute_strategy.num_replicas_in_sync

    def _scaled(self, optimizer, loss):
        return optimizer.scale_loss(distribute.replica_share(loss))

    def _apply_critic(self, gradients):
        self.critic_optimizer.apply(gradients, self.critic.trainable_variables)
        self.penalty.constrain(self.critic.trainable_variables)

    def _apply_generator(self, gradients):
        self.generator_optimizer.apply(gradients, self.generator.trainable_variables)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, stop_on_nan=True,
            **kwargs):
        """Trains for `epochs` epochs, one Keras step per iteration.

        `x` is an array of real samples, a dataset of batches or of
        `(batch, labels)` tuples, or a dataset of iterations; `y` holds the
        labels of an array `x` for a conditional trainer, and is ignored
        otherwise. `steps_per_epoch` counts iterations. Validation and sample
        weights have no meaning for a GAN and are refused. With `stop_on_nan`
        a loss that turns NaN or infinite ends `fit` with `DivergedError`;
        without, training goes on as Keras's own `fit` would.

        Returns:
            The Keras `History`.

        Raises:
            ConfigError: the critic does not answer one score per sample
                (`(scores, class_logits)` if conditional).
            ValueError: real samples that do not fit the generator, or
                hold NaN or infinite values.
            DivergedError: with `stop_on_nan`, non-finite losses.
        """
        inputs.refuse_targets(validation_split=validation_split or None,
                              validation_data=validation_data, class_weight=class_weight,
                              sample_weight=sample_weight)
        guards.check_outputs(self)
        stream, iterations_per_epoch = inputs.iteration_stream(
            x, y if self.num_classes else None, num_classes=self.num_classes,
            batch_size=batch_size, per_iteration=self.real_batches_per_iteration,
            shuffle=shuffle, seed=self.seed, sample_shape=self.image_shape, epochs=epochs,
            initial_epoch=initial_epoch)
        stream = distribute.distribute_batches(self.distribute_strategy, stream)
        steps_per_epoch = steps_per_epoch or iterations_per_epoch
        if stop_on_nan:
            callbacks = [*(callbacks or []), guards.RaiseOnNonFinite()]
        with warnings.catch_warnings():
            if steps_per_epoch is None:
                # How every epoch over a dataset of unknown length ends.
                warnings.filterwarnings("ignore", message="Your input ran out of data")
            return super().fit(stream, epochs=epochs, verbose=verbose, callbacks=callbacks,
                               shuffle=False, initial_epoch=initial_epoch,
                               steps_per_epoch=steps_per_epoch, **kwargs)

    def make_train_function(self, force=False):
        """Builds `fit`'s step function (`wgan_gp_tf.core.train_functions`)."""
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force=True)
        self.train_function = train_functions.make(self, self.train_function)
        return self.train_function

    @property
    def metrics(self):
        return list(self.trackers.values())

    def metric_results(self):
        """The running means of the metrics, by name."""
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def iterations_done(self):
        """`iteration` as a Python int, also under a distribution strategy."""
        return int(self.iteration.numpy())

