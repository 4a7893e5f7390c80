"""`tensorflow.contrib` for training code (`install_contrib()`): every import
form TF1 code uses, `undo()`, the errors for what is not provided, and the
`framework` / `layers` pieces working in a graph."""
import importlib
import inspect
import os
import sys

import numpy as np
import pytest
import tensorflow as tf
import tf_slim

from tf1_schedules.legacy._contrib_finder import install_contrib
from tf1_schedules.legacy.contrib import PROVIDED
from tf1_schedules.optim import loss_scale_manager, moving_average
from tf1_schedules.optim import weight_decay

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def contrib():
    with install_contrib() as handle:
        yield handle


def run(code):
    """Runs `code` as a module body would; returns its namespace."""
    namespace = {"__name__": "legacy_user_code"}
    exec(compile(code, "<legacy>", "exec"), namespace)
    return namespace


def _contrib_modules():
    return [name for name in sys.modules
            if name.startswith(("tensorflow.contrib",
                                "tensorflow.compat.v1.contrib"))]


# ------------------------------------------------------------ import forms --

def test_import_forms_of_tf1_code(contrib):
    ns = run("import tensorflow as tf\n"
             "import tensorflow.contrib\n"
             "import tensorflow.contrib.slim as slim\n"
             "from tensorflow.contrib import quantize as contrib_quantize\n"
             "from tensorflow.contrib import training as contrib_training\n"
             "from tensorflow.contrib.framework import arg_scope\n"
             "from tensorflow.contrib.slim.nets import resnet_v1\n"
             "from tensorflow.contrib.mixed_precision import "
             "LossScaleOptimizer\n"
             "import tensorflow.compat.v1 as tf1\n"
             "from tensorflow.compat.v1.contrib import opt\n")
    from tf_slim.nets import resnet_v1
    assert ns["slim"] is tf_slim
    assert ns["tf"].contrib.slim is tf_slim
    assert ns["tf1"].contrib.slim is tf_slim
    assert tf.compat.v1.contrib.framework is ns["tf"].contrib.framework
    assert ns["resnet_v1"] is resnet_v1
    assert ns["arg_scope"] is tf_slim.arg_scope
    assert ns["contrib_quantize"].__name__.endswith("contrib.quantize")
    assert ns["contrib_training"].HParams(a=1).a == 1
    assert ns["LossScaleOptimizer"] is loss_scale_manager.LossScaleOptimizer
    assert ns["opt"].AdamWOptimizer is weight_decay.AdamWOptimizer


def test_every_provided_module_imports(contrib):
    for name, target in PROVIDED.items():
        module = importlib.import_module(f"tensorflow.contrib.{name}")
        assert module is importlib.import_module(target)
        assert getattr(tf.contrib, name) is module


def test_aliased_modules_keep_their_own_spec(contrib):
    importlib.import_module("tensorflow.contrib.slim")
    importlib.import_module("tensorflow.contrib.slim.nets")
    assert tf_slim.__spec__.name == "tf_slim"
    assert sys.modules["tf_slim.nets"].__spec__.name == "tf_slim.nets"
    assert sys.modules["tensorflow.contrib.slim.nets"] is sys.modules[
        "tf_slim.nets"]


def test_contents_are_the_package_implementations(contrib):
    assert tf.contrib.opt.MovingAverageOptimizer is (
        moving_average.MovingAverageOptimizer)
    assert tf.contrib.opt.extend_with_decoupled_weight_decay is (
        weight_decay.extend_with_decoupled_weight_decay)
    assert tf.contrib.mixed_precision.ExponentialUpdateLossScaleManager is (
        loss_scale_manager.ExponentialUpdateLossScaleManager)
    assert tf.contrib.layers.conv2d is tf_slim.conv2d
    assert tf.contrib.layers.xavier_initializer is tf_slim.xavier_initializer
    assert tf.contrib.framework.get_variables_to_restore is (
        tf_slim.get_variables_to_restore)
    assert tf.contrib.framework.list_variables is tf.train.list_variables


# ------------------------------------------------------- install and undo --

def test_undo_removes_everything():
    handle = install_contrib()
    importlib.import_module("tensorflow.contrib.slim.nets")
    assert _contrib_modules()
    handle.undo()
    assert not handle.active
    assert _contrib_modules() == []
    assert not hasattr(tf, "contrib")
    assert not hasattr(tf.compat.v1, "contrib")
    assert not hasattr(importlib.import_module("tensorflow.compat.v1"),
                       "contrib")
    assert not [f for f in sys.meta_path
                if type(f).__name__ == "_ContribFinder"]
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("tensorflow.contrib")
    with pytest.raises(ImportError):
        run("from tensorflow.contrib import slim")
    handle.undo()  # a second undo changes nothing


def test_install_is_idempotent_and_a_context_manager():
    with install_contrib() as first:
        second = install_contrib()
        assert second.active and second is not first
        second.undo()  # added nothing, removes nothing
        assert tf.contrib.slim is tf_slim
    assert not first.active and not hasattr(tf, "contrib")
    with install_contrib():  # installs again after an undo
        assert run("import tensorflow.contrib.slim as s")["s"] is tf_slim


# ---------------------------------------------------- what is not provided --

def _assert_names_everything(message, name):
    assert name in message
    for provided in PROVIDED:
        assert f"tensorflow.contrib.{provided}" in message


@pytest.mark.parametrize("code, name", [
    ("import tensorflow.contrib.learn", "tensorflow.contrib.learn"),
    ("from tensorflow.contrib import cudnn_rnn", "tensorflow.contrib.cudnn_rnn"),
    ("from tensorflow.contrib import slim, tpu", "tensorflow.contrib.tpu"),
    ("import tensorflow.contrib.slim.python.slim.learning",
     "tensorflow.contrib.slim.python"),
    ("from tensorflow.compat.v1.contrib import seq2seq",
     "tensorflow.contrib.seq2seq"),
])
def test_unknown_modules_raise_import_error_listing_what_is_provided(
        contrib, code, name):
    with pytest.raises(ImportError) as info:
        run(code)
    assert isinstance(info.value, ModuleNotFoundError)
    _assert_names_everything(str(info.value), name)


def test_unknown_attribute_is_an_attribute_error_with_the_same_message(
        contrib):
    with pytest.raises(AttributeError) as info:
        tf.contrib.data.shuffle_and_repeat  # noqa: B018
    _assert_names_everything(str(info.value), "tensorflow.contrib.data")
    assert "tf.data" in str(info.value)  # where it went
    assert not hasattr(tf.contrib, "tpu")  # hasattr / getattr keep working
    assert getattr(tf.contrib, "pytest_plugins", None) is None


@pytest.mark.parametrize("module, name, hint", [
    ("layers", "real_valued_column", "tf.feature_column"),
    ("framework", "zero_initializer", "assign"),
    ("opt", "LazyAdamOptimizer", "AdamOptimizer"),
    ("training", "bucket_by_sequence_length", "tf.data.experimental"),
    ("mixed_precision", "Anything", None),
])
def test_missing_names_in_provided_modules(contrib, module, name, hint):
    with pytest.raises(AttributeError) as info:
        getattr(getattr(tf.contrib, module), name)
    message = str(info.value)
    assert f"tensorflow.contrib.{module}.{name} is not provided" in message
    assert "Provided: " in message
    if hint:
        assert hint in message


def test_quantize_imports_and_its_rewrites_raise(contrib):
    from tensorflow.contrib import quantize
    for function in ("create_training_graph", "create_eval_graph",
                     "experimental_create_training_graph",
                     "experimental_create_eval_graph"):
        with pytest.raises(NotImplementedError) as info:
            getattr(quantize, function)()
        assert f"tensorflow.contrib.quantize.{function} is not supported" in (
            str(info.value))
        assert "quantization-aware training" in str(info.value)
    assert str(inspect.signature(quantize.create_training_graph)) == (
        "(input_graph=None, quant_delay=0)")
    assert str(inspect.signature(
        quantize.experimental_create_training_graph)) == (
        "(input_graph=None, weight_bits=8, activation_bits=8, "
        "symmetric=False, quant_delay=0, freeze_bn_delay=None, scope=None)")


# -------------------------------------------- framework pieces in a graph --

def test_arg_scope_applies_to_slim_and_contrib_layers(contrib):
    framework, layers = tf.contrib.framework, tf.contrib.layers
    with tf.Graph().as_default():
        x = tf.ones([1, 4, 4, 3])
        with framework.arg_scope(
                [layers.conv2d], padding="VALID",
                weights_initializer=tf.compat.v1.ones_initializer()):
            y = tf.contrib.slim.conv2d(x, 2, [3, 3], scope="conv")
        names = [v.op.name for v in framework.get_model_variables()]
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            out = sess.run(y)
    assert out.shape == (1, 2, 2, 2)
    np.testing.assert_array_equal(out, np.full((1, 2, 2, 2), 27.0))
    assert names == ["conv/weights", "conv/biases"]


def test_fine_tune_restore_with_framework(contrib, tmp_path):
    framework, layers = tf.contrib.framework, tf.contrib.layers
    path = os.path.join(str(tmp_path), "model.ckpt")

    def model():
        x = tf.ones([2, 3])
        net = layers.fully_connected(x, 4, scope="net/hidden")
        return layers.fully_connected(net, 2, activation_fn=None,
                                      scope="net/logits")

    with tf.Graph().as_default():
        model()
        step = framework.get_or_create_global_step()
        assert framework.get_global_step() is step
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(step.assign(7))
            tf.compat.v1.train.Saver().save(sess, path)
    with tf.Graph().as_default():
        model()
        framework.get_or_create_global_step()
        restore = framework.get_variables_to_restore(exclude=["net/logits"])
        assert sorted(v.op.name for v in restore) == [
            "global_step", "net/hidden/biases", "net/hidden/weights"]
        init_fn = framework.assign_from_checkpoint_fn(path, restore)
        logits = framework.get_variables("net/logits")
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            fresh = sess.run(logits)
            init_fn(sess)
            for var in restore:
                np.testing.assert_array_equal(
                    sess.run(var),
                    framework.load_variable(path, var.op.name))
            for var, before in zip(logits, fresh):
                np.testing.assert_array_equal(sess.run(var), before)


# ----------------------------------------------- layers pieces in a graph --

def _sample(initializer, shape):
    with tf.Graph().as_default():
        value = initializer(shape)
        with tf.compat.v1.Session() as sess:
            return sess.run(value)


def test_xavier_initializer(contrib):
    layers = tf.contrib.layers
    fan_in, fan_out = 300, 500
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    sample = _sample(layers.xavier_initializer(seed=1), [fan_in, fan_out])
    assert np.abs(sample).max() <= limit
    assert sample.std() == pytest.approx(limit / np.sqrt(3), rel=0.03)
    normal = _sample(layers.xavier_initializer(uniform=False, seed=1),
                     [fan_in, fan_out])
    assert normal.std() == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)),
                                         rel=0.05)


@pytest.mark.parametrize("factor, mode, uniform", [
    (2.0, "FAN_IN", False), (1.0, "FAN_AVG", True), (3.0, "FAN_OUT", False)])
def test_variance_scaling_initializer_tf1_arguments(contrib, factor, mode,
                                                    uniform):
    fan_in, fan_out = 400, 200
    n = {"FAN_IN": fan_in, "FAN_OUT": fan_out,
         "FAN_AVG": (fan_in + fan_out) / 2}[mode]
    init = tf.contrib.layers.variance_scaling_initializer(
        factor=factor, mode=mode, uniform=uniform, seed=3)
    sample = _sample(init, [fan_in, fan_out])
    # TF1: variance factor / n (truncated normal drawn with 1.3x the variance).
    assert sample.std() == pytest.approx(np.sqrt(factor / n), rel=0.05)
    if uniform:
        assert np.abs(sample).max() <= np.sqrt(3 * factor / n)


def test_regularizers(contrib):
    layers = tf.contrib.layers
    w0 = np.array([[1.0, -2.0], [3.0, -0.5]], np.float32)
    with tf.Graph().as_default():
        w = tf.constant(w0)
        terms = [layers.l1_regularizer(0.1)(w), layers.l2_regularizer(0.5)(w),
                 layers.l1_l2_regularizer(0.1, 0.5)(w),
                 layers.apply_regularization(layers.l2_regularizer(0.5), [w])]
        with tf.compat.v1.Session() as sess:
            l1, l2, both, applied = sess.run(terms)
    assert l1 == pytest.approx(0.1 * np.abs(w0).sum())
    assert l2 == pytest.approx(0.5 * (w0 ** 2).sum() / 2)
    assert both == pytest.approx(l1 + l2)
    assert applied == pytest.approx(l2)


def test_optimize_loss_one_sgd_step(contrib):
    layers = tf.contrib.layers
    w0 = np.array([1.0, -2.0], np.float32)
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", initializer=w0)
        step = tf.contrib.framework.get_or_create_global_step()
        loss = tf.reduce_sum(w * w)
        train = layers.optimize_loss(loss, step, learning_rate=0.1,
                                     optimizer="SGD", summaries=[])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            got, steps = sess.run([w, step])
    np.testing.assert_allclose(got, w0 - 0.1 * 2 * w0)
    assert steps == 1


def test_batch_norm_flatten_fully_connected(contrib):
    layers = tf.contrib.layers
    x0 = np.arange(24, dtype=np.float32).reshape(4, 2, 3)
    with tf.Graph().as_default():
        x = tf.constant(x0)
        normed = layers.batch_norm(x, is_training=True, scale=True)
        flat = layers.flatten(normed)
        out = layers.fully_connected(flat, 5)
        updates = tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.UPDATE_OPS)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            got, _ = sess.run([normed, updates])
    assert flat.shape.as_list() == [4, 6] and out.shape.as_list() == [4, 5]
    assert len(updates) == 2  # moving mean and variance
    np.testing.assert_allclose(got.mean(axis=(0, 1)), 0.0, atol=1e-5)
