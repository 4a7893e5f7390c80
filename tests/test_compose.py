"""Step functions and their composition: join, warmup, ramps, both modes."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

from tests import reference as ref
from tests import reference_warmup as refw
from tf1_schedules.schedules import compose
from tf1_schedules.schedules import decay
from tf1_schedules.schedules import step_fns
from tf1_schedules.schedules.compose import at_global_step, join, with_warmup


def run_at(mode, schedule, steps, dtype=tf.int64):
    """`schedule` (a step function) at a vector of steps, as a TF1 schedule."""
    return mode.run(lambda: at_global_step(
        schedule, tf.constant(np.asarray(steps), dtype)))


# --------------------------------------------------------------- step_fns --

DECAY_FNS = [
    ("exponential_decay", (0.1, 10, 0.5), {"staircase": True}),
    ("natural_exp_decay", (0.1, 10, 0.5), {}),
    ("inverse_time_decay", (0.1, 10, 0.5), {}),
    ("polynomial_decay", (0.1, 10), {"cycle": True}),
    ("cosine_decay", (0.1, 10), {"alpha": 0.1}),
    ("cosine_decay_restarts", (0.1, 10), {"m_mul": 0.5}),
    ("linear_cosine_decay", (0.1, 10), {}),
    ("noisy_linear_cosine_decay", (0.1, 10), {"seed": 3}),
]
STEPS = [0, 3, 10, 15, 31, 70]


@pytest.mark.parametrize("name,args,kwargs", DECAY_FNS,
                         ids=[d[0] for d in DECAY_FNS])
def test_step_fn_equals_tf1_function(mode, name, args, kwargs):
    lr, *rest = args
    f = getattr(step_fns, name + "_fn")(*args, **kwargs)
    ours = run_at(mode, f, STEPS)
    theirs = mode.run(lambda: getattr(decay, name)(
        lr, tf.constant(STEPS, tf.int64), *rest, **kwargs))
    np.testing.assert_array_equal(ours, theirs)


def test_piecewise_step_fn_takes_int32_and_int64_steps(mode):
    f = step_fns.piecewise_constant_fn([10, 20], [1.0, 0.5, 0.1])
    for dtype in (tf.int32, tf.int64):
        np.testing.assert_array_equal(run_at(mode, f, [0, 10, 11, 21], dtype),
                                      np.float32([1, 1, .5, .1]))


def test_step_fn_validates_at_creation_in_eager_mode():
    with pytest.raises(ValueError, match="`decay_steps` must be > 0"):
        step_fns.cosine_decay_fn(0.1, 0)
    with pytest.raises(ValueError, match="strictly increasing"):
        step_fns.piecewise_constant_fn([20, 10], [1.0, 0.5, 0.1])


def test_step_fn_validates_at_creation_in_graph_mode(graph):
    with pytest.raises(ValueError, match="`decay_steps` must be > 0"):
        step_fns.exponential_decay_fn(0.1, -1, 0.5)
    assert graph.get_operations() == []
    assert tf.compat.v1.train.get_global_step(graph) is None
    # The validation-only switch is off again: a valid one builds its ops.
    value = step_fns.exponential_decay_fn(0.1, 10, 0.5)(
        tf.constant(10, tf.int64))
    assert tf.is_tensor(value) and graph.get_operations()


def test_as_step_widens_int32_and_keeps_floats():
    assert step_fns.as_step(np.int32(3)).dtype == tf.int64
    assert step_fns.as_step(tf.constant(2.5)).dtype == tf.float32


# ------------------------------------------------------------------ join --

def _exp(step):
    return ref.exponential_decay(0.1, step, 10, 0.5)


def test_join_golden(mode):
    f = join([step_fns.exponential_decay_fn(0.1, 10, 0.5),
              compose.constant(0.02),
              step_fns.cosine_decay_fn(0.05, 20)], [5, 12])
    steps = np.arange(-3, 40)
    expected = refw.join(steps, [_exp, lambda s: 0.02 + 0 * s,
                                 lambda s: ref.cosine_decay(0.05, s, 20)],
                         [5, 12])
    np.testing.assert_allclose(run_at(mode, f, steps), expected, rtol=2e-6)


@given(b=st.integers(-50, 10**6), ks=st.lists(st.integers(0, 5 * 10**6),
                                             min_size=1, max_size=8))
def test_join_part_sees_steps_since_its_boundary(mode, b, ks):
    """join(f, g)(b + k) == g(k), bit for bit."""
    f = step_fns.exponential_decay_fn(0.1, 1000, 0.5)
    g = step_fns.cosine_decay_restarts_fn(0.3, 700, t_mul=1.5, alpha=0.01)
    joined = run_at(mode, join([f, g], [b]), [b + k for k in ks])
    np.testing.assert_array_equal(joined, run_at(mode, g, ks))


@given(b=st.integers(1, 10**6), ks=st.lists(st.integers(1, 10**6),
                                            min_size=1, max_size=8))
def test_join_before_boundary_is_first_part(mode, b, ks):
    f = step_fns.polynomial_decay_fn(0.1, 5000, power=2.0)
    steps = [b - k for k in ks]
    np.testing.assert_array_equal(
        run_at(mode, join([f, compose.constant(9.0)], [b]), steps),
        run_at(mode, f, steps))


def test_join_float_steps_and_int64_beyond_int32(mode):
    f = join([compose.constant(1.0), step_fns.exponential_decay_fn(
        1.0, 10, 0.5, staircase=True)], [2**31])
    big = [2**31 - 1, 2**31, 2**31 + 25]
    np.testing.assert_array_equal(run_at(mode, f, big), np.float32([1, 1, .25]))
    np.testing.assert_allclose(run_at(mode, f, [0.5, 3.0], tf.float32),
                               [1.0, 1.0])


def test_join_widens_to_float64(mode):
    f = join([compose.constant(0.1),
              step_fns.cosine_decay_fn(np.float64(0.1), 10)], [3])
    out = run_at(mode, f, [0, 8])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [0.1, ref.cosine_decay(0.1, 5, 10)],
                               rtol=1e-7)


@pytest.mark.parametrize("schedules,boundaries,exc,match", [
    ([], [], TypeError, "`schedules` must be a non-empty list"),
    ([compose.constant(1.0)] * 2, [], ValueError, "must be 1 integers"),
    ([compose.constant(1.0)] * 3, [5, 5], ValueError, "strictly increasing"),
    ([compose.constant(1.0)] * 2, [2.5], TypeError, "must be an integer"),
    ([compose.constant(1.0), 3.0], [2], TypeError, "step function"),
])
def test_join_validation(schedules, boundaries, exc, match):
    with pytest.raises(exc, match=match):
        join(schedules, boundaries)


def test_graph_tensor_is_not_a_step_function(graph):
    lr = decay.exponential_decay(0.1, tf.constant(1), 10, 0.5)
    with pytest.raises(TypeError, match="cannot be re-evaluated"):
        with_warmup(lr, 10)


def test_schedule_fn_and_keras_schedule_are_step_functions():
    eager = decay.cosine_decay(0.1, tf.Variable(0, dtype=tf.int64), 100)
    keras_schedule = keras.optimizers.schedules.CosineDecay(0.1, 100)
    for inner in (eager, keras_schedule):
        f = with_warmup(inner, 10, 0.0)
        np.testing.assert_allclose(
            f(tf.constant([5, 10, 60], tf.int64)).numpy(),
            [0.05, 0.1, ref.cosine_decay(0.1, 50, 100)], rtol=1e-6)


# ----------------------------------------------------------------- pieces --

@pytest.mark.parametrize("start,end,steps", [(0.02, 0.1, 4), (0.0, 0.1, 1000),
                                             (1e-5, 0.01, 2000),
                                             (0.3, 0.1, 7)])
def test_linear_ramp_equals_od_table_bit_for_bit(mode, start, end, steps):
    slope = (end - start) * 1.0 / steps
    table = np.float32([start + slope * i for i in range(steps)])
    np.testing.assert_array_equal(
        run_at(mode, compose.ramp(start, end, steps), range(steps)), table)


def test_cosine_ramp(mode):
    out = run_at(mode, compose.ramp(0.0, 2.0, 10, shape="cosine"),
                 [0, 5, 10])
    np.testing.assert_allclose(out, [0.0, 1.0, 2.0], atol=1e-7)


def test_stepwise_switches_at_boundary(mode):
    f = compose.stepwise([-2, 3, 7], [4.0, 3.0, 2.0, 1.0])
    np.testing.assert_array_equal(run_at(mode, f, [-5, -2, 2, 3, 7, 99]),
                                  np.float32([4, 3, 3, 2, 1, 1]))


def test_stepwise_many_boundaries_is_one_search(graph):
    bounds = list(range(10, 100010, 10))
    f = compose.stepwise(bounds, [float(i) for i in range(len(bounds) + 1)])
    out = f(tf.constant([0, 10, 55555, 10**6], tf.int64))
    assert len(graph.get_operations()) < 20
    with tf.compat.v1.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), [0, 1, 5555, 10000])


def test_constant_broadcasts_to_step_shape(mode):
    assert run_at(mode, compose.constant(0.5), [1, 2, 3]).tolist() == [.5] * 3
    assert mode.run(lambda: at_global_step(compose.constant(0.5), 7)) == 0.5


# ----------------------------------------------------------------- warmup --

@given(w=st.integers(1, 5000), start=st.floats(0, 0.05),
       peak=st.floats(0.06, 1.0))
def test_shift_warmup_is_continuous(mode, w, start, peak):
    """At the boundary the curve moves by one ramp step, no jump."""
    decayed = step_fns.cosine_decay_fn(peak, 10 * w)
    f = with_warmup(decayed, w, start)
    v = run_at(mode, f, [0, w - 1, w, w + 1])
    slope = (peak - start) / w
    np.testing.assert_allclose(v[0], start, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(v[2], peak, rtol=1e-6)  # schedule(0)
    assert abs(v[2] - v[1]) <= slope * (1 + 1e-4) + 1e-7
    assert abs(v[3] - v[2]) <= slope + 1e-7


def test_shift_warmup_values(mode):
    f = with_warmup(step_fns.exponential_decay_fn(1.0, 3, 0.1, staircase=True),
               2, 0.5)
    np.testing.assert_allclose(run_at(mode, f, range(9)),
                               [.5, .75, 1, 1, 1, .1, .1, .1, .01], rtol=1e-6)


def test_overlay_warmup_is_bert_blend(mode):
    f = compose.bert_warmup(step_fns.polynomial_decay_fn(1.0, 10, 0.0), 1.0,
                            4)
    np.testing.assert_allclose(run_at(mode, f, range(12)),
                               [0, .25, .5, .75, .6, .5, .4, .3, .2, .1, 0, 0],
                               atol=1e-7)


def test_bert_warmup_continuous(mode):
    f = compose.bert_warmup(step_fns.polynomial_decay_fn(1e-4, 900, 0.0),
                            1e-4, 100, continuous=True)
    np.testing.assert_allclose(run_at(mode, f, [0, 99, 100, 550, 1000]),
                               [0, 9.9e-5, 1e-4, 5e-5, 0], rtol=1e-5,
                               atol=1e-12)


def test_cosine_shaped_warmup(mode):
    f = with_warmup(compose.constant(1.0), 10, 0.0, shape="cosine")
    np.testing.assert_allclose(run_at(mode, f, [0, 5, 10, 20]),
                               [0, 0.5, 1, 1], atol=1e-7)


def test_zero_warmup_is_the_schedule():
    f = step_fns.cosine_decay_fn(0.1, 10)
    assert with_warmup(f, 0) is f


def test_warmup_keeps_float64(mode):
    f = with_warmup(step_fns.cosine_decay_fn(np.float64(0.1), 100), 10, 0.0)
    out = run_at(mode, f, [3, 60])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [0.03, ref.cosine_decay(0.1, 50, 100)],
                               rtol=1e-12)


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"warmup_steps": -1}, ValueError, "`warmup_steps` must be >= 0"),
    ({"warmup_steps": 1.5}, TypeError, "`warmup_steps` must be an integer"),
    ({"warmup_steps": 3, "mode": "blend"}, ValueError, "`mode` must be one"),
    ({"warmup_steps": 3, "shape": "exp"}, ValueError, "`shape` must be one"),
    ({"warmup_steps": 3, "warmup_learning_rate": "0"}, TypeError,
     "`warmup_learning_rate` must be a real number"),
])
def test_warmup_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        with_warmup(compose.constant(1.0), **kwargs)


# --------------------------------------------------------- at_global_step --

def test_at_global_step_follows_the_variable(mode):
    f = with_warmup(step_fns.exponential_decay_fn(0.1, 10, 0.5), 4, 0.0)
    out = mode.values(lambda gs: at_global_step(f, gs), [0, 2, 4, 14])
    np.testing.assert_allclose(out, [0, 0.05, 0.1, 0.05], rtol=1e-6)


def test_at_global_step_names_the_op(graph):
    gs = tf.compat.v1.train.get_or_create_global_step()
    assert at_global_step(compose.constant(1.0), gs).op.name == \
        "learning_rate"
    assert at_global_step(compose.constant(1.0), gs, name="lr").op.name == \
        "lr"
