"""Benchmark: the nine decays against TF's own `tf.compat.v1.train.*`.

Measured side by side in one process and one session, in interleaved rounds:
per-evaluation `sess.run` latency (median over rounds of per-round medians),
ops added to the graph, and GraphDef bytes; the floor is fetching a constant.
Then the cost of a whole curve: one evaluation over 1,000,000 steps.

    python scripts/bench.py [--rounds 7] [--runs 2000]

Prints a Markdown table (pasted into BENCHMARKS.md).
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tf1_schedules as ts  # noqa: E402

V1 = tf.compat.v1.train
B100 = list(range(100, 10100, 100))
V101 = [0.1 * 0.97 ** i for i in range(101)]

# label -> (function name, args after the step, kwargs)
CASES = {
    "exponential (0.1, 1000, .96)":
        ("exponential_decay", (0.1, 1000, 0.96), {}),
    "exponential staircase":
        ("exponential_decay", (0.1, 1000, 0.96), {"staircase": True}),
    "natural_exp (0.1, 1000, .5)": ("natural_exp_decay", (0.1, 1000, 0.5), {}),
    "inverse_time (0.1, 1000, .5)":
        ("inverse_time_decay", (0.1, 1000, 0.5), {}),
    "polynomial (0.1, 10000, 0.001)":
        ("polynomial_decay", (0.1, 10000, 0.001), {}),
    "polynomial cycle (3000, power 2)":
        ("polynomial_decay", (0.1, 3000, 0.001), {"power": 2.0, "cycle": True}),
    "piecewise_constant, 2 boundaries":
        ("piecewise_constant", ([1000, 2000], [0.1, 0.01, 0.001]), {}),
    "piecewise_constant, 100 boundaries":
        ("piecewise_constant", (B100, V101), {}),
    "cosine (10000)": ("cosine_decay", (0.1, 10000), {}),
    "cosine_restarts (1000)": ("cosine_decay_restarts", (0.1, 1000), {}),
    "linear_cosine (10000)": ("linear_cosine_decay", (0.1, 10000), {}),
    "noisy_linear_cosine (10000)":
        ("noisy_linear_cosine_decay", (0.1, 10000), {}),
}


def build(lib, case, step):
    name, args, kwargs = CASES[case]
    if name == "piecewise_constant":
        return getattr(lib, name)(step, *args, **kwargs)
    lr, *rest = args
    return getattr(lib, name)(lr, step, *rest, **kwargs)


def _nodes(graph):
    """Graph ops plus the nodes of function-library bodies (tf.case/cond)."""
    library = graph.as_graph_def().library
    return (len(graph.get_operations())
            + sum(len(f.node_def) for f in library.function))


def added(graph, make):
    """(result of make(), nodes added, GraphDef bytes added)."""
    nodes = _nodes(graph)
    size = graph.as_graph_def().ByteSize()
    out = make()
    return (out, _nodes(graph) - nodes,
            graph.as_graph_def().ByteSize() - size)


def time_runs(sess, fetch, runs):
    """Median seconds of `runs` single `sess.run` calls (robust to load spikes)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        sess.run(fetch)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def latency_table(rounds, runs):
    graph = tf.Graph()
    with graph.as_default():
        gs = V1.get_or_create_global_step()
        targets = {"constant fetch (floor)": (tf.constant(0.1), 1, 0)}
        for case in CASES:
            for lib, tag in ((V1, "TF"), (ts, "ours")):
                targets[(case, tag)] = added(graph,
                                             lambda: build(lib, case, gs))
        sess = tf.compat.v1.Session(graph=graph)
        sess.run(tf.compat.v1.global_variables_initializer())
        sess.run(gs.assign(5000))
    samples = {key: [] for key in targets}
    for key, (fetch, _, _) in targets.items():  # warm up
        time_runs(sess, fetch, 50)
    for _ in range(rounds):
        for key, (fetch, _, _) in targets.items():
            samples[key].append(time_runs(sess, fetch, runs))
    med = {key: statistics.median(v) * 1e6 for key, v in samples.items()}
    floor = med["constant fetch (floor)"]
    rows = [
        "| schedule | TF nodes | ours nodes | TF bytes | ours bytes | TF us "
        "| ours us | ours/TF | TF/const | ours/const |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        _, tf_ops, tf_bytes = targets[(case, "TF")]
        _, our_ops, our_bytes = targets[(case, "ours")]
        t, o = med[(case, "TF")], med[(case, "ours")]
        rows.append(f"| {case} | {tf_ops} | {our_ops} | {tf_bytes} | "
                    f"{our_bytes} | {t:.1f} | {o:.1f} | {o / t:.2f} | "
                    f"{t / floor:.2f} | {o / floor:.2f} |")
    rows.append(f"\nconstant fetch (floor): {floor:.1f} us per sess.run; "
                f"{rounds} rounds x {runs} runs, interleaved; medians. "
                "Nodes: graph ops plus function-library nodes (TF's "
                "tf.case/tf.cond bodies).")
    sess.close()
    return "\n".join(rows)


def curve_table(rounds):
    """One evaluation over 1,000,000 steps (a vector step, one op)."""
    graph = tf.Graph()
    with graph.as_default():
        # A variable, so that graph rewrites cannot fold the curve away.
        steps = tf.Variable(np.arange(1_000_000, dtype=np.int64))
        fetches = {case: build(ts, case, steps) for case in CASES}
        sess = tf.compat.v1.Session(graph=graph)
        sess.run(steps.initializer)
    rows = ["| schedule | 1,000,000 steps, ours (s) |", "|---|---|"]
    for case, fetch in fetches.items():
        sess.run(fetch)
        seconds = statistics.median(
            time_runs(sess, fetch, 1) for _ in range(rounds))
        assert np.all(np.isfinite(sess.run(fetch)))
        rows.append(f"| {case} | {seconds:.3f} |")
    sess.close()
    return "\n".join(rows)


def piecewise_scaling(rounds, runs):
    """Build time and latency of piecewise_constant as boundaries grow.

    All sizes live in one graph and session with the constant floor, and are
    timed in interleaved rounds, so the ratios share one baseline.
    """
    sizes = (2, 100, 1000, 10000)
    graph = tf.Graph()
    with graph.as_default():
        gs = V1.get_or_create_global_step()
        built = {}
        for n in sizes:
            timed = []

            def make():
                start = time.perf_counter()
                out = ts.piecewise_constant(
                    gs, list(range(10, 10 * n + 10, 10)),
                    [float(i) for i in range(n + 1)])
                timed.append(time.perf_counter() - start)
                return out

            out, nodes, _ = added(graph, make)
            built[n] = (out, nodes, timed[0] * 1e3)
        const = tf.constant(0.1)
        sess = tf.compat.v1.Session(graph=graph)
        sess.run(tf.compat.v1.global_variables_initializer())
        sess.run(gs.assign(5000))
    samples = {key: [] for key in (*sizes, "const")}
    for _ in range(rounds):
        for n in sizes:
            samples[n].append(time_runs(sess, built[n][0], runs))
        samples["const"].append(time_runs(sess, const, runs))
    sess.close()
    floor = statistics.median(samples["const"]) * 1e6
    rows = ["| boundaries | build ms | nodes | us/run | ours/const |",
            "|---|---|---|---|---|"]
    for n in sizes:
        us = statistics.median(samples[n]) * 1e6
        rows.append(f"| {n} | {built[n][2]:.1f} | {built[n][1]} | {us:.1f} | "
                    f"{us / floor:.2f} |")
    rows.append(f"\nconstant fetch in the same session: {floor:.1f} us.")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores\n")
    print("### Per-evaluation latency, graph mode, global_step = 5000\n")
    print(latency_table(args.rounds, args.runs))
    print("\n### piecewise_constant as boundaries grow\n")
    print(piecewise_scaling(args.rounds, args.runs // 2))
    print("\n### A whole curve in one evaluation\n")
    print(curve_table(max(3, args.rounds // 2)))


if __name__ == "__main__":
    main()
