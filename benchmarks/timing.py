"""The arithmetic of the whole-process benchmarks, apart from their flags and processes."""

import json
import statistics


def spread(values, form="{:.2f}"):
    """`values` as their median and range, each formatted by `form`: `"1.76 (1.35-2.00)"`."""
    return (f"{form.format(statistics.median(values))} "
            f"({form.format(min(values))}-{form.format(max(values))})")


def steady_rate_and_fixed_cost(short, long, short_seconds, long_seconds):
    """A side's iterations/s beyond start-up, and the seconds start-up costs.

    Args:
        short, long: iterations of the two runs.
        short_seconds, long_seconds: their wall times.

    Returns:
        `(rate, fixed_seconds)`.
    """
    if long <= short or long_seconds <= short_seconds:
        raise ValueError(f"the long run ({long} iterations, {long_seconds:.1f} s) must be "
                         f"longer than the short one ({short}, {short_seconds:.1f} s)")
    rate = (long - short) / (long_seconds - short_seconds)
    return rate, short_seconds - short / rate


def training_curve(lines, launched):
    """Each evaluation's FID against the training time before it.

    Args:
        lines: the evaluations so far, in order, dicts with `iteration`, `fid`,
            `wall_time` (Unix seconds at its start) and `eval_seconds`.
        launched: Unix seconds at which the process was started.

    Returns:
        `(iteration, seconds, fid)` per evaluation, its seconds counted from
        `launched` less the evaluations before it: start-up, data loading and
        compilation count, judging does not.
    """
    curve, judged = [], 0.0
    for line in lines:
        curve.append((line["iteration"], line["wall_time"] - launched - judged, line["fid"]))
        judged += line["eval_seconds"]
    return curve


def first_at_target(lines, launched, target_fid):
    """The first point of `training_curve(lines, launched)` with FID at most `target_fid`.

    Returns:
        `(iteration, seconds, fid)`, or `None` if no evaluation reached it.
    """
    return next((point for point in training_curve(lines, launched)
                 if point[2] <= target_fid), None)


def finished_races(text, settings):
    """The races a results file already holds, by side and seed.

    Args:
        text: the file's lines, each a `race_record` as JSON.
        settings: the settings the races are to be run with; every line must
            have been run with them.

    Returns:
        A dict from `(side, seed)` to that race's dict.

    Raises:
        ValueError: a line was run with other settings, naming both.
    """
    races = {}
    for line in text.splitlines():
        race = json.loads(line)
        if race["settings"] != settings:
            raise ValueError(f"it holds races run with {race['settings']}, not {settings}")
        races[race["side"], race["seed"]] = race
    return races


def race_record(settings, side, seed, reached, curve, **facts):
    """One finished race as a results file keeps it (a JSON line each).

    Args:
        settings: what the race was run with (`finished_races` matches on it).
        side, seed: who raced, at which seed.
        reached: `(iteration, seconds, fid)` at the target.
        curve: `training_curve` up to the target.
        **facts: anything else worth keeping, such as the machine.
    """
    iteration, seconds, fid = reached
    return {"settings": settings, "side": side, "seed": seed, "iteration": iteration,
            "seconds": seconds, "fid": fid, "curve": [list(point) for point in curve],
            **facts}
