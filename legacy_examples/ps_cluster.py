"""Between-graph replication on a loopback TF1 cluster: 1 ps + 2 workers.

    python legacy_examples/ps_cluster.py --launch [--sync] [--steps 20] \
        [--workdir DIR] [--timeout 120]

`--launch` picks three free ports on 127.0.0.1, starts the parameter server
and two workers as separate processes (this same file with `--job_name`),
waits for the workers to finish, then terminates the ps (a ps only ever
`join()`s) and reaps every process, killing whatever is left on timeout.

Each worker builds the same graph under `replica_device_setter` (so
`global_step` and the model live on `/job:ps/task:0`), a learning rate
`exponential_decay(0.1, global_step, 5, 0.5)` on that shared step, and
trains with `MonitoredTrainingSession(master=server.target)`:

  * asynchronous (default): each worker applies its own gradients;
  * `--sync`: `SyncReplicasOptimizer(replicas_to_aggregate=2)`, which
    averages one gradient from each worker per step.

Shutdown follows REFERENCE §8.2: every worker stops at the same global step
(`StopAtStepHook(last_step=steps)`), `stop_grace_period_secs` is small (the
chief's sync queue-runner thread blocks for gradients that never come and
would otherwise hold `close()` for 120 s), `num_tokens=0` so neither worker
can run ahead of the other (no worker left waiting for a token after the
chief has stopped), the second worker opens its session once the chief has
initialised
the variables (a non-chief that finds them uninitialised sleeps 30 s, so it
polls for them first), both start training together (a counter on the ps),
and nobody waits on the ps.

Each worker appends to `WORKDIR/worker<i>.log`: `# ...` header lines, then
`step lr` per step (the global step and the learning rate read together,
just before that worker's update), then `# stopped step=S`.

Addresses: every address of the cluster is 127.0.0.1. (TF's gRPC server
listens on its port on all interfaces; no traffic leaves the loopback.)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from _processes import HOST, free_ports, reap  # noqa: E402
LAST_STEP_GRACE_SECS = 2  # stop_grace_period_secs


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launch", action="store_true",
                        help="start ps + 2 workers on loopback and wait")
    parser.add_argument("--job_name", choices=("ps", "worker"))
    parser.add_argument("--task_index", type=int, default=0)
    parser.add_argument("--ps_hosts", default="")
    parser.add_argument("--worker_hosts", default="")
    parser.add_argument("--sync", action="store_true",
                        help="SyncReplicasOptimizer (averaged gradients)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--step_sleep", type=float, default=0.01)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="--launch: seconds before everything is killed")
    return parser.parse_args(argv)


# ---------------------------------------------------------------- launcher --

def _role_command(args, job_name, task_index, ps_hosts, worker_hosts):
    command = [sys.executable, os.path.abspath(__file__),
               "--job_name", job_name, "--task_index", str(task_index),
               "--ps_hosts", ps_hosts, "--worker_hosts", worker_hosts,
               "--steps", str(args.steps), "--step_sleep",
               str(args.step_sleep), "--workdir", args.workdir]
    return command + (["--sync"] if args.sync else [])


def launch(args):
    """Runs the whole cluster; returns 0 when both workers finished."""
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="ps_cluster_")
    os.makedirs(args.workdir, exist_ok=True)
    ps_port, *worker_ports = free_ports(3)
    ps_hosts = f"{HOST}:{ps_port}"
    worker_hosts = ",".join(f"{HOST}:{p}" for p in worker_ports)
    deadline = time.monotonic() + args.timeout
    started = time.monotonic()
    processes = []
    outputs = {}

    def start(job_name, task_index):
        name = f"{job_name}{task_index}"
        outputs[name] = open(os.path.join(args.workdir, f"{name}.out"), "w")
        proc = subprocess.Popen(
            _role_command(args, job_name, task_index, ps_hosts,
                          worker_hosts),
            stdout=outputs[name], stderr=subprocess.STDOUT)
        processes.append(proc)
        return proc

    try:
        start("ps", 0)
        workers = [start("worker", 0), start("worker", 1)]
        for proc in workers:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        codes = [proc.returncode for proc in workers]
    except subprocess.TimeoutExpired as error:
        print(f"ps_cluster: {error}; killing the cluster", flush=True)
        codes = None
    finally:
        reap(processes)
        for out in outputs.values():
            out.close()
    print(f"ps_cluster: workers exit codes {codes}, all {len(processes)} "
          f"processes reaped, {time.monotonic() - started:.1f} s, "
          f"logs in {args.workdir}", flush=True)
    return 0 if codes == [0, 0] else 1


# ------------------------------------------------------------------ roles --

def run_role(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    cluster = tf.train.ClusterSpec({"ps": args.ps_hosts.split(","),
                                    "worker": args.worker_hosts.split(",")})
    # Workers talk to the ps only (not to each other).
    config = tf.compat.v1.ConfigProto(device_filters=[
        "/job:ps", f"/job:{args.job_name}/task:{args.task_index}"])
    server = tf.compat.v1.train.Server(
        cluster, job_name=args.job_name, task_index=args.task_index,
        config=config)
    if args.job_name == "ps":
        server.join()  # never returns: the launcher terminates it
        return 0
    return run_worker(args, tf, cluster, server, config)


def _build(args, tf, cluster):
    """The replicated graph: global step, optimizer, train op, and one read
    of the step with the schedule at that read (for the log)."""
    try:
        from tf1_schedules.schedules import decay
    except ImportError:  # run from a checkout without installing
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
        from tf1_schedules.schedules import decay

    v1 = tf.compat.v1
    worker = f"/job:worker/task:{args.task_index}"
    with v1.device(v1.train.replica_device_setter(worker_device=worker,
                                                  cluster=cluster)):
        global_step = v1.train.get_or_create_global_step()
        w = v1.get_variable("model/w", initializer=[1.0, -1.0])
        x = tf.constant([[1.0, 2.0], [3.0, -1.0]])
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(x, w) - 1.0))
        learning_rate = decay.exponential_decay(0.1, global_step, 5, 0.5)
        optimizer = v1.train.GradientDescentOptimizer(learning_rate)
        if args.sync:
            optimizer = v1.train.SyncReplicasOptimizer(
                optimizer, replicas_to_aggregate=2, total_num_replicas=2)
        train_op = optimizer.minimize(loss, global_step=global_step)
        # What this worker logs: one read of the shared step and the
        # schedule at that read.
        step_read = global_step.read_value()
        lr_of_read = decay.exponential_decay(0.1, step_read, 5, 0.5)
        # A start barrier: each worker adds 1 once its session is up.
        ready = v1.get_variable("workers_ready", [], tf.int64,
                                v1.zeros_initializer(), trainable=False)
    return (global_step, optimizer, train_op, step_read, lr_of_read,
            ready, v1.assign_add(ready, 1))


def _poll(fn, what, timeout=60.0):
    """Calls `fn()` every 0.1 s until it is true (bounded)."""
    deadline = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > deadline:
            raise TimeoutError(f"ps_cluster: gave up waiting for {what}")
        time.sleep(0.1)


def run_worker(args, tf, cluster, server, config):
    v1 = tf.compat.v1
    is_chief = args.task_index == 0
    log_path = os.path.join(args.workdir, f"worker{args.task_index}.log")
    with open(log_path, "a") as log, tf.Graph().as_default():
        (global_step, optimizer, train_op, step_read, lr_of_read, ready,
         mark_ready) = _build(args, tf, cluster)
        hooks = [v1.train.StopAtStepHook(last_step=args.steps)]
        if args.sync:
            # No initial tokens: every step needs one gradient from each
            # worker, so neither can run ahead and be left waiting.
            hooks.append(optimizer.make_session_run_hook(is_chief,
                                                         num_tokens=0))
        log.write(f"# worker={args.task_index} chief={is_chief} "
                  f"sync={args.sync} global_step_device="
                  f"{global_step.device}\n")
        log.flush()
        if not is_chief:
            # A non-chief session that finds the variables uninitialised
            # sleeps 30 s before looking again: wait for the chief here.
            uninitialized = v1.report_uninitialized_variables(
                v1.global_variables())
            with v1.Session(server.target, config=config) as probe:
                _poll(lambda: probe.run(uninitialized).size == 0,
                      "the chief to initialise the variables")
        with v1.train.MonitoredTrainingSession(
                master=server.target, is_chief=is_chief, hooks=hooks,
                config=config, checkpoint_dir=None,
                save_checkpoint_secs=None, save_summaries_steps=None,
                save_summaries_secs=None, log_step_count_steps=None,
                stop_grace_period_secs=LAST_STEP_GRACE_SECS) as sess:
            log.write("# session ready\n")
            log.flush()
            sess.run(mark_ready)
            _poll(lambda: sess.run(ready) >= 2, "both workers")
            while not sess.should_stop():
                step, lr = sess.run([step_read, lr_of_read])
                if step >= args.steps or sess.should_stop():
                    break
                log.write(f"{step} {float(lr)!r}\n")
                log.flush()
                sess.run(train_op)
                time.sleep(args.step_sleep)
        # The shared step once this worker's monitored session has closed.
        with v1.Session(server.target, config=config) as sess:
            log.write(f"# stopped step={sess.run(global_step)}\n")
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.launch:
        return launch(args)
    if args.job_name is None or not args.workdir:
        raise SystemExit("ps_cluster: pass --launch, or --job_name, "
                         "--task_index, --ps_hosts, --worker_hosts and "
                         "--workdir")
    return run_role(args)


if __name__ == "__main__":
    sys.exit(main())
