"""Learning-rate schedules the training configs use beyond Keras's own."""

import keras


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class Delayed(keras.optimizers.schedules.LearningRateSchedule):
    """Holds a schedule's first rate for `start_step` steps, then follows it.

    `Delayed(PolynomialDecay(rate, total - start), start)` is CycleGAN's
    schedule: constant, then a straight line to 0 at `total`.

    Args:
        schedule: a `LearningRateSchedule`, or its config.
        start_step: the optimiser step at which `schedule`'s step 0 falls.
    """

    def __init__(self, schedule, start_step):
        if isinstance(schedule, dict):
            schedule = keras.optimizers.schedules.deserialize(schedule)
        self.schedule = schedule
        self.start_step = int(start_step)

    def __call__(self, step):
        return self.schedule(keras.ops.maximum(step - self.start_step, 0))

    def get_config(self):
        return {"schedule": keras.optimizers.schedules.serialize(self.schedule),
                "start_step": self.start_step}
