"""`MultiWorkerMirroredStrategy`, 2 worker processes on 127.0.0.1.

Runs `legacy_examples/multi_worker.py --launch` once (bounded by
`subprocess.run(timeout=...)`; the launcher bounds and reaps its workers),
then reads both workers' results. For the schedules with a v1 optimizer,
`minimize_groups` / `GroupedOptimizer` and `create_optimizer` /
`bert_optimizer`, in graph mode (`Session` on the worker's server) and in
`tf.function`:

  * the global step advances once per step;
  * every worker reads the same learning rate, the schedule's;
  * the weights are equal on both workers and equal to a single-process
    run on the global batch;
  * the job ends by itself well within its limit and leaves no process.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tests.test_ps_cluster import _orphans  # noqa: E402

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "legacy_examples" / "multi_worker.py"
STEPS = 3
JOB_TIMEOUT = 150  # the launcher kills its workers after this
TIMEOUT = JOB_TIMEOUT + 30  # and the test kills the launcher
KINDS = ("v1_sgd", "groups", "bert")
MODES = ("graph", "function")
START = [[[0.1], [-0.2]], [0.05]]



@pytest.fixture(scope="module")
def job(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("multi_worker")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("TF_CONFIG", None)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--launch", "--steps", str(STEPS),
         "--workdir", str(workdir), "--timeout", str(JOB_TIMEOUT)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=TIMEOUT)
    seconds = time.monotonic() - start
    orphans = _orphans(workdir)
    for pid in orphans:  # never leave one behind
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    logs = "".join((workdir / f"worker{i}.out").read_text()[-3000:]
                   for i in range(2) if (workdir / f"worker{i}.out").exists())
    assert proc.returncode == 0, proc.stdout[-2000:] + logs
    workers = [json.loads((workdir / f"worker{i}.json").read_text())
               for i in range(2)]
    return {"output": proc.stdout, "seconds": seconds, "orphans": orphans,
            "workers": workers}


def test_job_ends_by_itself_and_leaves_no_process(job):
    assert job["seconds"] < JOB_TIMEOUT, job["output"]
    assert "workers exit codes [0, 0], all 2 processes reaped" in job[
        "output"], job["output"]
    assert job["orphans"] == []


def test_two_workers_one_replica_each(job):
    assert [w["task_index"] for w in job["workers"]] == [0, 1]
    assert [w["replicas"] for w in job["workers"]] == [2, 2]


def _single(job, mode, kind):
    """The single-process reference (one of the workers computed it)."""
    [single] = [w[f"{mode}/{kind}/single"] for w in job["workers"]
                if f"{mode}/{kind}/single" in w]
    return single


def _expected_lrs(kind):
    if kind == "bert":  # warmup 2, then polynomial decay over 10 steps
        return [0.0, 0.05, 0.08]
    return [0.1, 0.05, 0.025]  # exponential_decay(0.1, step, 1, 0.5)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_global_step_advances_once_per_step(job, mode, kind):
    for worker in job["workers"]:
        assert worker[f"{mode}/{kind}"]["steps"] == [1, 2, 3]
    assert _single(job, mode, kind)["steps"] == [1, 2, 3]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_every_worker_reads_the_same_learning_rate(job, mode, kind):
    first, second = (w[f"{mode}/{kind}"]["lrs"] for w in job["workers"])
    assert first == second
    np.testing.assert_allclose(first, _expected_lrs(kind), rtol=1e-6)
    assert first == _single(job, mode, kind)["lrs"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_weights_equal_across_workers_and_one_process(job, mode, kind):
    first, second = (w[f"{mode}/{kind}"]["weights"] for w in job["workers"])
    assert first == second  # bit for bit: the same all-reduced update
    single = _single(job, mode, kind)["weights"]
    for got, want, initial in zip(first, single, START):
        assert not np.allclose(want, initial)  # it trained
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
