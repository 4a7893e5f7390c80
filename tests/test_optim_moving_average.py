"""`MovingAverageOptimizer` against a NumPy reference of TF1's rule, its
`swapping_saver` checkpoints, and its names."""
import inspect
import os

import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules.optim.moving_average import MovingAverageOptimizer

W0 = np.array([1.0, -2.0, 3.0], np.float32)
C = np.array([1.0, 0.5, -0.25], np.float32)
LR = 0.1
STEPS = 4


def _loss(w):
    return tf.reduce_sum(C * w * w) / 2  # gradient C * w


def reference(decay, num_updates, steps=STEPS):
    """(w, average) after each step: SGD, then the average of the new w."""
    w = W0.astype(np.float64)
    average = w.copy()
    out = []
    for step in range(1, steps + 1):
        w = w - LR * C * w
        d = decay if not num_updates else min(decay, (1 + step) / (10 + step))
        average = average - (1 - d) * (average - w)
        out.append((w.copy(), average.copy()))
    return out


def run(mode, decay, num_updates):
    """`num_updates`: pass the global step (incremented by each step)."""
    if mode.graph:
        with tf.Graph().as_default():
            w = tf.compat.v1.get_variable("w", initializer=W0)
            step = tf.compat.v1.train.get_or_create_global_step()
            opt = MovingAverageOptimizer(
                tf.compat.v1.train.GradientDescentOptimizer(LR), decay,
                num_updates=step if num_updates else None)
            train = opt.minimize(_loss(w), global_step=step)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                out = []
                for _ in range(STEPS):
                    sess.run(train)
                    out.append(sess.run([w, opt.average(w)]))
                return out
    w = tf.Variable(W0, name="w")
    step = tf.compat.v1.train.get_or_create_global_step()
    opt = MovingAverageOptimizer(
        tf.compat.v1.train.GradientDescentOptimizer(LR), decay,
        num_updates=step if num_updates else None)
    out = []
    for _ in range(STEPS):
        assert opt.minimize(lambda: _loss(w), global_step=step,
                            var_list=[w]) is None
        out.append([w.numpy(), opt.average(w).numpy()])
    return out


@pytest.mark.parametrize("num_updates", [False, True],
                         ids=["fixed-decay", "num_updates=global_step"])
def test_average_follows_tf1_rule(mode, num_updates):
    got = run(mode, 0.7, num_updates)
    for (w, average), (rw, raverage) in zip(got, reference(0.7, num_updates)):
        np.testing.assert_allclose(w, rw, rtol=1e-6)
        np.testing.assert_allclose(average, raverage, rtol=1e-6)


def _train_and_save(tmp_path, sequential_update=True):
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("net/w", initializer=W0)
        other = tf.compat.v1.get_variable("other", initializer=5.0,
                                          trainable=False)
        step = tf.compat.v1.train.get_or_create_global_step()
        opt = MovingAverageOptimizer(
            tf.compat.v1.train.MomentumOptimizer(LR, 0.9), 0.5,
            sequential_update=sequential_update)
        train = opt.minimize(_loss(w), global_step=step)
        saver = opt.swapping_saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            values = sess.run({"w": w, "average": opt.average(w),
                               "other": other})
            path = saver.save(sess, os.path.join(str(tmp_path), "model"))
    return path, values


def test_swapping_saver_writes_the_averages_under_the_variable_names(tmp_path):
    path, values = _train_and_save(tmp_path)
    assert not np.allclose(values["w"], values["average"])
    np.testing.assert_array_equal(tf.train.load_variable(path, "net/w"),
                                  values["average"])
    np.testing.assert_array_equal(
        tf.train.load_variable(path, "net/w/ExponentialMovingAverage"),
        values["w"])
    assert tf.train.load_variable(path, "other") == 5.0  # not averaged: as is
    assert {n for n, _ in tf.train.list_variables(path)} == {
        "net/w", "net/w/ExponentialMovingAverage", "net/w/Momentum",
        "other", "global_step"}


def test_plain_saver_restores_the_averages_for_evaluation(tmp_path):
    path, values = _train_and_save(tmp_path)
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("net/w", shape=[3])
        with tf.compat.v1.Session() as sess:
            tf.compat.v1.train.Saver([w]).restore(sess, path)
            np.testing.assert_array_equal(sess.run(w), values["average"])


def test_parallel_update_reads_the_old_or_the_new_value(tmp_path):
    _, values = _train_and_save(tmp_path, sequential_update=False)
    assert np.all(np.isfinite(values["average"]))
    assert not np.allclose(values["average"], W0)


def test_swapping_saver_before_minimize_raises():
    with tf.Graph().as_default():
        tf.compat.v1.get_variable("w", initializer=W0)
        opt = MovingAverageOptimizer(
            tf.compat.v1.train.GradientDescentOptimizer(LR))
        with pytest.raises(RuntimeError, match="Must call apply_gradients"):
            opt.swapping_saver()


def test_wrapper_delegates_slots_and_lists_the_averages():
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=W0)
        momentum = tf.compat.v1.train.MomentumOptimizer(LR, 0.9)
        opt = MovingAverageOptimizer(momentum)
        opt.minimize(_loss(w))
        assert opt.get_slot(w, "momentum") is momentum.get_slot(w, "momentum")
        assert opt.get_slot_names() == ["momentum"]
        assert any(v is opt.average(w) for v in opt.variables())
        assert opt.average(w).op.name == "w/ExponentialMovingAverage"


def test_signature_is_tf1s():
    assert str(inspect.signature(MovingAverageOptimizer)) == (
        "(opt, average_decay=0.9999, num_updates=None, "
        "sequential_update=True)")
    assert str(inspect.signature(MovingAverageOptimizer.swapping_saver)) == (
        "(self, var_list=None, name='swapping_saver', **kwargs)")
