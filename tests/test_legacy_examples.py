"""The legacy examples run, log the seeds' schedules at the right steps, and
train.

All examples run once, in one subprocess (`legacy_examples/run_all.py`, so
TensorFlow is imported once); the tests then read their TensorBoard events.
Expected learning rates are the seeds' formulas in NumPy, with the seeds'
parameters.
"""
import glob
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES_DIR = os.path.join(ROOT, "legacy_examples")
STEPS, EVERY = 100, 10
LOGGED = np.arange(0, STEPS, EVERY)


def read_events(directory):
    """`{tag: (steps, values)}` from the event files in `directory`, for
    TF1 `simple_value` and TF2 tensor summaries alike."""
    files = sorted(glob.glob(os.path.join(directory, "events.out.tfevents.*")))
    assert files, f"no event file in {directory}"
    scalars = {}
    for path in files:
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                number = (value.simple_value if value.HasField("simple_value")
                          else float(tf.make_ndarray(value.tensor)))
                scalars.setdefault(value.tag, []).append((event.step, number))
    return {tag: tuple(np.array(column) for column in zip(*sorted(pairs)))
            for tag, pairs in scalars.items()}


def subprocess_env():
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


def run_python(*args, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=ROOT,
                          env=subprocess_env(), capture_output=True,
                          text=True, timeout=timeout)


EXAMPLES = runpy.run_path(os.path.join(EXAMPLES_DIR, "run_all.py"))["EXAMPLES"]


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("legacy"))
    proc = run_python(os.path.join(EXAMPLES_DIR, "run_all.py"),
                      "--steps", str(STEPS), "--logdir", logdir,
                      "--summary-every", str(EVERY))
    return logdir, proc


def test_every_seed_recipe_has_an_example():
    seeds = {seed for seed, _ in EXAMPLES.values()}
    assert seeds == {"000", "001", "002", "003", "004"}
    assert sum(seed == "002" for seed, _ in EXAMPLES.values()) == 10
    for name in EXAMPLES:
        assert os.path.isfile(os.path.join(EXAMPLES_DIR, f"{name}.py")), name


def test_run_all_runs_every_example(examples_run):
    _, proc = examples_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for name in EXAMPLES:
        assert f"[ok] {name} (" in proc.stdout


# --------------------------------------------- seed 002: the schedules --

def _linear_cosine(periods):
    def lr(s):
        linear = (10000 - s) / 10000
        cosine = 0.5 * (1 + np.cos(np.pi * 2 * periods * s / 10000))
        return 0.01 * ((0.001 + linear) * cosine + 0.001)
    return lr


def _cosine(alpha, decay_steps):
    return lambda s: 0.01 * ((1 - alpha) * 0.5
                             * (1 + np.cos(np.pi * s / decay_steps)) + alpha)


def _polynomial(power):
    return lambda s: (0.01 - 1e-5) * (1 - s / 10000) ** power + 1e-5


def _line(start, end, steps):
    return lambda s: start + (end - start) / steps * s


# run directory -> {tag: the seed's formula (steps < 2000)}
SEED_002 = {
    "piecewise_decay": {"learning_rate": lambda s: 0.01 + 0 * s},
    "exponential_decay": {
        "exponential_decay_no_stair": lambda s: 0.01 * 0.98 ** (s / 2000),
        "exponential_decay_use_stair":
            lambda s: 0.01 * 0.98 ** np.floor(s / 2000)},
    "natural_exp_decay": {
        "natural_exp_decay_no_stair":
            lambda s: 0.01 * np.exp(-0.98 * s / 2000),
        "natural_exp_decay_use_stair":
            lambda s: 0.01 * np.exp(-0.98 * np.floor(s / 2000))},
    "polynomial_decay": {
        f"polynomial_decay_power_{label}": _polynomial(power)
        for label, power in (("1", 1), ("05", 0.5), ("2", 2))},
    "cosine_decay": {"learning_rate": _cosine(0.001, 10000)},
    "linear_cosine_decay": {"linear_cosine_decay_05": _linear_cosine(0.5),
                            "linear_cosine_decay_4": _linear_cosine(4)},
    # Before the first restart (5000) the three cycles are the same curve.
    "cosine_decay_cycle": {f"cosine_decay_cycle_{label}": _cosine(1e-4, 5000)
                           for label in ("1_1", "2_1", "2_05")},
    "exponential_decay_with_burnin": {
        "exponential_decay_with_burnin": lambda s: 0.001 + 0 * s},
    "piecewise_with_warmup": {
        "piecewise_no_warmup": lambda s: 0.01 + 0 * s,
        "piecewise_with_warmup": _line(1e-5, 0.01, 2000)},
    "cosine_decay_with_warmup": {
        f"cosine_decay_with_warmup_hold_{label}": _line(1e-4, 0.01, 2000)
        for label in ("2000", "no")},
}


def test_seed_002_examples_are_all_checked():
    assert set(SEED_002) == {n for n, (s, _) in EXAMPLES.items()
                             if s == "002"}


@pytest.mark.parametrize("name", sorted(SEED_002))
def test_seed_002_example_logs_the_seed_schedule(examples_run, name):
    logdir, _ = examples_run
    events = read_events(os.path.join(logdir, name))
    assert set(events) == set(SEED_002[name])
    for tag, formula in SEED_002[name].items():
        steps, values = events[tag]
        np.testing.assert_array_equal(steps, LOGGED)
        np.testing.assert_allclose(values, formula(steps), rtol=2e-6,
                                   err_msg=f"{name}/{tag}")


# ------------------------------------ seeds 000, 001, 003, 004: training --

def check_loss_decreases(events):
    _, loss = events["loss"]
    assert np.all(np.isfinite(loss))
    assert np.mean(loss[-3:]) < 0.8 * loss[0], loss


def test_bert_create_optimizer_follows_bert_curve_and_trains(examples_run):
    events = read_events(os.path.join(examples_run[0],
                                      "bert_create_optimizer"))
    steps, lr = events["learning_rate"]
    warmup = STEPS // 10
    expected = np.where(steps < warmup, 5e-3 * steps / warmup,
                        5e-3 * (1 - steps / STEPS))
    np.testing.assert_array_equal(steps, LOGGED)
    np.testing.assert_allclose(lr, expected, rtol=1e-5, atol=1e-9)
    check_loss_decreases(events)


def test_tf1_train_loop_warms_up_then_decays_and_trains(examples_run):
    events = read_events(os.path.join(examples_run[0], "tf1_train_loop"))
    steps, lr = events["learning_rate"]
    w = STEPS // 10  # default warmup, then polynomial decay over the rest
    expected = np.where(steps < w, 0.01 * steps / w,
                        0.01 * (1 - (steps - w) / (STEPS - w)))
    np.testing.assert_allclose(lr, expected, rtol=1e-5, atol=1e-9)
    check_loss_decreases(events)


def test_layerwise_finetune_restores_and_decays_per_layer(examples_run):
    logdir, proc = examples_run
    assert "4 restored, 0 skipped, 2 excluded" in proc.stdout
    events = read_events(os.path.join(logdir, "layerwise_finetune"))
    base = 0.1 * 0.96 ** np.floor(LOGGED / 100)
    for depth, layer in enumerate(("net/logits", "net/fc2", "net/fc1")):
        steps, lr = events[f"learning_rate/{layer}"]
        np.testing.assert_allclose(lr, base * 0.5 ** depth, rtol=1e-6)
    check_loss_decreases(events)


def test_keras_lr_scheduler_sets_the_policy_rate(examples_run):
    from tf1_schedules.keras_schedules import LRScheduler

    events = read_events(os.path.join(examples_run[0], "lr_scheduler_step"))
    steps, lr = events["learning_rate"]
    expected = LRScheduler(iterations=STEPS, lr=0.001, policy="step")(
        tf.constant(steps))
    np.testing.assert_array_equal(steps, LOGGED)
    np.testing.assert_allclose(lr, np.asarray(expected), rtol=1e-6)
    assert lr[0] == 0.0 and lr.max() == pytest.approx(0.001)
    assert np.all(np.isfinite(events["loss"][1]))


# ------------------------------------------------------------- the CLI --

def test_example_runs_as_a_script(tmp_path):
    proc = run_python("legacy_examples/cosine_decay_with_warmup.py",
                      "--steps", "20", "--logdir", str(tmp_path),
                      "--summary-every", "5")
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = read_events(os.path.join(tmp_path, "cosine_decay_with_warmup"))
    steps, values = events["cosine_decay_with_warmup_hold_no"]
    np.testing.assert_array_equal(steps, [0, 5, 10, 15])
    np.testing.assert_allclose(values, _line(1e-4, 0.01, 2000)(steps),
                               rtol=2e-6)


def test_run_all_rejects_unknown_names():
    proc = run_python("legacy_examples/run_all.py", "no_such_example",
                      timeout=60)
    assert proc.returncode == 2
    assert "unknown example(s): no_such_example" in proc.stderr
