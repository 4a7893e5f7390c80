"""`tf.distribute.MirroredStrategy` over two logical CPUs, with compat.v1 code.

Logical devices must be configured before TensorFlow initialises its
devices, so the scenarios run in fresh processes: this file is also a
script (`python tests/test_distribute.py graph|function`) that runs one
group of scenarios and prints their results as JSON. Each group runs once
per test session (module fixtures, both at once); the tests read them.

Graph mode (`tf.Graph` + `Session`, `call_for_each_replica`) and
`tf.function` (`strategy.run`, mirrored eager variables), each with
  * `v1_sgd`: `GradientDescentOptimizer` on a package schedule,
  * `groups`: per-group optimizers (`minimize_groups` / `GroupedOptimizer`,
    Momentum, a 0.5 multiplier on one group),
  * `bert`: `create_optimizer` (graph) / `bert_optimizer` (tf.function),
on a global batch of 4 split 2 + 2 over the replicas, against a run without
any strategy on the whole batch (the loss is averaged over the global batch
with `tf.nn.compute_average_loss`). Also, in both groups: a global step
created outside the strategy's scope, BERT with `manual_fp16` (loss
scaling), BERT with its `clip_by_global_norm(1.0)` active, and a loss-scaled
step whose gradients are non-finite on one replica only.
"""
import contextlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 240
STEPS = 3
KINDS = ("v1_sgd", "groups", "bert")
GROUPS = ("graph", "function")

X = [[1.0, 2.0], [3.0, 4.0], [5.0, -1.0], [0.5, 2.0]]
Y = [[1.0], [2.0], [0.0], [1.5]]
# Small enough that BERT's clip_by_global_norm(1.0) never triggers (see
# test_clipping_uses_the_global_gradient for the clipped case).
SCALE = 0.01


# ================================================== the scenarios (child) --

def _tf_with_two_cpus():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    return tf


_EAGER_STRATEGIES = {}


def _strategy(tf, replicas):
    """A MirroredStrategy; in eager mode one per process: a second instance
    over the same devices reuses the first one's collective instance keys
    (TF aborts the collectives with a shape mismatch)."""
    if replicas == 0:
        return None
    devices = [f"/cpu:{i}" for i in range(replicas)]
    if not tf.executing_eagerly():
        return tf.distribute.MirroredStrategy(devices)
    if replicas not in _EAGER_STRATEGIES:
        _EAGER_STRATEGIES[replicas] = tf.distribute.MirroredStrategy(devices)
    return _EAGER_STRATEGIES[replicas]


def _shard(tf, replicas):
    """This replica's (x, y): rows 2r, 2r+1 (all four without a strategy)."""
    x, y = tf.constant(X), tf.constant(Y)
    if replicas == 0:
        return x, y
    index = tf.distribute.get_replica_context().replica_id_in_sync_group
    return (tf.gather(tf.reshape(x, [replicas, -1, 2]), index),
            tf.gather(tf.reshape(y, [replicas, -1, 1]), index))


def _loss(tf, w, b, x, y, scale=SCALE):
    per_example = scale * tf.reduce_sum(tf.square(tf.matmul(x, w) + b - y),
                                        axis=1)
    return tf.nn.compute_average_loss(per_example, global_batch_size=4)


def _numbers(value):
    return np.asarray(value).tolist()


def _graph_update(tf, kind, loss, gs, manual_fp16):
    """This replica's train op and learning rate (graph mode)."""
    from tf1_schedules.optim import bert
    from tf1_schedules.schedules import decay
    from tf1_schedules.optim import groups
    from tf1_schedules.optim import grouped as optimizers
    from tf1_schedules.schedules import od as warmup
    from tf1_schedules.schedules.bert_curve import bert_learning_rate
    v1 = tf.compat.v1
    if kind == "v1_sgd":
        lr = decay.exponential_decay(0.1, gs, 1, 0.5)
        return v1.train.GradientDescentOptimizer(lr).minimize(
            loss, global_step=gs), lr
    if kind == "groups":
        lr = decay.exponential_decay(0.1, gs, 1, 0.5)
        return optimizers.minimize_groups(
            loss, [groups.Group("dense/kernel"),
                   groups.Group("dense/bias", multiplier=0.5)],
            optimizer_fn=lambda r: v1.train.MomentumOptimizer(r, 0.9),
            learning_rate=lr), lr
    lr = bert_learning_rate(0.1, gs, 10, 2)
    return bert.create_optimizer(loss, 0.1, 10, 2,
                                 manual_fp16=manual_fp16), lr


def _graph_train(tf, kind, replicas, *, scale=SCALE, step_outside=False,
                 manual_fp16=False):
    """Graph mode: per-step global step and per-replica lr, final weights."""
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        strategy = _strategy(tf, replicas)
        if step_outside:
            v1.train.get_or_create_global_step()
        with strategy.scope() if strategy else contextlib.nullcontext():
            gs = v1.train.get_or_create_global_step()
            w = v1.get_variable("dense/kernel", initializer=[[0.1], [-0.2]])
            b = v1.get_variable("dense/bias", initializer=[0.05])

            def step_fn():
                x, y = _shard(tf, replicas)
                return _graph_update(tf, kind, _loss(tf, w, b, x, y, scale),
                                     gs, manual_fp16)

            if strategy is None:
                train_op, lr = step_fn()
                lrs = [lr]
            else:
                train_op, lr = strategy.extended.call_for_each_replica(
                    step_fn)
                train_op = strategy.group(train_op)
                lrs = list(strategy.experimental_local_results(lr))
            variables = _describe_variables(v1.global_variables())
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                steps, rates = [], []
                for _ in range(STEPS):
                    rates.append(_numbers(sess.run(lrs)))
                    sess.run(train_op)
                    steps.append(int(sess.run(gs)))
                weights = [_numbers(v) for v in sess.run([w, b])]
    return {"steps": steps, "lrs": rates, "weights": weights,
            "variables": variables}


def _describe_variables(variables):
    return {v.name: {"type": type(v).__name__,
                     "aggregation": v.aggregation.name,
                     "synchronization": v.synchronization.name}
            for v in variables}


def _function_train(tf, kind, replicas, *, scale=SCALE, step_outside=False,
                    manual_fp16=False):
    """tf.function: the same, with mirrored eager variables."""
    from tf1_schedules.optim import bert
    from tf1_schedules.schedules import decay
    from tf1_schedules.optim import groups
    from tf1_schedules.optim import grouped as optimizers
    from tf1_schedules.schedules import od as warmup
    from tf1_schedules.schedules.bert_curve import bert_learning_rate
    v1 = tf.compat.v1
    v1.get_default_graph().clear_collection(v1.GraphKeys.GLOBAL_STEP)
    strategy = _strategy(tf, replicas)
    if step_outside:
        v1.train.get_or_create_global_step()
    with (strategy.scope() if strategy else contextlib.nullcontext()):
        gs = v1.train.get_or_create_global_step()
        w = tf.Variable([[0.1], [-0.2]], name="dense/kernel")
        b = tf.Variable([0.05], name="dense/bias")
        if kind == "v1_sgd":
            lr = decay.exponential_decay(0.1, gs, 1, 0.5)
            optimizer = v1.train.GradientDescentOptimizer(lr)
        elif kind == "groups":
            lr = decay.exponential_decay(0.1, gs, 1, 0.5)
            optimizer = optimizers.GroupedOptimizer(
                [groups.Group(w), groups.Group(b, multiplier=0.5)],
                optimizer_fn=lambda r: v1.train.MomentumOptimizer(r, 0.9),
                learning_rate=lr)
        else:
            lr = bert_learning_rate(0.1, gs, 10, 2)
            optimizer = bert.bert_optimizer(0.1, 10, 2,
                                            manual_fp16=manual_fp16)

    def step_fn():
        x, y = _shard(tf, replicas)
        rate = lr()  # read before the update

        def loss():
            return _loss(tf, w, b, x, y, scale)

        if kind == "v1_sgd":
            optimizer.minimize(loss, global_step=gs, var_list=[w, b])
        else:
            optimizer.minimize(loss, var_list=[w, b])
        return rate

    @tf.function
    def train():
        if strategy is None:
            return [step_fn()]
        return list(strategy.experimental_local_results(strategy.run(step_fn)))

    steps, rates = [], []
    for _ in range(STEPS):
        rates.append(_numbers(train()))
        steps.append(int(gs.numpy()))
    return {"steps": steps, "lrs": rates,
            "weights": [_numbers(w.numpy()), _numbers(b.numpy())]}


def _skip_optimizer(tf, w):
    """SGD(0.1) on `w` with a loss scale starting at 4."""
    from tf1_schedules.optim import groups
    from tf1_schedules.optim import loss_scale
    from tf1_schedules.optim import grouped as optimizers
    return optimizers.GroupedOptimizer(
        [groups.Group(w)], learning_rate=0.1,
        optimizer_fn=tf.compat.v1.train.GradientDescentOptimizer,
        loss_scale=loss_scale.DynamicLossScale(4.0))


def _skip_loss(tf, w, poison):
    """Replica r's loss is (r + 1) * w, times `poison` on replica 1 only."""
    index = tf.distribute.get_replica_context().replica_id_in_sync_group
    factor = tf.where(tf.equal(index, 1), poison, 1.0)
    return tf.cast(index + 1, tf.float32) * factor * w


def _skip(tf, mode):
    """Loss scaling on 2 replicas: an inf gradient on replica 1 only, then a
    finite step. Per step: (w, global step, loss scale)."""
    v1 = tf.compat.v1
    strategy = _strategy(tf, 2)
    poisons = [float("inf"), 1.0]
    if mode == "graph":
        with tf.Graph().as_default(), strategy.scope():
            gs = v1.train.get_or_create_global_step()
            w = v1.get_variable("w", initializer=0.0)
            poison = v1.placeholder_with_default(1.0, [])
            optimizer = _skip_optimizer(tf, w)
            op = strategy.group(strategy.extended.call_for_each_replica(
                lambda: optimizer.minimize(_skip_loss(tf, w, poison))))
            scale = optimizer.loss_scale.variables()[0]
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                out = []
                for value in poisons:
                    sess.run(op, {poison: value})
                    out.append([float(v) for v in sess.run([w, gs, scale])])
                return out
    v1.get_default_graph().clear_collection(v1.GraphKeys.GLOBAL_STEP)
    with strategy.scope():
        gs = v1.train.get_or_create_global_step()
        w = tf.Variable(0.0, name="w")
        optimizer = _skip_optimizer(tf, w)

    @tf.function
    def train(poison):
        strategy.run(lambda: optimizer.minimize(
            lambda: _skip_loss(tf, w, poison), var_list=[w]))

    out = []
    for value in poisons:
        train(tf.constant(value))
        scale = optimizer.loss_scale.variables()[0]
        out.append([float(w.numpy()), float(gs.numpy()),
                    float(scale.numpy())])
    return out


def _summed(tf, mode, kind):
    """w = 0, replica r's loss = (r + 1) * w: gradients 1 and 2, lr 0.1."""
    from tf1_schedules.optim import groups
    from tf1_schedules.optim import grouped as optimizers
    v1 = tf.compat.v1
    strategy = _strategy(tf, 2)

    def make_optimizer():
        if kind == "v1_sgd":
            return v1.train.GradientDescentOptimizer(0.1)
        return optimizers.GroupedOptimizer(
            [groups.Group(re.compile(""))], learning_rate=0.1,
            optimizer_fn=v1.train.GradientDescentOptimizer)

    def replica_loss(w):
        index = tf.distribute.get_replica_context().replica_id_in_sync_group
        return tf.cast(index + 1, tf.float32) * w

    if mode == "graph":
        with tf.Graph().as_default(), strategy.scope():
            gs = v1.train.get_or_create_global_step()
            w = v1.get_variable("w", initializer=0.0)
            optimizer = make_optimizer()
            op = strategy.group(strategy.extended.call_for_each_replica(
                lambda: optimizer.minimize(replica_loss(w), global_step=gs)))
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                sess.run(op)
                return float(sess.run(w))
    v1.get_default_graph().clear_collection(v1.GraphKeys.GLOBAL_STEP)
    with strategy.scope():
        gs = v1.train.get_or_create_global_step()
        w = tf.Variable(0.0, name="w")
        optimizer = make_optimizer()

    @tf.function
    def train():
        strategy.run(lambda: optimizer.minimize(
            lambda: replica_loss(w), global_step=gs, var_list=[w]))

    train()
    return float(w.numpy())


def _capture(fn, *args, **kwargs):
    try:
        return {"result": fn(*args, **kwargs)}
    except Exception as error:  # noqa: BLE001 - reported to the test
        return {"error": f"{type(error).__name__}: {error}"[-1500:]}


def run_group(group):
    tf = _tf_with_two_cpus()
    assert len(tf.config.list_logical_devices("CPU")) == 2
    out = {}
    train = _graph_train if group == "graph" else _function_train
    for kind in KINDS:
        out[f"{kind}/2"] = _capture(train, tf, kind, 2)
        out[f"{kind}/0"] = _capture(train, tf, kind, 0)
    for kind in ("v1_sgd", "groups"):
        out[f"summed/{kind}"] = _capture(_summed, tf, group, kind)
    out["outside/2"] = _capture(train, tf, "groups", 2, step_outside=True)
    out["bert_outside/2"] = _capture(train, tf, "bert", 2, step_outside=True)
    for replicas in (2, 0):
        out[f"fp16/{replicas}"] = _capture(train, tf, "bert", replicas,
                                           manual_fp16=True)
        out[f"clip/{replicas}"] = _capture(train, tf, "bert", replicas,
                                           scale=1.0)
    out["skip"] = _capture(_skip, tf, group)
    return out


# ====================================================== the tests (pytest) --

def _run_child(group):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    # subprocess.run kills and reaps the child if it outlives TIMEOUT.
    proc = subprocess.run([sys.executable, __file__, group], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    lines = [line for line in proc.stdout.splitlines()
             if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def results():
    with ThreadPoolExecutor(len(GROUPS)) as pool:
        futures = {g: pool.submit(_run_child, g) for g in GROUPS}
        return {g: f.result() for g, f in futures.items()}


def _ok(results, group, key):
    entry = results[group][key]
    assert "error" not in entry, entry.get("error")
    return entry["result"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GROUPS)
def test_global_step_advances_once_per_step(results, group, kind):
    assert _ok(results, group, f"{kind}/2")["steps"] == [1, 2, 3]
    assert _ok(results, group, f"{kind}/0")["steps"] == [1, 2, 3]


def _expected_lrs(kind):
    if kind == "bert":  # warmup 2, then polynomial decay over 10 steps
        return [0.0, 0.05, 0.08]
    return [0.1, 0.05, 0.025]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GROUPS)
def test_every_replica_sees_the_same_learning_rate(results, group, kind):
    lrs = np.array(_ok(results, group, f"{kind}/2")["lrs"])
    assert lrs.shape == (STEPS, 2)
    np.testing.assert_array_equal(lrs[:, 0], lrs[:, 1])
    np.testing.assert_allclose(lrs[:, 0], _expected_lrs(kind), rtol=1e-6)
    single = np.array(_ok(results, group, f"{kind}/0")["lrs"])[:, 0]
    np.testing.assert_array_equal(lrs[:, 0], single)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GROUPS)
def test_two_replicas_equal_one_device_on_the_global_batch(results, group,
                                                           kind):
    two = _ok(results, group, f"{kind}/2")["weights"]
    one = _ok(results, group, f"{kind}/0")["weights"]
    start = [[[0.1], [-0.2]], [0.05]]
    for got, want, initial in zip(two, one, start):
        assert not np.allclose(want, initial)  # it trained
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ("v1_sgd", "groups"))
@pytest.mark.parametrize("group", GROUPS)
def test_v1_optimizers_sum_replica_gradients(results, group, kind):
    """Gradients 1 and 2 on two replicas, lr 0.1: w = -0.1 * (1 + 2).

    A mean would give -0.15: average the loss over the global batch
    (`tf.nn.compute_average_loss`) to match a single device.
    """
    assert _ok(results, group, f"summed/{kind}") == pytest.approx(-0.3)


def test_create_optimizer_variables_have_explicit_aggregation(results):
    variables = _ok(results, "graph", "bert/2")["variables"]
    step = variables["global_step:0"]
    assert step["aggregation"] == "ONLY_FIRST_REPLICA"
    slots = {n: v for n, v in variables.items()
             if n.endswith(("/adam_m:0", "/adam_v:0"))}
    assert len(slots) == 4, variables
    for name, slot in slots.items():
        assert slot["type"] == "MirroredVariable", (name, slot)
        assert slot["aggregation"] == "MEAN", (name, slot)
        assert slot["synchronization"] == "ON_WRITE", (name, slot)


def _assert_same_weights(got, want):
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ("groups", "bert"))
@pytest.mark.parametrize("group", GROUPS)
def test_step_outside_the_strategy_scope_is_counted_once(results, group,
                                                         kind):
    """A plain (non-mirrored) global step advances once per step, every
    replica reads the same rate, and training equals the in-scope run
    (`bert` creates its optimizer with the step already there)."""
    outside = _ok(results, group, f"{'' if kind == 'groups' else 'bert_'}"
                  "outside/2")
    inside = _ok(results, group, f"{kind}/2")
    assert outside["steps"] == [1, 2, 3]
    assert outside["lrs"] == inside["lrs"]
    _assert_same_weights(outside["weights"], inside["weights"])


@pytest.mark.parametrize("group", GROUPS)
def test_manual_fp16_under_a_strategy_equals_one_device(results, group):
    two = _ok(results, group, "fp16/2")
    one = _ok(results, group, "fp16/0")
    assert two["steps"] == one["steps"] == [1, 2, 3]
    _assert_same_weights(two["weights"], one["weights"])
    # The loss scale changed nothing here: same as without it.
    _assert_same_weights(two["weights"], _ok(results, group, "bert/2")[
        "weights"])


@pytest.mark.parametrize("group", GROUPS)
def test_clipping_uses_the_global_gradient(results, group):
    two = _ok(results, group, "clip/2")["weights"]
    one = _ok(results, group, "clip/0")["weights"]
    _assert_same_weights(two, one)


@pytest.mark.parametrize("group", GROUPS)
def test_non_finite_gradient_on_one_replica_skips_every_replica(results,
                                                                group):
    """inf on replica 1 only: no replica updates `w`, the step stays 0 and
    the scale halves (4 -> 2); then a finite step: w = -0.1 * (1 + 2)."""
    (w1, step1, scale1), (w2, step2, scale2) = _ok(results, group, "skip")
    assert (w1, step1, scale1) == (0.0, 0.0, 2.0)
    assert (step2, scale2) == (1.0, 2.0)
    assert w2 == pytest.approx(-0.3)


if __name__ == "__main__":
    print("RESULT " + json.dumps(run_group(sys.argv[1])), flush=True)
