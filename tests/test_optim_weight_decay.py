"""`AdamWOptimizer`, `MomentumWOptimizer`, `extend_with_decoupled_weight_decay`
against NumPy references of TF 1.15's update rules (decay first, then the
base update), in graph and eager mode, and their checkpoint names."""
import inspect
import os

import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules.optim.weight_decay import (
    AdamWOptimizer, DecoupledWeightDecayExtension, MomentumWOptimizer,
    extend_with_decoupled_weight_decay)

W0 = np.array([1.0, -2.0, 0.5], np.float32)
C = np.array([0.5, 1.0, 2.0], np.float32)
D = np.array([0.1, -0.3, 0.2], np.float32)
STEPS = 4
# Adam's float32 `m / (sqrt(v) + eps)` differs from float64 in the 5th digit.
ADAM_RTOL, ADAM_ATOL = 1e-4, 1e-6


def _grad(w):
    # loss = sum(C * w**2 / 2 + D * w)
    return C * w + D


def _loss(w):
    return tf.reduce_sum(C * w * w / 2 + D * w)


def adamw_reference(w, steps, wd, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    w = w.astype(np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t in range(1, steps + 1):
        g = _grad(w)
        w = w - wd * w
        lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return np.array(out)


def momentumw_reference(w, steps, wd, lr, momentum, nesterov=False):
    w = w.astype(np.float64)
    accum = np.zeros_like(w)
    out = []
    for _ in range(steps):
        g = _grad(w)
        w = w - wd * w
        accum = momentum * accum + g
        w = w - lr * (g + momentum * accum if nesterov else accum)
        out.append(w.copy())
    return np.array(out)


def run_steps(mode, make_optimizer, steps=STEPS, **minimize_kwargs):
    """Values of `w` after each of `steps` `minimize` steps."""
    if mode.graph:
        with tf.Graph().as_default():
            w = tf.compat.v1.get_variable("w", initializer=W0)
            train = make_optimizer().minimize(_loss(w), **minimize_kwargs)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                out = []
                for _ in range(steps):
                    sess.run(train)
                    out.append(sess.run(w))
                return np.array(out)
    w = tf.Variable(W0, name="w")
    optimizer = make_optimizer()
    out = []
    for _ in range(steps):
        optimizer.minimize(lambda: _loss(w), var_list=[w], **minimize_kwargs)
        out.append(w.numpy())
    return np.array(out)


def test_adamw_matches_tf1_rule(mode):
    got = run_steps(mode, lambda: AdamWOptimizer(0.05, learning_rate=0.1))
    np.testing.assert_allclose(got, adamw_reference(W0, STEPS, 0.05, 0.1),
                               rtol=ADAM_RTOL, atol=ADAM_ATOL)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentumw_matches_tf1_rule(mode, nesterov):
    got = run_steps(mode, lambda: MomentumWOptimizer(
        0.1, 0.2, 0.9, use_nesterov=nesterov))
    want = momentumw_reference(W0, STEPS, 0.1, 0.2, 0.9, nesterov)
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


def test_decay_is_not_scaled_by_the_learning_rate(mode):
    # TF1 decays by `weight_decay` alone: a zero learning rate still decays.
    got = run_steps(mode, lambda: MomentumWOptimizer(0.25, 0.0, 0.9), 2)
    np.testing.assert_allclose(got, [W0 * 0.75, W0 * 0.75 ** 2], rtol=1e-6)


def test_callable_weight_decay_in_eager():
    calls = []

    def weight_decay():
        calls.append(1)
        return 0.5

    w = tf.Variable(W0)
    MomentumWOptimizer(weight_decay, 0.0, 0.0).minimize(
        lambda: _loss(w), var_list=[w])
    np.testing.assert_allclose(w.numpy(), W0 * 0.5)
    assert calls == [1]


def _two_variables_graph(step_fn):
    with tf.Graph().as_default():
        a = tf.compat.v1.get_variable("a", initializer=W0)
        b = tf.compat.v1.get_variable("b", initializer=W0)
        loss = tf.reduce_sum(a * 0.0) + tf.reduce_sum(b * 0.0)
        train = step_fn(MomentumWOptimizer(0.5, 0.1, 0.0), loss, a, b)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            return sess.run([a, b])


@pytest.mark.parametrize("how", ["apply_gradients", "minimize"])
def test_decay_var_list_selects_the_decayed_variables(how):
    def step(opt, loss, a, b):
        if how == "minimize":
            return opt.minimize(loss, decay_var_list=[b])
        return opt.apply_gradients(opt.compute_gradients(loss),
                                   decay_var_list=[b])

    a, b = _two_variables_graph(step)
    np.testing.assert_allclose(a, W0)  # zero gradient, not in the list
    np.testing.assert_allclose(b, W0 * 0.5)


def test_empty_decay_var_list_decays_nothing():
    a, b = _two_variables_graph(
        lambda opt, loss, a, b: opt.minimize(loss, decay_var_list=[]))
    np.testing.assert_allclose(a, W0)
    np.testing.assert_allclose(b, W0)


def test_decay_list_of_one_call_does_not_leak_into_the_next(mode):
    def build(opt, loss, a, b):
        first = opt.minimize(loss, decay_var_list=[b])
        with tf.control_dependencies([first]):
            return opt.minimize(loss)  # None: decay both

    a, b = _two_variables_graph(build)
    np.testing.assert_allclose(a, W0 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(b, W0 * 0.25, rtol=1e-6)


@pytest.mark.parametrize("use_resource", [True, False])
def test_sparse_gradients_decay_only_their_rows(use_resource):
    table0 = np.arange(8, dtype=np.float32).reshape(4, 2) + 1.0
    with tf.Graph().as_default():
        table = tf.compat.v1.get_variable(
            "table", initializer=table0, use_resource=use_resource)
        rows = tf.gather(table, [0, 2])
        opt = AdamWOptimizer(0.1, learning_rate=0.01)
        train = opt.minimize(tf.reduce_sum(rows))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            got = sess.run(table)
    want = table0.astype(np.float64).copy()
    want[[0, 2]] *= 0.9
    # Adam's first step moves every touched entry by lr (m / sqrt(v) = 1).
    want[[0, 2]] -= 0.01 * (1.0 / (1.0 + 1e-8 / np.sqrt(0.001)))
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_ref_variables_follow_the_same_rule():
    # Under TF1 behaviour (`disable_v2_behavior`) variables are RefVariables.
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=W0, use_resource=False)
        train = AdamWOptimizer(0.05, learning_rate=0.1).minimize(_loss(w))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            got = []
            for _ in range(STEPS):
                sess.run(train)
                got.append(sess.run(w))
    np.testing.assert_allclose(got, adamw_reference(W0, STEPS, 0.05, 0.1),
                               rtol=ADAM_RTOL, atol=ADAM_ATOL)


def _checkpoint_names(make_optimizer, tmp_path):
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("net/w", initializer=W0)
        step = tf.compat.v1.train.get_or_create_global_step()
        train = make_optimizer().minimize(_loss(w), global_step=step)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            path = saver.save(sess, os.path.join(str(tmp_path), "model"))
    return {name for name, _ in tf.train.list_variables(path)}


def test_adamw_checkpoint_names_as_tf1_wrote_them(tmp_path):
    names = _checkpoint_names(lambda: AdamWOptimizer(0.01), tmp_path)
    assert names == {"net/w", "net/w/AdamW", "net/w/AdamW_1", "beta1_power",
                     "beta2_power", "global_step"}


def test_momentumw_checkpoint_names_as_tf1_wrote_them(tmp_path):
    names = _checkpoint_names(lambda: MomentumWOptimizer(0.01, 0.1, 0.9),
                              tmp_path)
    assert names == {"net/w", "net/w/MomentumW", "global_step"}


def test_extend_with_decoupled_weight_decay_sgd(mode):
    sgdw = extend_with_decoupled_weight_decay(
        tf.compat.v1.train.GradientDescentOptimizer)
    assert issubclass(sgdw, DecoupledWeightDecayExtension)
    got = run_steps(mode, lambda: sgdw(0.1, 0.2))  # positional learning rate
    w = W0.astype(np.float64)
    want = []
    for _ in range(STEPS):
        w = w - 0.1 * w - 0.2 * _grad(w)
        want.append(w)
    np.testing.assert_allclose(got, want, rtol=2e-6)


def test_extended_adam_equals_adamw(mode):
    adam = extend_with_decoupled_weight_decay(tf.compat.v1.train.AdamOptimizer)
    got = run_steps(mode, lambda: adam(weight_decay=0.05, learning_rate=0.1))
    np.testing.assert_allclose(got, adamw_reference(W0, STEPS, 0.05, 0.1),
                               rtol=ADAM_RTOL, atol=ADAM_ATOL)


def test_extended_class_rejects_arguments_the_base_does_not_take():
    sgdw = extend_with_decoupled_weight_decay(
        tf.compat.v1.train.GradientDescentOptimizer)
    with pytest.raises(TypeError):
        sgdw(0.1, 0.2, False, "SGDW", "extra")


def test_signatures_are_tf1s():
    adamw = inspect.signature(AdamWOptimizer.__init__)
    assert str(adamw) == ("(self, weight_decay, learning_rate=0.001, "
                          "beta1=0.9, beta2=0.999, epsilon=1e-08, "
                          "use_locking=False, name='AdamW')")
    momentumw = inspect.signature(MomentumWOptimizer.__init__)
    assert str(momentumw) == ("(self, weight_decay, learning_rate, momentum, "
                              "use_locking=False, name='MomentumW', "
                              "use_nesterov=False)")
    assert "decay_var_list" in inspect.signature(
        AdamWOptimizer.minimize).parameters
    assert list(inspect.signature(
        AdamWOptimizer.apply_gradients).parameters) == [
        "self", "grads_and_vars", "global_step", "name", "decay_var_list"]
