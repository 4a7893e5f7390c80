#!/usr/bin/env python
"""Warmup cost: `piecewise_with_warmup` against OD's per-step expansion.

Setup (the baseline OD measurement): boundaries `[b0, b0 + 1e5, b0 + 2e5]`, rates
`[0.0, .1, .01, .001]`, `warmup=True`, the step variable at 50. For each `b0`
the harness builds

* "OD expanded": OD's `manual_stepping` as upstream writes it (rebuilt here):
  one boundary and one rate constant per warmup step, then
  `reduce_max(where(step >= boundaries, range, 0))` and
  `reduce_sum(rates * one_hot(index))`;
* "tf1_schedules": `tf1_schedules.schedules.od.piecewise_with_warmup`;

each in its own graph and session, plus a constant fetch (the floor). All
variants run in one process, interleaved round-robin; a number is the median
over rounds of the per-round median `sess.run` time. Eager mode: the same
with the zero-argument callable, per call.

    python scripts/bench_warmup.py --out /work/notes/bench_warmup.md
"""
import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf1_schedules.schedules.od import piecewise_with_warmup  # noqa: E402

STEP = 50
RATES = [0.0, 0.1, 0.01, 0.001]


def od_expanded(global_step, boundaries, rates):
    """OD's manual_stepping(warmup=True), expansion and lookup as upstream."""
    slope = (rates[1] - rates[0]) * 1.0 / boundaries[0]
    head = list(range(boundaries[0]))
    boundaries = head + list(boundaries)
    rates = [rates[0] + slope * step for step in head] + list(rates[1:])
    count = len(boundaries)
    index = tf.reduce_max(tf.where(tf.greater_equal(global_step, boundaries),
                                   list(range(count)), [0] * count))
    return tf.reduce_sum(rates * tf.one_hot(index, depth=count),
                         name="learning_rate")


def boundaries_for(b0):
    return [b0, b0 + 100000, b0 + 200000]


def constant_floor(global_step, boundaries, rates):
    del global_step, boundaries
    return tf.constant(rates[1], name="learning_rate")


def ours(global_step, boundaries, rates):
    return piecewise_with_warmup(global_step, boundaries, rates, warmup=True)


VARIANTS = {"OD expanded": od_expanded,
            "tf1_schedules": ours,
            "constant (floor)": constant_floor}


class GraphCase:
    """One schedule in its own graph and session, the step at STEP."""

    def __init__(self, variant, b0):
        self.graph = tf.Graph()
        with self.graph.as_default():
            gs = tf.compat.v1.train.get_or_create_global_step()
            base = len(self.graph.as_graph_def().SerializeToString())
            start = time.perf_counter()
            self.fetch = VARIANTS[variant](gs, boundaries_for(b0), RATES)
            self.build_ms = (time.perf_counter() - start) * 1e3
            self.bytes = len(self.graph.as_graph_def().SerializeToString()) \
                - base
            self.sess = tf.compat.v1.Session(graph=self.graph)
            self.sess.run(gs.assign(STEP))
            self.step_in = tf.compat.v1.placeholder(tf.int64, [])
            self.assign = gs.assign(self.step_in)
        self.graph.finalize()

    def time_runs(self, runs):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            self.sess.run(self.fetch)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e6

    def values(self, steps):
        out = []
        for step in steps:
            self.sess.run(self.assign, {self.step_in: step})
            out.append(self.sess.run(self.fetch))
        self.sess.run(self.assign, {self.step_in: STEP})
        return np.array(out)


class EagerCase:
    """The eager zero-argument callable (OD: the closure it returns)."""

    def __init__(self, variant, b0):
        gs = tf.Variable(STEP, dtype=tf.int64)
        if variant == "OD expanded":
            self.fn = lambda: od_expanded(gs, boundaries_for(b0), RATES)
        elif variant == "tf1_schedules":
            self.fn = ours(gs, boundaries_for(b0), RATES)
        else:  # the floor: one trivial eager op
            value = tf.constant(RATES[1])
            self.fn = lambda: tf.identity(value)

    def time_runs(self, runs):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            self.fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e6


def interleaved(cases, rounds, runs_for):
    """{key: median over rounds of per-round medians}, round-robin order."""
    per_round = {key: [] for key in cases}
    keys = list(cases)
    for r in range(rounds):
        order = keys[r % len(keys):] + keys[:r % len(keys)]
        for key in order:
            per_round[key].append(cases[key].time_runs(runs_for(key)))
    return {key: statistics.median(v) for key, v in per_round.items()}


def check_values(graph_cases, sizes):
    """max |OD expanded - tf1_schedules| over steps around every boundary."""
    worst = 0.0
    for b0 in sizes:
        bounds = boundaries_for(b0)
        steps = sorted({0, 1, STEP, b0 // 2, *[b + d for b in bounds
                                              for d in (-1, 0, 1)]})
        ours = graph_cases[("tf1_schedules", b0)].values(steps)
        theirs = graph_cases[("OD expanded", b0)].values(steps)
        worst = max(worst, float(np.max(np.abs(ours - theirs))))
    return worst


def run(sizes, rounds, runs, eager_runs):
    graph_cases = {(v, b0): GraphCase(v, b0) for b0 in sizes
                   for v in ("OD expanded", "tf1_schedules")}
    graph_cases[("constant (floor)", 0)] = GraphCase("constant (floor)", 1)
    diff = check_values(graph_cases, sizes)
    graph_times = interleaved(graph_cases, rounds, lambda key: runs)
    eager_cases = {(v, b0): EagerCase(v, b0) for b0 in sizes
                   for v in ("OD expanded", "tf1_schedules")}
    eager_cases[("constant (floor)", 0)] = EagerCase("constant (floor)", 1)
    # OD's eager closure re-converts 1e5 Python constants per call: few runs.
    eager_times = interleaved(
        eager_cases, rounds,
        lambda key: max(3, eager_runs * 100 // max(100, key[1]))
        if key[0] == "OD expanded" else eager_runs)
    return graph_cases, graph_times, eager_times, diff


def report(sizes, graph_cases, graph_times, eager_times, diff, command):
    floor = graph_times[("constant (floor)", 0)]
    eager_floor = eager_times[("constant (floor)", 0)]
    ours_small = graph_times[("tf1_schedules", sizes[0])]
    eager_small = eager_times[("tf1_schedules", sizes[0])]
    lines = [
        "# Warmup benchmark: piecewise_with_warmup vs OD's per-step expansion",
        "",
        f"Command: `{command}`",
        "",
        f"TF {tf.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}. Boundaries "
        "`[b0, b0+1e5, b0+2e5]`, rates `[0, .1, .01, .001]`, warmup=True, "
        f"step {STEP}. Medians over rounds of per-round medians, all variants "
        "interleaved in one process. Graph floor (constant fetch, "
        f"`sess.run`): {floor:.1f} us; eager floor (one `tf.identity`): "
        f"{eager_floor:.2f} us.",
        "",
        f"Values: max |OD expanded - tf1_schedules| = {diff:g} over steps "
        "around every boundary (bit-identical when 0).",
        "",
        "| b0 (warmup steps) | variant | build ms | GraphDef bytes | "
        "sess.run us | x floor | x tf1_schedules@b0=%d | eager us/call | "
        "eager x tf1_schedules@b0=%d |" % (sizes[0], sizes[0]),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for b0 in sizes:
        for variant in ("OD expanded", "tf1_schedules"):
            case = graph_cases[(variant, b0)]
            t = graph_times[(variant, b0)]
            e = eager_times[(variant, b0)]
            lines.append(
                f"| {b0:,} | {variant} | {case.build_ms:.2f} | "
                f"{case.bytes:,} | {t:.1f} | {t / floor:.2f} | "
                f"{t / ours_small:.2f} | {e:.1f} | {e / eager_small:.2f} |")
    big = sizes[-1]
    lines += [
        "",
        f"Target at b0={big:,}: tf1_schedules GraphDef < 5 KB: "
        f"{graph_cases[('tf1_schedules', big)].bytes:,} bytes; latency "
        f"within 1.2x of b0={sizes[0]}: "
        f"{graph_times[('tf1_schedules', big)] / ours_small:.2f}x (graph), "
        f"{eager_times[('tf1_schedules', big)] / eager_small:.2f}x (eager).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--eager-runs", type=int, default=300)
    parser.add_argument("--out", help="write the Markdown report here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    command = "python scripts/bench_warmup.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    results = run(sizes, args.rounds, args.runs, args.eager_runs)
    text = report(sizes, *results, command.strip())
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
