"""The nine TF1 decays: parity with TF 2.21, the fixes, validation, both modes."""
import ast
import inspect
import pathlib

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

import tf1_schedules as ts
from tests import reference as ref

V1 = tf.compat.v1.train
NAMES = [
    "exponential_decay", "natural_exp_decay", "inverse_time_decay",
    "polynomial_decay", "piecewise_constant", "piecewise_constant_decay",
    "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
    "noisy_linear_cosine_decay",
]
DEFAULT_SCOPES = {
    "exponential_decay": "ExponentialDecay",
    "natural_exp_decay": "ExponentialDecay",
    "inverse_time_decay": "InverseTimeDecay",
    "polynomial_decay": "PolynomialDecay",
    "cosine_decay": "CosineDecay",
    "cosine_decay_restarts": "SGDRDecay",
    "linear_cosine_decay": "LinearCosineDecay",
    "noisy_linear_cosine_decay": "NoisyLinearCosineDecay",
    "piecewise_constant": "PiecewiseConstant",
}
# One call per function with the step as the second argument (x for piecewise).
EXAMPLE_ARGS = {
    "exponential_decay": ((0.1, 10, 0.5), {}),
    "natural_exp_decay": ((0.1, 10, 0.5), {}),
    "inverse_time_decay": ((0.1, 10, 0.5), {}),
    "polynomial_decay": ((0.1, 10), {}),
    "cosine_decay": ((0.1, 10), {}),
    "cosine_decay_restarts": ((0.1, 10), {}),
    "linear_cosine_decay": ((0.1, 10), {}),
    "noisy_linear_cosine_decay": ((0.1, 10), {"seed": 3}),
}


def call(name, step, *, lib=ts, name_arg=None):
    """`lib.<name>` with the example arguments and `step` as global step."""
    if name.startswith("piecewise"):
        return getattr(lib, name)(step, [10, 20], [1.0, 0.5, 0.1],
                                  name=name_arg)
    (lr, *rest), kwargs = EXAMPLE_ARGS[name]
    return getattr(lib, name)(lr, step, *rest, name=name_arg, **kwargs)


# ---------------------------------------------------------------- contract --

@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_tf(name):
    ours = inspect.signature(getattr(ts, name))
    theirs = inspect.signature(getattr(V1, name))
    positional = [p for p in ours.parameters.values()
                  if p.kind is not p.KEYWORD_ONLY]
    assert ours.replace(parameters=positional) == theirs


def test_only_new_option_is_keyword_only_seed():
    params = inspect.signature(ts.noisy_linear_cosine_decay).parameters
    assert params["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["seed"].default is None


def test_alias_and_global_step_reexports():
    assert ts.piecewise_constant_decay is ts.piecewise_constant
    assert ts.get_or_create_global_step is V1.get_or_create_global_step
    assert ts.get_global_step is V1.get_global_step


def test_library_imports_only_public_tensorflow():
    package = pathlib.Path(ts.__file__).parent
    offenders = []
    # The tf-slim repairs and the legacy shim are the allowed exceptions.
    allowed = {package / "slim" / "repairs.py"}
    for path in package.rglob("*.py"):
        if path in allowed or "legacy" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n.startswith("tensorflow.python")
                          or n.startswith("keras.src")]
    assert not offenders


@pytest.mark.parametrize("name", sorted(DEFAULT_SCOPES))
def test_graph_mode_output_is_named_after_the_scope(graph, name):
    step = tf.constant(5, tf.int64)
    first = call(name, step)
    second = call(name, step)
    named = call(name, step, name_arg="foo")
    with tf.name_scope("outer"):
        nested = call(name, step, name_arg="inner")
    scope = DEFAULT_SCOPES[name]
    assert first.name == f"{scope}:0"
    assert second.name == f"{scope}_1:0"
    assert named.name == "foo:0"
    assert nested.name == "outer/inner:0"
    assert first.shape == []


@pytest.mark.parametrize("name", sorted(DEFAULT_SCOPES))
def test_eager_returns_a_callable_that_rereads_the_step(name):
    step = tf.Variable(0, dtype=tf.int64)
    schedule = call(name, step)
    assert isinstance(schedule, ts.ScheduleFn) and not tf.is_tensor(schedule)
    before = schedule().numpy()
    step.assign(15)
    after = schedule().numpy()
    expected = call(name, tf.constant(15, tf.int64)).at(15).numpy()
    assert after == expected and after != before


def test_tf_function_returns_a_tensor():
    @tf.function
    def lr(step):
        out = ts.exponential_decay(0.1, step, 10, 0.5)
        assert tf.is_tensor(out)
        return out

    assert lr(tf.constant(5, tf.int64)).numpy() == np.float32(0.07071068)


def test_python_int_step_is_frozen_in_eager_mode():
    schedule = ts.exponential_decay(0.1, 10, 10, 0.5)
    assert schedule().numpy() == np.float32(0.05)


def test_none_means_get_or_create_global_step(mode):
    def build():
        out = ts.cosine_decay(0.1, None, 10)
        gs = V1.get_global_step()
        assert gs is not None and gs.dtype.base_dtype == tf.int64
        return out

    assert mode.run(build) == np.float32(0.1)


def test_tf1_optimizer_follows_the_global_step(mode):
    def build():
        gs = V1.get_or_create_global_step()
        w = tf.Variable(0.0)
        lr = ts.exponential_decay(0.1, gs, 1, 0.5, staircase=True)
        opt = V1.GradientDescentOptimizer(lr)
        return gs, w, opt

    if mode.graph:
        with tf.Graph().as_default():
            gs, w, opt = build()
            train = opt.apply_gradients([(tf.constant(1.0), w)], global_step=gs)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for _ in range(3):
                    sess.run(train)
                w_value, step = sess.run([w, gs])
    else:
        gs, w, opt = build()
        for _ in range(3):
            opt.apply_gradients([(tf.constant(1.0), w)], global_step=gs)
        w_value, step = w.numpy(), gs.numpy()
    assert step == 3
    np.testing.assert_allclose(w_value, -(0.1 + 0.05 + 0.025), rtol=1e-6)


def test_keras3_optimizer_rereads_the_callable():
    import keras

    gs = V1.get_or_create_global_step()
    w = tf.Variable(1.0)
    opt = keras.optimizers.SGD(
        learning_rate=ts.exponential_decay(0.1, gs, 10, 0.5))
    opt.apply_gradients([(tf.constant(1.0), w)])
    gs.assign(10)
    opt.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(w.numpy(), 1.0 - 0.1 - 0.05, rtol=1e-6)


# ------------------------------------------------------------ golden values --

GOLDEN = [
    ("exp", lambda s: ts.exponential_decay(0.1, s, 10, .5), [0, 5, 15],
     [0.1, 0.07071068, 0.03535534]),
    ("exp_staircase", lambda s: ts.exponential_decay(0.1, s, 10, .5, True),
     [15], [0.05]),
    ("natural", lambda s: ts.natural_exp_decay(0.1, s, 10, .5), [5],
     [0.07788008]),
    ("natural_staircase", lambda s: ts.natural_exp_decay(0.1, s, 10, .5, True),
     [15], [0.060653068]),
    ("inverse", lambda s: ts.inverse_time_decay(0.1, s, 10, .5), [5], [0.08]),
    ("inverse_staircase",
     lambda s: ts.inverse_time_decay(0.1, s, 10, .5, True), [15], [0.0666667]),
    ("poly", lambda s: ts.polynomial_decay(0.1, s, 10), [0, 5, 20],
     [0.1, 0.05005, 1e-4]),
    ("poly_power", lambda s: ts.polynomial_decay(0.1, s, 10, 0.01, power=.5),
     [5], [0.07363961]),
    ("poly_cycle", lambda s: ts.polynomial_decay(0.1, s, 10, cycle=True),
     [0, 10, 15], [0.1, 1e-4, 0.025075]),
    ("poly_cycle_pow2",
     lambda s: ts.polynomial_decay(0.1, s, 10, 0.0, cycle=True, power=2.),
     [25], [0.0027778]),
    ("cosine", lambda s: ts.cosine_decay(0.1, s, 10), [0, 5], [0.1, 0.05]),
    ("cosine_alpha", lambda s: ts.cosine_decay(0.1, s, 10, alpha=.1),
     [5, 20], [0.055, 0.01]),
    ("restarts", lambda s: ts.cosine_decay_restarts(0.1, s, 10),
     [0, 10, 15], [0.1, 0.1, 0.08535534]),
    ("restarts_m", lambda s: ts.cosine_decay_restarts(0.1, s, 10, m_mul=.5),
     [30], [0.025]),
    ("restarts_t1",
     lambda s: ts.cosine_decay_restarts(0.1, s, 10, t_mul=1., m_mul=.5),
     [15], [0.025]),
    ("restarts_alpha",
     lambda s: ts.cosine_decay_restarts(0.1, s, 10, alpha=.1, m_mul=.5),
     [35], [0.031643644]),
    ("restarts_t3", lambda s: ts.cosine_decay_restarts(1.0, s, 10, t_mul=3.),
     [0, 5, 10, 20, 40, 41], [1, .5, 1, .75, 1, 0.9996954]),
    ("restarts_t2", lambda s: ts.cosine_decay_restarts(1.0, s, 10),
     [0, 9, 10, 29, 30, 70], [1, 0.02447176, 1, 0.0061558187, 1, 1]),
    ("linear_cosine", lambda s: ts.linear_cosine_decay(0.1, s, 10),
     [0, 5, 20], [0.1001, 0.0251, 1e-4]),
    ("piecewise", lambda s: ts.piecewise_constant(s, [10, 20], [1., .5, .1]),
     [0, 10, 11, 20, 21], [1, 1, .5, .5, .1]),
]


@pytest.mark.parametrize("build,steps,expected",
                         [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_golden_values(mode, build, steps, expected):
    np.testing.assert_allclose(mode.values(build, steps), expected, rtol=1e-5)


# ------------------------------------------------- bit identity with TF 2.21 --

def _rate(low, high):
    return st.floats(low, high, allow_nan=False)


STRATEGIES = {
    "exponential_decay": st.fixed_dictionaries({
        "decay_rate": _rate(0.05, 0.99), "staircase": st.booleans()}),
    "natural_exp_decay": st.fixed_dictionaries({
        "decay_rate": _rate(0.01, 2.0), "staircase": st.booleans()}),
    "inverse_time_decay": st.fixed_dictionaries({
        "decay_rate": _rate(0.0, 2.0), "staircase": st.booleans()}),
    "polynomial_decay": st.fixed_dictionaries({
        "end_learning_rate": _rate(0.0, 1e-3), "power": _rate(0.5, 3.0),
        "cycle": st.booleans()}),
    "cosine_decay": st.fixed_dictionaries({"alpha": _rate(0.0, 0.5)}),
    "cosine_decay_restarts": st.fixed_dictionaries({
        "t_mul": st.sampled_from([1.0, 1.5, 2.0, 3.0]) | _rate(1.0, 3.0),
        "m_mul": _rate(0.3, 1.0), "alpha": _rate(0.0, 0.3)}),
    "linear_cosine_decay": st.fixed_dictionaries({
        "num_periods": _rate(0.1, 3.0), "alpha": _rate(0.0, 0.5),
        "beta": _rate(0.0, 0.01)}),
    # Zero variance: the noise term is exactly 0, so values are comparable.
    "noisy_linear_cosine_decay": st.fixed_dictionaries({
        "initial_variance": st.just(0.0), "num_periods": _rate(0.1, 3.0),
        "alpha": _rate(0.0, 0.5), "beta": _rate(0.0, 0.01)}),
}


def _edge_steps(decay_steps, extra):
    d = int(decay_steps)
    return sorted({0, 1, max(d - 1, 0), d, d + 1, 10 * d, *extra})


def _exact_restart(step, first, t_mul):
    period = ref._restart_period(float(step), first, t_mul)
    return period is not None and period[1] == 0.0


def _tf_wrong_by_its_own_definition(name, step, decay_steps, kwargs):
    """Steps where TF's float32 floor lands on the wrong side of a boundary.

    T9: exact restarts of `cosine_decay_restarts`. T8: exact multiples of
    `decay_steps` with `staircase=True` (or polynomial `cycle=True`), where
    graph rewrites turn TF's `step / decay_steps` into `step * (1 /
    decay_steps)`, and floor(0.99999994) or ceil(10.000001) is off by one.
    """
    if name == "cosine_decay_restarts":
        return _exact_restart(step, decay_steps, kwargs["t_mul"])
    rounded = kwargs.get("staircase", False) or kwargs.get("cycle", False)
    return rounded and step % decay_steps == 0


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@given(data=st.data())
def test_float32_bit_identical_to_tf(mode, name, data):
    kwargs = data.draw(STRATEGIES[name])
    lr = data.draw(_rate(1e-4, 1.0))
    decay_steps = data.draw(st.integers(1, 5000) | _rate(0.5, 5000.0))
    step_dtype = data.draw(st.sampled_from([tf.int32, tf.int64, tf.float32]))
    extra = data.draw(st.lists(st.integers(0, 2**20), max_size=3))
    steps = _edge_steps(decay_steps, extra)
    ours, theirs = mode.values(
        lambda gs: (getattr(ts, name)(lr, gs, decay_steps, **kwargs),
                    getattr(V1, name)(lr, gs, decay_steps, **kwargs)),
        steps, step_dtype=step_dtype).T
    differ = [s for s, a, b in zip(steps, ours, theirs)
              if a.tobytes() != b.tobytes()
              and not _tf_wrong_by_its_own_definition(name, s, decay_steps,
                                                      kwargs)]
    assert not differ, (ours, theirs)


def test_staircase_exact_multiple_fixed_where_tf_graph_is_off(mode):
    # TF in graph mode: 1543 / 1543 -> 1543 * (1/1543) = 0.99999994 -> floor 0.
    ours = mode.values(
        lambda gs: ts.exponential_decay(1.0, gs, 1543, 0.5, staircase=True),
        [1542, 1543, 3086], step_dtype=tf.int32)
    np.testing.assert_array_equal(ours, [1.0, 0.5, 0.25])
    cycled = mode.values(
        lambda gs: ts.polynomial_decay(1.0, gs, 15, 0.0, cycle=True),
        [150, 151], step_dtype=tf.int32)
    np.testing.assert_allclose(cycled, [0.0, 1.0 - 151 / 165], rtol=1e-6)


def test_piecewise_bit_identical_to_tf(mode):
    boundaries, values = [3, 7, 100], [0.5, 0.25, 0.125, 0.0625]
    steps = list(range(0, 110, 3)) + [3, 7, 100, 101]
    out = mode.values(
        lambda gs: (ts.piecewise_constant(gs, boundaries, values),
                    V1.piecewise_constant(gs, boundaries, values)), steps)
    assert np.array_equal(out[:, 0], out[:, 1])


# ----------------------------------------------------------- the TF fixes --

FLOAT64 = [
    ("exponential_decay", (0.96, False), ref.exponential_decay),
    ("exponential_decay", (0.5, True), ref.exponential_decay),
    ("natural_exp_decay", (0.5, True), ref.natural_exp_decay),
    ("inverse_time_decay", (0.5, False), ref.inverse_time_decay),
    ("polynomial_decay", (0.001, 2.0, False), ref.polynomial_decay),
    ("polynomial_decay", (0.001, 2.0, True), ref.polynomial_decay),
    ("cosine_decay", (0.1,), ref.cosine_decay),
    ("cosine_decay_restarts", (2.0, 0.5, 0.1), ref.cosine_decay_restarts),
    ("cosine_decay_restarts", (1.0, 0.8, 0.0), ref.cosine_decay_restarts),
    ("linear_cosine_decay", (1.5, 0.1, 0.01), ref.linear_cosine_decay),
    ("noisy_linear_cosine_decay", (0.0, 0.55, 1.5, 0.1, 0.01),
     lambda lr, s, d, iv, vd, *rest: ref.linear_cosine_decay(lr, s, d, *rest)),
]


@pytest.mark.parametrize("name,args,reference", FLOAT64,
                         ids=[f"{f[0]}-{i}" for i, f in enumerate(FLOAT64)])
def test_float64_matches_numpy_reference(mode, name, args, reference):
    steps = [0, 1, 7, 13, 25, 40, 70, 151, 1000]
    lr = np.float64(0.3)
    out = mode.values(lambda gs: getattr(ts, name)(lr, gs, 13, *args), steps)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, reference(0.3, np.array(steps), 13, *args),
                               rtol=1e-12, atol=1e-15)


def test_float64_hyper_parameters_are_not_rounded_through_float32(mode):
    out = mode.run(lambda: ts.exponential_decay(
        tf.constant(1.0, tf.float64), 1000, 1000, 0.96))
    assert out == 0.96


def test_natural_exp_decay_computes_exp_in_float64(mode):
    out = mode.run(lambda: ts.natural_exp_decay(np.float64(0.1), 5, 10, .5))
    np.testing.assert_allclose(out, 0.0778800783071405, rtol=1e-15)


@pytest.mark.parametrize("dtype", [tf.int64, tf.float64])
def test_staircase_floor_is_exact_past_2_24(mode, dtype):
    out = mode.run(lambda: ts.exponential_decay(
        1.0, tf.constant(16777216, dtype), 16777217, .5, staircase=True))
    if dtype == tf.int64:
        assert out == 1.0  # TF: 0.5
    else:  # a float step: TF's float32 floor, no integer to be exact about
        assert out == V1.exponential_decay(
            1.0, tf.constant(16777216, dtype), 16777217, .5, True)().numpy()


def test_integer_math_past_2_31(mode):
    big = 2**31 + 5
    out = mode.run(lambda: (
        ts.exponential_decay(1.0, tf.constant(big, tf.int64), big, .5, True),
        ts.exponential_decay(1.0, tf.constant(big - 1, tf.int64), big, .5,
                             True),
        ts.polynomial_decay(1.0, tf.constant(big + 1, tf.int64), big,
                            0.0, cycle=True),
        ts.piecewise_constant(tf.constant(big, tf.int64), [big - 1, big],
                              [1.0, 2.0, 3.0]),
        ts.piecewise_constant(tf.constant(big + 1, tf.int64), [big - 1, big],
                              [1.0, 2.0, 3.0]),
    ))
    assert out[0] == 0.5 and out[1] == 1.0
    np.testing.assert_allclose(out[2], 0.5, rtol=1e-6)  # restart 1: ~lr/2
    assert (out[3], out[4]) == (2.0, 3.0)


@pytest.mark.parametrize("step", [81910, 327670, 671088630])
def test_restarts_full_rate_at_every_exact_restart(mode, step):
    ours, theirs = mode.values(
        lambda gs: (ts.cosine_decay_restarts(0.1, gs, 10),
                    V1.cosine_decay_restarts(0.1, gs, 10)), [step]).T
    assert theirs[0] == 0.0  # the TF bug this fixes
    np.testing.assert_allclose(ours[0], 0.1, rtol=1e-6)


@given(t_mul=st.sampled_from([1.5, 2.0, 3.0]), first=st.integers(1, 50),
       m_mul=st.floats(0.5, 1.0))
def test_restarts_every_restart_matches_reference(mode, t_mul, first, m_mul):
    starts, length, start = [], float(first), 0.0
    while start < 2**22:
        starts.append(start)
        start, length = start + length, length * t_mul
    steps = [int(s) for s in starts if float(s).is_integer()]
    out = mode.values(lambda gs: ts.cosine_decay_restarts(
        np.float64(1.0), gs, first, t_mul, m_mul), steps)
    np.testing.assert_allclose(
        out, ref.cosine_decay_restarts(1.0, np.array(steps), first, t_mul,
                                       m_mul), rtol=1e-9)


@pytest.mark.parametrize("first,t_mul", [(10, 2.0), (1000, 2.0), (7, 3.0)])
def test_restarts_float32_index_is_right_on_both_sides_of_restarts(
        mode, first, t_mul):
    starts, length, start = [], float(first), 0.0
    while start < 2**24 - 1:  # float32 steps are exact up to 2**24
        starts.append(int(start))
        start, length = start + length, length * t_mul
    steps = sorted({s + d for s in starts[1:] for d in (-1, 0, 1)})
    out = mode.values(lambda gs: ts.cosine_decay_restarts(1.0, gs, first,
                                                          t_mul), steps)
    np.testing.assert_allclose(
        out, ref.cosine_decay_restarts(1.0, np.array(steps), first, t_mul),
        atol=1e-5)


def test_restarts_hold_alpha_past_the_t_mul_below_one_horizon(mode):
    # horizon = 10 / (1 - 0.5) = 20 steps
    out = mode.values(lambda gs: ts.cosine_decay_restarts(
        1.0, gs, 10, t_mul=0.5, alpha=0.1), [0, 10, 19, 20, 25, 10**6])
    np.testing.assert_allclose(out[:2], [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(out[3:], [0.1, 0.1, 0.1], rtol=1e-6)
    assert np.all(np.isfinite(out))


def test_noisy_seed_is_reproducible_across_modes_and_shapes(mode):
    steps = [0, 3, 5, 9, 40]
    build = lambda gs: ts.noisy_linear_cosine_decay(0.1, gs, 10, seed=7)
    first = mode.values(build, steps)
    again = mode.values(build, steps)
    vector = mode.run(lambda: ts.noisy_linear_cosine_decay(
        0.1, tf.constant(steps, tf.int64), 10, seed=7))
    other = mode.values(
        lambda gs: ts.noisy_linear_cosine_decay(0.1, gs, 10, seed=8), steps)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, vector, rtol=1e-5)
    assert not np.allclose(first, other)


def test_noisy_noise_has_the_documented_spread(mode):
    steps = np.arange(20000, dtype=np.int64)
    out = mode.run(lambda: (
        ts.noisy_linear_cosine_decay(1.0, tf.constant(steps), 10**6, seed=1,
                                     num_periods=0.0, beta=0.0),
        ts.noisy_linear_cosine_decay(1.0, tf.constant(steps), 10**6,
                                     num_periods=0.0, beta=0.0)))
    expected = ref.linear_cosine_decay(1.0, steps, 10**6, 0.0, 0.0, 0.0)
    std = ref.noise_stddev(steps, 10**6)
    for noisy in out:
        z = (noisy - expected) / std
        assert abs(z.mean()) < 0.05 and abs(z.std() - 1.0) < 0.05


def test_noisy_without_seed_draws_fresh_noise(mode):
    a, b = mode.values(
        lambda gs: ts.noisy_linear_cosine_decay(0.1, gs, 10), [3, 3])
    assert a != b


# ------------------------------------------------------------ vector steps --

VECTOR = [
    lambda s: ts.exponential_decay(0.1, s, 7, .5, staircase=True),
    lambda s: ts.natural_exp_decay(0.1, s, 7, .5),
    lambda s: ts.inverse_time_decay(0.1, s, 7, .5),
    lambda s: ts.polynomial_decay(0.1, s, 7, cycle=True),
    lambda s: ts.cosine_decay(0.1, s, 7),
    lambda s: ts.cosine_decay_restarts(0.1, s, 7),
    lambda s: ts.linear_cosine_decay(0.1, s, 7),
    lambda s: ts.noisy_linear_cosine_decay(0.1, s, 7, seed=1),
    lambda s: ts.piecewise_constant(s, [3, 9], [.1, .01, .001]),
]


def test_vector_step_gives_the_whole_curve(mode):
    steps = list(range(0, 40, 3))
    vectors = mode.run(lambda: [f(tf.constant(steps, tf.int64))
                                for f in VECTOR])
    scalars = mode.values(lambda gs: [f(gs) for f in VECTOR], steps)
    for i, vector in enumerate(vectors):
        assert vector.shape == (len(steps),)
        # vectorised float32 kernels may round the last bit differently
        np.testing.assert_allclose(vector, scalars[:, i], rtol=1e-5)


@given(st.lists(st.integers(-50, 10**7), min_size=1, max_size=8, unique=True),
       st.lists(st.integers(-100, 10**7), min_size=5, max_size=20))
def test_piecewise_matches_definition(boundaries, steps):
    boundaries = sorted(boundaries)
    values = [float(i) for i in range(len(boundaries) + 1)]
    out = ts.piecewise_constant(tf.constant(steps, tf.int64), boundaries,
                                values)()
    np.testing.assert_array_equal(
        out, ref.piecewise_constant(np.array(steps), boundaries, values))


def test_piecewise_many_boundaries_is_one_lookup(graph):
    boundaries = list(range(10, 100010, 10))  # 10,000 boundaries
    values = [float(i) for i in range(len(boundaries) + 1)]
    before = len(graph.get_operations())
    out = ts.piecewise_constant(tf.constant([0, 10, 11, 55555, 10**6],
                                            tf.int64), boundaries, values)
    assert len(graph.get_operations()) - before < 15
    with tf.compat.v1.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), [0, 0, 1, 5555, 10000])


def test_piecewise_values_dtype_and_int64_promotion(mode):
    out = mode.run(lambda: ts.piecewise_constant(
        tf.constant(15, tf.int64), [10, 20], [np.float64(1), np.float64(.5),
                                              np.float64(.1)]))
    assert out.dtype == np.float64 and out == 0.5


# -------------------------------------------------------------- validation --

def _gs():
    return tf.constant(1, tf.int64)


INVALID = [
    ("exp_zero_steps", lambda: ts.exponential_decay(0.1, _gs(), 0, .5),
     ValueError, "exponential_decay: `decay_steps` must be > 0. "
     "Received: decay_steps=0."),
    ("exp_negative_steps", lambda: ts.exponential_decay(0.1, _gs(), -3, .5),
     ValueError, "`decay_steps` must be > 0"),
    ("exp_none_steps", lambda: ts.exponential_decay(0.1, _gs(), None, .5),
     TypeError, "`decay_steps` must be a number, not None"),
    ("exp_rate_zero", lambda: ts.exponential_decay(0.1, _gs(), 10, 0.0),
     ValueError, "`decay_rate` must be > 0"),
    ("exp_str_lr", lambda: ts.exponential_decay("0.1", _gs(), 10, .5),
     TypeError, "exponential_decay: `learning_rate` must be a real number"),
    ("exp_none_lr", lambda: ts.exponential_decay(None, _gs(), 10, .5),
     TypeError, "`learning_rate` must be a number, not None"),
    ("exp_int_tensor_lr",
     lambda: ts.exponential_decay(tf.constant(1), _gs(), 10, .5),
     TypeError, "`learning_rate` must be a float or a floating-point tensor"),
    ("exp_nan_lr", lambda: ts.exponential_decay(float("nan"), _gs(), 10, .5),
     ValueError, "`learning_rate` must be finite"),
    ("exp_staircase_str",
     lambda: ts.exponential_decay(0.1, _gs(), 10, .5, staircase="yes"),
     TypeError, "`staircase` must be a bool"),
    ("exp_step_str", lambda: ts.exponential_decay(0.1, "5", 10, .5),
     TypeError, "`global_step` must be a number"),
    ("exp_name_int", lambda: ts.exponential_decay(0.1, _gs(), 10, .5, name=3),
     TypeError, "`name` must be a string or None"),
    ("natural_zero_steps", lambda: ts.natural_exp_decay(0.1, _gs(), 0, .5),
     ValueError, "natural_exp_decay: `decay_steps` must be > 0"),
    ("inverse_negative_rate",
     lambda: ts.inverse_time_decay(0.1, _gs(), 10, -1.0),
     ValueError, "inverse_time_decay: `decay_rate` must be >= 0"),
    ("poly_zero_steps", lambda: ts.polynomial_decay(0.1, _gs(), 0),
     ValueError, "polynomial_decay: `decay_steps` must be > 0"),
    ("poly_negative_power",
     lambda: ts.polynomial_decay(0.1, _gs(), 10, power=-1.0),
     ValueError, "`power` must be >= 0"),
    ("poly_cycle_none", lambda: ts.polynomial_decay(0.1, _gs(), 10, cycle=None),
     TypeError, "`cycle` must be a bool"),
    ("cosine_zero_steps", lambda: ts.cosine_decay(0.1, _gs(), 0),
     ValueError, "cosine_decay: `decay_steps` must be > 0"),
    ("cosine_zero_tensor_steps",
     lambda: ts.cosine_decay(0.1, _gs(), tf.constant(0)),
     ValueError, "`decay_steps` must be > 0"),
    ("cosine_alpha_str", lambda: ts.cosine_decay(0.1, _gs(), 10, alpha="a"),
     TypeError, "`alpha` must be a real number"),
    ("restarts_zero_first", lambda: ts.cosine_decay_restarts(0.1, _gs(), 0),
     ValueError, "cosine_decay_restarts: `first_decay_steps` must be > 0"),
    ("restarts_t_mul_zero",
     lambda: ts.cosine_decay_restarts(0.1, _gs(), 10, t_mul=0.0),
     ValueError, "`t_mul` must be > 0. Received: t_mul=0.0."),
    ("restarts_t_mul_negative",
     lambda: ts.cosine_decay_restarts(0.1, _gs(), 10, t_mul=-2.0),
     ValueError, "`t_mul` must be > 0"),
    ("restarts_m_mul_negative",
     lambda: ts.cosine_decay_restarts(0.1, _gs(), 10, m_mul=-1.0),
     ValueError, "`m_mul` must be >= 0"),
    ("linear_cosine_zero_steps", lambda: ts.linear_cosine_decay(0.1, _gs(), 0),
     ValueError, "linear_cosine_decay: `decay_steps` must be > 0"),
    ("linear_cosine_inf_beta",
     lambda: ts.linear_cosine_decay(0.1, _gs(), 10, beta=float("inf")),
     ValueError, "`beta` must be finite"),
    ("noisy_negative_variance",
     lambda: ts.noisy_linear_cosine_decay(0.1, _gs(), 10,
                                          initial_variance=-1.0),
     ValueError, "`initial_variance` must be >= 0"),
    ("noisy_seed_float",
     lambda: ts.noisy_linear_cosine_decay(0.1, _gs(), 10, seed=1.5),
     TypeError, "`seed` must be an int or None"),
    ("piecewise_empty",
     lambda: ts.piecewise_constant(_gs(), [], [1.0]),
     ValueError, "piecewise_constant: `boundaries` must be non-empty"),
    ("piecewise_not_increasing",
     lambda: ts.piecewise_constant(_gs(), [20, 10], [1.0, .5, .1]),
     ValueError, "`boundaries` must be strictly increasing"),
    ("piecewise_repeated",
     lambda: ts.piecewise_constant(_gs(), [10, 10], [1.0, .5, .1]),
     ValueError, "`boundaries` must be strictly increasing"),
    ("piecewise_length",
     lambda: ts.piecewise_constant(_gs(), [10, 20], [1.0, .5]),
     ValueError, "`values` must be one longer than `boundaries`"),
    ("piecewise_float_x_int_boundaries",
     lambda: ts.piecewise_constant(tf.constant(1.0), [10], [1.0, .5]),
     ValueError, "Boundaries (<dtype: 'int32'>) must have the same dtype as "
     "x (<dtype: 'float32'>)."),
    ("piecewise_int32_x_int64_boundaries",
     lambda: ts.piecewise_constant(tf.constant(1), [np.int64(10)], [1.0, .5]),
     ValueError, "Boundaries (<dtype: 'int64'>) must have the same dtype as "
     "x (<dtype: 'int32'>)."),
    ("piecewise_mixed_values",
     lambda: ts.piecewise_constant(_gs(), [10], [1.0, 1]),
     ValueError, "Values must have elements all with the same dtype "
     "(<dtype: 'float32'> vs <dtype: 'int32'>)."),
    ("piecewise_nan_value",
     lambda: ts.piecewise_constant(_gs(), [10], [float("nan"), .5]),
     ValueError, "piecewise_constant: `values` must be finite. "
     "Received: values=[nan, 0.5]."),
    ("piecewise_string_value",
     lambda: ts.piecewise_constant(_gs(), [10], ["a", "b"]),
     TypeError, "`values` must be numbers or numeric tensors"),
    ("piecewise_boundaries_not_list",
     lambda: ts.piecewise_constant(_gs(), 10, [1.0, .5]),
     TypeError, "`boundaries` must be a list or tuple"),
]


@pytest.mark.parametrize("make,exc,message", [v[1:] for v in INVALID],
                         ids=[v[0] for v in INVALID])
def test_invalid_arguments_raise_before_any_op(mode, make, exc, message):
    if mode.graph:
        with tf.Graph().as_default() as g:
            with pytest.raises(exc) as info:
                make()
            # Only the arguments' own constants exist: no schedule op was built.
            assert {op.type for op in g.get_operations()} <= {"Const"}
            assert not g.get_collection(tf.compat.v1.GraphKeys.GLOBAL_STEP)
    else:
        with pytest.raises(exc) as info:
            make()
    assert message in str(info.value)


def test_failed_call_with_none_step_creates_no_global_step(graph):
    with pytest.raises(ValueError):
        ts.exponential_decay(0.1, None, 0, 0.5)
    assert V1.get_global_step() is None
    assert not graph.get_operations()


def test_integer_learning_rate_is_accepted_as_float(mode):
    assert mode.run(lambda: ts.exponential_decay(1, 10, 10, 0.5)) == 0.5
