"""Benchmark: the cost of the one-definition mechanism (`schedules/_define.py`).

Two questions, answered in one process:

1. How many package functions run per evaluation of a Keras schedule
   (`keras_schedules.ExponentialDecay(...)(step)`), and how many of them
   build ops (the rest is plumbing). Counted with `sys.setprofile`.
2. Eager mode: evaluating through the step-function path
   (`exponential_decay_fn(...)(step)`) against building the TF1-style
   callable and calling it (`exponential_decay(..., step)()`), and against
   TF's own callable; interleaved rounds, medians, ratios.

    python scripts/bench_define.py [--rounds 7] [--calls 300]
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

import tf1_schedules as ts  # noqa: E402
from tf1_schedules import keras_schedules  # noqa: E402
from tf1_schedules.schedules import step_fns  # noqa: E402

PACKAGE = os.path.dirname(ts.__file__)
# Modules whose functions build ops (the math); the rest is plumbing.
MATH = ("schedules/decay.py", "schedules/cosine.py", "schedules/_ops.py",
        "schedules/piecewise.py", "schedules/compose.py")


def count_calls(fn):
    """(package calls, calls into the math modules) during `fn()`."""
    calls = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(PACKAGE):
            calls.append(os.path.relpath(frame.f_code.co_filename, PACKAGE))

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return len(calls), sum(c.endswith(MATH) for c in calls)


def per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)

    step = tf.Variable(1234, dtype=tf.int64)
    keras_lr = keras_schedules.ExponentialDecay(0.1, 1000, 0.96)
    total, math_calls = count_calls(lambda: keras_lr(step))
    print(f"Keras ExponentialDecay(step): {total} package calls, "
          f"{math_calls} in the op-building modules")

    step_fn = step_fns.exponential_decay_fn(0.1, 1000, 0.96)
    direct = ts.exponential_decay(0.1, step, 1000, 0.96)
    theirs = tf.compat.v1.train.exponential_decay(0.1, step, 1000, 0.96)
    cases = {"step function f(step)": lambda: step_fn(step),
             "TF1 callable ()": direct,
             "TF's v1 callable ()": theirs}
    for fn in cases.values():
        fn()  # warm up
    times = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, fn in cases.items():
            times[name].append(per_call(fn, args.calls))
    base = statistics.median(times["TF's v1 callable ()"])
    print("| path | us / call | vs TF's callable |")
    print("|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1e6:.0f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
