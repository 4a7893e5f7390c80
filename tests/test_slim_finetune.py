"""Fine-tuning selection and restore (`tf1_schedules.slim`).

Restoring is TF1 Session code (a `tf.compat.v1.train.Saver`): the tests build
graphs; eager mode is N/A except for the name-based selection helpers and the
`RuntimeError` the restore builders raise there.
"""
import contextlib
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules.slim_compat  # noqa: F401  (tf-slim nets below)
from tf1_schedules.slim import (
    init_fn_from_checkpoint,
    resolve_checkpoint,
    scaffold_from_checkpoint,
    select_variables,
    variables_to_restore,
    variables_to_train,
)

import tf_slim as slim  # noqa: E402  (after the patch)

v1 = tf.compat.v1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADS = "net/logits,net/logits_aux"
BODY = ["net/conv1/weights", "net/conv1/BatchNorm/beta",
        "net/conv1/BatchNorm/moving_mean",
        "net/conv1/BatchNorm/moving_variance", "net/conv2/weights",
        "net/conv2/BatchNorm/beta", "net/conv2/BatchNorm/moving_mean",
        "net/conv2/BatchNorm/moving_variance"]


def _net(num_classes, outer=None):
    """A tiny slim model: two conv+BN layers, a head and an aux head."""
    images = tf.random.stateless_uniform([2, 4, 4, 3], seed=[1, 2])
    labels = tf.one_hot([0, 1], num_classes)
    with v1.variable_scope(outer) if outer else contextlib.nullcontext():
        with v1.variable_scope("net"):
            with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
                net = slim.conv2d(images, 4, [3, 3], scope="conv1")
                net = slim.conv2d(net, 4, [3, 3], stride=2, scope="conv2")
            net = slim.flatten(net)
            logits = slim.fully_connected(net, num_classes, activation_fn=None,
                                          scope="logits")
            aux = slim.fully_connected(net, num_classes, activation_fn=None,
                                       scope="logits_aux")
    return tf.reduce_mean(tf.square(logits - labels) + tf.square(aux - labels))


def _train_op(loss, variables=None):
    v1.train.get_or_create_global_step()
    return slim.learning.create_train_op(
        loss, v1.train.MomentumOptimizer(0.1, 0.9),
        variables_to_train=variables)


def _by_name(name):
    [var] = [v for v in v1.global_variables() if v.op.name == name]
    return var


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A 5-class checkpoint after one Momentum step: slots, BN stats, step 1."""
    directory = tmp_path_factory.mktemp("pretrained")
    with tf.Graph().as_default():
        train_op = _train_op(_net(5))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train_op)
            v1.train.Saver().save(sess, str(directory / "model.ckpt"),
                                  global_step=1)
    return directory


def _ckpt(directory):
    return str(directory / "model.ckpt-1")


def _assert_restored(sess, plan):
    for ckpt_name, var in plan.restore.items():
        expected = tf.train.load_variable(plan.checkpoint_path, ckpt_name)
        np.testing.assert_array_equal(sess.run(var), expected, err_msg=ckpt_name)


# --- checkpoint resolution -----------------------------------------------------

def test_resolve_checkpoint_directory_and_prefix(pretrained, tmp_path):
    assert resolve_checkpoint(pretrained) == _ckpt(pretrained)
    assert resolve_checkpoint(_ckpt(pretrained)) == _ckpt(pretrained)
    assert resolve_checkpoint(str(pretrained), train_dir=tmp_path) == _ckpt(
        pretrained)
    with pytest.raises(ValueError, match="resolve_checkpoint: `checkpoint_"
                       "path` must be a checkpoint or a directory holding"):
        resolve_checkpoint(tmp_path)
    with pytest.raises(ValueError, match="existing checkpoint prefix"):
        resolve_checkpoint(str(pretrained / "nope.ckpt"))
    with pytest.raises(TypeError, match="`checkpoint_path` must be a path"):
        resolve_checkpoint(3)


def test_train_dir_checkpoint_wins(pretrained, tmp_path):
    with tf.Graph().as_default():
        step = v1.train.get_or_create_global_step()
        with v1.Session() as sess:
            sess.run(step.initializer)
            v1.train.Saver([step]).save(sess, str(tmp_path / "model.ckpt"))
    assert resolve_checkpoint(pretrained, train_dir=tmp_path) is None
    with tf.Graph().as_default():
        _net(3)
        assert init_fn_from_checkpoint(pretrained, HEADS,
                                       train_dir=tmp_path) is None
        scaffold = scaffold_from_checkpoint(pretrained, HEADS,
                                            train_dir=tmp_path)
        assert scaffold.init_fn is None
        assert not [op for op in tf.compat.v1.get_default_graph()
                    .get_operations() if op.type == "RestoreV2"]


# --- selection -------------------------------------------------------------------

def test_exclude_scope_matches_on_boundaries_prefix_is_opt_in():
    with tf.Graph().as_default():
        _net(3)
        everything = v1.global_variables()
        kept = {v.op.name for v in select_variables(
            everything, exclude_scopes="net/logits")}
        raw = {v.op.name for v in select_variables(
            everything, exclude_scopes="net/logits", prefix_match=True)}
    assert "net/logits_aux/weights" in kept
    assert "net/logits/weights" not in kept
    assert not {n for n in raw if n.startswith("net/logits")}
    assert kept - raw == {"net/logits_aux/weights", "net/logits_aux/biases"}


def test_select_variables_works_on_eager_variables():
    variables = [tf.Variable(1.0, name="net/logits/w"),
                 tf.Variable(1.0, name="net/logits_aux/w")]
    chosen = select_variables(variables, include_scopes=["net/logits"])
    assert chosen == variables[:1]


def test_lists_are_deduplicated_and_strings_parse_like_slim():
    with tf.Graph().as_default():
        _net(3)
        trainable = v1.trainable_variables()
        from_string = variables_to_train(
            " net/logits, net/logits/weights,net/logits ,")
        from_list = variables_to_train(["net/logits", "net/logits/weights"])
        doubled = select_variables(trainable + trainable[::-1])
        assert [v.op.name for v in from_string] == ["net/logits/weights",
                                                    "net/logits/biases"]
        assert from_list == from_string
        assert doubled == trainable
        assert variables_to_train() == trainable
    with pytest.raises(TypeError, match="variables_to_train: `trainable_scopes`"
                       " must be None, a comma-separated string or a list of "
                       "strings. Received: trainable_scopes=3."):
        variables_to_train(3)


def test_overlapping_scopes_update_once(pretrained):
    # slim's get_collection per scope listed logits twice: a double update.
    with tf.Graph().as_default():
        loss = _net(3)
        chosen = variables_to_train("net/logits,net/logits/biases")
        bias = _by_name("net/logits/biases")
        grad = tf.gradients(loss, bias)[0]
        step = v1.train.GradientDescentOptimizer(1.0).minimize(
            loss, var_list=chosen)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            g = sess.run(grad)
            sess.run(step)
            np.testing.assert_allclose(sess.run(bias), -g, rtol=1e-6)


# --- restore plans -------------------------------------------------------------

def test_plain_session_restores_checkpoint_values(pretrained):
    lines = []
    with tf.Graph().as_default():
        train_op = _train_op(_net(3))
        init_fn = init_fn_from_checkpoint(pretrained, HEADS,
                                          print_fn=lines.append)
        plan = init_fn.plan
        assert sorted(plan.restore) == sorted(BODY)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            init_fn(sess)
            _assert_restored(sess, plan)
            assert sess.run(v1.train.get_global_step()) == 0
            assert not sess.run(_by_name("net/conv1/weights/Momentum")).any()
            sess.run(train_op)
    report = lines[0]
    assert report.startswith(f"Fine-tune restore from {_ckpt(pretrained)}: "
                             "8 restored, 0 skipped, 13 excluded")
    assert "net/logits_aux/weights: checkpoint_exclude_scopes " \
           "'net/logits_aux'" in report
    assert "global_step: global_step" in report
    assert "net/conv1/weights/Momentum: optimizer slot" in report


def test_shape_mismatch_raises_before_any_restore_op(pretrained):
    with tf.Graph().as_default() as graph:
        _net(3)
        with pytest.raises(ValueError) as err:
            init_fn_from_checkpoint(pretrained, "net/logits_aux")
        assert not [op for op in graph.get_operations()
                    if op.type == "RestoreV2"]
    message = str(err.value)
    assert message.startswith("variables_to_restore: 2 variable(s) cannot be "
                              f"restored from {_ckpt(pretrained)}")
    assert ("net/logits/weights: shape [16, 3] in the model, [16, 5] in the "
            "checkpoint (net/logits/weights)") in message
    assert "net/logits/biases: shape [3] in the model, [5]" in message
    assert "skip_mismatched_shapes=True" in message


def test_shape_mismatch_skipped_and_reported(pretrained):
    with tf.Graph().as_default():
        _net(3)
        plan = variables_to_restore(pretrained, skip_mismatched_shapes=True)
        init_fn = plan.init_fn()
        head = _by_name("net/logits/weights")
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            before = sess.run(head)
            init_fn(sess)
            _assert_restored(sess, plan)
            np.testing.assert_array_equal(sess.run(head), before)
    assert sorted(plan.restore) == sorted(BODY)
    assert [name for name, _ in plan.skipped] == [
        "net/logits/weights", "net/logits/biases",
        "net/logits_aux/weights", "net/logits_aux/biases"]
    assert "4 skipped" in plan.report()
    assert "net/logits/weights: shape [16, 3] in the model" in plan.report()


def test_plain_get_variable_is_a_candidate_and_dtype_is_checked(tmp_path):
    # slim restored only MODEL_VARIABLES; a dtype change is reported like a
    # shape change.
    with tf.Graph().as_default():
        w = v1.get_variable("w", initializer=tf.constant([1.5, 2.5]))
        with v1.Session() as sess:
            sess.run(w.initializer)
            v1.train.Saver([w]).save(sess, str(tmp_path / "w.ckpt"))
    with tf.Graph().as_default():
        v1.get_variable("w", [2])
        assert list(variables_to_restore(tmp_path).restore) == ["w"]
    with tf.Graph().as_default():
        v1.get_variable("w", [2], tf.float64)
        with pytest.raises(ValueError, match="w: dtype float64 in the model, "
                           "float32 in the checkpoint"):
            variables_to_restore(tmp_path)


def test_missing_variables_raise_or_are_skipped(pretrained):
    with tf.Graph().as_default():
        _net(3)
        v1.get_variable("net/extra", [2])
        with pytest.raises(ValueError, match=r"ignore_missing_vars=True to "
                           r"skip them\):\n  net/extra: not in the checkpoint"):
            variables_to_restore(pretrained, HEADS)
        plan = variables_to_restore(pretrained, HEADS.split(","), True)
    assert plan.skipped == [("net/extra", "not in the checkpoint")]
    with tf.Graph().as_default():
        v1.get_variable("other", [2])
        with pytest.raises(ValueError, match="no variable left to restore"):
            variables_to_restore(pretrained, ignore_missing_vars=True)


def test_slots_and_global_step_only_on_request(pretrained):
    with tf.Graph().as_default():
        _train_op(_net(5))
        default = variables_to_restore(pretrained)
        assert "global_step" not in default.restore
        assert not [n for n in default.restore if n.endswith("/Momentum")]
        plan = variables_to_restore(pretrained, include_optimizer_slots=True,
                                    include_global_step=True)
        assert len(plan.restore) == len(default.restore) + 9
        init_fn = plan.init_fn()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            init_fn(sess)
            _assert_restored(sess, plan)
            assert sess.run(v1.train.get_global_step()) == 1
            assert sess.run(_by_name("net/conv1/weights/Momentum")).any()


def test_adam_powers_and_bert_style_slots_are_optimizer_state(pretrained):
    # Adam's beta powers are colocated with a variable but named at the root;
    # BERT's AdamWeightDecay names its slots `<var>/adam_m` without colocation.
    with tf.Graph().as_default():
        loss = _net(3)
        v1.train.AdamOptimizer().minimize(loss)
        v1.get_variable("net/conv1/weights/adam_m", [3, 3, 3, 4],
                        trainable=False)
        plan = variables_to_restore(pretrained, HEADS)
    reasons = dict(plan.excluded)
    for name in ("beta1_power", "beta2_power", "net/conv1/weights/Adam_1",
                 "net/conv1/weights/adam_m"):
        assert reasons[name].startswith("optimizer slot"), name
    assert sorted(plan.restore) == sorted(BODY)


def test_scope_map_remaps_checkpoint_scopes(pretrained):
    with tf.Graph().as_default():
        _net(3, outer="my_net")
        plan = variables_to_restore(
            pretrained, ["my_net/net/logits", "my_net/net/logits_aux"],
            scope_map={"net/": "my_net/net/"})
        assert sorted(plan.restore) == sorted(BODY)
        assert plan.restore["net/conv1/weights"].op.name == \
            "my_net/net/conv1/weights"
        assert "my_net/net/conv1/weights <- net/conv1/weights" in plan.report()
        at_root = variables_to_restore(  # checkpoint root -> my_net/
            pretrained, ["my_net/net/logits", "my_net/net/logits_aux"],
            scope_map={"": "my_net", "net/conv1": "my_net/net/conv1"})
        assert at_root.restore == plan.restore
        with pytest.raises(TypeError, match="`scope_map` must be a dict"):
            variables_to_restore(pretrained, scope_map=[("net", "my_net")])
        init_fn = plan.init_fn()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            init_fn(sess)
            _assert_restored(sess, plan)


def test_restore_builders_are_graph_only(pretrained):
    with pytest.raises(RuntimeError, match="graph mode only"):
        init_fn_from_checkpoint(pretrained, HEADS)
    with pytest.raises(RuntimeError, match="graph mode only"):
        variables_to_restore(pretrained)


# --- the other two usage paths ----------------------------------------------------

def test_monitored_training_session_scaffold(pretrained, tmp_path):
    with tf.Graph().as_default():
        train_op = _train_op(_net(3), variables_to_train(HEADS))
        scaffold = scaffold_from_checkpoint(pretrained, HEADS,
                                            train_dir=tmp_path, print_fn=None)
        conv = _by_name("net/conv1/weights")
        with v1.train.MonitoredTrainingSession(
                checkpoint_dir=str(tmp_path), scaffold=scaffold,
                save_checkpoint_secs=None, save_summaries_steps=None,
                log_step_count_steps=None) as sess:
            np.testing.assert_array_equal(sess.run(conv), tf.train.load_variable(
                _ckpt(pretrained), "net/conv1/weights"))
            sess.run(train_op)
            assert sess.run(v1.train.get_global_step()) == 1


_SLIM_TRAIN = """
import sys
import numpy as np
import tensorflow as tf
tf.compat.v1.disable_eager_execution()  # Supervisor threads need graph mode
sys.path.insert(0, sys.argv[3])
import tf_slim as slim
from test_slim_finetune import HEADS, _net, _train_op
from tf1_schedules.slim import init_fn_from_checkpoint, variables_to_train
pretrained, train_dir = sys.argv[1:3]
train_op = _train_op(_net(3), variables_to_train(HEADS))
init_fn = init_fn_from_checkpoint(pretrained, HEADS, train_dir=train_dir)
loss = slim.learning.train(train_op, train_dir, init_fn=init_fn,
                           number_of_steps=2, save_summaries_secs=3600,
                           save_interval_secs=3600, log_every_n_steps=100)
print("final loss", loss)
"""


@pytest.mark.slow
def test_slim_learning_train_init_fn(pretrained, tmp_path):
    # slim.learning.train runs a Supervisor whose threads need
    # disable_eager_execution(), which is process-wide: a subprocess.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=os.pathsep.join(
        [ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-c", _SLIM_TRAIN, str(pretrained), str(tmp_path),
         os.path.join(ROOT, "tests")],
        env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "8 restored, 0 skipped, 9 excluded" in proc.stdout
    final = tf.train.latest_checkpoint(str(tmp_path))
    assert tf.train.load_variable(final, "global_step") == 2
    assert tf.train.load_variable(final, "net/logits/weights").shape == (16, 3)
    for name in ("net/conv1/weights", "net/conv2/BatchNorm/beta"):
        np.testing.assert_array_equal(  # restored, not trained
            tf.train.load_variable(final, name),
            tf.train.load_variable(_ckpt(pretrained), name))
    assert not np.array_equal(  # BN statistics kept updating
        tf.train.load_variable(final, "net/conv1/BatchNorm/moving_mean"),
        tf.train.load_variable(_ckpt(pretrained),
                               "net/conv1/BatchNorm/moving_mean"))


# --- scopes that match nothing -----------------------------------------------------

def test_exclude_scope_typo_raises_naming_the_nearest_scopes(pretrained):
    """slim ignores `net/logit` (for `net/logits`) and restores the old head."""
    with tf.Graph().as_default():
        _net(5)
        before = len(v1.get_default_graph().get_operations())
        for call in (lambda: variables_to_restore(pretrained, "net/logit"),
                     lambda: init_fn_from_checkpoint(
                         pretrained, "net/logits_aux,net/logit",
                         print_fn=None)):
            with pytest.raises(ValueError, match=(
                    r"variables_to_restore: `checkpoint_exclude_scopes` must "
                    r"be scopes that each match some variable \('net/logit' "
                    r"matches none, nearest: 'net/logits'.*unmatched='warn'"
            )):
                call()
        assert len(v1.get_default_graph().get_operations()) == before
        with pytest.warns(UserWarning, match="'net/logit' matches none"):
            plan = variables_to_restore(pretrained, "net/logit",
                                        unmatched="warn")
        assert "net/logits/weights" in plan.restore  # what the user asked
        quiet = variables_to_restore(pretrained, "net/logit",
                                     unmatched="ignore")
        assert quiet.restore == plan.restore
        with pytest.raises(ValueError, match="`unmatched` must be one of"):
            variables_to_restore(pretrained, "net/logit", unmatched="nope")


def test_trainable_scope_matching_nothing_raises():
    with tf.Graph().as_default():
        _net(3)
        with pytest.raises(ValueError, match=(
                r"variables_to_train: `trainable_scopes` must be scopes that "
                r"each match some variable \('net/nonexistent' matches none, "
                r"nearest: 'net/.*Received: trainable_scopes="
                r"'net/logits,net/nonexistent'")):
            variables_to_train("net/logits,net/nonexistent")
        with pytest.raises(ValueError, match="'net/logit' matches none, "
                           "nearest: 'net/logits'"):
            variables_to_train(["net/logit"])
        with pytest.warns(UserWarning, match="'net/nonexistent' matches"):
            assert variables_to_train("net/nonexistent",
                                      unmatched="warn") == []
        with pytest.raises(ValueError, match="select_variables: "
                           "`exclude_scopes` must be scopes"):
            select_variables(v1.global_variables(), None, "net/conv3")
    assert variables_to_train("a", variables=[], unmatched="ignore") == []
    with pytest.raises(ValueError, match=r"'a' matches none \(there are no "
                       "variables\\)"):
        variables_to_train("a", variables=[])


# --- broken checkpoint files --------------------------------------------------------

def _copy_checkpoint(pretrained, directory):
    for name in os.listdir(pretrained):
        if name.startswith("model.ckpt-1."):
            with open(pretrained / name, "rb") as src, \
                    open(directory / name, "wb") as dst:
                dst.write(src.read())
    return str(directory / "model.ckpt-1")


def _truncate(path, keep):
    data = open(path, "rb").read()
    open(path, "wb").write(data[:keep if keep >= 0 else len(data) + keep])


def _flip_byte(path, where):
    data = bytearray(open(path, "rb").read())
    data[where] ^= 0xFF
    open(path, "wb").write(bytes(data))


DATA = ".data-00000-of-00001"
BREAKAGES = {
    "data-truncated": (DATA, lambda p: _truncate(p, -100), "truncated"),
    "data-byte-flipped": (DATA, lambda p: _flip_byte(p, 40), "unreadable"),
    "data-missing": (DATA, os.remove, "missing data file"),
    "index-truncated": (".index", lambda p: _truncate(p, 20),
                        "unreadable index"),
    "index-random": (".index", lambda p: open(p, "wb").write(
        np.random.default_rng(0).bytes(300)), "unreadable index"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_checkpoint_raises_when_the_plan_is_made(pretrained, tmp_path,
                                                        breakage):
    suffix, damage, problem = BREAKAGES[breakage]
    prefix = _copy_checkpoint(pretrained, tmp_path)
    damage(prefix + suffix)
    with tf.Graph().as_default():
        _net(5)
        before = len(v1.get_default_graph().get_operations())
        for call in (lambda: variables_to_restore(prefix),
                     lambda: init_fn_from_checkpoint(prefix, print_fn=None)):
            with pytest.raises(ValueError) as info:
                call()
            message = str(info.value)
            assert message.startswith("variables_to_restore: "
                                      "`checkpoint_path` must be an intact "
                                      f"checkpoint ({prefix}{suffix}: "
                                      f"{problem}"), message
            assert message.endswith(f"Received: checkpoint_path={prefix!r}.")
        assert len(v1.get_default_graph().get_operations()) == before


def test_verify_data_false_checks_sizes_only(pretrained, tmp_path):
    prefix = _copy_checkpoint(pretrained, tmp_path)
    _flip_byte(prefix + DATA, 40)
    with tf.Graph().as_default():
        _net(5)
        plan = variables_to_restore(prefix, verify_data=False)  # not read
        assert plan.restore
        _truncate(prefix + DATA, -1)
        with pytest.raises(ValueError, match="truncated"):
            variables_to_restore(prefix, verify_data=False)


# --- the step as the seed creates it ---------------------------------------------

@pytest.mark.parametrize("use_resource", [True, False],
                         ids=["resource", "ref"])
def test_seed_003_step_variable_is_recognised_as_the_step(pretrained,
                                                          use_resource):
    """seed 003: `global_step = tf.Variable(0)`, passed to `minimize`."""
    with tf.Graph().as_default():
        loss = _net(5)
        global_step = v1.Variable(0, use_resource=use_resource)
        assert global_step.op.name == "Variable"
        learning_rate = v1.train.exponential_decay(0.1, global_step, 100,
                                                   0.96, staircase=True)
        v1.train.GradientDescentOptimizer(learning_rate).minimize(
            loss, global_step=global_step)
        plan = variables_to_restore(pretrained)
        reasons = dict(plan.excluded)
        assert reasons["Variable"].startswith("step counter"), reasons
        assert "include_global_step=False" in reasons["Variable"]
        assert sorted(plan.restore) == sorted(
            BODY + ["net/logits/weights", "net/logits/biases",
                    "net/logits_aux/weights", "net/logits_aux/biases"])
        init_fn = init_fn_from_checkpoint(pretrained, print_fn=None)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            init_fn(sess)
            _assert_restored(sess, plan)
            assert sess.run(global_step) == 0


def test_step_passed_explicitly_before_the_train_op(pretrained):
    """Planned before `minimize` builds the increment: say which it is."""
    with tf.Graph().as_default():
        _net(5)
        global_step = tf.Variable(0, name="my_step")
        with pytest.raises(ValueError, match="my_step: not in the checkpoint"):
            variables_to_restore(pretrained)
        plan = variables_to_restore(pretrained, global_step=global_step)
        assert dict(plan.excluded)["my_step"] == (
            "global_step (passed as global_step=) "
            "(include_global_step=False)")
        with pytest.raises(TypeError, match="`global_step` must be None or "
                           "the step's tf.Variable"):
            variables_to_restore(pretrained, global_step="my_step")


def test_other_integer_variables_are_not_steps(pretrained):
    """Only an increment by exactly 1 of an integer scalar marks a step."""
    with tf.Graph().as_default():
        _net(5)
        by_two = tf.Variable(0, name="by_two")
        vector = tf.Variable([0, 0], name="vector")
        v1.assign_add(by_two, 2)
        v1.assign_add(vector, [1, 1])
        with pytest.raises(ValueError) as info:
            variables_to_restore(pretrained)
    assert "by_two: not in the checkpoint" in str(info.value)
    assert "vector: not in the checkpoint" in str(info.value)
