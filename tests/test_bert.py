"""BERT recipe: the curve, AdamWeightDecayOptimizer, create_optimizer, fp16."""
import inspect
import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, strategies as st

from tf1_schedules.optim.bert import (AdamWeightDecayOptimizer, bert_optimizer,
                                create_optimizer)
from tf1_schedules.schedules.bert_curve import bert_learning_rate
from tf1_schedules.optim.groups import Group
from tf1_schedules.optim.loss_scale import DynamicLossScale
from tf1_schedules.optim.grouped import GroupedOptimizer, minimize_groups

V1 = tf.compat.v1


def upstream_learning_rate(init_lr, global_step, num_train_steps,
                           num_warmup_steps):
    """google-research/bert `create_optimizer`'s curve, as written there."""
    learning_rate = tf.constant(value=init_lr, shape=[], dtype=tf.float32)
    learning_rate = V1.train.polynomial_decay(
        learning_rate, global_step, num_train_steps, end_learning_rate=0.0,
        power=1.0, cycle=False)
    if num_warmup_steps:
        global_steps_int = tf.cast(global_step, tf.int32)
        warmup_steps_int = tf.constant(num_warmup_steps, dtype=tf.int32)
        global_steps_float = tf.cast(global_steps_int, tf.float32)
        warmup_steps_float = tf.cast(warmup_steps_int, tf.float32)
        warmup_percent_done = global_steps_float / warmup_steps_float
        warmup_learning_rate = init_lr * warmup_percent_done
        is_warmup = tf.cast(global_steps_int < warmup_steps_int, tf.float32)
        learning_rate = ((1.0 - is_warmup) * learning_rate
                         + is_warmup * warmup_learning_rate)
    return learning_rate


def adamw_reference(p, m, v, g, lr, decay_rate):
    """BERT's AdamWeightDecay update in float64 NumPy (no bias correction)."""
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    update = m / (np.sqrt(v) + 1e-6) + decay_rate * p
    return p - lr * update, m, v


# ------------------------------------------------------------- the curve --

@pytest.mark.parametrize("args, steps, expected", [
    ((1.0, 10, 4), range(12),
     [0, .25, .5, .75, .6, .5, .4, .3, .2, .1, 0, 0]),
    ((1.0, 10, 0), range(12),
     [1, .9, .8, .7, .6, .5, .4, .3, .2, .1, 0, 0]),
    ((1.0, 10, None), [0, 5], [1, .5]),
    ((1e-4, 1000, 100), [0, 99, 100], [0, 9.9e-5, 9.0e-5]),
], ids=["N10-W4", "no-warmup", "warmup-None", "N1000-W100"])
def test_curve_golden_values(mode, args, steps, expected):
    init_lr, n, w = args
    values = mode.values(lambda gs: bert_learning_rate(init_lr, gs, n, w),
                         steps)
    np.testing.assert_allclose(values, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("args", [(1.0, 10, 4), (1e-4, 1000, 100),
                                  (5e-5, 2000, 0), (3e-5, 77, 13)])
def test_curve_is_bit_identical_to_bert(graph, args):
    steps = tf.constant(np.arange(0, 2100, dtype=np.int64))
    ours = bert_learning_rate(args[0], steps, *args[1:])
    theirs = upstream_learning_rate(args[0], steps, *args[1:])
    with V1.Session() as sess:
        ours, theirs = sess.run([ours, theirs])
    np.testing.assert_array_equal(ours, theirs)


@given(n=st.integers(1, 10**6), fraction=st.floats(0, 1),
       steps=st.lists(st.integers(0, 2 * 10**6), min_size=1, max_size=8))
def test_curve_matches_bert_for_any_schedule(n, fraction, steps):
    w = int(n * fraction)
    with tf.Graph().as_default():
        step = tf.constant(np.array(steps + [w, max(w - 1, 0)], np.int64))
        ours = bert_learning_rate(2e-5, step, n, w)
        theirs = upstream_learning_rate(2e-5, step, n, w)
        with V1.Session() as sess:
            ours, theirs = sess.run([ours, theirs])
    np.testing.assert_array_equal(ours, theirs)


def test_curve_op_names(graph):
    assert bert_learning_rate(1.0, 3, 10, 2).name == "BertLearningRate:0"
    with tf.name_scope("outer"):
        named = bert_learning_rate(1.0, 3, 10, 0, name="lr")
    assert named.name == "outer/lr:0"


def test_continuous_curve(mode):
    values = mode.values(
        lambda gs: bert_learning_rate(1.0, gs, 10, 4, continuous=True),
        range(12))
    np.testing.assert_allclose(
        values, [0, .25, .5, .75, 1, 5 / 6, 4 / 6, .5, 2 / 6, 1 / 6, 0, 0],
        rtol=1e-6, atol=1e-7)
    hf = mode.values(
        lambda gs: bert_learning_rate(1e-4, gs, 1000, 100, continuous=True),
        [100, 550, 1000])
    np.testing.assert_allclose(hf, [1e-4, 5e-5, 0.0], rtol=1e-6)


def test_curve_past_int32(mode):
    big = 2**31 + 5
    decaying = mode.values(
        lambda gs: bert_learning_rate(1.0, gs, 2**32, 10), [big])
    warming = mode.values(
        lambda gs: bert_learning_rate(1.0, gs, 2**33, 2**31 + 10), [big])
    # BERT's int32 cast wraps to -2147483643: warmup again, a negative rate.
    np.testing.assert_allclose([decaying[0], warming[0]],
                               [1 - big / 2**32, big / (big + 5)], rtol=1e-6)


@pytest.mark.parametrize("kwargs, exc, text", [
    ({"num_train_steps": 0}, ValueError, "`num_train_steps` must be >= 1"),
    ({"num_train_steps": 10.5}, TypeError, "`num_train_steps` must be an "
     "integer"),
    ({"num_warmup_steps": -1}, ValueError, "`num_warmup_steps` must be >= 0"),
    ({"num_warmup_steps": 10, "continuous": True}, ValueError,
     "`num_train_steps` must be > num_warmup_steps = 10 with continuous=True"),
    ({"init_lr": "1e-4"}, TypeError, "`init_lr` must be"),
    ({"continuous": 1}, TypeError, "`continuous` must be a bool"),
], ids=["zero-steps", "float-steps", "negative-warmup", "continuous-W>=N",
        "string-lr", "int-flag"])
def test_curve_validation(kwargs, exc, text):
    args = {"init_lr": 1.0, "global_step": 3, "num_train_steps": 10,
            "num_warmup_steps": 2, **kwargs}
    with pytest.raises(exc, match=re.escape(text)):
        bert_learning_rate(args.pop("init_lr"), args.pop("global_step"),
                           args.pop("num_train_steps"),
                           args.pop("num_warmup_steps"), **args)


def test_signatures():
    params = inspect.signature(create_optimizer).parameters
    positional = [p.name for p in params.values()
                  if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == ["loss", "init_lr", "num_train_steps",
                          "num_warmup_steps", "use_tpu"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params.values()
               if p.name not in positional)
    assert str(inspect.signature(AdamWeightDecayOptimizer)) == (
        "(learning_rate, weight_decay_rate=0.0, beta_1=0.9, beta_2=0.999, "
        "epsilon=1e-06, exclude_from_weight_decay=None, "
        "name='AdamWeightDecayOptimizer')")


# ------------------------------------------------- AdamWeightDecayOptimizer --

def _run_optimizer(mode, make_optimizer, initial, loss_fn, steps):
    """Variable values after each of `steps` `minimize` runs."""
    if mode.graph:
        with tf.Graph().as_default():
            variables = [tf.Variable(v, name=n) for n, v in initial]
            train_op = make_optimizer().minimize(loss_fn(variables))
            with V1.Session() as sess:
                sess.run(V1.global_variables_initializer())
                return [sess.run(variables) for _ in range(steps)
                        if sess.run(train_op) is None]
    variables = [tf.Variable(v, name=n) for n, v in initial]
    optimizer = make_optimizer()
    history = []
    for _ in range(steps):
        optimizer.minimize(lambda: loss_fn(variables), var_list=variables)
        history.append([v.numpy() for v in variables])
    return history


def test_adamw_update_matches_bert_rule(mode):
    x = np.array([0.4, 0.2, -0.5], np.float32)
    initial = [("layer/kernel", np.array([0.1, -0.2, -0.1], np.float32)),
               ("layer/bias", np.array([0.3, 0.1, 0.2], np.float32))]

    def loss(variables):
        kernel, bias = variables
        return tf.reduce_mean((x - kernel) ** 2 + (x - bias) ** 3)

    history = _run_optimizer(mode, lambda: AdamWeightDecayOptimizer(
        0.05, weight_decay_rate=0.1, exclude_from_weight_decay=["bias"]),
        initial, loss, 3)
    state = [(p.astype(np.float64), 0.0, 0.0) for _, p in initial]
    for values in history:
        for i, (p, m, v) in enumerate(state):
            g = (-2 * (x - p) if i == 0 else -3 * (x - p) ** 2) / 3
            state[i] = adamw_reference(p, m, v, g, 0.05, 0.1 if i == 0 else 0)
        for (p, _, _), got in zip(state, values):
            np.testing.assert_allclose(got, p, rtol=2e-6)


def test_bert_optimization_test(mode):
    """google-research/bert optimization_test: w -> x after 100 applies."""
    x = np.array([0.4, 0.2, -0.5], np.float32)
    history = _run_optimizer(
        mode, lambda: AdamWeightDecayOptimizer(learning_rate=0.2),
        [("w", np.array([0.1, -0.2, -0.1], np.float32))],
        lambda v: tf.reduce_mean(tf.square(x - v[0])), 100)
    np.testing.assert_allclose(history[-1][0], x, rtol=1e-2, atol=1e-2)


def test_weight_decay_exclusions_are_substring_searches(graph):
    names = ["dense/kernel", "dense/biases", "bias_free/kernel",
             "encoder/LayerNorm/gamma", "layer_norm/beta"]
    variables = [tf.Variable([2.0], name=n) for n in names]
    optimizer = AdamWeightDecayOptimizer(
        0.5, weight_decay_rate=0.1,
        exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"])
    zero_loss = 0.0 * tf.add_n([tf.reduce_sum(v) for v in variables])
    train_op = optimizer.minimize(zero_loss)
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        sess.run(train_op)
        values = [float(v[0]) for v in sess.run(variables)]
    assert values == pytest.approx([2.0 * (1 - 0.05), 2, 2, 2, 2])


def test_slot_names_are_berts_and_a_second_instance_does_not_collide(graph):
    w = tf.Variable([1.0], name="bert/encoder/kernel")
    first = AdamWeightDecayOptimizer(0.1)
    first.minimize(tf.reduce_sum(w * w))
    second = AdamWeightDecayOptimizer(0.1, name="other")
    second.minimize(tf.reduce_sum(w * w))
    assert first.get_slot(w, "adam_m").op.name == "bert/encoder/kernel/adam_m"
    assert first.get_slot(w, "adam_v").op.name == "bert/encoder/kernel/adam_v"
    assert second.get_slot(w, "adam_m").op.name == (
        "bert/encoder/kernel/adam_m_1")
    slot = first.get_slot(w, "adam_m")
    assert not slot.trainable and slot.dtype.base_dtype == tf.float32
    assert slot.aggregation == tf.VariableAggregation.MEAN


def test_sparse_gradients_apply_like_dense(mode):
    ids = [0, 2, 2]

    def gathered(variables):
        return tf.reduce_sum(tf.gather(variables[0], ids) ** 2)

    def dense(variables):
        one_hot = tf.one_hot(ids, 4)
        return tf.reduce_sum((one_hot @ variables[0]) ** 2)

    table = np.arange(8, dtype=np.float32).reshape(4, 2) / 8
    runs = [_run_optimizer(
        mode, lambda: AdamWeightDecayOptimizer(0.1, weight_decay_rate=0.01),
        [("embeddings", table)], loss, 2) for loss in (gathered, dense)]
    np.testing.assert_allclose(runs[0][-1][0], runs[1][-1][0], rtol=1e-6)
    assert not np.allclose(runs[0][-1][0], table)


def _adamw_numpy(p, grads, steps, dtype, lr=0.1, wd=0.01, eps=1e-6):
    """BERT's rule in `dtype` NumPy arithmetic (float32 for halves), with
    the new value rounded to the variable's dtype after every step."""
    compute = np.float32 if dtype in (np.float16, "bfloat16") else dtype
    c = lambda x: compute(x)  # noqa: E731
    m = v = np.zeros(p.shape, compute)
    g = grads.astype(compute)
    history = []
    for _ in range(steps):
        m = c(0.9) * m + c(1.0 - 0.9) * g
        v = c(0.999) * v + c(1.0 - 0.999) * np.square(g)
        update = m / (np.sqrt(v) + c(eps)) + c(wd) * p.astype(compute)
        p = (p.astype(compute) - c(lr) * update).astype(p.dtype)
        history.append(p)
    return history, m, v


@pytest.mark.parametrize("dtype", [tf.float64, tf.float16],
                         ids=lambda d: d.name)
def test_adamw_float64_and_float16_variables(mode, dtype):
    """float64: computed in float64; float16: float32 moments and update,
    cast back. grads = c exactly (a linear loss); 1e-4 ** 2 underflows
    float16, so a float16 `v` would give a wrong step."""
    np_dtype = dtype.as_numpy_dtype
    c = np.array([1e-4, 0.5, -2.0], np_dtype)
    initial = np.array([0.3, -0.7, 1.1], np_dtype)
    history = _run_optimizer(
        mode, lambda: AdamWeightDecayOptimizer(0.1, weight_decay_rate=0.01),
        [("dense/kernel", initial)],
        lambda v: tf.reduce_sum(tf.constant(c) * v[0]), 3)
    want, _, _ = _adamw_numpy(initial, c, 3, np_dtype)
    for got, expected in zip(history, want):
        assert got[0].dtype == np_dtype
        if dtype == tf.float64:
            np.testing.assert_allclose(got[0], expected, rtol=1e-14)
        else:
            np.testing.assert_array_equal(got[0], expected)


def test_adamw_half_precision_slots_are_float32(graph):
    w = tf.Variable(np.ones(2, np.float16), name="w")
    d = tf.Variable(np.ones(2, np.float64), name="d")
    optimizer = AdamWeightDecayOptimizer(0.1)
    optimizer.minimize(tf.cast(tf.reduce_sum(w), tf.float64)
                       + tf.reduce_sum(d))
    assert optimizer.get_slot(w, "adam_m").dtype.base_dtype == tf.float32
    assert optimizer.get_slot(w, "adam_v").op.name == "w/adam_v"
    assert optimizer.get_slot(d, "adam_v").dtype.base_dtype == tf.float64


def test_adamw_validation():
    cases = [({"weight_decay_rate": -1}, ValueError, "`weight_decay_rate`"),
             ({"beta_1": 1.0}, ValueError, "`beta_1` must be < 1"),
             ({"epsilon": -1e-6}, ValueError, "`epsilon` must be > 0"),
             ({"epsilon": 0}, ValueError, "`epsilon` must be > 0"),
             ({"epsilon": 1e-50}, ValueError, "`epsilon` must be > 0 in "
              "float32"),
             ({"exclude_from_weight_decay": "bias"}, TypeError,
              "list of regex strings"),
             ({"name": ""}, TypeError, "`name` must be a non-empty string")]
    for kwargs, exc, text in cases:
        with pytest.raises(exc, match=re.escape(text)):
            AdamWeightDecayOptimizer(0.1, **kwargs)


# -------------------------------------------------------- create_optimizer --

def test_create_optimizer_follows_the_curve_and_counts_each_step_once(graph):
    """With zero gradients the update is pure weight decay, `lr * 0.01 * w`,
    so each run reveals the learning rate it used."""
    w = tf.Variable([1.0], name="w")
    train_op = create_optimizer(0.0 * tf.reduce_sum(w), 1.0, 10, 4)
    gs = V1.train.get_global_step()
    rates = []
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        for _ in range(12):
            before = sess.run(w)[0]
            sess.run(train_op)
            rates.append((1 - sess.run(w)[0] / before) / 0.01)
        assert sess.run(gs) == 12
    np.testing.assert_allclose(
        rates, [0, .25, .5, .75, .6, .5, .4, .3, .2, .1, 0, 0], atol=1e-5)


def test_create_optimizer_reads_the_step_before_incrementing_it(graph):
    """lr(0) = 0: a first run that read the incremented step would move w."""
    w = tf.Variable(np.ones(32, np.float32), name="w")
    train_op = create_optimizer(0.0 * tf.reduce_sum(w), 1.0, 10, 4)
    init = V1.global_variables_initializer()
    moved = 0
    with V1.Session() as sess:
        for _ in range(200):
            sess.run(init)
            sess.run(train_op)
            moved += not np.array_equal(sess.run(w), np.ones(32))
    assert moved == 0


def test_create_optimizer_matches_a_numpy_bert_step(graph):
    """Clipping by global norm 1.0 across variables, then AdamWeightDecay."""
    x = np.array([4.0, -3.0], np.float32)
    kernel = tf.Variable([0.5, 1.0], name="dense/kernel")
    bias = tf.Variable([1.0], name="dense/bias")
    loss = 10.0 * tf.reduce_sum((x - kernel) ** 2) + 5.0 * tf.reduce_sum(
        bias ** 2)
    train_op = create_optimizer(loss, 0.1, 100, 2)
    p = [np.array([0.5, 1.0]), np.array([1.0])]
    m, v = [0.0, 0.0], [0.0, 0.0]
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        for step in range(4):
            grads = [-20.0 * (x - p[0]), 10.0 * p[1]]
            norm = np.sqrt(sum(np.sum(g * g) for g in grads))
            grads = [g * 1.0 / max(norm, 1.0) for g in grads]
            lr = 0.1 * step / 2 if step < 2 else 0.1 * (1 - step / 100)
            for i, decay_rate in enumerate([0.01, 0.0]):
                p[i], m[i], v[i] = adamw_reference(p[i], m[i], v[i],
                                                   grads[i], lr, decay_rate)
            sess.run(train_op)
            got = sess.run([kernel, bias])
            for want, have in zip(p, got):
                np.testing.assert_allclose(have, want, rtol=1e-5)


def test_create_optimizer_refuses_eager_mode_and_bert_optimizer_runs(mode):
    if not mode.graph:
        with pytest.raises(RuntimeError, match="bert_optimizer"):
            create_optimizer(tf.constant(1.0), 1e-3, 10, 2)
    x = np.array([0.4, 0.2, -0.5], np.float32)
    history = _run_optimizer(
        mode, lambda: bert_optimizer(1.0, 10, 4),
        [("w", np.zeros(3, np.float32))],
        lambda v: tf.reduce_sum((x - v[0]) ** 2), 3)
    assert not np.allclose(history[-1][0], 0.0)
    np.testing.assert_array_equal(history[0][0], 0.0)   # lr(0) = 0


def _visible_tpu(monkeypatch):
    """Pretend a TPU device is visible (`in_tpu_context`'s device check)."""
    real = tf.config.list_logical_devices
    fake = [tf.config.LogicalDevice("/device:TPU:0", "TPU")]
    monkeypatch.setattr(tf.config, "list_logical_devices",
                        lambda kind=None: fake if kind == "TPU"
                        else real(kind))


def test_use_tpu_wraps_in_cross_shard_optimizer(graph, monkeypatch):
    _visible_tpu(monkeypatch)
    w = tf.Variable([1.0], name="w")
    create_optimizer(tf.reduce_sum(w * w), 1e-3, 10, 2, True)
    assert any(op.type == "CrossReplicaSum" for op in graph.get_operations())


def test_use_tpu_outside_a_tpu_context_raises_at_build_time(graph):
    """The seed's `manual_fp16` passed 5th lands on `use_tpu`: TF would build
    a CrossReplicaSum that has no CPU kernel and fail in `sess.run`."""
    w = tf.Variable([1.0], name="w")
    loss = tf.reduce_sum(w * w)
    before = len(graph.get_operations())
    with pytest.raises(ValueError, match=re.escape(
            "create_optimizer: `use_tpu` must be False outside a TPU "
            "context")) as info:
        create_optimizer(loss, 1e-3, 10, 2, True)
    assert "The 5th positional argument is upstream BERT's `use_tpu`" in str(
        info.value)
    assert "manual_fp16=True by keyword" in str(info.value)
    assert len(graph.get_operations()) == before
    assert V1.train.get_global_step() is None
    with pytest.raises(ValueError, match="bert_optimizer: `use_tpu`.*4th"):
        bert_optimizer(1e-3, 10, 2, True)


@pytest.mark.parametrize("loss", [None, "x", 3.0], ids=repr)
def test_create_optimizer_and_minimize_groups_check_the_loss(graph, loss):
    tf.Variable([1.0], name="w")
    with pytest.raises(TypeError, match=re.escape(
            "create_optimizer: `loss` must be a floating-point Tensor. "
            f"Received: loss={loss!r}.")):
        create_optimizer(loss, 1e-3, 10, 2)
    with pytest.raises(TypeError, match=re.escape(
            "minimize_groups: `loss` must be a floating-point Tensor or a "
            "zero-argument callable returning one. Received: "
            f"loss={loss!r}.")):
        minimize_groups(loss, [Group("w")], learning_rate=0.1,
                        optimizer_fn=V1.train.GradientDescentOptimizer)
    with pytest.raises(TypeError, match="create_optimizer: `loss` must be a "
                       "floating-point Tensor"):
        create_optimizer(tf.constant(1), 1e-3, 10, 2)
    assert V1.train.get_global_step() is None


def test_grouped_minimize_checks_the_loss_in_eager_mode():
    w = tf.Variable([1.0], name="w")
    optimizer = bert_optimizer(1e-3, 10, 2)
    with pytest.raises(TypeError, match=re.escape(
            "GroupedOptimizer.minimize: `loss` must be a floating-point "
            "Tensor or a zero-argument callable returning one. Received: "
            "loss=None.")):
        optimizer.minimize(None, var_list=[w])


def test_no_trainable_variables_is_said_plainly(graph):
    loss = tf.constant(1.0)
    for call, fn in [(lambda: create_optimizer(loss, 1e-3, 10, 2),
                      "create_optimizer"),
                     (lambda: minimize_groups(
                         loss, [Group("net")], learning_rate=0.1,
                         optimizer_fn=V1.train.GradientDescentOptimizer),
                      "minimize_groups")]:
        with pytest.raises(ValueError, match=re.escape(
                f"{fn}: `loss` must be a loss of trainable variables (there "
                "are no trainable variables in the graph")) as info:
            call()
        assert "re.compile" not in str(info.value)
    assert V1.train.get_global_step() is None
    with pytest.raises(ValueError, match="GroupedOptimizer: `var_list` must "
                       "be non-empty"):
        bert_optimizer(1e-3, 10, 2).minimize(loss, var_list=[])


def test_a_bert_checkpoint_resumes(graph, tmp_path):
    """Variables named as BERT names them (model, adam_m/adam_v, step)."""
    names = ["bert/embeddings/word_embeddings", "bert/encoder/dense/kernel",
             "bert/encoder/LayerNorm/gamma"]
    stored = {}
    with tf.Graph().as_default():
        for i, name in enumerate(names):
            for suffix in ("", "/adam_m", "/adam_v"):
                stored[name + suffix] = np.full([2], i + len(suffix) / 10,
                                                np.float32)
        stored["global_step"] = np.int64(7)
        for name, value in stored.items():
            tf.Variable(value, name=name)
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            V1.train.Saver().save(sess, str(tmp_path / "bert"))
    variables = [tf.Variable(np.zeros(2, np.float32), name=n) for n in names]
    train_op = create_optimizer(tf.add_n([tf.reduce_sum(v * v)
                                          for v in variables]), 1e-3, 10, 2)
    assert sorted(v.op.name for v in V1.global_variables()) == sorted(stored)
    with V1.Session() as sess:
        V1.train.Saver().restore(sess, str(tmp_path / "bert"))
        restored = {v.op.name: sess.run(v) for v in V1.global_variables()}
        sess.run(train_op)
        assert sess.run(V1.train.get_global_step()) == 8
    for name, value in stored.items():
        np.testing.assert_array_equal(restored[name], value)


# ------------------------------------------------------------ manual fp16 --

def _fp16_graph(scale=2.0**32, period=1000):
    """float16 compute on float32 weights; `poison` makes the loss NaN."""
    w = tf.Variable([0.5, -0.25], name="dense/kernel")
    poison = V1.placeholder_with_default(0.0, [])
    h = tf.cast(w, tf.float16) * tf.constant([3.0, 2.0], tf.float16)
    loss = tf.cast(tf.reduce_sum(h * h), tf.float32) * (1.0 + poison)
    optimizer = GroupedOptimizer(
        [Group([w], optimizer=AdamWeightDecayOptimizer(0.1))],
        loss_scale=DynamicLossScale(scale, increment_period=period))
    return w, poison, optimizer.minimize(loss), optimizer


def test_manual_fp16_skips_overflowing_steps_and_lowers_the_scale(graph):
    w, poison, train_op, optimizer = _fp16_graph()
    scale, _ = optimizer.loss_scale.variables()
    gs = V1.train.get_global_step()
    m = optimizer.get_slot(w, "adam_m")
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        sess.run(train_op)    # 2**32 * grad overflows float16: skipped
        assert sess.run(scale) == 2.0**31
        np.testing.assert_array_equal(sess.run(w), [0.5, -0.25])
        assert sess.run(gs) == 0 and not sess.run(m).any()
        while sess.run(gs) == 0:
            sess.run(train_op)
        assert 1.0 <= sess.run(scale) <= 2.0**16
        trained, step_scale = sess.run([w, scale])
        assert not np.array_equal(trained, [0.5, -0.25])
        sess.run(train_op, {poison: np.nan})    # NaN: skipped, scale halves
        np.testing.assert_array_equal(sess.run(w), trained)
        assert sess.run(scale) == step_scale / 2 and sess.run(gs) == 1


def test_loss_scale_grows_after_a_period_of_finite_steps(graph):
    _, _, train_op, optimizer = _fp16_graph(scale=4.0, period=2)
    scale, good = optimizer.loss_scale.variables()
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        seen = [sess.run([scale, good]) for _ in range(4)
                if sess.run(train_op) is None]
    assert seen == [[4.0, 1], [8.0, 0], [8.0, 1], [16.0, 0]]


def test_create_optimizer_manual_fp16(graph):
    w = tf.Variable([0.5], name="w")
    h = tf.cast(w, tf.float16) * tf.constant(3.0, tf.float16)
    loss = tf.cast(tf.reduce_sum(h * h), tf.float32)
    train_op = create_optimizer(loss, 0.1, 100, 0, manual_fp16=True,
                                init_loss_scale=2.0**20)
    scale = [v for v in V1.global_variables()
             if v.op.name == "loss_scale"][0]
    with V1.Session() as sess:
        sess.run(V1.global_variables_initializer())
        sess.run(train_op)
        assert sess.run(scale) == 2.0**19
        np.testing.assert_array_equal(sess.run(w), [0.5])
        for _ in range(8):
            sess.run(train_op)
        assert sess.run(w)[0] < 0.5
        assert 0 < sess.run(V1.train.get_global_step()) < 9


def test_loss_scale_validation():
    for kwargs, text in [({"initial_scale": 0}, "`initial_scale` must be > 0"),
                         ({"increment_period": 1.5}, "must be an integer"),
                         ({"multiplier": 1}, "`multiplier` must be > 1")]:
        with pytest.raises((TypeError, ValueError), match=re.escape(text)):
            DynamicLossScale(**kwargs)


def test_loss_scale_lives_in_one_graph():
    loss_scale = DynamicLossScale()
    with tf.Graph().as_default():
        loss_scale.scale()
    with tf.Graph().as_default():
        with pytest.raises(RuntimeError, match="one DynamicLossScale per"):
            loss_scale.scale()


def test_loss_scale_in_eager_mode():
    w = tf.Variable([0.5, -0.25], name="w")
    optimizer = GroupedOptimizer(
        [Group([w], optimizer=AdamWeightDecayOptimizer(0.1))],
        loss_scale=DynamicLossScale(2.0**32))

    def loss():
        h = tf.cast(w, tf.float16) * tf.constant(3.0, tf.float16)
        return tf.cast(tf.reduce_sum(h * h), tf.float32)

    optimizer.minimize(loss, var_list=[w])
    scale, _ = optimizer.loss_scale.variables()
    assert scale.numpy() == 2.0**31
    np.testing.assert_array_equal(w.numpy(), [0.5, -0.25])
    while V1.train.get_global_step().numpy() == 0:
        optimizer.minimize(loss, var_list=[w])
    assert w.numpy()[0] < 0.5


@pytest.mark.parametrize("kwargs, text", [
    ({"weight_decay_rate": -0.01}, "`weight_decay_rate` must be >= 0"),
    ({"init_loss_scale": 0, "manual_fp16": True},
     "`init_loss_scale` must be > 0"),
    ({"manual_fp16": "yes"}, "`manual_fp16` must be a bool"),
], ids=["decay", "loss-scale", "flag"])
def test_bert_optimizer_checks_before_building_anything(graph, kwargs, text):
    with pytest.raises((TypeError, ValueError), match=re.escape(text)):
        bert_optimizer(1e-4, 100, 10, **kwargs)
    assert graph.get_operations() == []


def test_create_optimizer_errors_name_create_optimizer(graph):
    w = tf.Variable([1.0], name="w")
    with pytest.raises(ValueError, match=re.escape(
            "create_optimizer: `num_train_steps` must be >= 1. "
            "Received: num_train_steps=0.")):
        create_optimizer(tf.reduce_sum(w), 1e-4, 0, 0)
    assert V1.train.get_global_step() is None
