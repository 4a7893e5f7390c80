"""`PolicyValues`: the LRScheduler policies without TF ops, bit for bit.

Every step of whole ranges (0 to past the end of training) is compared with
the TF op for several configurations of each policy, float32 and float64.
The TF reference is `compiled(...)` (one call per step, op-by-op eager bits:
see test_compiled.py), checked against plain op-by-op eager at a sample.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf1_schedules.schedules import fast  # noqa: E402
from tf1_schedules.schedules import policies  # noqa: E402
from tf1_schedules.schedules._compiled import compiled  # noqa: E402
from tf1_schedules.schedules.fast import PolicyValues  # noqa: E402

CONFIGS = [
    dict(iterations=1000, lr=0.001, policy="constant"),
    dict(iterations=1000, lr=np.float64(0.003), policy="constant"),
    dict(iterations=2000, lr=0.001, policy="step"),
    dict(iterations=2000, lr=0.1, policy="step", warm_up=0.5,
         decay_step=0.5),
    dict(iterations=1500, lr=1, policy="step", warm_up=0.0),
    dict(iterations=997, lr=np.float32(0.003), policy="step",
         warm_up=0.0333),
    dict(iterations=7, lr=0.1, policy="step", warm_up=0.2),  # one drop
    dict(iterations=2000, lr=np.float64(0.001), policy="step"),
    dict(iterations=2000, lr=0.001, policy="step", double_step=False),
    dict(iterations=7, lr=0.1, policy="step", warm_up=0.2,
         double_step=False),
    dict(iterations=3000, lr=0.001, policy="cosine",
         initial_cycle_length=250),
    dict(iterations=2000, lr=0.1, policy="cosine", warm_up=0.0,
         initial_cycle_length=100, cycle_weight=1.0),
    dict(iterations=2000, lr=0.1, policy="cosine", warm_up=0.033,
         initial_cycle_length=77, cycle_weight=1.5, decay_step=0.3),
    dict(iterations=1200, lr=0.01, policy="cosine", warm_up=0.05,
         initial_cycle_length=10, cycle_weight=3),
    dict(iterations=3000, lr=np.float64(0.001), policy="cosine",
         initial_cycle_length=250),
    dict(iterations=2000, lr=0.001, policy="onecycle"),
    dict(iterations=2000, lr=0.1, policy="onecycle", warm_up=0.0),
    dict(iterations=1111, lr=0.05, policy="onecycle", warm_up=0.37,
         decay_step=0.2),
    dict(iterations=2000, lr=np.float64(0.001), policy="onecycle"),
]


def _id(config):
    return "-".join(f"{k}={v}" for k, v in config.items())


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_every_step_equals_the_tf_op(config):
    values = PolicyValues(**config)
    assert values.exact
    reference = compiled(policies.lr_scheduler_fn(**config))
    last = int(config["iterations"] * 1.2) + 3
    bad = [k for k in range(last + 1) if values(k) != float(reference(k))]
    assert not bad, f"{len(bad)} steps differ, first {bad[:5]}"


@pytest.mark.parametrize("config", CONFIGS[::3], ids=_id)
def test_sample_equals_op_by_op_eager(config):
    values = PolicyValues(**config)
    schedule = policies.lr_scheduler_fn(**config)
    steps = np.linspace(0, int(config["iterations"] * 1.2), 40).astype(int)
    for k in steps:
        assert values(int(k)) == float(schedule(tf.constant(k, tf.int64)))


def test_seed_defaults_over_the_whole_run():
    """The seed's own example: 100,000 iterations, lr 0.001, cosine."""
    config = dict(iterations=100000, lr=0.001, policy="cosine")
    values = PolicyValues(**config)
    assert values.exact
    reference = compiled(policies.lr_scheduler_fn(**config))
    # Every 9th step, and every step near a restart (2500 * (2 ** j - 1)
    # after the 10,001-step warm-up), the warm-up's end and the run's end.
    steps = set(range(0, 100003, 9))
    for mark in (10001, 12501, 17501, 27501, 47501, 87501, 100000):
        steps.update(range(mark - 40, mark + 40))
    bad = [k for k in sorted(steps) if values(k) != float(reference(k))]
    assert not bad, f"{len(bad)} steps differ, first {bad[:5]}"


def test_no_tf_op_is_built_per_call():
    values = PolicyValues(3000, 0.001, policy="cosine")
    with tf.Graph().as_default() as graph:
        for k in range(0, 3000, 7):
            values(k)
        values(np.int64(17))
    assert graph.get_operations() == []


@pytest.mark.parametrize("step", [tf.constant(250, tf.int64),
                                  tf.Variable(250, dtype=tf.int64), 250.0,
                                  -3, 2**60, np.int32(250)])
def test_other_steps_give_the_tf_value(step):
    config = dict(iterations=1000, lr=0.001, policy="onecycle")
    values = PolicyValues(**config)
    schedule = policies.lr_scheduler_fn(**config)
    assert values(step) == float(schedule(step))


def test_a_tensor_learning_rate_uses_the_tf_op():
    lr = tf.Variable(0.001)
    values = PolicyValues(1000, lr, policy="onecycle")
    schedule = policies.lr_scheduler_fn(1000, lr, policy="onecycle")
    assert not values.exact
    for rate in (0.001, 0.002):
        lr.assign(rate)
        for k in (50, 500):
            assert values(k) == float(schedule(tf.constant(k, tf.int64)))


def test_a_wrong_replay_is_caught_by_the_probes(monkeypatch):
    real = fast._cosine_decay

    def off_by_one_ulp(m, lr, decay_steps, alpha):
        value = real(m, lr, decay_steps, alpha)
        return lambda k: np.nextafter(value(k), m.dtype(1.0))

    monkeypatch.setattr(fast, "_cosine_decay", off_by_one_ulp)
    config = dict(iterations=1000, lr=0.001, policy="onecycle")
    values = PolicyValues(**config)
    assert not values.exact
    reference = compiled(policies.lr_scheduler_fn(**config))
    for k in (0, 150, 700):
        assert values(k) == float(reference(k))


def test_without_a_c_math_library_float32_cosines_use_the_tf_op(monkeypatch):
    monkeypatch.setattr(fast, "_LIBM", None)
    assert not PolicyValues(1000, 0.001, policy="cosine").exact
    assert not PolicyValues(1000, 0.001, policy="onecycle").exact
    # no float32 cosine in these: still exact
    assert PolicyValues(1000, 0.001, policy="step").exact
    assert PolicyValues(1000, np.float64(0.001), policy="cosine").exact


def test_given_schedule_is_used():
    schedule = policies.lr_scheduler_fn(1000, 0.001, "step")
    values = PolicyValues(1000, 0.001, "step", schedule=schedule)
    assert values._tf.build is schedule


def test_invalid_arguments_raise_as_the_scheduler():
    with pytest.raises(ValueError) as want:
        policies.lr_scheduler_fn(1000, 0.001, policy="linear")
    with pytest.raises(ValueError) as got:
        PolicyValues(1000, 0.001, policy="linear")
    assert str(got.value) == str(want.value)


def test_docstring_examples_run():
    import doctest
    result = doctest.testmod(fast, extraglobs={"tf": tf})
    assert result.attempted > 0 and result.failed == 0
