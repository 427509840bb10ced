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
    classes,
    distribute,
    inputs,
    losses,
    networks,
    penalties,
    train_functions,
)
from wgan_gp_tf.core.generation import Generation
from wgan_gp_tf.core.updates import Updates
from wgan_gp_tf.errors import ConfigError

METRIC_NAMES = (
    "critic_loss",
    "generator_loss",
    "penalty",
    "wasserstein_estimate",
    "gradient_norm",
)

# Metrics of a conditional trainer besides: the critic's classifier loss on
# real batches, and its accuracy on real and on generated ones.
CLASS_METRIC_NAMES = ("classifier_loss", "real_accuracy", "fake_accuracy")


class WGANGP(Updates, Generation, keras.Model):
    """A critic and a generator, trained n_critic : 1 by `fit`.

    One iteration is n_critic critic updates, each on a fresh real batch and
    fresh noise, then one generator update on fresh noise (or n_generator,
    or one joint update of both: `wgan_gp_tf.core.updates`); `iteration`
    counts them. `fit` takes what Keras models take:

    - an array or tensor of real samples `[N, ...]` with `batch_size`: each
      epoch takes them in a permutation of its own (fixed by `seed` and the
      epoch; in order with `shuffle=False`), cut into batches of
      `batch_size`, and every n_critic consecutive batches make one
      iteration. So an epoch is one pass over the data, each real sample
      seen by one critic update, and a Keras step is one iteration
      (`N // (batch_size * n_critic)` per epoch, the remainder left out);
    - a `tf.data.Dataset` of batches `[B, ...]`, or of tuples whose first
      item is the batch (`(images, labels)`: labels are ignored), grouped the
      same way: n_critic consecutive batches of equal size per iteration;
    - a dataset whose elements are already one iteration's real data,
      `[n_critic, B, ...]`, as `wgan_gp_tf.data` streams them, taken as is.

    Real samples must already be in the generator's output range (e.g. pixels
    scaled to [0, 1] for a sigmoid generator); integer arrays are refused.

    Under a `tf.distribute` strategy each replica trains on its slice of the
    global batch with its rows of the global noise and interpolation draws,
    and scales its losses by its share (`wgan_gp_tf.core.distribute`), so
    that any number of replicas computes the single-device update.

    With an `average_generator`, a second generator of the same
    architecture, each iteration ends by moving its weights towards the
    trained generator's (`wgan_gp_tf.core.averaging`); `sampling_generator`
    is the network to draw samples from.

    Losses go through each optimiser's `scale_loss`, so a
    `keras.optimizers.LossScaleOptimizer` trains in float16 (it skips the
    updates whose gradients overflow; the iteration still counts).

    Class-conditional training (`num_classes`, the WGAN-GP paper's AC-GAN
    model): the generator takes `[noise, labels]`, the critic returns
    `(scores, class_logits)`, and `fit` takes `(x, y)` arrays or datasets of
    `(batch, labels)` pairs (`wgan_gp_tf.core.classes` has the losses).

    Metrics (epoch means): `critic_loss`, `generator_loss`, `penalty` (the
    unweighted penalty), `wasserstein_estimate` (`mean D(fake) - mean
    D(real)`, whatever the loss) and `gradient_norm` (the mean gradient norm
    at the interpolates, or the mean Lipschitz quotient for the
    finite-difference penalties); conditional training adds
    `classifier_loss`, `real_accuracy` and `fake_accuracy`.
    """

    def __init__(self, critic, generator, latent_dim=None, prior=None, output_range=None,
                 seed=0, average_generator=None, num_classes=None, **kwargs):
        """Creates the trainer.

        Args:
            critic: a `keras.Model`, samples -> scores `[B, 1]`, with no
                output activation.
            generator: a `keras.Model`, noise `[B, latent_dim]` -> samples.
            latent_dim: the noise size; by default the generator's own
                `latent_dim` or its input width.
            prior: the noise prior, `"normal"` (N(0, 1)), `"uniform"`
                (U(-1, 1)) or `"unit_uniform"` (U(0, 1)); by default the
                generator's own `prior`, else `"normal"`.
            output_range: `(low, high)` of the generator's images, which
                sample grids and exports map to [0, 1]; by default the
                generator's own `output_range`, else `(0, 1)`.
            seed: seeds the noise, the interpolation coefficients and the
                order in which `fit` shuffles arrays.
            average_generator: `None`, or a built generator of the same
                architecture to hold the moving average of `generator`'s
                weights; it starts as a copy of them.
            num_classes: train class-conditionally with this many classes;
                by default the generator's own `num_classes`, else
                unconditionally.
            **kwargs: passed to `keras.Model`.

        Raises:
            ConfigError: the noise size is unknown, an argument contradicts
                what the generator carries, or the prior is unknown.
        """
        super().__init__(**kwargs)
        self.critic = critic
        self.generator = generator
        self.latent_dim, self.prior, self.output_range = networks.noise_and_range(
            generator, latent_dim, prior, output_range)
        self.num_classes = networks.num_classes(generator, num_classes)
        self.seed = seed
        self._image_shape = None
        self.average_generator = average_generator
        if average_generator is not None:
            average_generator.set_weights(generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.iteration = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                         trainable=False, name="iteration")
        names = METRIC_NAMES + (CLASS_METRIC_NAMES if self.num_classes else ())
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    def compile(self, critic_optimizer=None, generator_optimizer=None, penalty="hinge",
                penalty_weight=10.0, n_critic=5, clip_value=0.01, generator_ema=0.999,
                loss="wasserstein", n_generator=1, one_step=False, jit_compile="auto",
                classifier_weight=classes.CLASSIFIER_WEIGHT,
                generator_classifier_weight=classes.GENERATOR_CLASSIFIER_WEIGHT,
                generator_batch_size=None, **kwargs):
        """Configures training.

        Args:
            critic_optimizer: the critic's optimiser: an instance, or a name
                or config for `keras.optimizers.get`. Default: the WGAN-GP
                paper's Adam(1e-4, beta_1=0.5, beta_2=0.9).
            generator_optimizer: the generator's, alike.
            penalty: a registered name (`wgan_gp_tf.core.penalties.names()`),
                a `Penalty`, or a function `fn(critic, real, fake, seed) ->
                PenaltyOutput`.
            penalty_weight: lambda.
            n_critic: critic updates per generator update.
            clip_value: weight bound used by the `clip` penalty.
            generator_ema: the decay of the `average_generator`'s moving
                average, if there is one. Early iterations use the smaller
                `(1 + t) / (10 + t)` at iteration t, so that the average does
                not linger on the initial weights.
            loss: the adversarial loss: a registered name
                (`wgan_gp_tf.core.losses.names()`), a `Loss`, or a function
                `fn(real_scores, fake_scores) -> LossOutput`.
            n_generator: generator updates per iteration, after the critic's.
            one_step: update both networks at once, from the same batches
                (gan_one_step_with_hinge_loss.py); needs `n_critic=1` and
                `n_generator=1`.
            jit_compile: `True`, `False`, or `"auto"`: XLA where it was
                measured faster (docs/benchmarks.md): on a GPU or TPU, and on
                a CPU unless a network has convolutions (XLA's CPU
                convolutions run 6-30x slower than oneDNN's); never with
                several replicas, whose step XLA cannot compile.
            classifier_weight: of the critic's classifier loss, if
                conditional (gan_cifar_resnet.py's ACGAN_SCALE, 1).
            generator_classifier_weight: of the generator's (ACGAN_SCALE_G,
                0.1).
            generator_batch_size: samples per generator update (global);
                by default the critic's batch size (gan_cifar_resnet.py:
                twice it).
            **kwargs: passed to `keras.Model.compile`, e.g.
                `steps_per_execution`.

        Raises:
            ConfigError: an unknown penalty or loss, a gradient penalty
                for a critic without a second derivative, `one_step` with more
                than one update of either network, or a generator batch size
                with a loss that pairs real and generated scores.
        """
        if jit_compile == "auto":
            jit_compile = self._xla_helps()
        super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)
        self.critic_optimizer = _optimizer(critic_optimizer)
        self.generator_optimizer = _optimizer(generator_optimizer)
        self.penalty = penalties.get(penalty)
        penalties.check_critic(self.penalty, self.critic)
        self.adversarial_loss = losses.get(loss)
        self.penalty_weight = penalty_weight
        if one_step and (n_critic, n_generator) != (1, 1):
            raise ConfigError(f"one_step updates both networks once per iteration; it needs "
                             f"n_critic=1 and n_generator=1, not {n_critic} and {n_generator}")
        if generator_batch_size and self.adversarial_loss.generator_needs_real:
            raise ConfigError(f"the {self.adversarial_loss.name} loss pairs each generated "
                              f"sample with a real one; it needs the critic's batch size "
                              f"for the generator too, not generator_batch_size="
                              f"{generator_batch_size}")
        self.classifier_weight = classifier_weight
        self.generator_classifier_weight = generator_classifier_weight
        self.generator_batch_size = generator_batch_size
        self.n_critic = n_critic
        self.n_generator = n_generator
        self.one_step = one_step
        self.clip_value = clip_value
        self.generator_ema = generator_ema
        # Optimiser slots must exist before a checkpoint is restored into them.
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.built = True

    def _xla_helps(self):
        if self.distribute_strategy.num_replicas_in_sync > 1:
            return False
        if tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"):
            return True
        return not (networks.has_convolutions(self.critic)
                    or networks.has_convolutions(self.generator))

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

    def reseed(self, seed):
        """Restarts the noise and interpolation draws from `seed`."""
        self.seed_generator.state.assign(
            tf.constant([seed, 0], dtype=self.seed_generator.state.dtype))

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, **kwargs):
        """Trains for `epochs` epochs, one Keras step per iteration.

        `x` is an array of real samples, a dataset of batches or of
        `(batch, labels)` tuples, or a dataset of iterations (see the class
        docstring); `y` holds the labels of an array `x` for a conditional
        trainer, and is ignored otherwise. `steps_per_epoch` counts iterations.
        Validation and sample weights have no meaning for a GAN and are
        refused.

        Returns:
            The Keras `History`.
        """
        for name, value in (("validation_split", validation_split or None),
                            ("validation_data", validation_data),
                            ("class_weight", class_weight), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(f"WGANGP.fit does not take {name}: a GAN has no targets "
                                 f"to validate or weight")
        stream, iterations_per_epoch = inputs.iteration_stream(
            x, y if self.num_classes else None, num_classes=self.num_classes,
            batch_size=batch_size, n_critic=self.n_critic, shuffle=shuffle, seed=self.seed,
            sample_shape=self.image_shape, epochs=epochs, initial_epoch=initial_epoch)
        stream = distribute.distribute_batches(self.distribute_strategy, stream)
        steps_per_epoch = steps_per_epoch or iterations_per_epoch
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
        self.trace_steps_once()
        self.train_function = train_functions.make(self, self.train_function)
        return self.train_function



def _optimizer(identifier):
    if identifier is None:
        return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
    return keras.optimizers.get(identifier)
