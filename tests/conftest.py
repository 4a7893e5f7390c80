"""Shared test fixtures: one `mode` fixture runs every test in graph and eager mode."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

# Building TF graphs is slow: few examples, no deadline, reproducible runs.
# The `mode` fixture is stateless, so sharing it across examples is safe.
settings.register_profile(
    "tf", max_examples=12, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile(
    "thorough", parent=settings.get_profile("tf"), max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tf"))

_GLOBAL_STEP = tf.compat.v1.GraphKeys.GLOBAL_STEP


class Mode:
    """Evaluates schedule-building code in one execution mode.

    `run(build)`: calls `build()` (in a fresh graph for graph mode) and returns
    the NumPy value of what it returned; an eager callable is called first.

    `values(build, steps)`: `build(global_step)` once, with `global_step` an
    int64 `tf.Variable` (the graph's global step), then the value after
    assigning each of `steps`: the graph Tensor is re-run, the eager callable
    re-called, so the re-read contract is exercised.
    """

    def __init__(self, name):
        self.name = name

    @property
    def graph(self):
        return self.name == "graph"

    def __repr__(self):
        return self.name

    def run(self, build):
        if self.graph:
            with tf.Graph().as_default():
                out = build()
                with tf.compat.v1.Session() as sess:
                    sess.run(tf.compat.v1.global_variables_initializer())
                    return sess.run(out)
        _reset_eager_global_step()
        out = build()
        return tf.nest.map_structure(_call, out)

    def values(self, build, steps, step_dtype=tf.int64):
        steps = list(steps)
        if self.graph:
            with tf.Graph().as_default():
                gs = _make_step(step_dtype)
                out = build(gs)
                assert all(tf.is_tensor(o) for o in tf.nest.flatten(out)), out
                step_in = tf.compat.v1.placeholder(step_dtype, [])
                assign = gs.assign(step_in)
                with tf.compat.v1.Session() as sess:
                    sess.run(tf.compat.v1.global_variables_initializer())
                    result = []
                    for s in steps:
                        sess.run(assign, {step_in: s})
                        result.append(sess.run(out))
                    return np.array(result)
        _reset_eager_global_step()
        gs = _make_step(step_dtype)
        out = build(gs)
        result = []
        for s in steps:
            gs.assign(tf.constant(s, step_dtype))
            result.append(tf.nest.map_structure(_call, out))
        return np.array(result)


def _make_step(dtype):
    if dtype == tf.int64:
        return tf.compat.v1.train.get_or_create_global_step()
    return tf.Variable(tf.zeros([], dtype), name="step")


def _call(schedule):
    """Eager mode: schedules are zero-argument callables, never Tensors."""
    assert callable(schedule) and not tf.is_tensor(schedule), schedule
    return _numpy(schedule())


def _numpy(value):
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def _reset_eager_global_step():
    """Eager global steps live in a process-wide collection; start clean."""
    tf.compat.v1.get_default_graph().clear_collection(_GLOBAL_STEP)


@pytest.fixture(params=["graph", "eager"])
def mode(request):
    """Run the test in graph mode (tf.Graph + Session) and in eager mode."""
    return Mode(request.param)


@pytest.fixture
def graph():
    """A fresh default graph (graph-mode-only checks such as op names)."""
    with tf.Graph().as_default() as g:
        yield g


@pytest.fixture(autouse=True)
def _clean_eager_global_step():
    _reset_eager_global_step()
    yield


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: runs child processes (about two thirds of the "
        "suite's time); `bash scripts/test.sh -m 'not slow'` skips them")
