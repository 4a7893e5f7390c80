"""TF1's loss-scale managers and `LossScaleOptimizer` against NumPy references:
the manager's counters over a run of finite / non-finite steps, and the
wrapped optimizer over several steps including steps with inf gradients."""
import inspect
import os

import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules.optim.loss_scale_manager import (
    ExponentialUpdateLossScaleManager, FixedLossScaleManager,
    LossScaleManager, LossScaleOptimizer)


def manager_reference(flags, init, incr_n, decr_n, incr_ratio, decr_ratio):
    """TF 1.15's rule: (scale, good, bad) after each step."""
    scale, good, bad = np.float32(init), 0, 0
    out = []
    for finite in flags:
        if finite:
            if good + 1 >= incr_n:
                bigger = np.float32(scale * np.float32(incr_ratio))
                scale = bigger if np.isfinite(bigger) else scale
                good = bad = 0
            else:
                good += 1
        elif bad + 1 >= decr_n:
            smaller = np.float32(scale * np.float32(decr_ratio))
            scale = max(np.float32(1.0), smaller)
            good = bad = 0
        else:
            bad, good = bad + 1, 0
        out.append((float(scale), good, bad))
    return out


def run_manager(mode, flags, **kwargs):
    if mode.graph:
        with tf.Graph().as_default():
            manager = ExponentialUpdateLossScaleManager(**kwargs)
            finite = tf.compat.v1.placeholder(tf.bool, [])
            update = manager.update_loss_scale(finite)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                out = []
                for flag in flags:
                    sess.run(update, {finite: flag})
                    out.append(tuple(sess.run(manager.variables())))
                return [(float(s), int(g), int(b)) for s, g, b in out]
    manager = ExponentialUpdateLossScaleManager(**kwargs)
    out = []
    for flag in flags:
        assert manager.update_loss_scale(tf.constant(flag)) is None
        out.append(tuple(v.numpy() for v in manager.variables()))
    return [(float(s), int(g), int(b)) for s, g, b in out]


FLAGS = [True, True, False, True, False, True, True, True, False, False,
         False, True]


@pytest.mark.parametrize("kwargs", [
    dict(init_loss_scale=16.0, incr_every_n_steps=2,
         decr_every_n_nan_or_inf=2, incr_ratio=2, decr_ratio=0.5),
    dict(init_loss_scale=2.0 ** 32, incr_every_n_steps=3,
         decr_every_n_nan_or_inf=1, incr_ratio=4, decr_ratio=0.8),
    dict(init_loss_scale=1.5, incr_every_n_steps=1,
         decr_every_n_nan_or_inf=2),  # TF1's defaults for the ratios
], ids=["halve-every-2", "seed-like", "defaults"])
def test_exponential_manager_counters(mode, kwargs):
    got = run_manager(mode, FLAGS, **kwargs)
    want = manager_reference(
        FLAGS, kwargs["init_loss_scale"], kwargs["incr_every_n_steps"],
        kwargs["decr_every_n_nan_or_inf"], kwargs.get("incr_ratio", 2),
        kwargs.get("decr_ratio", 0.8))
    assert got == want


def test_exponential_manager_never_overflows_or_drops_below_one(mode):
    up = run_manager(mode, [True] * 3, init_loss_scale=2.0 ** 127,
                     incr_every_n_steps=1)
    assert [s for s, _, _ in up] == [2.0 ** 127] * 3
    down = run_manager(mode, [False] * 3, init_loss_scale=1.5,
                       incr_every_n_steps=1, decr_every_n_nan_or_inf=1,
                       decr_ratio=0.5)
    assert [s for s, _, _ in down] == [1.0] * 3


def test_exponential_manager_variables_as_tf1_named_them(tmp_path):
    with tf.Graph().as_default():
        manager = ExponentialUpdateLossScaleManager(8.0, 10)
        assert [v.dtype.base_dtype for v in manager.variables()] == [
            tf.float32, tf.int32, tf.int32]
        assert tf.compat.v1.trainable_variables() == []
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            path = saver.save(sess, os.path.join(str(tmp_path), "m"))
    assert dict(tf.train.list_variables(path)) == {
        "loss_scale": [], "good_steps": [], "bad_steps": []}
    assert tf.train.load_variable(path, "loss_scale") == 8.0


def test_fixed_manager(mode):
    manager = FixedLossScaleManager(1024)
    if mode.graph:
        with tf.Graph().as_default():
            update = manager.update_loss_scale(tf.constant(False))
            assert update.type == "NoOp"
            with tf.compat.v1.Session() as sess:
                value = sess.run(manager.get_loss_scale())
    else:
        assert manager.update_loss_scale(tf.constant(False)) is None
        value = manager.get_loss_scale().numpy()
    assert value == 1024.0 and value.dtype == np.float32


def test_manager_base_is_abstract():
    with pytest.raises(TypeError):
        LossScaleManager()


def test_signatures_are_tf1s():
    assert str(inspect.signature(ExponentialUpdateLossScaleManager)) == (
        "(init_loss_scale, incr_every_n_steps, decr_every_n_nan_or_inf=2, "
        "incr_ratio=2, decr_ratio=0.8)")
    assert str(inspect.signature(FixedLossScaleManager)) == "(loss_scale)"
    assert str(inspect.signature(LossScaleOptimizer)) == (
        "(opt, loss_scale_manager)")


# ------------------------------------------------------- LossScaleOptimizer --

W0 = np.array([1.0, -2.0], np.float32)
# Per-step inputs; loss = sum(x * w ** 2) / 2, gradient x * w. Steps 2 and 4
# have an inf input (inf gradients), step 5 a NaN.
XS = [np.array(x, np.float32) for x in (
    [1.0, 2.0], [0.5, 1.0], [np.inf, 1.0], [1.0, 1.0], [1.0, -np.inf],
    [2.0, np.nan], [0.25, 0.5], [1.0, 1.0])]
LR = 0.1
MANAGER = dict(init_loss_scale=8.0, incr_every_n_steps=2,
               decr_every_n_nan_or_inf=2, incr_ratio=2, decr_ratio=0.5)


def optimizer_reference():
    """(w, global_step, scale, good, bad) after each step, SGD inside."""
    w = W0.astype(np.float64)
    step = 0
    flags = []
    out = []
    for x in XS:
        with np.errstate(invalid="ignore"):
            g = x * w
        finite = bool(np.all(np.isfinite(g)))
        flags.append(finite)
        if finite:
            w = w - LR * g
            step += 1
        scale, good, bad = manager_reference(
            flags, MANAGER["init_loss_scale"], MANAGER["incr_every_n_steps"],
            MANAGER["decr_every_n_nan_or_inf"], MANAGER["incr_ratio"],
            MANAGER["decr_ratio"])[-1]
        out.append((w.copy(), step, scale, good, bad))
    return out


def run_optimizer(mode, inner=tf.compat.v1.train.GradientDescentOptimizer):
    if mode.graph:
        with tf.Graph().as_default():
            w = tf.compat.v1.get_variable("w", initializer=W0)
            x = tf.compat.v1.placeholder(tf.float32, [2])
            step = tf.compat.v1.train.get_or_create_global_step()
            manager = ExponentialUpdateLossScaleManager(**MANAGER)
            opt = LossScaleOptimizer(inner(LR), manager)
            train = opt.minimize(tf.reduce_sum(x * w * w) / 2,
                                 global_step=step)
            out = []
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                for value in XS:
                    sess.run(train, {x: value})
                    out.append(sess.run([w, step] + manager.variables()))
            return out
    w = tf.Variable(W0, name="w")
    step = tf.compat.v1.train.get_or_create_global_step()
    manager = ExponentialUpdateLossScaleManager(**MANAGER)
    opt = LossScaleOptimizer(inner(LR), manager)
    out = []
    for value in XS:
        assert opt.minimize(lambda: tf.reduce_sum(value * w * w) / 2,
                            global_step=step, var_list=[w]) is None
        out.append([w.numpy(), step.numpy()]
                   + [v.numpy() for v in manager.variables()])
    return out


def test_loss_scale_optimizer_skips_non_finite_steps(mode):
    got = run_optimizer(mode)
    want = optimizer_reference()
    for i, ((w, step, scale, good, bad), (rw, rstep, rscale, rgood, rbad)) in (
            enumerate(zip(got, want))):
        np.testing.assert_allclose(w, rw, rtol=1e-6, err_msg=f"step {i}")
        assert (int(step), float(scale), int(good), int(bad)) == (
            rstep, rscale, rgood, rbad), f"step {i}"


def test_gradients_are_unscaled(mode):
    def build():
        w = tf.Variable(W0, name="w")
        opt = LossScaleOptimizer(
            tf.compat.v1.train.GradientDescentOptimizer(LR),
            FixedLossScaleManager(2.0 ** 20))
        if mode.graph:
            return opt.compute_gradients(tf.reduce_sum(w * w))[0][0]
        return lambda: opt.compute_gradients(
            lambda: tf.reduce_sum(w * w), var_list=[w])[0][0]
    np.testing.assert_array_equal(mode.run(build), 2 * W0)


def test_the_loss_really_is_scaled():
    # float16 compute, float32 variable: the gradient 1e-8 underflows in
    # float16 unless the loss is scaled (here by 2**14), and is unscaled in
    # float32 after the cast back.
    with tf.Graph().as_default():
        w = tf.Variable(1.0)
        c = tf.constant(1e-4, tf.float16)
        loss = tf.cast(tf.cast(w, tf.float16) * c * c, tf.float32)
        plain = tf.compat.v1.train.GradientDescentOptimizer(1.0)
        scaled = LossScaleOptimizer(plain, FixedLossScaleManager(2.0 ** 14))
        (g_plain, _), = plain.compute_gradients(loss, var_list=[w])
        (g_scaled, _), = scaled.compute_gradients(loss, var_list=[w])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            got_plain, got_scaled = sess.run([g_plain, g_scaled])
    assert got_plain == 0.0
    assert got_scaled == pytest.approx(float(np.float16(1e-4)) ** 2, rel=1e-3)


def test_seed_000_fp16_path_tf_gradients_then_apply():
    """Seed 000's `create_optimizer(manual_fp16=True)`: `tf.gradients`,
    global-norm clipping, `apply_gradients` on the wrapper."""
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=W0)
        x = tf.compat.v1.placeholder(tf.float32, [2])
        step = tf.compat.v1.train.get_or_create_global_step()
        manager = ExponentialUpdateLossScaleManager(
            init_loss_scale=2 ** 32, incr_every_n_steps=1000,
            decr_every_n_nan_or_inf=2, decr_ratio=0.5)
        opt = LossScaleOptimizer(tf.compat.v1.train.AdamOptimizer(0.01),
                                 manager)
        grads = tf.gradients(tf.reduce_sum(x * w), [w])
        grads, _ = tf.clip_by_global_norm(grads, clip_norm=1.0)
        train = opt.apply_gradients(list(zip(grads, [w])), global_step=step)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for value in ([1.0, 1.0], [np.inf, 1.0], [np.inf, 1.0]):
                before = sess.run(w)
                sess.run(train, {x: value})
            after, steps, (scale, good, bad) = sess.run(
                [w, step, manager.variables()])
    np.testing.assert_array_equal(after, before)  # the inf steps changed nothing
    assert steps == 1
    assert (scale, good, bad) == (2.0 ** 31, 0, 0)  # two bad steps: halved


def test_adam_slots_and_names_through_the_wrapper(tmp_path):
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=W0)
        manager = ExponentialUpdateLossScaleManager(4.0, 10)
        adam = tf.compat.v1.train.AdamOptimizer(0.1)
        opt = LossScaleOptimizer(adam, manager)
        train = opt.minimize(tf.reduce_sum(w * w))
        assert opt.get_slot(w, "m") is adam.get_slot(w, "m")
        assert sorted(opt.get_slot_names()) == ["m", "v"]
        assert all(any(v is o for o in opt.variables())
                   for v in manager.variables())
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            path = saver.save(sess, os.path.join(str(tmp_path), "m"))
    assert {n for n, _ in tf.train.list_variables(path)} == {
        "w", "w/Adam", "w/Adam_1", "beta1_power", "beta2_power",
        "loss_scale", "good_steps", "bad_steps"}
