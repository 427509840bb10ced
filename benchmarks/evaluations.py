"""FID & co. of a TF1 replica's samples, appended to a JSON-lines file as train.py's `--eval_every`.

Each line has the iteration, the metrics on our reference CNN, the Unix time
the evaluation started (`wall_time`) and its length (`eval_seconds`, which
includes building the evaluator the first time), so that
`scripts/time_to_quality.py` can take evaluations out of the training time.
"""

import json
import time


class Evaluations:
    """Judges generated MNIST images against the test split, a line per call.

    Args:
        data_dir: the MNIST IDX folder.
        path: the JSON-lines file the evaluations are appended to.
    """

    def __init__(self, data_dir, path):
        self._data_dir, self._path = data_dir, path
        self._evaluator = None

    def __call__(self, iteration, generate):
        """Appends the evaluation of `generate()`'s images, `[N, 28, 28, 1]` in [0, 1]."""
        started = time.time()
        if self._evaluator is None:
            from wgan_gp_tf import data, evaluation

            self._evaluator = evaluation.evaluator_for(data.get("mnist").reading(self._data_dir))
        results = self._evaluator(generate())
        line = {"iteration": iteration, **results, "wall_time": started,
                "eval_seconds": time.time() - started}
        with open(self._path, "a", encoding="utf-8") as file:
            file.write(json.dumps(line) + "\n")
