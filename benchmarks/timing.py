"""The arithmetic of the whole-process benchmarks, apart from their flags and processes."""

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
