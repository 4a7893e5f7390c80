"""tf-slim 1.1.0 on modern TF through `tf1_schedules.slim.repairs`.

Everything here is graph mode: tf-slim layers, nets and `create_train_op`
are TF1 graph code (eager mode is not applicable). Each helper is built and
run once, so a missing repair fails with the original `AttributeError` /
`ModuleNotFoundError`.
"""
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
from tf_slim.data import tfexample_decoder  # noqa: E402
from tf_slim.layers import optimizers as slim_optimizers  # noqa: E402
from tf_slim.nets import alexnet, inception, overfeat  # noqa: E402
from tf_slim.nets import resnet_utils, resnet_v1, resnet_v2, vgg  # noqa: E402

v1 = tf.compat.v1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (net, arg scope, global variables, UPDATE_OPS) with num_classes=1000; the
# counts are those REFERENCE.md §6.3 records for a working tf-slim.
NETS = [
    ("resnet_v1_50", resnet_v1.resnet_v1_50, resnet_utils.resnet_arg_scope,
     267, 106),
    ("resnet_v2_50", resnet_v2.resnet_v2_50, resnet_utils.resnet_arg_scope,
     272, 98),
    ("inception_v1", inception.inception_v1, inception.inception_v1_arg_scope,
     230, 114),
    ("inception_v2", inception.inception_v2, inception.inception_v2_arg_scope,
     277, 136),
    ("inception_v3", inception.inception_v3, inception.inception_v3_arg_scope,
     388, 192),
    ("vgg_16", vgg.vgg_16, vgg.vgg_arg_scope, 32, 0),
    ("alexnet_v2", alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, 16, 0),
    ("overfeat", overfeat.overfeat, overfeat.overfeat_arg_scope, 16, 0),
]


def _run(fetches, feed_dict=None):
    """Initializes global and local variables, then runs `fetches` once."""
    with v1.Session() as sess:
        sess.run([v1.global_variables_initializer(),
                  v1.local_variables_initializer()])
        return sess.run(fetches, feed_dict)


# --- the patch itself --------------------------------------------------------

def test_batch_normalization_is_one_class():
    from tensorflow.python.layers import normalization as tf_norm
    from tf_keras.src.legacy_tf_layers import normalization as keras_norm
    assert tf_norm.BatchNormalization is keras_norm.BatchNormalization
    for sub in repairs._LEGACY_SUBMODULES:
        alias = sys.modules[f"tf_keras.legacy_tf_layers.{sub}"]
        assert alias is sys.modules[f"tf_keras.src.legacy_tf_layers.{sub}"]


def test_restored_attributes_point_at_public_api():
    from tensorflow.python.framework import ops
    from tensorflow.python.ops import array_ops, control_flow_ops
    from tensorflow.python.ops import variable_scope
    assert ops.Tensor is tf.Tensor
    assert ops.IndexedSlices is tf.IndexedSlices
    assert variable_scope.variable is v1.Variable
    assert control_flow_ops.cond is v1.cond
    assert control_flow_ops.case is v1.case
    assert control_flow_ops.while_loop is v1.while_loop
    assert control_flow_ops.Assert is tf.debugging.Assert
    assert array_ops.stack is tf.stack
    assert array_ops.unstack is tf.unstack


def test_patch_is_idempotent():
    first = repairs.patch()
    second = repairs.patch()
    assert not first.changed and not second.changed
    assert first == second
    # 6 module aliases, the removed attributes, the checkpoint-indexing view
    # of `tf_slim.ops.variables.tf`, the eager guards.
    n_present = (6 + len(repairs._ATTRIBUTE_REPAIRS) + 1
                 + len(repairs._EAGER_GUARDS))
    assert len(second.present) == n_present == 18
    assert second.guarded == () and not second.eager_disabled
    assert repairs.LAST_REPORT is second
    assert "already present (18)" in str(second)
    assert "eager-guarded (0): -" in str(second)


def test_patch_sets_only_absent_entries(monkeypatch, caplog):
    from tensorflow.python.framework import ops
    from tensorflow.python.ops import control_flow_ops
    sentinel = object()
    monkeypatch.delattr(ops, "Tensor")
    monkeypatch.setattr(control_flow_ops, "case", sentinel)
    monkeypatch.delitem(sys.modules, "tf_keras.legacy_tf_layers.pooling")
    with caplog.at_level("INFO", logger="tf1_schedules.slim.repairs"):
        report = repairs.patch()
    assert report.restored == ("tensorflow.python.framework.ops.Tensor",)
    assert report.aliased == ("tf_keras.legacy_tf_layers.pooling",)
    assert ops.Tensor is tf.Tensor
    assert control_flow_ops.case is sentinel
    assert "tensorflow.python.ops.control_flow_ops.case" in report.present
    assert (sys.modules["tf_keras.legacy_tf_layers.pooling"]
            is sys.modules["tf_keras.src.legacy_tf_layers.pooling"])
    assert "tensorflow.python.framework.ops.Tensor" in caplog.text


_SUBPROCESS = textwrap.dedent("""
    import os, sys
    import tensorflow as tf
    import tf1_schedules, tf1_schedules.slim  # fine-tuning: no repair
    from tensorflow.python.framework import ops
    assert "tf_keras.legacy_tf_layers" not in sys.modules
    assert not hasattr(ops, "Tensor")
    import tf1_schedules.slim_compat  # disabled by the environment
    assert tf1_schedules.slim_compat.REPORT.disabled
    assert not hasattr(ops, "Tensor")
    import tf_slim as slim
    with tf.Graph().as_default():
        try:
            slim.batch_norm(tf.zeros([2, 4, 4, 3]))
        except ModuleNotFoundError as err:
            print("unpatched:", err)
        else:
            raise AssertionError("batch_norm worked without the patch")
    del os.environ["TF1_SCHEDULES_NO_SLIM_PATCH"]
    from tf1_schedules.slim import repairs
    assert repairs.patch().changed  # the explicit call
    assert ops.Tensor is tf.Tensor
    with tf.Graph().as_default():
        slim.batch_norm(tf.zeros([2, 4, 4, 3]), updates_collections=None)
    print("patched by repairs.patch()")
""")


@pytest.mark.slow
def test_imports_do_not_patch_and_env_var_disables():
    env = dict(os.environ, TF1_SCHEDULES_NO_SLIM_PATCH="1",
               TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(
                   [ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", _SUBPROCESS], env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "No module named 'tf_keras.legacy_tf_layers'" in proc.stdout
    assert "patched by repairs.patch()" in proc.stdout


# --- every net in tf_slim.nets -----------------------------------------------

@pytest.mark.parametrize("net, arg_scope, n_vars, n_updates",
                         [n[1:] for n in NETS], ids=[n[0] for n in NETS])
def test_net_builds_under_its_arg_scope(net, arg_scope, n_vars, n_updates):
    # Unknown spatial size: builds every layer without the 224x224 minimum
    # of the VALID-padded heads; only the graph is built.
    with tf.Graph().as_default():
        images = v1.placeholder(tf.float32, [2, None, None, 3])
        with slim.arg_scope(arg_scope()):
            logits, end_points = net(images, num_classes=1000)
        assert logits.shape[0] == 2 and logits.shape[-1] == 1000
        assert len(v1.global_variables()) == n_vars
        assert len(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == n_updates
        assert end_points


def test_resnet_v1_50_trains_batch_norm_at_32x32():
    with tf.Graph().as_default():
        images = tf.random.stateless_normal([2, 32, 32, 3], seed=[1, 2])
        with slim.arg_scope(resnet_utils.resnet_arg_scope()):
            logits, _ = resnet_v1.resnet_v1_50(images, num_classes=10)
        mean = [v for v in v1.global_variables()
                if v.op.name == "resnet_v1_50/conv1/BatchNorm/moving_mean"][0]
        updates = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(updates):
            moved = tf.identity(mean.read_value())
        out, moved = _run([logits, moved])
    assert out.shape == (2, 1, 1, 10) and np.all(np.isfinite(out))
    assert np.any(moved != 0.0)


# --- slim helpers that used removed TF attributes ------------------------------

def test_batch_norm_in_place_updates_with_tensor_is_training():
    # `updates_collections=None` hits `ops.Tensor`; a tensor `is_training`
    # hits `control_flow_ops.cond`.
    with tf.Graph().as_default():
        x = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3))
        training = v1.placeholder_with_default(True, [])
        y = slim.batch_norm(x, updates_collections=None, is_training=training,
                            decay=0.5)
        mean = slim.get_variables_by_name("moving_mean")[0]
        with tf.control_dependencies([y]):
            moved = tf.identity(mean.read_value())
        got = _run(moved)
    batch_mean = np.arange(24, dtype=np.float32).reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(got, 0.5 * batch_mean, rtol=1e-6)


def test_batch_norm_on_2d_inputs_after_fully_connected():
    with tf.Graph().as_default():
        x = tf.random.stateless_normal([4, 5], seed=[3, 4])
        y = slim.fully_connected(x, 3, normalizer_fn=slim.batch_norm,
                                 normalizer_params={"scale": True})
        assert len(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == 2
        out = _run(y)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(np.maximum(out, 0), out)  # relu output


def _tiny_loss():
    w = v1.get_variable("w", initializer=tf.constant([1.0, -2.0]))
    b = v1.get_variable("b", initializer=tf.constant(3.0))
    return tf.reduce_sum(w * w) + b * b, w, b


def test_create_train_op_with_multipliers_and_clipping():
    # d/dw = 2w = [2, -4]; d/db = 2b = 6. Multipliers: w x0.5, b x1.
    # Per-tensor clip_by_norm(1.0): g_w = [1, -2] -> norm 5**.5; g_b = 6 -> 1.
    with tf.Graph().as_default():
        loss, w, b = _tiny_loss()
        v1.train.create_global_step()
        train_op = slim.learning.create_train_op(
            loss, v1.train.GradientDescentOptimizer(1.0),
            gradient_multipliers={w: 0.5, b: 1.0}, clip_gradient_norm=1.0)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train_op)
            got_w, got_b, step = sess.run([w, b, v1.train.get_global_step()])
    np.testing.assert_allclose(got_w, [1.0, -2.0] - np.array([1., -2.]) / 5**.5,
                               rtol=1e-6)
    np.testing.assert_allclose(got_b, 2.0, rtol=1e-6)
    assert step == 1


def test_optimize_loss_with_multipliers():
    with tf.Graph().as_default():
        loss, w, b = _tiny_loss()
        step = v1.train.create_global_step()
        train_op = slim_optimizers.optimize_loss(
            loss, step, learning_rate=0.1, optimizer="SGD",
            gradient_multipliers={b: 0.0}, clip_gradients=100.0,
            summaries=[])
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train_op)
            got_w, got_b, got_step = sess.run([w, b, step])
    np.testing.assert_allclose(got_w, [0.8, -1.6], rtol=1e-6)
    assert got_b == 3.0 and got_step == 1


def test_local_and_global_variable():
    with tf.Graph().as_default():
        local = slim.local_variable([1.0, 2.0], name="local")
        glob = slim.global_variable(3.0, name="glob")
        assert local in v1.local_variables()
        assert local not in v1.trainable_variables()
        assert glob in v1.global_variables()
        got = _run([local, glob])
    np.testing.assert_allclose(got[0], [1.0, 2.0])
    assert got[1] == 3.0


def test_legacy_linear_on_3d_inputs_uses_unstack_and_stack():
    with tf.Graph().as_default():
        x = tf.ones([2, 3, 4])
        y = slim.legacy_linear(x, 5, bias_init=tf.constant_initializer(0.5),
                               weight_init=tf.constant_initializer(0.25))
        got = _run(y)
    np.testing.assert_allclose(got, np.full((2, 3, 5), 1.5))


def test_tfexample_decoder_image_decodes_png():
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    encoded = tf.io.encode_png(image).numpy()  # eager, outside the graph
    example = tf.train.Example(features=tf.train.Features(feature={
        "image/encoded": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[encoded])),
        "image/format": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[b"png"])),
    })).SerializeToString()
    keys_to_features = {
        "image/encoded": tf.io.FixedLenFeature((), tf.string, ""),
        "image/format": tf.io.FixedLenFeature((), tf.string, "jpeg"),
    }
    decoder = tfexample_decoder.TFExampleDecoder(
        keys_to_features, {"image": tfexample_decoder.Image()})
    with tf.Graph().as_default():
        [decoded] = decoder.decode(tf.constant(example), ["image"])
        got = _run(decoded)
    np.testing.assert_array_equal(got, image)


def test_streaming_concat_uses_stack_and_cond():
    with tf.Graph().as_default():
        values = v1.placeholder(tf.int32, [None])
        value, update = slim.metrics.streaming_concat(values)
        with v1.Session() as sess:
            sess.run(v1.local_variables_initializer())
            for batch in ([1, 2], [3], [4, 5, 6]):
                sess.run(update, {values: batch})
            got = sess.run(value)
    np.testing.assert_array_equal(got, [1, 2, 3, 4, 5, 6])


def test_auc_using_histogram_uses_assert():
    with tf.Graph().as_default():
        labels = tf.constant([False, False, True, True])
        scores = tf.constant([0.1, 0.4, 0.35, 0.8])
        auc, update = slim.metrics.auc_using_histogram(
            labels, scores, score_range=[0.0, 1.0], nbins=1000)
        with v1.Session() as sess:
            sess.run(v1.local_variables_initializer())
            sess.run(update)
            got = sess.run(auc)
    assert got == pytest.approx(0.75, abs=0.01)


def test_metric_learning_uses_while_loop():
    points = np.array([0.0, 1.0, 10.0, 12.0], np.float32)
    with tf.Graph().as_default():
        distances = tf.constant(np.abs(points[:, None] - points[None, :]))
        score = slim.losses.metric_learning.compute_gt_cluster_score(
            distances, tf.constant([0, 0, 1, 1]))
        got = _run(score)
    assert got == pytest.approx(-3.0)  # -(min column sum) per cluster: -1 - 2
