"""`legacy_examples/slim_contrib_train.py`, unchanged, under the launcher.

The program is written like a 2019-2020 TF-Slim codebase (`tf.contrib.slim`,
`contrib_training.HParams`, `from tensorflow.contrib import quantize`,
`slim.learning.train` with slim's `_get_init_fn` / `_get_variables_to_train`).
It pretrains a 5-class model, then fine-tunes it into 3 classes
(`--checkpoint_exclude_scopes=SimpleNet/logits`, `--trainable_scopes=
SimpleNet/fc1,SimpleNet/logits`), each run being
``python -m tf1_schedules run --tf1 --tf1-namespace ...``:

- the fine-tuned checkpoint's frozen variables (`conv1`) are bit-identical
  to the pretrained checkpoint (`tf.train.load_variable`), the trained ones
  (`fc1`, the new 3-class `logits`) moved;
- a fine-tune with a learning rate of 0 ends where it started, so *every*
  restored variable (frozen or trained) equals `tf.train.load_variable` of
  the pretrained checkpoint, and the excluded head has the new shape;
- the learning rate the Supervisor logged is this package's and TF's
  `polynomial_decay` at the logged step;
- ``--quantize_delay=0`` stops with contrib.quantize's clear error.
"""
import glob
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = os.path.join(ROOT, "legacy_examples", "slim_contrib_train.py")
LAUNCH = [sys.executable, "-m", "tf1_schedules", "run", "--tf1",
          "--tf1-namespace", PROGRAM]
FINETUNE = ["--num_classes=3", "--checkpoint_exclude_scopes=SimpleNet/logits",
            "--trainable_scopes=SimpleNet/fc1,SimpleNet/logits"]
FROZEN = ("SimpleNet/conv1/weights", "SimpleNet/conv1/biases")
TRAINED = ("SimpleNet/fc1/weights", "SimpleNet/fc1/biases")


def _env():
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


def _start(*flags):
    return subprocess.Popen([*LAUNCH, *flags], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(process, timeout=300):
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"timed out:\n{output[-3000:]}")
    return process.returncode, output


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("slim_contrib")
    dirs = {name: str(base / name) for name in ("pre", "tune", "zero")}
    status, output = _finish(_start(
        f"--train_dir={dirs['pre']}", "--num_classes=5",
        "--max_number_of_steps=60"))
    assert status == 0, output[-3000:]
    pre = tf.train.latest_checkpoint(dirs["pre"])
    started = {
        "tune": _start(f"--train_dir={dirs['tune']}", *FINETUNE,
                       f"--checkpoint_path={dirs['pre']}",
                       "--learning_rate_decay_type=polynomial",
                       "--learning_rate=0.05", "--max_number_of_steps=40"),
        "zero": _start(f"--train_dir={dirs['zero']}", *FINETUNE,
                       f"--checkpoint_path={pre}",
                       "--learning_rate_decay_type=fixed",
                       "--learning_rate=0", "--max_number_of_steps=5"),
        "quantize": _start(f"--train_dir={base / 'q'}", "--quantize_delay=0",
                           "--max_number_of_steps=1"),
    }
    finished = {name: _finish(p) for name, p in started.items()}
    for name in ("tune", "zero"):
        assert finished[name][0] == 0, finished[name][1][-3000:]
    return dict(pre=pre, tune_dir=dirs["tune"],
                tune=tf.train.latest_checkpoint(dirs["tune"]),
                zero=tf.train.latest_checkpoint(dirs["zero"]),
                quantize=finished["quantize"])


def _load(checkpoint, name):
    return tf.train.load_variable(checkpoint, name)


def test_every_run_trained_to_its_step_count(runs):
    assert runs["pre"].endswith("model.ckpt-60")
    assert runs["tune"].endswith("model.ckpt-40")
    assert runs["zero"].endswith("model.ckpt-5")


def test_frozen_variables_are_bit_identical_after_fine_tuning(runs):
    for name in FROZEN:
        np.testing.assert_array_equal(_load(runs["tune"], name),
                                      _load(runs["pre"], name))
    for name in TRAINED:
        assert not np.array_equal(_load(runs["tune"], name),
                                  _load(runs["pre"], name)), name


def test_restored_variables_equal_the_checkpoint(runs):
    # Learning rate 0: what the fine-tune restored is what it saved.
    for name in FROZEN + TRAINED:
        np.testing.assert_array_equal(_load(runs["zero"], name),
                                      _load(runs["pre"], name))


def test_the_excluded_head_is_new_with_the_new_class_count(runs):
    assert _load(runs["pre"], "SimpleNet/logits/weights").shape == (16, 5)
    for key in ("tune", "zero"):
        assert _load(runs[key], "SimpleNet/logits/weights").shape == (16, 3)


def test_logged_learning_rate_is_the_polynomial_decay(runs):
    # The Supervisor's summary thread logs (step, learning rate) from one
    # session run; the program's polynomial: 0.05 -> 0.0001 over
    # int(256 / 16 * 2.0) = 32 steps.
    params = dict(learning_rate=0.05, decay_steps=32,
                  end_learning_rate=0.0001, power=1.0, cycle=False)
    logged = []
    for path in glob.glob(os.path.join(runs["tune_dir"], "events.out.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            logged += [(event.step, v.simple_value)
                       for v in event.summary.value
                       if v.tag == "learning_rate"]
    assert logged
    steps, rates = (np.array(column) for column in zip(*logged))
    ours = tf1_schedules.values(tf1_schedules.polynomial_decay, steps,
                                **params)
    theirs = [float(tf.compat.v1.train.polynomial_decay(
        global_step=int(step), **params)()) for step in steps]
    np.testing.assert_allclose(rates, ours, rtol=1e-6)
    np.testing.assert_allclose(rates, theirs, rtol=1e-6)


def test_quantized_training_stops_with_contribs_clear_error(runs):
    status, output = runs["quantize"]
    assert status == 1
    assert ("NotImplementedError: tensorflow.contrib.quantize."
            "create_training_graph is not supported") in output
