"""Two-worker `MultiWorkerMirroredStrategy` on 127.0.0.1, TF1 style and TF2.

    python legacy_examples/multi_worker.py --launch [--steps 3] \
        [--workdir DIR] [--timeout 120]

`--launch` picks two free ports on 127.0.0.1 and starts two worker
processes (this same file with `--task_index`), each with its `TF_CONFIG`
(`{"cluster": {"worker": [...]}, "task": {"type": "worker", "index": i}}`),
waits for both, and reaps them (killing whatever is left on timeout).

Each worker builds one `tf.distribute.MultiWorkerMirroredStrategy` (CPU
collective ops over gRPC; creating it starts this worker's server) and
trains a linear model on its half of a global batch of 4 (worker `i` gets
rows `2i, 2i + 1`; the loss is averaged over the global batch with
`tf.nn.compute_average_loss`), for each of

  * `v1_sgd`: `GradientDescentOptimizer` on `exponential_decay(0.1, step,
    1, 0.5)` with `minimize(global_step=step)`;
  * `groups`: `minimize_groups` / `GroupedOptimizer` (Momentum, a 0.5
    multiplier on the bias) on the same schedule;
  * `bert`: `create_optimizer` / `bert_optimizer` (warmup 2 of 10 steps),

in two modes:

  * `graph`: `tf.Graph` + `tf.compat.v1.Session`, the replica step built with
    `strategy.extended.call_for_each_replica`. The session must run on this
    worker's gRPC server (`grpc://<its address>`) with
    `strategy.update_config_proto(config)`: a local session
    (`Session("")`) only has `/job:localhost` devices and fails with
    "Cannot assign a device for operation .../CollectiveBcastSend". The
    strategy created at start (eager) also serves every graph: a second
    instance would restart the collective instance keys at the same values
    and TF aborts the collectives ("Collective instance 105 expected type 0
    and data_type 1 but got type 1 and data_type 1").
  * `function`: mirrored variables and a `tf.function` calling
    `strategy.run`.

then the same training without any strategy on the whole batch (the
single-process reference: graph mode on worker 0, `tf.function` on worker
1). Each worker writes `WORKDIR/worker<i>.json`:
per scenario the global step after each step, the learning rate read before
each step and the final weights. A worker that loses its peer fails its
collectives after `COLLECTIVE_TIMEOUT` seconds instead of hanging.
"""
import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

from _processes import HOST, free_ports, reap  # noqa: E402
COLLECTIVE_TIMEOUT = 60  # seconds a collective waits for the other worker
KINDS = ("v1_sgd", "groups", "bert")
MODES = ("graph", "function")
X = [[1.0, 2.0], [3.0, 4.0], [5.0, -1.0], [0.5, 2.0]]
Y = [[1.0], [2.0], [0.0], [1.5]]
SCALE = 0.01  # keeps BERT's clip_by_global_norm(1.0) inactive
START = ([[0.1], [-0.2]], [0.05])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launch", action="store_true",
                        help="start 2 workers on loopback and wait")
    parser.add_argument("--task_index", type=int, default=None)
    parser.add_argument("--workers", default="",
                        help="comma-separated host:port of both workers")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="--launch: seconds before everything is killed")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be >= 1")
    return args


# ---------------------------------------------------------------- launcher --

def launch(args):
    """Runs both workers; returns 0 when both finished successfully."""
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="multi_worker_")
    os.makedirs(args.workdir, exist_ok=True)
    workers = ",".join(f"{HOST}:{port}" for port in free_ports(2))
    deadline = time.monotonic() + args.timeout
    started = time.monotonic()
    processes, outputs = [], []
    try:
        for index in range(2):
            outputs.append(open(os.path.join(args.workdir,
                                             f"worker{index}.out"), "w"))
            processes.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--task_index",
                 str(index), "--workers", workers, "--steps",
                 str(args.steps), "--workdir", args.workdir],
                stdout=outputs[-1], stderr=subprocess.STDOUT))
        for proc in processes:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        codes = [proc.returncode for proc in processes]
    except subprocess.TimeoutExpired as error:
        print(f"multi_worker: {error}; killing the workers", flush=True)
        codes = None
    finally:
        reap(processes)
        for out in outputs:
            out.close()
    print(f"multi_worker: workers exit codes {codes}, all {len(processes)} "
          f"processes reaped, {time.monotonic() - started:.1f} s, "
          f"results in {args.workdir}", flush=True)
    return 0 if codes == [0, 0] else 1


# ------------------------------------------------------------------ worker --

def _import_package():
    try:
        import tf1_schedules  # noqa: F401
    except ImportError:  # run from a checkout without installing
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def _shard(tf, strategy):
    """This replica's (x, y): rows 2r, 2r + 1 (all four without strategy)."""
    x, y = tf.constant(X), tf.constant(Y)
    if strategy is None:
        return x, y
    index = tf.distribute.get_replica_context().replica_id_in_sync_group
    return (tf.gather(tf.reshape(x, [2, -1, 2]), index),
            tf.gather(tf.reshape(y, [2, -1, 1]), index))


def _loss(tf, w, b, x, y):
    per_example = SCALE * tf.reduce_sum(tf.square(tf.matmul(x, w) + b - y),
                                        axis=1)
    return tf.nn.compute_average_loss(per_example, global_batch_size=4)


def _numbers(value):
    import numpy as np
    return np.asarray(value).tolist()


def _graph_train_op(tf, kind, loss, step):
    """The replica's train op and learning rate, TF1 style."""
    from tf1_schedules.optim import bert, grouped, groups
    from tf1_schedules.schedules import bert_curve, decay
    v1 = tf.compat.v1
    if kind == "bert":
        return (bert.create_optimizer(loss, 0.1, 10, 2),
                bert_curve.bert_learning_rate(0.1, step, 10, 2))
    lr = decay.exponential_decay(0.1, step, 1, 0.5)
    if kind == "v1_sgd":
        return v1.train.GradientDescentOptimizer(lr).minimize(
            loss, global_step=step), lr
    return grouped.minimize_groups(
        loss, [groups.Group("dense/kernel"),
               groups.Group("dense/bias", multiplier=0.5)],
        optimizer_fn=lambda rate: v1.train.MomentumOptimizer(rate, 0.9),
        learning_rate=lr), lr


def graph_run(tf, kind, steps, strategy, target, config):
    """Graph mode; `strategy` None: one process on the global batch."""
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        with strategy.scope() if strategy else contextlib.nullcontext():
            step = v1.train.get_or_create_global_step()
            w = v1.get_variable("dense/kernel", initializer=START[0])
            b = v1.get_variable("dense/bias", initializer=START[1])

            def replica_step():
                x, y = _shard(tf, strategy)
                return _graph_train_op(tf, kind, _loss(tf, w, b, x, y), step)

            if strategy is None:
                train_op, lr = replica_step()
            else:
                train_op, lr = strategy.extended.call_for_each_replica(
                    replica_step)
                train_op = strategy.group(train_op)
                lr = strategy.experimental_local_results(lr)[0]
        with v1.Session(target, config=config) as sess:
            sess.run(v1.global_variables_initializer())
            return _loop(lambda: sess.run(lr), lambda: sess.run(train_op),
                         lambda: sess.run(step), steps,
                         lambda: sess.run([w, b]))


def _function_optimizer(tf, kind, step, w, b):
    from tf1_schedules.optim import bert, grouped, groups
    from tf1_schedules.schedules import bert_curve, decay
    v1 = tf.compat.v1
    if kind == "bert":
        return (bert.bert_optimizer(0.1, 10, 2),
                bert_curve.bert_learning_rate(0.1, step, 10, 2))
    lr = decay.exponential_decay(0.1, step, 1, 0.5)
    if kind == "v1_sgd":
        return v1.train.GradientDescentOptimizer(lr), lr
    return grouped.GroupedOptimizer(
        [groups.Group(w), groups.Group(b, multiplier=0.5)],
        optimizer_fn=lambda rate: v1.train.MomentumOptimizer(rate, 0.9),
        learning_rate=lr), lr


def function_run(tf, kind, steps, strategy):
    """tf.function: mirrored variables, `strategy.run` (None: no strategy)."""
    v1 = tf.compat.v1
    v1.get_default_graph().clear_collection(v1.GraphKeys.GLOBAL_STEP)
    with strategy.scope() if strategy else contextlib.nullcontext():
        step = v1.train.get_or_create_global_step()
        w = tf.Variable(START[0], name="dense/kernel")
        b = tf.Variable(START[1], name="dense/bias")
        optimizer, lr = _function_optimizer(tf, kind, step, w, b)

    def replica_step():
        x, y = _shard(tf, strategy)
        rate = lr()  # read before the update
        extra = {"global_step": step} if kind == "v1_sgd" else {}
        optimizer.minimize(lambda: _loss(tf, w, b, x, y), var_list=[w, b],
                           **extra)
        return rate

    @tf.function
    def train():
        if strategy is None:
            return replica_step()
        return strategy.experimental_local_results(
            strategy.run(replica_step))[0]

    rates = []

    def run_step():
        rates.append(train())

    out = _loop(lambda: None, run_step, lambda: step.numpy(), steps,
                lambda: [w.numpy(), b.numpy()])
    out["lrs"] = [float(r) for r in rates]
    return out


def _loop(read_lr, run_step, read_step, steps, read_weights):
    out = {"steps": [], "lrs": []}
    for _ in range(steps):
        rate = read_lr()
        run_step()
        out["steps"].append(int(read_step()))
        if rate is not None:
            out["lrs"].append(float(rate))
    out["weights"] = [_numbers(v) for v in read_weights()]
    return out


def run_worker(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    workers = args.workers.split(",")
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": workers},
        "task": {"type": "worker", "index": args.task_index}})
    _import_package()
    import tensorflow as tf

    communication = tf.distribute.experimental.CommunicationOptions(
        timeout_seconds=COLLECTIVE_TIMEOUT)
    # Created first: it starts this worker's gRPC server and configures the
    # eager context's collective ops.
    eager = tf.distribute.MultiWorkerMirroredStrategy(
        communication_options=communication)
    # The same object in graph mode: one strategy, one sequence of
    # collective instance keys (see the module docstring).
    graph = eager
    config = graph.update_config_proto(tf.compat.v1.ConfigProto())
    target = f"grpc://{workers[args.task_index]}"
    results = {"task_index": args.task_index,
               "replicas": eager.num_replicas_in_sync}
    for kind in KINDS:
        results[f"graph/{kind}"] = graph_run(tf, kind, args.steps, graph,
                                             target, config)
        results[f"function/{kind}"] = function_run(tf, kind, args.steps,
                                                   eager)
    # The single-process references, no strategy: graph mode on worker 0,
    # tf.function on worker 1 (in parallel).
    for kind in KINDS:
        if args.task_index == 0:
            results[f"graph/{kind}/single"] = graph_run(
                tf, kind, args.steps, None, "", None)
        else:
            results[f"function/{kind}/single"] = function_run(
                tf, kind, args.steps, None)
    path = os.path.join(args.workdir, f"worker{args.task_index}.json")
    with open(path + ".tmp", "w") as out:
        json.dump(results, out)
    os.replace(path + ".tmp", path)
    print(f"multi_worker: worker {args.task_index} done", flush=True)
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.launch:
        return launch(args)
    if args.task_index is None or not args.workers or not args.workdir:
        raise SystemExit("multi_worker: pass --launch, or --task_index, "
                         "--workers and --workdir")
    return run_worker(args)


if __name__ == "__main__":
    sys.exit(main())
