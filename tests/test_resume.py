"""Kill -9 and resume: `legacy_examples/resumable_training.py` in subprocesses.

For each loop (a plain `Session` + `Saver`, and `MonitoredTrainingSession`),
a fine-tuning run from a pretrained checkpoint is

  * run uninterrupted (the reference), and
  * killed with SIGKILL as soon as its log reaches a random step, then
    started again with the same arguments and left to finish.

The restarted run must continue from its last checkpoint with the
reference's learning rates (the schedule follows the restored global step)
and weights, and must not re-apply the pretrained initialisation (the
checkpoint in the train dir wins). Every process is reaped in `finally`
and bounded by a timeout. The random step's seed is in every failure
message; set TF1S_RESUME_SEED to replay one.
"""
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "legacy_examples" / "resumable_training.py"
STEPS = 40
STEP_SLEEP = "0.04"
TIMEOUT = 90  # seconds for one training process
PRETRAINED_W = 0.5  # every entry of the pretrained model/w
SEED = int(os.environ.get("TF1S_RESUME_SEED", time.time_ns() % 2**32))


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _command(loop, train_dir, log, pretrained):
    return [sys.executable, str(SCRIPT), "--loop", loop, "--steps",
            str(STEPS), "--train_dir", str(train_dir), "--log", str(log),
            "--pretrained", str(pretrained), "--step_sleep", STEP_SLEEP]


def _start(command):
    return subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _reap(proc):
    """Kills `proc` if it still runs; waits for it; returns unread output."""
    if proc.poll() is None:
        proc.kill()
    if proc.stdout is None or proc.stdout.closed:
        proc.wait(timeout=30)
        return ""
    output, _ = proc.communicate(timeout=30)
    return output


def _finish(proc):
    """Waits (bounded) for `proc`; returns its output; asserts exit 0."""
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"timed out after {TIMEOUT} s (seed {SEED}): "
                    f"{_reap(proc)[-2000:]}")
    assert proc.returncode == 0, output[-3000:]
    return output


def _steps_logged(log):
    if not log.exists():
        return []
    return [int(line.split()[0]) for line in log.read_text().splitlines()
            if line and not line.startswith("#")]


def _kill_when_logged(proc, log, step):
    """SIGKILLs `proc` once `log` shows `step`; returns the last step seen."""
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            logged = _steps_logged(log)
            if logged and logged[-1] >= step:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return _steps_logged(log)[-1]
            time.sleep(0.005)
        pytest.fail(f"process ended (rc={proc.poll()}) or timed out before "
                    f"step {step} (seed {SEED}): {_reap(proc)[-2000:]}")
    finally:
        _reap(proc)


def parse_log(log):
    """(starts, entries): `[(step, init)]` and `{step: (lr, weight_sum)}`
    per start, in order."""
    starts, runs = [], []
    for line in log.read_text().splitlines():
        if line.startswith("# start"):
            fields = dict(f.split("=") for f in line.split()[2:])
            starts.append((int(fields["step"]), fields["init"]))
            runs.append({})
        elif line:
            step, lr, total = line.split()
            runs[-1][int(step)] = (float(lr), float(total))
    return starts, runs


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A checkpoint with `model/w` = 0.5, `model/b` = 7 and a global step of
    1000 (which must not be restored)."""
    prefix = tmp_path_factory.mktemp("pretrained") / "model.ckpt"
    with tf.Graph().as_default():
        with tf.compat.v1.variable_scope("model"):
            tf.compat.v1.get_variable(
                "w", initializer=np.full([4, 1], PRETRAINED_W, np.float32))
            tf.compat.v1.get_variable("b", initializer=[7.0])
        step = tf.compat.v1.train.get_or_create_global_step()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(step.assign(1000))
            tf.compat.v1.train.Saver().save(sess, str(prefix))
    return prefix


LOOPS = ("session", "monitored")


def _run_loop(loop, pretrained, work):
    """Reference run and killed-then-restarted run of one loop."""
    kill_step = random.Random(f"{SEED}-{loop}").randint(3, STEPS - 10)
    ref_log, log = work / "reference.log", work / "killed.log"
    reference = _start(_command(loop, work / "reference", ref_log,
                                pretrained))
    try:
        first = _start(_command(loop, work / "train", log, pretrained))
        killed_after = _kill_when_logged(first, log, kill_step)
        _finish(_start(_command(loop, work / "train", log, pretrained)))
        _finish(reference)
    finally:
        _reap(reference)
    context = (f"loop={loop} seed={SEED} kill_step={kill_step} "
               f"killed_after={killed_after}")
    return parse_log(ref_log), parse_log(log), killed_after, context


@pytest.fixture(scope="module")
def all_runs(pretrained, tmp_path_factory):
    """Both loops at once (each waits on its own subprocesses)."""
    with ThreadPoolExecutor(len(LOOPS)) as pool:
        futures = {loop: pool.submit(_run_loop, loop, pretrained,
                                     tmp_path_factory.mktemp(f"resume_{loop}"))
                   for loop in LOOPS}
        return {loop: future.result() for loop, future in futures.items()}


@pytest.fixture(params=LOOPS)
def runs(request, all_runs):
    """The reference log and the killed-then-restarted log of one loop."""
    return all_runs[request.param]


def test_reference_runs_through(runs):
    (starts, entries), _, _, context = runs
    assert starts == [(0, "pretrained")], context
    assert sorted(entries[0]) == list(range(STEPS)), context
    # The pretrained model/w (4 x 0.5) is restored, model/b (excluded) and
    # the pretrained global step (1000) are not.
    assert entries[0][0][1] == 4 * PRETRAINED_W, context


def test_restart_resumes_where_killed(runs):
    _, (starts, entries), killed_after, context = runs
    assert len(starts) == 2, context
    assert starts[0] == (0, "pretrained"), context
    restored, init = starts[1]
    assert init == "train_dir", context
    # A logged step's checkpoint (step + 1) was written before its log line.
    assert killed_after + 1 <= restored <= max(entries[0]) + 1, context
    assert sorted(entries[1]) == list(range(restored, STEPS)), context


def test_learning_rates_after_restore_equal_uninterrupted(runs):
    (_, ref), (_, entries), _, context = runs
    for step, (lr, _) in entries[1].items():
        assert lr == ref[0][step][0], (step, context)
    for step, (lr, _) in entries[0].items():
        assert lr == ref[0][step][0], (step, context)


def test_weights_after_restore_equal_uninterrupted(runs):
    """Weights and momentum slots come back: the run continues exactly;
    re-applying the pretrained weights would reset the sum to 2.0."""
    (_, ref), (starts, entries), _, context = runs
    restored = starts[1][0]
    assert entries[1][restored][1] != 4 * PRETRAINED_W, context
    for step, (_, total) in entries[1].items():
        np.testing.assert_allclose(total, ref[0][step][1], rtol=1e-6,
                                   err_msg=f"step {step} {context}")
