"""`IterationProgress`: a run's progress counted in iterations, as GAN users count it.

Keras's own bar counts the batches of each epoch (`Epoch 2/2 200/200`), and
an epoch here is only the stretch between two checkpoints; this one bar
spans the run's iterations and starts where a resumed run starts.
"""

import sys
import time

import keras


def _format_duration(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class IterationProgress(keras.callbacks.Callback):
    """Shows `iteration i/N`, the rate, the time left and the losses, during `fit`.

    Args:
        iterations: the iteration the run ends at (the bar's end).
        verbose: 1 for one line redrawn in place (a terminal), 2 for a line
            at the end of each epoch (a log file), 0 for nothing.
        stream: where to write; `sys.stdout` by default.
        width: the bar's width in characters.
    """

    # A terminal is redrawn at most this often, in seconds.
    REDRAW = 0.1

    def __init__(self, iterations, verbose=1, stream=None, width=30):
        super().__init__()
        self.iterations = iterations
        self.verbose = verbose
        self.stream = stream
        self.width = width
        self._start = self._started = self._drawn = None
        self._drawn_length = 0

    def on_train_begin(self, logs=None):
        self._start = self.model.iterations_done
        self._started = self._drawn = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1 and time.monotonic() - self._drawn >= self.REDRAW:
            self._redraw(self.line(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 2:
            self._write(self.line(logs) + "\n")
        elif self.verbose == 1:
            self._redraw(self.line(logs))

    def on_train_end(self, logs=None):
        if self.verbose == 1:
            self._redraw(self.line(logs))
            self._write("\n")

    def line(self, logs=None):
        """The progress line for the trainer's current iteration and `logs`."""
        done = self.model.iterations_done
        elapsed = time.monotonic() - self._started
        rate = (done - self._start) / elapsed if elapsed > 0 else 0.0
        parts = [f"iteration {done:,}/{self.iterations:,}"]
        if self.verbose == 1:
            filled = self.width * min(done, self.iterations) // max(self.iterations, 1)
            parts[0] += f" [{'=' * filled}{'.' * (self.width - filled)}]"
        parts.append(f"{_format_duration(elapsed)} at {rate:.3g} it/s")
        if rate > 0 and done < self.iterations:
            parts.append(f"{_format_duration((self.iterations - done) / rate)} left")
        parts += [f"{name} {float(value):.4g}" for name, value in (logs or {}).items()]
        return " - ".join(parts)

    def _redraw(self, line):
        self._write("\r" + line.ljust(self._drawn_length))
        self._drawn_length = len(line)

    def _write(self, text):
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()
        self._drawn = time.monotonic()
