"""The test suite on every core: `python -m tests [--workers=N] [--pattern=GLOB]`.

Runs the same tests as `python -m unittest discover -s tests -t . -p "*_test.py"`,
one test class at a time in each of `--workers` processes (default: one per
core). Each worker imports TensorFlow once and takes the next class when it is
done, the slowest classes first, so the suite's wall time comes close to its
CPU time over the cores: much of it is single-threaded (TensorFlow's per-op
dispatch, XLA compiles, subprocesses starting TensorFlow), which one process
leaves the other cores idle for. Each worker, and every process its tests
start, gets its share of the cores as TensorFlow's intra-op threads, so that
the workers do not fight over the cores. They share a fresh XLA compilation
cache (`XDG_CACHE_HOME`), so the scripts they run write nothing to the user's.

Prints one line per class as it finishes (with the failures' tracebacks), then
unittest's summary, and exits 1 when a test failed or a worker died.
"""

import argparse
import concurrent.futures
import io
import multiprocessing
import os
import sys
import tempfile
import time
import unittest


def _test_classes(suite):
    """Yields `(id, seconds)` of the test classes in `suite`, in discovery order.

    `seconds` is what `tests.helpers.slow` marked the class with, 0 if unmarked.
    """
    seen = set()
    for test in _flatten(suite):
        if isinstance(test, unittest.loader._FailedTest):  # noqa: SLF001
            # A module that failed to import: loading it again in a worker
            # reports the error under its name.
            name = test._testMethodName  # noqa: SLF001
        else:
            name = f"{type(test).__module__}.{type(test).__qualname__}"
        if name not in seen:
            seen.add(name)
            yield name, getattr(type(test), "slow_seconds", 0)


def _flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


def _ordered(classes, fast):
    """The class ids to run: the slow ones first, slowest first; with `fast`, none of them."""
    if fast:
        return [name for name, seconds in classes if not seconds]
    return [name for name, _ in sorted(classes, key=lambda item: -item[1])]


def _limit_threads(threads):
    """Gives this worker's TensorFlow, and the processes its tests start, `threads` threads."""
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)


def _run(name):
    """Runs one test class; returns its counts, output and wall time."""
    stream = io.StringIO()
    started = time.perf_counter()
    suite = unittest.defaultTestLoader.loadTestsFromName(name)
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    return {"name": name, "run": result.testsRun, "failures": len(result.failures),
            "errors": len(result.errors), "skipped": len(result.skipped),
            "ok": result.wasSuccessful(), "seconds": time.perf_counter() - started,
            "output": stream.getvalue()}


def _summary(results, seconds, crashed):
    run = sum(result["run"] for result in results)
    print("-" * 70)
    print(f"Ran {run} tests in {seconds:.3f}s")
    problems = {key: sum(result[key] for result in results)
                for key in ("failures", "errors")}
    problems["errors"] += len(crashed)
    skipped = sum(result["skipped"] for result in results)
    counts = ", ".join(f"{key}={value}" for key, value in
                       (*problems.items(), ("skipped", skipped)) if value)
    passed = not any(problems.values())
    print(("OK" if passed else "FAILED") + (f" ({counts})" if counts else ""))
    return passed


def main(argv=None):
    """Discovers the suite, runs it in worker processes and prints the outcome."""
    parser = argparse.ArgumentParser(prog="python -m tests", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pattern", default="*_test.py")
    parser.add_argument("--threads", type=int, default=0,
                        help="TensorFlow's intra-op threads in each worker; 0: the cores "
                             "shared out between the workers, at least 1.")
    parser.add_argument("--fast", action="store_true",
                        help="Only the classes not marked slow (tests.helpers.slow): the "
                             "fast tier, for day-to-day work.")
    parser.add_argument("--timings", action="store_true",
                        help="Also print each class's wall time, slowest first.")
    args = parser.parse_args(argv)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    sys.path.insert(0, root)
    names = _ordered(list(_test_classes(unittest.defaultTestLoader.discover(
        "tests", pattern=args.pattern, top_level_dir=root))), args.fast)
    started = time.perf_counter()
    results, crashed = [], []
    cache_home = tempfile.TemporaryDirectory(prefix="wgan_gp_tf_tests_")
    os.environ["XDG_CACHE_HOME"] = cache_home.name
    context = multiprocessing.get_context("spawn")
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.workers)
    with concurrent.futures.ProcessPoolExecutor(
            args.workers, mp_context=context, initializer=_limit_threads,
            initargs=(threads,)) as pool:
        futures = {pool.submit(_run, name): name for name in names}
        for future in concurrent.futures.as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a dead worker is reported as an error
                crashed.append(futures[future])
                print(f"{futures[future]}: the worker died ({error!r})", flush=True)
                continue
            results.append(result)
            verdict = "ok" if result["ok"] else "FAILED"
            print(f"{result['name']}: {result['run']} tests, {verdict} "
                  f"({result['seconds']:.1f} s)", flush=True)
            if not result["ok"]:
                print(result["output"], flush=True)
    passed = _summary(results, time.perf_counter() - started, crashed)
    cache_home.cleanup()
    if args.timings:
        for result in sorted(results, key=lambda result: -result["seconds"]):
            print(f"{result['seconds']:7.1f}  {result['name']}")
    return 0 if passed else 1
