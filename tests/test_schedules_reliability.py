"""Schedules stay exact (or say no) where they used to give a wrong value.

The errors are catalogue rows (`bad_input_cases_schedules.py`); these are
the values: half-precision learning rates past step 65504, restarts and the
LRScheduler's cosine policy far past 2**31, warmups over plain numbers.
"""
import math

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules as ts
from tf1_schedules import keras_schedules
from tf1_schedules.schedules import compose

HALF_CASES = [
    ("exponential_decay", lambda lr, s: ts.exponential_decay(lr, s, 1000, 0.9)),
    ("natural_exp_decay", lambda lr, s: ts.natural_exp_decay(lr, s, 1e5, 0.5)),
    ("inverse_time_decay", lambda lr, s: ts.inverse_time_decay(lr, s, 1e4, 0.5)),
    ("polynomial_decay", lambda lr, s: ts.polynomial_decay(lr, s, 1e5)),
    ("cosine_decay", lambda lr, s: ts.cosine_decay(lr, s, 1e5)),
    ("cosine_decay_restarts",
     lambda lr, s: ts.cosine_decay_restarts(lr, s, 3e4)),
    ("linear_cosine_decay", lambda lr, s: ts.linear_cosine_decay(lr, s, 1e5)),
]


@pytest.mark.parametrize("name,build", HALF_CASES,
                         ids=[c[0] for c in HALF_CASES])
def test_float16_learning_rate_is_computed_in_float32(mode, name, build):
    steps = [0, 1000, 65504, 70000, 99999]
    half = mode.values(
        lambda gs: build(tf.constant(0.1, tf.float16), gs), steps)
    lr32 = float(np.float16(0.1))  # the same rate, held in float32
    single = mode.values(lambda gs: build(lr32, gs), steps)
    assert half.dtype == np.float16
    assert np.all(np.isfinite(half)), half
    np.testing.assert_array_equal(half, single.astype(np.float16))


def _restarts_reference(step, first, alpha=0.0):
    fraction = (step % first) / first
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha


@pytest.mark.parametrize("step", [2**40 + 7, 2**31 + 3, 2**53 - 1])
def test_restarts_with_t_mul_one_are_exact_at_huge_steps(mode, step):
    out = mode.run(lambda: ts.cosine_decay_restarts(
        1.0, tf.constant(step, tf.int64), 10, t_mul=1.0))
    assert out == pytest.approx(_restarts_reference(step, 10), abs=1e-6)


def test_tf_loses_the_fraction_there(mode):
    out = mode.run(lambda: tf.compat.v1.train.cosine_decay_restarts(
        1.0, tf.constant(2**40 + 7, tf.int64), 10, t_mul=1.0))
    assert out == pytest.approx(1.0)  # the documented TF bug


def test_lr_scheduler_cosine_is_periodic_past_2_31(mode):
    sched = keras_schedules.LRScheduler(10**12, 0.1, policy="cosine",
                                        warm_up=0.0, cycle_weight=1.0,
                                        initial_cycle_length=2500)
    base = np.arange(0, 2500, 97, dtype=np.int64)
    far = base + 2500 * (2**31 // 2500 + 1)
    near, away = mode.run(lambda: (
        compose.at_global_step(sched, tf.constant(base)),
        compose.at_global_step(sched, tf.constant(far))))
    np.testing.assert_allclose(away, near, rtol=0, atol=1e-7)


def test_warmup_over_a_plain_number(mode):
    f = compose.with_warmup(lambda step: 0.1, 4)
    out = mode.run(lambda: compose.at_global_step(
        f, tf.range(6, dtype=tf.int64)))
    np.testing.assert_allclose(out, [0, 0.025, 0.05, 0.075, 0.1, 0.1],
                               rtol=1e-6)


def test_failed_call_leaves_no_global_step(graph):
    with pytest.raises(ValueError, match="`name`"):
        ts.exponential_decay(0.1, None, 10, 0.5, name="a b")
    assert tf.compat.v1.train.get_global_step() is None
    assert graph.get_operations() == []
