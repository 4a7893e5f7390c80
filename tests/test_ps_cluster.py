"""A loopback TF1 parameter-server cluster: `legacy_examples/ps_cluster.py`.

One ps and two workers, as separate processes on 127.0.0.1 (free ports
found by binding to port 0), asynchronous and with `SyncReplicasOptimizer`.
Both clusters run at once (each under its own launcher process, bounded by
a timeout and killed in `finally`); the tests then read the workers' logs:

  * every logged learning rate is the schedule at the shared global step
    that worker read (`global_step` lives on `/job:ps/task:0`);
  * async: the workers interleave on the one counter (each sees steps the
    other made); sync: both see every step, in lockstep;
  * both workers stop at the same global step, the job ends by itself well
    within its time limit, and no process of it is left behind.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "legacy_examples" / "ps_cluster.py"
STEPS = 12
CLUSTER_TIMEOUT = 100  # the launcher kills its cluster after this
TIMEOUT = CLUSTER_TIMEOUT + 30  # and the test kills the launcher
MODES = ("async", "sync")


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _orphans(workdir):
    """Processes whose command line names `workdir` (Linux /proc)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(workdir).encode() in cmdline:
            found.append(int(pid))
    return found


def _launch(mode, workdir):
    command = [sys.executable, str(SCRIPT), "--launch", "--steps",
               str(STEPS), "--workdir", str(workdir), "--timeout",
               str(CLUSTER_TIMEOUT)] + (["--sync"] if mode == "sync" else [])
    start = time.monotonic()
    # subprocess.run kills and reaps the launcher if it outlives TIMEOUT (the
    # launcher itself reaps the cluster within CLUSTER_TIMEOUT < TIMEOUT).
    proc = subprocess.run(command, env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          timeout=TIMEOUT)
    return {"returncode": proc.returncode, "output": proc.stdout,
            "seconds": time.monotonic() - start, "workdir": workdir,
            "orphans": _orphans(workdir)}


def parse_worker_log(path):
    """(header, [(step, lr)], stopped_step)."""
    header, steps, stopped = {}, [], None
    for line in Path(path).read_text().splitlines():
        if line.startswith("# stopped"):
            stopped = int(line.split("=")[1])
        elif line.startswith("# worker="):
            header = dict(f.split("=", 1) for f in line[2:].split())
        elif line and not line.startswith("#"):
            step, lr = line.split()
            steps.append((int(step), float(lr)))
    return header, steps, stopped


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    with ThreadPoolExecutor(len(MODES)) as pool:
        futures = {mode: pool.submit(_launch, mode,
                                     tmp_path_factory.mktemp(f"ps_{mode}"))
                   for mode in MODES}
        results = {mode: f.result() for mode, f in futures.items()}
    for result in results.values():
        for pid in result["orphans"]:  # never leave one behind
            try:
                os.kill(pid, 9)
            except OSError:
                pass
    return results


@pytest.fixture(params=MODES)
def cluster(request, clusters):
    result = clusters[request.param]
    assert result["returncode"] == 0, result["output"][-3000:]
    workers = [parse_worker_log(result["workdir"] / f"worker{i}.log")
               for i in range(2)]
    return request.param, result, workers


def reference_lr(step):
    """`exponential_decay(0.1, step, 5, 0.5)` in float32, as TF computes."""
    return float(np.float32(0.1) * np.float32(0.5) ** (np.float32(step)
                                                       / np.float32(5)))


def test_job_ends_by_itself_and_leaves_no_process(cluster):
    _, result, _ = cluster
    assert result["seconds"] < CLUSTER_TIMEOUT, result["output"]
    assert "all 3 processes reaped" in result["output"], result["output"]
    assert result["orphans"] == [], result["output"]


def test_shared_global_step_lives_on_the_ps(cluster):
    _, _, workers = cluster
    for header, _, _ in workers:
        assert header["global_step_device"] == "/job:ps/task:0", header


def test_every_learning_rate_follows_the_shared_step(cluster):
    _, _, workers = cluster
    for _, steps, _ in workers:
        assert steps, workers
        for step, lr in steps:
            assert 0 <= step < STEPS
            np.testing.assert_allclose(lr, reference_lr(step), rtol=1e-6,
                                       err_msg=f"step {step}")


def test_workers_share_one_counter(cluster):
    mode, _, workers = cluster
    seen = [[step for step, _ in steps] for _, steps, _ in workers]
    for steps in seen:
        assert steps == sorted(steps), seen
    if mode == "sync":
        # Lockstep: one gradient from each worker per step.
        assert seen == [list(range(STEPS))] * 2, seen
    else:
        # Each logged step is followed by one update of that worker: the
        # updates of both add up to the final shared step (the job was done
        # once, not once per worker), and each skipped the steps the other
        # made.
        final = max(stop for _, _, stop in workers)
        assert len(seen[0]) + len(seen[1]) == final, (seen, final)
        assert all(0 < len(s) < STEPS for s in seen), seen
        assert min(seen[0] + seen[1]) == 0, seen


def test_workers_stop_at_the_same_global_step(cluster):
    mode, _, workers = cluster
    stopped = [stop for _, _, stop in workers]
    # Async: a worker that read STEPS - 1 while the other applied it may
    # add one more update (both `StopAtStepHook(last_step=STEPS)`).
    # Each reads the shared step after closing its session, so in async mode
    # the one that closed first may read it before the other's last update.
    allowed = {STEPS} if mode == "sync" else {STEPS, STEPS + 1}
    assert set(stopped) <= allowed, stopped
