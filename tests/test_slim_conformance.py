"""tf-slim's own tests as a conformance check, and the repairs that came with it.

* The eager guards (`slim.learning.train`, `Supervisor.start_standard_services`)
  and ``patch(disable_eager=...)``: this process runs with eager execution on
  (TF 2's default), which is the case they are for; graph-mode behaviour is
  checked in a child with eager execution disabled.
* The NumPy list-of-slices repair of `assign_from_checkpoint` (graph mode: it
  is TF1 checkpoint code), against NumPy slicing of the saved value.
* The bounded conformance run (slow): `scripts/slim_conformance.py`'s
  `REPAIR_TESTS`, one tf-slim test per repair, each passing with every repair
  and failing with its own repair withheld.
"""
import importlib.util
import inspect
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules.slim_compat  # noqa: F401  (applies the repairs)
from tf1_schedules.slim import repairs

import tf_slim as slim  # noqa: E402  (after the patch, as users would)
from tensorflow.python.training import supervisor  # noqa: E402

v1 = tf.compat.v1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _runner():
    """scripts/slim_conformance.py as a module."""
    path = os.path.join(ROOT, "scripts", "slim_conformance.py")
    spec = importlib.util.spec_from_file_location("slim_conformance", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _quadratic_train_op():
    """loss = sum(w**2), w = [1, -2], SGD(0.1): loss_k = 5 * 0.64**k."""
    w = v1.get_variable("w", initializer=tf.constant([1.0, -2.0]))
    loss = tf.reduce_sum(w * w)
    v1.train.get_or_create_global_step()
    return slim.learning.create_train_op(
        loss, v1.train.GradientDescentOptimizer(0.1))


def _numpy_losses(steps):
    w = np.array([1.0, -2.0])
    losses = []
    for _ in range(steps):
        losses.append(np.sum(w * w))
        w = w - 0.1 * 2 * w
    return losses


# --- eager guards (this process: eager execution on) -------------------------

def test_learning_train_with_logdir_under_eager_raises(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        train_op = _quadratic_train_op()
        n_ops = len(graph.get_operations())
        with pytest.raises(repairs.EagerTrainingError) as err:
            slim.learning.train(train_op, str(tmp_path), number_of_steps=3)
        assert len(graph.get_operations()) == n_ops  # nothing built
    message = str(err.value)
    assert message.startswith("slim.learning.train: eager execution is "
                              "enabled")
    assert "tf.compat.v1.disable_eager_execution()" in message
    assert "python -m tf1_schedules run --tf1" in message
    assert "patch(disable_eager=True)" in message
    assert isinstance(err.value, RuntimeError)
    assert not os.listdir(tmp_path)  # no checkpoint, no events


def test_learning_train_without_logdir_under_eager_still_trains():
    # No logdir: the Supervisor starts no service thread, so the loop works
    # with eager execution on and the guard lets it through.
    with tf.Graph().as_default():
        train_op = _quadratic_train_op()
        loss = slim.learning.train(train_op, None, number_of_steps=3,
                                   log_every_n_steps=0)
    np.testing.assert_allclose(loss, _numpy_losses(3)[-1], rtol=1e-6)


def test_supervisor_services_under_eager_raise(tmp_path):
    with tf.Graph().as_default():
        v1.train.get_or_create_global_step()
        sv = v1.train.Supervisor(logdir=str(tmp_path))
        with pytest.raises(repairs.EagerTrainingError,
                           match=r"^tf\.compat\.v1\.train\.Supervisor\."
                                 r"start_standard_services: eager"):
            with sv.managed_session():
                pass


def test_supervisor_without_logdir_under_eager_still_runs():
    with tf.Graph().as_default():
        step = v1.train.get_or_create_global_step()
        increment = v1.assign_add(step, 1)
        sv = v1.train.Supervisor(logdir=None)
        with sv.managed_session() as sess:
            for _ in range(3):
                sess.run(increment)
            assert sess.run(step) == 3


def test_guards_keep_signatures_and_are_installed_once():
    for function in (slim.learning.train,
                     supervisor.Supervisor.start_standard_services):
        assert getattr(function, repairs._GUARD_MARK)
        assert (inspect.signature(function)
                == inspect.signature(function.__wrapped__))
        assert not getattr(function.__wrapped__, repairs._GUARD_MARK, False)
    report = repairs.patch()
    assert report.guarded == ()
    assert "tf_slim.learning.train" in report.present


def test_disable_eager_must_be_a_bool():
    with pytest.raises(TypeError, match=r"^patch: `disable_eager` must be a "
                       r"bool\. Received: disable_eager='yes'\.$"):
        repairs.patch(disable_eager="yes")
    assert tf.executing_eagerly()


_DISABLE_EAGER = textwrap.dedent("""
    import os, sys
    import tensorflow as tf
    from tf1_schedules.slim import repairs
    assert tf.executing_eagerly()
    report = repairs.patch(disable_eager=True)
    assert report.eager_disabled and report.changed, report
    assert "eager execution: disabled by this call" in str(report)
    assert not tf.executing_eagerly()
    assert not repairs.patch(disable_eager=True).eager_disabled  # once
    import tf_slim as slim
    v1 = tf.compat.v1
    w = v1.get_variable("w", initializer=tf.constant([1.0, -2.0]))
    v1.train.get_or_create_global_step()
    train_op = slim.learning.create_train_op(
        tf.reduce_sum(w * w), v1.train.GradientDescentOptimizer(0.1))
    loss = slim.learning.train(train_op, sys.argv[1], number_of_steps=3,
                               save_summaries_secs=0)
    print("loss", loss, tf.train.latest_checkpoint(sys.argv[1]))
""")


@pytest.mark.slow
def test_patch_disable_eager_lets_learning_train_run(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(
                   [ROOT, os.environ.get("PYTHONPATH", "")]))
    env.pop(repairs.ENV_DISABLE, None)
    proc = subprocess.run([sys.executable, "-c", _DISABLE_EAGER,
                           str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loss, checkpoint = proc.stdout.split("loss ")[-1].split()
    np.testing.assert_allclose(float(loss), _numpy_losses(3)[-1], rtol=1e-6)
    assert checkpoint.endswith("model.ckpt-3")  # three steps trained


# --- assign_from_checkpoint on NumPy >= 1.23 -----------------------------------

def test_slice_list_array_reads_a_list_of_slices_as_a_tuple():
    value = np.arange(12.0).reshape(3, 4)
    view = value.view(repairs._SliceListArray)
    got = view[[slice(1, 3), slice(0, 2)]]
    np.testing.assert_array_equal(got, value[1:3, 0:2])
    assert type(got) is np.ndarray
    np.testing.assert_array_equal(view[[0, 2]], value[[0, 2]])  # fancy index
    with pytest.raises(IndexError):
        value[[slice(1, 3), slice(0, 2)]]  # what NumPy does without it


def test_assign_from_checkpoint_restores_partitioned_variables(tmp_path):
    saved = {"var0": np.array([[10.0, 11.0], [12.0, 13.0], [14.0, 15.0]],
                              np.float32),
             "var1": np.array([20.0], np.float32)}
    with tf.Graph().as_default():
        for name, value in saved.items():
            v1.get_variable(name, initializer=tf.constant(value))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            path = v1.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    with tf.Graph().as_default():
        partitioner = v1.variable_axis_size_partitioner(4)  # 1 row a part
        var0 = slim.variable("var0", shape=[3, 2], partitioner=partitioner)
        var1 = slim.variable("var1", shape=[1], partitioner=partitioner)
        assert len(list(var0)) == 3
        op, feed = slim.assign_from_checkpoint(
            path, {"var0": list(var0), "var1": list(var1)})
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(op, feed)
            got0, got1 = sess.run([tf.identity(var0), tf.identity(var1)])
    np.testing.assert_array_equal(got0, saved["var0"])
    np.testing.assert_array_equal(got1, saved["var1"])


def test_checkpoint_view_is_compat_v1_elsewhere():
    from tf_slim.ops import variables as slim_variables
    view = slim_variables.tf
    assert isinstance(view, repairs._ModuleView)
    assert view.Variable is v1.Variable
    assert view.train.Saver is v1.train.Saver
    assert view._wrapped_module is v1


# --- tf-slim's own tests, bounded -------------------------------------------------

@pytest.mark.slow
def test_each_repair_is_needed_by_a_tf_slim_test(tmp_path):
    runner = _runner()
    package_dir = os.path.dirname(slim.__file__)
    runner.snapshot_repairs(str(tmp_path))
    results = runner.repair_coverage(sys.executable, package_dir,
                                     str(tmp_path), jobs=2, timeout=400)
    every = results.pop("all")
    assert every.status == "ok", every.failures
    expected = {i.split("::", 1)[1] for ids in runner.REPAIR_TESTS.values()
                for i in ids}
    assert every.outcomes == dict.fromkeys(expected, "passed"), \
        every.failures
    for name, result in results.items():
        if result.status == "not needed":  # this TF still has the entry
            continue
        assert result.status == "ok", (name, result.failures)
        tests = {i.split("::", 1)[1] for i in runner.REPAIR_TESTS[name]}
        assert set(result.outcomes) == tests, name
        assert all(o in ("failed", "error")
                   for o in result.outcomes.values()), (name, result.outcomes)
    if tuple(int(p) for p in tf.__version__.split(".")[:2]) >= (2, 21):
        assert all(r.status == "ok" for r in results.values())
