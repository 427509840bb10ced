"""What one training iteration computes: `WGANGP`'s updates of the critic and the generator.

Two schedules:

- alternating (the default, as every script but one of the original repo):
  n_critic critic updates, each on a fresh real batch and fresh noise, then
  n_generator generator updates, each on fresh noise;
- one step (gan_one_step_with_hinge_loss.py): both networks updated at once,
  from the same real batch and the same generated one, the critic's
  gradients taken with the generated batch held fixed and the generator's
  through it, both at the weights before the step (simultaneous gradient
  descent). The original writes this as one loss for one optimiser,
  `L_D(real, stop_gradient(fake)) + D(fake) - D(stop_gradient(fake))`, whose
  gradients are these; here each network keeps its own optimiser.

A class-conditional trainer (`num_classes`) takes `(images, labels)`
iterations and adds the AC-GAN terms of `wgan_gp_tf.core.classes`.
"""

import functools

import tensorflow as tf

from wgan_gp_tf.core import averaging, classes, distribute, losses, penalties, stems


class Updates:
    """The update steps of `WGANGP`; it provides the networks, optimisers and settings."""

    def train_step(self, data):
        real_batches, real_labels = self._split_labels(data)
        # A multi-worker input pipeline leaves the leading dimension unknown.
        if real_batches.shape[0] not in (None, self.n_critic):
            raise ValueError(
                f"each training element must hold n_critic={self.n_critic} "
                f"real batches [n_critic, batch, ...]; got shape "
                f"{real_batches.shape}")
        labels = ([None] * self.n_critic if real_labels is None
                  else tf.unstack(real_labels, num=self.n_critic))
        if self.one_step:
            self.joint_step(real_batches[0], labels[0])
        else:
            # Unrolled: XLA fuses across the updates, which trained mnist_mlp faster
            # than a tf.while_loop for all its longer compile (docs/benchmarks.md).
            critic_step = self._traced_once("critic", self.critic_step, self.n_critic)
            for real, real_label in zip(tf.unstack(real_batches, num=self.n_critic), labels,
                                        strict=True):
                critic_step(real, real_label)
            generator_step = self._traced_once("generator", self.generator_step,
                                                self.n_generator)
            for _ in range(self.n_generator):
                generator_step(real)
        if self.average_generator is not None:
            averaging.update_average(self.average_generator, self.generator,
                                     self.generator_ema, self.iteration)
        self.iteration.assign_add(1)
        return self.metric_results()

    def trace_steps_once(self):
        """Makes the train step trace each repeated update once, from now on.

        Tracing an update in Python is most of a compiled train step's
        start-up. A `tf.function` that the step calls n_critic times is
        traced once, and XLA inlines its calls, so the compiled program is
        the same. Called afresh whenever the train function is made, after
        any `compile`.
        """
        self._step_functions = {"critic": tf.function(self.critic_step, autograph=False),
                                "generator": tf.function(self.generator_step, autograph=False)}

    def _traced_once(self, name, step, times):
        """`step`, or its function traced once when the step calls it `times` > 1 times.

        Not eagerly, nor under several replicas: they would share one trace
        of their replica-dependent rows.
        """
        functions = getattr(self, "_step_functions", None)
        if (functions is None or times < 2 or not tf.inside_function()
                or self.distribute_strategy.num_replicas_in_sync > 1):
            return step
        return functions[name]

    def critic_step(self, real, labels=None):
        """One critic update on a real batch and a fresh generated one.

        Args:
            real: a real batch `[B, ...]`.
            labels: its labels `[B]` if the trainer is conditional; the
                generated batch is made for the same labels.
        """
        fake = self._generate(self._noise(tf.shape(real)[0]), labels)
        variables = self.critic.trainable_variables
        with tf.GradientTape() as tape:
            loss = self._critic_loss(real, fake, labels)
            scaled_loss = self.critic_optimizer.scale_loss(distribute.replica_share(loss))
        self._apply_critic(tape.gradient(scaled_loss, variables))

    def generator_step(self, real):
        """One generator update on fresh noise (and uniform labels if conditional).

        Args:
            real: a real batch `[B, ...]`, scored only if the loss's
                generator term needs real scores (`relativistic`). The
                generator's batch is as large, or `generator_batch_size`.
        """
        batch_size = self._generator_batch_size(tf.shape(real)[0])
        labels = None
        if self.num_classes:
            labels = classes.uniform_labels(batch_size, self.num_classes, self.seed_generator)
        noise = self._noise(batch_size)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            loss = self._generator_loss(real, self._generate(noise, labels), labels)
            scaled_loss = self.generator_optimizer.scale_loss(distribute.replica_share(loss))
        self._apply_generator(tape.gradient(scaled_loss, variables))

    def joint_step(self, real, labels=None):
        """Both networks updated at once from one real and one generated batch.

        Args:
            real: a real batch `[B, ...]`.
            labels: its labels `[B]` if conditional, which the generated
                batch is made for.
        """
        noise = self._noise(tf.shape(real)[0])
        with tf.GradientTape(persistent=True) as tape:
            fake = self._generate(noise, labels)
            critic_loss = self._critic_loss(real, tf.stop_gradient(fake), labels)
            generator_loss = self._generator_loss(real, fake, labels)
            scaled_critic_loss = self.critic_optimizer.scale_loss(
                distribute.replica_share(critic_loss))
            scaled_generator_loss = self.generator_optimizer.scale_loss(
                distribute.replica_share(generator_loss))
        critic_gradients = tape.gradient(scaled_critic_loss, self.critic.trainable_variables)
        generator_gradients = tape.gradient(scaled_generator_loss,
                                            self.generator.trainable_variables)
        del tape
        self._apply_critic(critic_gradients)
        self._apply_generator(generator_gradients)

    def _critic_loss(self, real, fake, labels=None):
        """The critic's loss and penalty, recorded in the metrics."""
        critic = stems.CriticScores(self.critic)
        real_scores, real_logits = self._critique(real, critic.outputs)
        fake_scores, fake_logits = self._critique(fake, critic.outputs)
        penalty = self.penalty.fn(critic, real, fake, self.seed_generator)
        if not isinstance(penalty, penalties.PenaltyOutput):
            raise TypeError(f"penalty {self.penalty.name!r} returned {type(penalty)}; a "
                            f"penalty function returns PenaltyOutput(value, norm)")
        loss = (self._adversarial_losses(real_scores, fake_scores).critic
                + self.penalty_weight * penalty.value)
        if labels is not None:
            classifier_loss = classes.cross_entropy(real_logits, labels)
            loss += self.classifier_weight * classifier_loss
            self.trackers["classifier_loss"].update_state(classifier_loss)
            self.trackers["real_accuracy"].update_state(classes.accuracy(real_logits, labels))
            self.trackers["fake_accuracy"].update_state(classes.accuracy(fake_logits, labels))
        self.trackers["critic_loss"].update_state(loss)
        self.trackers["penalty"].update_state(penalty.value)
        self.trackers["wasserstein_estimate"].update_state(
            tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores))
        self.trackers["gradient_norm"].update_state(penalty.norm)
        return loss

    def _generator_loss(self, real, fake, labels=None):
        fake_scores, fake_logits = self._critique(fake)
        if self.adversarial_loss.generator_needs_real:
            real_scores, _ = self._critique(real)
        else:
            real_scores = tf.zeros_like(fake_scores)
        loss = self._adversarial_losses(real_scores, fake_scores).generator
        if labels is not None:
            loss += self.generator_classifier_weight * classes.cross_entropy(fake_logits, labels)
        self.trackers["generator_loss"].update_state(loss)
        return loss

    def _critique(self, samples, outputs=None):
        """`(scores, class_logits)` of the critic; the logits are `None` if unconditional."""
        output = (outputs or functools.partial(self.critic, training=True))(samples)
        if self.num_classes:
            return output[0], output[1]
        return output, None

    def _generate(self, noise, labels=None):
        if labels is None:
            return self.generator(noise, training=True)
        return self.generator([noise, labels], training=True)

    def _split_labels(self, data):
        if not self.num_classes:
            return data, None
        if not isinstance(data, tuple | list) or len(data) != 2:
            raise ValueError("a conditional WGANGP (num_classes set) trains on (images, labels) "
                             "iterations: pass fit(x, y) or a dataset of (batch, labels) pairs")
        return data[0], data[1]

    def _generator_batch_size(self, critic_batch_size):
        if not self.generator_batch_size:
            return critic_batch_size
        return self.generator_batch_size // self.distribute_strategy.num_replicas_in_sync

    def _apply_critic(self, gradients):
        variables = self.critic.trainable_variables
        self.critic_optimizer.apply(gradients, variables)
        if self.penalty.clips_weights:
            for variable in variables:
                variable.assign(tf.clip_by_value(variable, -self.clip_value, self.clip_value))

    def _apply_generator(self, gradients):
        self.generator_optimizer.apply(gradients, self.generator.trainable_variables)

    def _adversarial_losses(self, real_scores, fake_scores):
        output = self.adversarial_loss.fn(real_scores, fake_scores)
        if not isinstance(output, losses.LossOutput):
            raise TypeError(f"loss {self.adversarial_loss.name!r} returned {type(output)}; "
                            f"a loss function returns LossOutput(critic, generator)")
        return output

    def _noise(self, batch_size):
        return distribute.replica_rows(
            lambda size: self.sample_latent(size, self.seed_generator), batch_size)
