"""Step time of grouped optimizers on slim's resnet_v1_50 (CPU).

Variants, each in its own graph and session, timed in the same process in
interleaved rounds (the order rotates every round); the table reports the
median step time relative to A under the same grappler setting:

  A       one `minimize` over all variables
  A'      a second, identical copy of A: the noise floor of the ratios
  naiveK  the hand-written pattern: `tf.group` of K `minimize` calls, the
          global step passed to the first one only
  oursK   `minimize_groups` with K groups (one backward pass)

Groups are K contiguous slices of the trainable variables (input to output),
each with its own MomentumOptimizer(0.01 * (k + 1), 0.9).

    PYTHONPATH=. python scripts/bench_groups.py              # full table
    PYTHONPATH=. python scripts/bench_groups.py --rounds 2   # quick look

`--race N` also counts, over N freshly initialised runs of a small model,
how often a group's first update used the already-incremented step.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tf1_schedules.slim_compat  # noqa: E402,F401  tf-slim on TF 2.16+
from tf1_schedules.schedules import decay  # noqa: E402
from tf1_schedules.optim.groups import Group  # noqa: E402
from tf1_schedules.optim.grouped import minimize_groups  # noqa: E402

V1 = tf.compat.v1


def momentum(k):
    return V1.train.MomentumOptimizer(0.01 * (k + 1), 0.9)


def chunks(variables, k):
    bounds = np.linspace(0, len(variables), k + 1).astype(int)
    return [variables[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def build(variant, k, batch, size):
    """(graph, train_op, stats) for one variant."""
    from tf_slim.nets import resnet_v1
    graph = tf.Graph()
    start = time.perf_counter()
    with graph.as_default():
        rng = np.random.default_rng(0)
        images = tf.constant(rng.normal(size=(batch, size, size, 3)),
                             tf.float32)
        labels = tf.constant(rng.integers(0, 10, batch))
        logits, _ = resnet_v1.resnet_v1_50(images, num_classes=10,
                                           is_training=True)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=labels, logits=tf.reshape(logits, [batch, 10])))
        gs = V1.train.get_or_create_global_step()
        variables = V1.trainable_variables()
        update_ops = V1.get_collection(V1.GraphKeys.UPDATE_OPS)
        # Every variant runs the batch-norm UPDATE_OPS the same way
        # (grouped with the train op), so only the optimizers differ.
        if variant in ("A", "A'"):
            train_op = tf.group(momentum(0).minimize(loss, global_step=gs),
                                *update_ops)
        elif variant == "naive":
            train_op = tf.group(*[
                momentum(i).minimize(loss, var_list=part,
                                     global_step=gs if i == 0 else None)
                for i, part in enumerate(chunks(variables, k))], *update_ops)
        else:
            train_op = minimize_groups(loss, [
                Group(part, optimizer=momentum(i))
                for i, part in enumerate(chunks(variables, k))])
        init = V1.global_variables_initializer()
    ops = graph.get_operations()
    stats = {
        "build_s": time.perf_counter() - start,
        "ops": len(ops),
        "conv_backprop": sum(o.type.startswith("Conv2DBackprop")
                             for o in ops),
        "graphdef_mb": graph.as_graph_def().ByteSize() / 1e6,
    }
    return graph, train_op, init, stats


def session(graph, grappler):
    config = V1.ConfigProto()
    if not grappler:
        config.graph_options.rewrite_options.disable_meta_optimizer = True
    return V1.Session(graph=graph, config=config)


def bench(grappler, ks, rounds, steps, batch, size):
    variants = [("A", 0), ("A'", 0)] + [(v, k) for k in ks
                                        for v in ("naive", "ours")]
    runs = {}
    for variant, k in variants:
        graph, train_op, init, stats = build(variant, k, batch, size)
        sess = session(graph, grappler)
        sess.run(init)
        sess.run(train_op)          # warm-up: grappler, allocations
        runs[(variant, k)] = (sess, train_op, stats, [])
    for r in range(rounds):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for key in order:
            sess, train_op, _, times = runs[key]
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                sess.run(train_op)
            times.append(((time.perf_counter() - wall) / steps,
                          (time.process_time() - cpu) / steps))
    base = [statistics.median(t[i] for t in runs[("A", 0)][3])
            for i in (0, 1)]
    rows = []
    for key in variants:
        sess, _, stats, times = runs[key]
        wall, cpu = (statistics.median(t[i] for t in times) for i in (0, 1))
        rows.append((key, wall * 1e3, wall / base[0], cpu / base[1], stats))
        sess.close()
    return rows


def race(runs, k=6, size=64):
    """Fresh runs whose first update used a step other than 0."""
    counts = {}
    for variant in ("naive", "ours"):
        with tf.Graph().as_default():
            variables = [tf.Variable(np.zeros(size, np.float32),
                                     name=f"g{i}") for i in range(k)]
            gs = V1.train.get_or_create_global_step()
            rates = [0.5 + i for i in range(k)]
            schedules = [decay.exponential_decay(lr, gs, 1, 0.5,
                                                 staircase=True)
                         for lr in rates]
            loss = tf.add_n([tf.reduce_sum(v) for v in variables])
            sgd = V1.train.GradientDescentOptimizer
            if variant == "naive":
                train_op = tf.group(*[
                    sgd(lr).minimize(loss, var_list=[v],
                                     global_step=gs if i == 0 else None)
                    for i, (v, lr) in enumerate(zip(variables, schedules))])
            else:
                train_op = minimize_groups(loss, [
                    Group([v], optimizer=sgd(lr))
                    for v, lr in zip(variables, schedules)])
            init = V1.global_variables_initializer()
            expected = [np.full(size, -lr, np.float32) for lr in rates]
            bad = 0
            with V1.Session() as sess:
                for _ in range(runs):
                    sess.run(init)
                    sess.run(train_op)
                    values = sess.run(variables)
                    bad += any(not np.array_equal(v, e)
                               for v, e in zip(values, expected))
        counts[variant] = bad
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--ks", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--grappler", choices=["on", "off", "both"],
                        default="both")
    parser.add_argument("--race", type=int, default=0,
                        help="fresh runs for the race count (0: skip)")
    parser.add_argument("--out", help="also write the Markdown tables here")
    args = parser.parse_args()
    settings = {"on": [True], "off": [False], "both": [True, False]}
    lines = ["Command: `PYTHONPATH=. python scripts/bench_groups.py "
             + " ".join(sys.argv[1:]) + "`", "",
             f"TF {tf.__version__}, {os.cpu_count()} CPUs, resnet_v1_50 "
             f"{args.size}x{args.size}, batch {args.batch}, Momentum 0.9; "
             f"{args.rounds} interleaved rounds x {args.steps} steps, "
             "median step time (wall clock) and median CPU time of the "
             "process per step (all threads), both relative to A."]
    for grappler in settings[args.grappler]:
        rows = bench(grappler, args.ks, args.rounds, args.steps, args.batch,
                     args.size)
        lines += ["", f"Grappler {'on' if grappler else 'off'}:", "",
                  "| variant | ms/step | x A | CPU x A | ops | "
                  "Conv2DBackprop* | GraphDef MB | build s |",
                  "|---|---|---|---|---|---|---|---|"]
        for (variant, k), ms, ratio, cpu, s in rows:
            name = f"{variant}{k}" if k else variant
            lines.append(f"| {name} | {ms:.0f} | {ratio:.2f} | {cpu:.2f} | "
                         f"{s['ops']} | {s['conv_backprop']} | "
                         f"{s['graphdef_mb']:.2f} | {s['build_s']:.2f} |")
        print("\n".join(lines[-len(rows) - 4:]), flush=True)
    if args.race:
        counts = race(args.race)
        lines += ["", f"Race: fresh runs (of {args.race}) in which a group's "
                  f"first update read the incremented step: naive "
                  f"{counts['naive']}, ours {counts['ours']}."]
        print(lines[-1])
    if args.out:
        with open(args.out, "w") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
