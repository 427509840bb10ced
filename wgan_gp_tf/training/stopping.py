"""Keras callbacks that end `WGANGP.fit`: at an iteration, on NaN losses, on a signal.

They count the trainer's iterations (generator updates, restored with a
checkpoint), and act after the compiled call that crosses the line.
"""

import signal
import threading

import keras

from wgan_gp_tf.core.guards import all_finite


class StopOnNonFinite(keras.callbacks.Callback):
    """Ends `fit` after the first compiled call whose losses are NaN or infinite.

    Attributes:
        iteration: the iteration that call ended on, or `None` while finite.
    """

    def __init__(self):
        super().__init__()
        self.iteration = None

    def on_train_batch_end(self, batch, logs=None):
        if not all_finite(logs):
            self.iteration = self.model.iterations_done
            self.model.stop_training = True


class StopAtIteration(keras.callbacks.Callback):
    """Ends `fit` once the trainer has done `iterations` generator updates."""

    def __init__(self, iterations):
        super().__init__()
        self.iterations = iterations

    def on_train_batch_end(self, batch, logs=None):
        if self.model.iterations_done >= self.iterations:
            self.model.stop_training = True


class StopOnSignal(keras.callbacks.Callback):
    """Ends `fit` after the current compiled call on SIGINT or SIGTERM.

    Like a preemption notice: the callbacks' `on_train_end` still run, so a
    `Checkpoint` saves the last iteration done. A second signal acts as it
    would without this callback (a second Ctrl-C interrupts at once). Signal
    handlers can only be set from the main thread; elsewhere this does
    nothing.

    Attributes:
        received: the name of the signal that stopped training, or `None`.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        super().__init__()
        self.received = None
        self._previous = {}

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():
            self._previous = {number: signal.signal(number, self._stop)
                              for number in self.SIGNALS}

    def _stop(self, number, frame):
        del frame
        self.received = signal.Signals(number).name
        self.model.stop_training = True
        self._restore_handlers()

    def on_train_end(self, logs=None):
        self._restore_handlers()

    def _restore_handlers(self):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}
