"""OD and BERT warmup schedules: upstream golden vectors, fixes, both modes."""
import inspect

import numpy as np
import pytest
import tensorflow as tf

from tests import reference_warmup as refw
from tf1_schedules.schedules import od as W
from tf1_schedules.schedules.bert_curve import bert_learning_rate
from tf1_schedules.schedules._mode import dual_mode


def at_step(build):
    """A zero-argument TF expression in the same return mode as schedules."""
    return dual_mode(lambda _: build(), 0)

# ------------------------------------------------------------- signatures --


def od_exponential_decay_with_burnin(global_step, learning_rate_base,
                                     learning_rate_decay_steps,
                                     learning_rate_decay_factor,
                                     burnin_learning_rate=0.0, burnin_steps=0,
                                     min_learning_rate=0.0, staircase=True):
    """OD's signature (tensorflow/models learning_schedules.py)."""


def od_exponential_decay_with_warmup(global_step, learning_rate_base,
                                     learning_rate_decay_steps,
                                     learning_rate_decay_factor,
                                     warmup_learning_rate=0.0, warmup_steps=0,
                                     min_learning_rate=0.0, staircase=True):
    """OD's signature."""


def od_cosine_decay_with_warmup(global_step, learning_rate_base, total_steps,
                                warmup_learning_rate=0.0, warmup_steps=0,
                                hold_base_rate_steps=0):
    """OD's signature."""


def od_manual_stepping(global_step, boundaries, rates, warmup=False):
    """OD's signature."""


def _positional(fn):
    return [(p.name, p.default) for p in inspect.signature(fn).parameters
            .values() if p.kind is not p.KEYWORD_ONLY]


@pytest.mark.parametrize("ours,theirs", [
    (W.exponential_decay_with_burnin, od_exponential_decay_with_burnin),
    (W.exponential_decay_with_warmup, od_exponential_decay_with_warmup),
    (W.manual_stepping, od_manual_stepping),
    (W.piecewise_with_warmup, od_manual_stepping),
])
def test_signature_matches_od(ours, theirs):
    assert inspect.signature(ours) == inspect.signature(theirs)


def test_cosine_signature_keeps_od_order_and_adds_keyword_only_options():
    ours = _positional(W.cosine_decay_with_warmup)
    theirs = _positional(od_cosine_decay_with_warmup)
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    # total_steps gets a default only so that `total_decay_steps=` can stand
    # in for it; every other default is OD's.
    assert [d for n, d in ours if n != "total_steps"] == \
        [d for n, d in theirs if n != "total_steps"]
    params = inspect.signature(W.cosine_decay_with_warmup).parameters
    for name in ("alpha", "total_decay_steps"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_manual_stepping_is_an_alias():
    # One definition under OD's two names; errors name the one called.
    assert W.MANUAL_STEPPING.define is W.PIECEWISE_WITH_WARMUP.define
    assert (inspect.signature(W.manual_stepping)
            == inspect.signature(W.piecewise_with_warmup))
    assert (inspect.signature(W.manual_stepping_fn)
            == inspect.signature(W.piecewise_with_warmup_fn))


# ---------------------------------------------------------- golden values --

BURNIN = (1.0, 3, .1, .5, 2)
GOLDEN = [
    # (id, builder(gs), steps, expected, rtol): upstream tests and REFERENCE §3.
    ("burnin_min", lambda gs: W.exponential_decay_with_burnin(
        gs, *BURNIN, .05), range(9), [.5, .5, 1, 1, 1, .1, .1, .1, .05], 1e-4),
    ("burnin_no_min", lambda gs: W.exponential_decay_with_burnin(gs, *BURNIN),
     range(12), [.5, .5, 1, 1, 1, .1, .1, .1, .01, .01, .01, .001], 1e-4),
    ("exp_warmup", lambda gs: W.exponential_decay_with_warmup(
        gs, 1.0, 3, .1, .5, 2, .05), range(9),
     [.5, .75, 1, 1, 1, .1, .1, .1, .05], 1e-4),
    ("cosine", lambda gs: W.cosine_decay_with_warmup(gs, 1.0, 100, 0.1, 9),
     [0, 4, 8, 9, 100, 101, 10, 50, 99],
     [0.1, 0.5, 0.9, 1.0, 0, 0, 0.999702, 0.577365, 0.000298], 1e-6),
    ("cosine_hold", lambda gs: W.cosine_decay_with_warmup(
        gs, 1.0, 120, 0.1, 9, 20), [0, 4, 8, 9, 10, 29, 30, 50, 70, 120],
     [0.1, 0.5, 0.9, 1.0, 1.0, 1.0, 0.999702, 0.874255, 0.577365, 0.0], 1e-6),
    ("manual", lambda gs: W.manual_stepping(gs, [2, 3, 7], [1., 2., 3., 4.]),
     range(10), [1, 1, 2, 3, 3, 3, 3, 4, 4, 4], 1e-6),
    ("manual_warmup", lambda gs: W.manual_stepping(
        gs, [4, 6, 8], [.02, .10, .01, .001], warmup=True), range(9),
     [.02, .04, .06, .08, .10, .10, .01, .01, .001], 1e-6),
    ("manual_empty", lambda gs: W.manual_stepping(gs, [], [.01]), range(4),
     [.01] * 4, 1e-6),
    ("bert", lambda gs: bert_learning_rate(1.0, gs, 10, 4), range(12),
     [0, .25, .5, .75, .6, .5, .4, .3, .2, .1, 0, 0], 1e-6),
    ("bert_no_warmup", lambda gs: bert_learning_rate(1.0, gs, 10, 0),
     range(12), [1, .9, .8, .7, .6, .5, .4, .3, .2, .1, 0, 0], 1e-6),
]


@pytest.mark.parametrize("build,steps,expected,rtol",
                         [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_golden_values(mode, build, steps, expected, rtol):
    np.testing.assert_allclose(mode.values(build, steps), expected,
                               rtol=rtol, atol=1e-6)


OD_GOLDEN = [g for g in GOLDEN if not g[0].startswith("bert")]


@pytest.mark.parametrize("build", [g[1] for g in OD_GOLDEN],
                         ids=[g[0] for g in OD_GOLDEN])
def test_graph_op_is_named_learning_rate(graph, build):
    gs = tf.compat.v1.train.get_or_create_global_step()
    assert build(gs).op.name.endswith("learning_rate")


def test_eager_mode_returns_a_callable_that_rereads_the_step():
    gs = tf.Variable(0, dtype=tf.int64)
    lr = W.exponential_decay_with_burnin(gs, *BURNIN, .05)
    assert callable(lr) and not tf.is_tensor(lr)
    assert float(lr()) == 0.5
    gs.assign(5)
    assert float(lr()) == pytest.approx(0.1)


def test_bert_reference_numbers(mode):
    out = mode.values(lambda gs: bert_learning_rate(1e-4, gs, 1000, 100),
                      [0, 99, 100])
    np.testing.assert_allclose(out, [0, 9.9e-5, 9.0e-5], rtol=1e-6)
    out = mode.values(lambda gs: bert_learning_rate(
        1e-4, gs, 1000, 100, continuous=True), [0, 99, 100, 1000])
    np.testing.assert_allclose(out, [0, 9.9e-5, 1e-4, 0], rtol=1e-6)


# --------------------------------------------------------- reference curves --

STEPS = np.arange(-3, 140)


@pytest.mark.parametrize("args,kwargs", [
    ((0.01, 2000, 0.98, 0.001, 20), {"staircase": False}),
    ((0.5, 7, 0.5, 0.1, 3, 0.02), {}),
])
def test_burnin_matches_reference(mode, args, kwargs):
    out = mode.run(lambda: W.exponential_decay_with_burnin(
        tf.constant(STEPS, tf.int64), *args, **kwargs))
    np.testing.assert_allclose(out, refw.burnin(STEPS, *args, **kwargs),
                               rtol=2e-6)


@pytest.mark.parametrize("args", [(1.0, 100, 0.1, 9, 0), (1.0, 120, 0.1, 9, 20),
                                  (0.5, 137, 0.0, 0, 0), (0.3, 50, 0.0, 0, 10)])
@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_matches_reference(mode, args, alpha):
    out = mode.run(lambda: W.cosine_decay_with_warmup(
        tf.constant(STEPS, tf.int64), *args, alpha=alpha))
    np.testing.assert_allclose(out, refw.cosine_warmup(STEPS, *args,
                                                       alpha=alpha),
                               rtol=1e-6, atol=2e-7)


@pytest.mark.parametrize("base,total,warm,hold", [
    (1.0, 120, 9, 20), (0.01, 15000, 2000, 2000), (0.1, 1000, 100, 0),
    (3e-4, 12345, 500, 0)])
def test_cosine_decay_phase_is_od_bit_for_bit(mode, base, total, warm, hold):
    """alpha=0 is OD's float32 arithmetic exactly (REFERENCE O9)."""
    steps = np.arange(warm + hold + 1, total + 1)

    def od_decay_phase():  # OD's expression, as in learning_schedules.py
        return 0.5 * base * (1 + tf.cos(
            np.pi * (tf.cast(steps, tf.float32) - warm - hold)
            / float(total - warm - hold)))

    ours, od = mode.run(lambda: (
        W.cosine_decay_with_warmup(tf.constant(steps), base, total, 0.0, warm,
                                   hold),
        at_step(od_decay_phase)))
    np.testing.assert_array_equal(ours, od)


@pytest.mark.parametrize("boundaries,rates", [
    ([100, 100100, 200100], [0.0, .1, .01, .001]),
    ([1000, 1500], [0.02, 0.1, 0.001]),
    ([7, 9], [0.3, 0.05, 0.001]),
])
def test_manual_warmup_equals_od_expansion_bit_for_bit(mode, boundaries,
                                                       rates):
    steps = np.unique(np.concatenate([
        np.arange(-2, boundaries[0] + 3), np.array(boundaries) - 1,
        np.array(boundaries), np.array(boundaries) + 1, [10**6]]))
    out = mode.run(lambda: W.manual_stepping(
        tf.constant(steps, tf.int64), boundaries, rates, warmup=True))
    np.testing.assert_array_equal(
        out, refw.manual_stepping(steps, boundaries, rates, warmup=True))


def test_exp_warmup_matches_reference(mode):
    args = (0.01, 2000, 0.98, 0.001, 20, 0.005)
    out = mode.run(lambda: W.exponential_decay_with_warmup(
        tf.constant(STEPS, tf.int64), *args))
    np.testing.assert_allclose(out, refw.exp_warmup(STEPS, *args), rtol=2e-6)


@pytest.mark.parametrize("n,w", [(10, 4), (1000, 100), (50, 0)])
@pytest.mark.parametrize("continuous", [False, True])
def test_bert_matches_reference(mode, n, w, continuous):
    steps = np.arange(0, n + 5)
    out = mode.run(lambda: bert_learning_rate(
        2e-5, tf.constant(steps, tf.int64), n, w, continuous=continuous))
    np.testing.assert_allclose(out, refw.bert(steps, 2e-5, n, w, continuous),
                               rtol=2e-6, atol=1e-12)


# -------------------------------------------------------------- the fixes --

def test_vector_steps_equal_scalar_steps(mode):
    """[FIX O4]: OD's v1 `Select` rejects vector steps."""
    builders = [g[1] for g in GOLDEN]
    steps = list(range(12))
    for build in builders:
        vector = mode.run(lambda: build(tf.constant(steps, tf.int64)))
        scalars = mode.values(build, steps)
        np.testing.assert_allclose(vector, scalars, rtol=1e-6)


def test_numpy_numbers_accepted(mode):
    """[FIX O3]: OD rejects np.int64 boundaries and np.float32 rates."""
    out = mode.values(lambda gs: W.manual_stepping(
        gs, np.array([4, 6, 8]), [np.float32(.02), .10, np.float64(.01), 1],
        warmup=np.bool_(True)), range(10))
    np.testing.assert_allclose(out, [.02, .04, .06, .08, .1, .1, .01, .01,
                                     1, 1], rtol=1e-6)
    out = mode.values(lambda gs: W.exponential_decay_with_burnin(
        gs, np.float32(1.0), np.int64(3), np.float32(.1), 1, np.int64(2)),
        [0, 2, 5])
    np.testing.assert_allclose(out, [1, 1, .1], rtol=1e-6)


def test_no_int32_step_casts(mode):
    """[FIX O6]: OD's int32 cast returned the burn-in rate past 2**31."""
    big = [2**31 + 1, 2**33]
    out = mode.values(lambda gs: W.exponential_decay_with_burnin(
        gs, 1.0, 2**32, .5, .25, 10), big)
    np.testing.assert_allclose(out, [1.0, 0.5], rtol=1e-6)
    out = mode.values(lambda gs: W.manual_stepping(
        gs, [2**31 + 5], [1.0, 2.0]), [2**31 + 4, 2**31 + 5])
    np.testing.assert_array_equal(out, [1.0, 2.0])
    out = mode.values(lambda gs: bert_learning_rate(
        1.0, gs, 2**32, 2**31 + 10), [2**31 + 5])
    np.testing.assert_allclose(out, [(2**31 + 5) / (2**31 + 10)], rtol=1e-6)


def test_zero_warmup_steps_means_no_warmup(mode):
    """[FIX O7]: OD raises ZeroDivisionError."""
    out = mode.values(lambda gs: W.exponential_decay_with_warmup(
        gs, 1.0, 3, .1), [0, 3, 6])
    np.testing.assert_allclose(out, [1, .1, .01], rtol=1e-6)


def test_manual_stepping_edge_steps(mode):
    rates = [1.0, 2.0, 3.0, 4.0]
    out = mode.run(lambda: W.manual_stepping(
        tf.constant([-1.0, 1.5, 2.5], tf.float32), [2, 3, 7], rates))
    np.testing.assert_array_equal(out, [1.0, 1.0, 2.0])
    out = mode.run(lambda: W.manual_stepping(
        tf.constant([-1, 2, 3], tf.int32), [2, 3, 7], rates))
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    out = mode.run(lambda: W.manual_stepping(
        tf.constant([-3.0, 1.5], tf.float32), [4, 6], [.02, .1, .01], True))
    np.testing.assert_allclose(out, [.02, .04], rtol=1e-6)


def test_cosine_alpha_and_alias(mode):
    """[EXTENSION O9]: 0.1 + 0.9 * 0.5 * (1 + cos(pi * (s - 9) / 91))."""
    build = lambda gs: W.cosine_decay_with_warmup(  # noqa: E731
        gs, 1.0, 100, 0.1, 9, alpha=.1)
    np.testing.assert_allclose(mode.values(build, [50, 99, 100, 101, 10**6]),
                               [0.6196282, 0.1002681, .1, .1, .1], rtol=1e-6)
    alias = mode.values(lambda gs: W.cosine_decay_with_warmup(
        gs, 1.0, warmup_learning_rate=0.1, warmup_steps=9,
        total_decay_steps=100), [0, 50, 101])
    np.testing.assert_allclose(alias, [0.1, 0.577365, 0], rtol=1e-6)


def test_seed_keyword_call_works(mode):
    """The seed's validation script calls every OD schedule by keyword."""
    out = mode.values(lambda gs: W.cosine_decay_with_warmup(
        learning_rate_base=0.01, total_decay_steps=15000, alpha=0.001,
        warmup_learning_rate=0.0001, warmup_steps=2000,
        hold_base_rate_steps=2000, global_step=gs), [0, 3000, 20000])
    np.testing.assert_allclose(out, [1e-4, 0.01, 1e-5], rtol=1e-5)
    out = mode.values(lambda gs: W.piecewise_with_warmup(
        boundaries=[2000, 5000, 8000], rates=[1e-5, .01, .001, .0001],
        warmup=True, global_step=gs), [1000, 6000])
    np.testing.assert_allclose(out, [0.005005, 0.001], rtol=1e-6)


# ------------------------------------------------------------- validation --

def _manual(boundaries, rates, warmup=False):
    return lambda: W.manual_stepping(0, boundaries, rates, warmup)


INVALID = [
    # OD's messages, verbatim, in OD's order.
    ("od_boundary_negative", _manual([-1, 2], [1., 2., 3.]), ValueError,
     "^boundaries must be a list of positive integers$"),
    ("od_boundary_float", _manual([1.5], [1., 2.]), ValueError,
     "^boundaries must be a list of positive integers$"),
    ("od_order_first", _manual([3, 2, -1], ["x"]), ValueError,
     "^boundaries must be a list of positive integers$"),
    ("od_increasing", _manual([3, 3], [1., 2., 3.]), ValueError,
     r"^Entries in boundaries must be strictly increasing\.$"),
    ("od_rates", _manual([3], [1., "2"]), ValueError,
     "^Learning rates must be floats$"),
    ("od_rate_count", _manual([3], [1.]), ValueError,
     "^Number of provided learning rates must exceed number of boundary "
     r"points by exactly 1\.$"),
    ("od_first_zero", _manual([0, 3], [1., 2., 3.]), ValueError,
     r"^First step cannot be zero\.$"),
    ("bool_boundary", _manual([True], [1., 2.]), TypeError,
     "^manual_stepping: `boundaries` must be integers, not bools"),
    ("od_base_below_warmup", lambda: W.cosine_decay_with_warmup(
        0, 0.1, 100, 0.2, 10), ValueError,
     r"^learning_rate_base must be larger or equal to warmup_learning_rate\.$"),
    ("od_base_below_warmup_exp", lambda: W.exponential_decay_with_warmup(
        0, 0.1, 10, .5, 0.2, 10), ValueError,
     r"^learning_rate_base must be larger or equal to warmup_learning_rate\.$"),
    ("od_total_below_warmup", lambda: W.cosine_decay_with_warmup(
        0, 1.0, 5, 2.0, 10), ValueError,
     r"^total_steps must be larger or equal to warmup_steps\.$"),
    ("nan_total_equals_warmup", lambda: W.cosine_decay_with_warmup(
        0, 1.0, 10, 0.1, 10), ValueError,
     r"`total_steps` must be > warmup_steps \+ hold_base_rate_steps = 10"),
    ("nan_total_equals_warmup_hold", lambda: W.cosine_decay_with_warmup(
        0, 1.0, 30, 0.1, 10, 20), ValueError,
     "`total_steps` must be > warmup_steps"),
    ("alias_and_total", lambda: W.cosine_decay_with_warmup(
        0, 1.0, 30, total_decay_steps=30), TypeError, "not both"),
    ("no_total", lambda: W.cosine_decay_with_warmup(0, 1.0), TypeError,
     "missing required argument `total_steps`"),
    ("decay_steps", lambda: W.exponential_decay_with_burnin(0, 1.0, 0, .5),
     ValueError, "exponential_decay_with_burnin: `learning_rate_decay_steps` "
     "must be > 0. Received: learning_rate_decay_steps=0."),
    ("burnin_steps", lambda: W.exponential_decay_with_burnin(
        0, 1.0, 3, .5, 0.1, -2), ValueError, "`burnin_steps` must be >= 0"),
    ("staircase", lambda: W.exponential_decay_with_warmup(
        0, 1.0, 3, .5, staircase="yes"), TypeError, "`staircase` must be a "
     "bool"),
    ("bert_continuous", lambda: bert_learning_rate(
        1.0, 0, 10, 10, continuous=True), ValueError,
     "`num_train_steps` must be > num_warmup_steps"),
    ("step_vector_2d", lambda: W.manual_stepping(
        [[1, 2]], [3], [1., 2.]), TypeError, "`global_step` must be"),
]


@pytest.mark.parametrize("build,exc,match", [i[1:] for i in INVALID],
                         ids=[i[0] for i in INVALID])
def test_validation_at_construction(mode, build, exc, match):
    """[FIX O5]: raised when the schedule is created, in eager mode too."""
    with pytest.raises(exc, match=match):
        mode.run(build)


def test_eager_validation_is_not_deferred_to_the_first_call():
    with pytest.raises(ValueError, match="larger or equal"):
        W.cosine_decay_with_warmup(tf.Variable(0), 0.1, 100, 0.2, 10)


def test_int_rates_accepted(mode):
    out = mode.values(lambda gs: W.exponential_decay_with_burnin(
        gs, 1, 3, .5, 2, 2), [0, 2])
    np.testing.assert_allclose(out, [2.0, 1.0])
    assert out.dtype == np.float32


# ------------------------------------------------------------------- cost --

def _graph_cost(first_boundary):
    with tf.Graph().as_default() as graph:
        gs = tf.compat.v1.train.get_or_create_global_step()
        before = len(graph.as_graph_def().SerializeToString())
        W.manual_stepping(gs, [first_boundary, first_boundary + 10**5],
                          [0.0, .1, .01], warmup=True)
        graph_def = graph.as_graph_def()
        return len(graph_def.SerializeToString()) - before, len(graph_def.node)


def test_warmup_cost_does_not_grow_with_its_length():
    """[FIX O2]: OD builds ~2 MB for 100,000 warmup steps."""
    small_bytes, small_nodes = _graph_cost(100)
    big_bytes, big_nodes = _graph_cost(100000)
    assert big_nodes == small_nodes
    assert big_bytes < 5000
    assert abs(big_bytes - small_bytes) < 40
