"""The LRScheduler policies: values against the snippet, graph ops, update()."""
import inspect
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests import reference_warmup as refw
from tf1_schedules.schedules import policies as P
from tf1_schedules.schedules import policies
from tf1_schedules.schedules.compose import at_global_step
from tf1_schedules.keras_schedules import LRScheduler

N = 1000
SNIPPET_CASES = [
    ("constant", {}),
    ("step", {}),
    ("step", {"warm_up": 0.5}),
    ("step", {"warm_up": 0.0, "decay_step": 0.5}),
    ("step", {"warm_up": 0.95}),  # warm-up past both drops
    ("cosine", {"initial_cycle_length": 50}),
    ("cosine", {"warm_up": 0.0, "initial_cycle_length": 30,
                "cycle_weight": 3}),
    ("cosine", {"warm_up": 0.1234, "initial_cycle_length": 70}),
    ("onecycle", {}),
    ("onecycle", {"warm_up": 0.3, "decay_step": 0.2}),
]


@pytest.mark.parametrize("policy,kwargs", SNIPPET_CASES,
                         ids=[f"{p}-{k}" for p, k in SNIPPET_CASES])
def test_policy_matches_the_snippet(mode, policy, kwargs):
    """Each value equals the snippet's, called once per iteration from 0."""
    expected = refw.SnippetScheduler(N, 0.001, policy, **kwargs).values(N)
    scheduler = LRScheduler(N, 0.001, policy, **kwargs)
    out = mode.run(lambda: scheduler.for_global_step(
        tf.constant(np.arange(N), tf.int64)))
    np.testing.assert_allclose(out, expected, rtol=2e-6, atol=1e-12)


GRAPH_OPS = [
    (P.constant_learning_rate, (0.1,), "Constant"),
    (P.step_decay_with_warmup, (0.1, None, 100), "StepDecayWithWarmup"),
    (P.cosine_annealing_warm_restarts, (0.1, None, 100),
     "CosineAnnealingWarmRestarts"),
    (P.one_cycle, (0.1, None, 100), "OneCycle"),
]


@pytest.mark.parametrize("fn,args,scope", GRAPH_OPS,
                         ids=[g[2] for g in GRAPH_OPS])
def test_graph_op_contract(graph, fn, args, scope):
    params = [name for name, p in inspect.signature(fn).parameters.items()
              if p.kind != p.KEYWORD_ONLY]  # new options are keyword-only
    assert params[:2] == ["learning_rate", "global_step"]
    assert params[-1] == "name"
    assert fn(*args).op.name == scope  # global_step None: the global step
    assert fn(*args, name="lr").op.name == "lr"
    assert tf.compat.v1.train.get_global_step() is not None


@pytest.mark.parametrize("fn,args,scope", GRAPH_OPS,
                         ids=[g[2] for g in GRAPH_OPS])
def test_graph_op_follows_the_step(mode, fn, args, scope):
    steps = [0, 5, 50, 95, 99]
    def build(gs):
        return fn(args[0], gs, *args[2:])
    scalars = mode.values(build, steps)
    vector = mode.run(lambda: build(tf.constant(steps, tf.int64)))
    # Eigen's vectorized cos may round differently from the scalar one.
    np.testing.assert_allclose(scalars, vector, rtol=1e-5)
    assert scalars.max() <= 0.1 + 1e-7


def test_step_policy_drops_at_80_and_90_percent(mode):
    out = mode.values(lambda gs: P.step_decay_with_warmup(
        0.1, gs, 1000, warm_up=0.0), [799, 800, 899, 900, 5000])
    np.testing.assert_allclose(out, [.1, .01, .01, .001, .001], rtol=1e-6)


def test_cosine_cycles_grow_by_cycle_weight(mode):
    start = 101  # warm-up covers steps 0..100
    restarts = [start, start + 50, start + 50 + 100, start + 50 + 100 + 200]
    out = mode.values(lambda gs: P.cosine_annealing_warm_restarts(
        1.0, gs, 1000, initial_cycle_length=50, cycle_weight=2),
        restarts + [r - 1 for r in restarts[1:]])
    np.testing.assert_allclose(out[:4], 1.0, rtol=1e-6)
    assert np.all(out[4:] < 0.02)  # just before each restart: near the floor


def test_one_cycle_goes_up_then_down_to_one_percent(mode):
    steps = np.arange(0, 1200)
    out = mode.run(lambda: P.one_cycle(
        0.5, tf.constant(steps, tf.int64), 1000, warm_up=0.25))
    peak = int(np.argmax(out))
    assert out[0] == 0 and out[peak] == pytest.approx(0.5)
    assert np.all(np.diff(out[:peak + 1]) >= 0)
    assert np.all(np.diff(out[peak:]) <= 0)
    np.testing.assert_allclose(out[1001:], 0.5 * 0.01, rtol=1e-5)


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"policy": "step2"}, ValueError, "`policy` must be one of 'constant'"),
    ({"warm_up": 1.5}, ValueError, "`warm_up` must be <= 1"),
    ({"decay_step": -0.1}, ValueError,
     "LRScheduler: `decay_step` must be >= 0"),
    ({"iterations": 0}, ValueError, "LRScheduler: `iterations` must be >= 1"),
    ({"lr": -1.0}, ValueError, "LRScheduler: `lr` must be >= 0"),
    ({"policy": "cosine", "cycle_weight": 0}, ValueError,
     "`cycle_weight` must be > 0"),
    ({"policy": "onecycle", "warm_up": 1.5}, ValueError, "`warm_up` must be "
     "<= 1"),
    ({"double_step": "no"}, TypeError, "LRScheduler: `double_step` must be "
     "a bool"),
])
def test_lr_scheduler_validation(kwargs, exc, match):
    args = {"iterations": 100, "lr": 0.1, **kwargs}
    with pytest.raises(exc, match=match):
        LRScheduler(**args)


# ---------------------------------------------------------------- update --

def _snippet_loop(optimizer, scheduler, var, steps):
    """The seed's loop: update, then one gradient step (grad of sum(w) = 1)."""
    rates = []
    for i in range(steps):
        rates.append(scheduler.update(optimizer, i))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(var)
        grads = tape.gradient(loss, [var])
        optimizer.apply_gradients(zip(grads, [var]))
    return rates


def test_update_sets_a_keras3_optimizer_learning_rate():
    scheduler = LRScheduler(iterations=20, lr=0.1, policy="step", warm_up=0.2)
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    var = tf.Variable([1.0])
    rates = _snippet_loop(optimizer, scheduler, var, 20)
    expected = refw.SnippetScheduler(20, 0.1, "step", warm_up=0.2).values(20)
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert float(optimizer.learning_rate) == pytest.approx(rates[-1])
    np.testing.assert_allclose(var.numpy(), [1.0 - sum(rates)], rtol=1e-5)


def test_update_sets_tf_keras_optimizers_learning_rate():
    import tf_keras

    scheduler = LRScheduler(iterations=100, lr=0.1, policy="step")
    for optimizer in (tf_keras.optimizers.SGD(0.5),
                      tf_keras.optimizers.legacy.SGD(0.5)):
        assert scheduler.update(optimizer, 5) == pytest.approx(0.05)
        assert float(tf.convert_to_tensor(optimizer.learning_rate)) == \
            pytest.approx(0.05)


def test_update_sets_a_v1_optimizer_variable_learning_rate():
    scheduler = LRScheduler(iterations=10, lr=0.2, policy="onecycle")
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(tf.Variable(0.0))
    var = tf.Variable([0.0])
    rates = _snippet_loop(optimizer, scheduler, var, 10)
    np.testing.assert_allclose(var.numpy(), [-sum(rates)], rtol=1e-5)
    adam = tf.compat.v1.train.AdamOptimizer(tf.Variable(0.0))
    assert scheduler.update(adam, 3) == pytest.approx(float(scheduler(3)))
    assert float(adam._lr) == pytest.approx(float(scheduler(3)))


def test_update_rejects_what_it_cannot_update():
    scheduler = LRScheduler(iterations=10, lr=0.2)
    with pytest.raises(TypeError, match="learning rate is a tf.Variable"):
        scheduler.update(tf.compat.v1.train.GradientDescentOptimizer(0.1), 1)
    with pytest.raises(TypeError, match="a Keras or tf.compat.v1 optimizer"):
        scheduler.update(object(), 1)


def test_update_needs_eager_mode(graph):
    optimizer = keras.optimizers.SGD(0.1)
    with pytest.raises(RuntimeError, match="needs eager execution"):
        LRScheduler(iterations=10, lr=0.2).update(optimizer, 1)


def test_lr_scheduler_is_a_keras_schedule_driven_by_iterations():
    scheduler = LRScheduler(iterations=40, lr=0.1, policy="cosine",
                            initial_cycle_length=5)
    optimizer = keras.optimizers.SGD(learning_rate=scheduler)
    var = tf.Variable([0.0])
    for _ in range(7):
        optimizer.apply_gradients([(tf.constant([1.0]), var)])
    assert int(optimizer.iterations) == 7
    assert float(optimizer.learning_rate) == pytest.approx(
        float(scheduler(7)))


def test_lr_scheduler_serialization_round_trip():
    scheduler = LRScheduler(iterations=500, lr=0.01, policy="onecycle",
                            warm_up=0.2, decay_step=0.3)
    config = scheduler.get_config()
    json.dumps(config)
    copies = [LRScheduler.from_config(config),
              keras.optimizers.schedules.deserialize(
                  keras.optimizers.schedules.serialize(scheduler))]
    steps = tf.constant([0, 50, 100, 101, 499], tf.int64)
    for copy in copies:
        assert isinstance(copy, LRScheduler)
        np.testing.assert_array_equal(copy(steps), scheduler(steps))


# ---------------------------------------------- fidelity to the snippet --

def test_double_step_false_keeps_one_drop(mode):
    # The snippet's flag: with double_step=False step 95 of 100 is still
    # lr * decay_step (0.01), not lr * decay_step ** 2.
    sched = policies.step_decay_with_warmup_fn(0.1, 100, warm_up=0.0,
                                               double_step=False)
    steps = [0, 79, 80, 89, 90, 95, 99]
    out = mode.run(lambda: at_global_step(sched, tf.constant(steps)))
    np.testing.assert_allclose(out, [0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01],
                               rtol=1e-6)
    both = mode.run(lambda: at_global_step(
        policies.step_decay_with_warmup_fn(0.1, 100, warm_up=0.0),
        tf.constant([95])))
    np.testing.assert_allclose(both, [0.001], rtol=1e-6)


def test_one_cycle_with_the_whole_run_warming_up(mode):
    n = 20
    f = policies.one_cycle_fn(1.0, n, warm_up=1.0)
    out = mode.run(lambda: at_global_step(f, tf.range(n, dtype=tf.int64)))
    expected = [0.5 * (1 - np.cos(np.pi * t / n)) for t in range(n)]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)
