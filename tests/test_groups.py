"""Per-group optimizers: one backward pass, one step, coverage, checkpoints."""
import re

import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules.schedules import decay
from tf1_schedules.optim.groups import Group, layer_decay_groups, slim_blocks
from tf1_schedules.optim.grouped import GroupedOptimizer, minimize_groups

V1 = tf.compat.v1
SGD = V1.train.GradientDescentOptimizer


def make_vars(*specs):
    """`tf.Variable`s from (name, initial value) pairs, float32."""
    return [tf.Variable(np.asarray(init, np.float32), name=name)
            for name, init in specs]


def train(mode, specs, loss_fn, make_optimizer, steps, **minimize_kwargs):
    """Values of the variables and the global step after each of `steps` runs.

    Graph mode builds the train op once and runs it; eager mode calls
    `minimize` with a callable loss every step (one optimizer throughout).
    """
    history = []
    if mode.graph:
        with tf.Graph().as_default():
            variables = make_vars(*specs)
            gs = V1.train.get_or_create_global_step()
            train_op = make_optimizer(variables).minimize(
                loss_fn(variables), **minimize_kwargs)
            with V1.Session() as sess:
                sess.run(V1.global_variables_initializer())
                for _ in range(steps):
                    sess.run(train_op)
                    history.append(sess.run([variables, gs]))
        return history
    variables = make_vars(*specs)
    gs = V1.train.get_or_create_global_step()
    optimizer = make_optimizer(variables)
    for _ in range(steps):
        optimizer.minimize(lambda: loss_fn(variables), **minimize_kwargs)
        history.append([[v.numpy() for v in variables], gs.numpy()])
    return history


def linear_loss(variables):
    """Gradient 1 for every element: an SGD update is exactly `-lr`."""
    return tf.add_n([tf.reduce_sum(v) for v in variables])


def square_loss(variables):
    return tf.add_n([tf.reduce_sum(v * v) for v in variables])


def grad_op_count(graph):
    return sum(op.name.startswith("gradients")
               for op in graph.get_operations())


# ------------------------------------------------------- learning rates --

def test_each_group_follows_its_schedule_and_step_counts_once(mode):
    def make(variables):
        a, b, _ = variables
        return GroupedOptimizer([
            Group([a], learning_rate=decay.exponential_decay(
                0.4, None, 1, 0.5, staircase=True)),
            Group("net/b", learning_rate=decay.piecewise_constant(
                V1.train.get_or_create_global_step(), [0, 1], [1., .3, .2])),
            Group(re.compile("net/c"), multiplier=0.25),
        ], optimizer_fn=SGD, learning_rate=0.8)

    specs = [("net/a", [0.0, 0.0]), ("net/b", [0.0]), ("net/c", [0.0])]
    history = train(mode, specs, linear_loss, make, 3)
    a, b, c = (np.array([h[0][i] for h in history]) for i in range(3))
    np.testing.assert_allclose(a[:, 0], -np.cumsum([0.4, 0.2, 0.1]))
    np.testing.assert_allclose(b[:, 0], -np.cumsum([1.0, 0.3, 0.2]))
    np.testing.assert_allclose(c[:, 0], -np.cumsum([0.2, 0.2, 0.2]))
    assert [h[1] for h in history] == [1, 2, 3]


def test_adam_multiplier_scales_the_update_unlike_a_gradient_multiplier(mode):
    specs = [("fast", [1.0, -2.0]), ("slow", [1.0, -2.0])]

    def grouped(variables):
        fast, slow = variables
        return GroupedOptimizer(
            [Group([fast]), Group([slow], multiplier=0.1)],
            optimizer_fn=V1.train.AdamOptimizer, learning_rate=0.01)

    (values, _), = train(mode, specs, square_loss, grouped, 1)
    fast, slow = (values[i] - np.array([1.0, -2.0]) for i in range(2))
    np.testing.assert_allclose(slow / fast, 0.1, rtol=1e-4)

    def scaled_gradient(variables):   # slim's gradient_multipliers, XLNet
        fast, slow = variables
        return (tf.reduce_sum(fast * fast)
                + tf.reduce_sum(slow * slow) * 0.1)

    def single(variables):
        return GroupedOptimizer([Group(variables)],
                                optimizer_fn=V1.train.AdamOptimizer,
                                learning_rate=0.01)

    (values, _), = train(mode, specs, scaled_gradient, single, 1)
    fast, slow = (values[i] - np.array([1.0, -2.0]) for i in range(2))
    np.testing.assert_allclose(slow / fast, 1.0, rtol=1e-3)


def test_clip_norm_is_global_across_groups(mode):
    def make(variables):
        return GroupedOptimizer([Group(v.name.split(":")[0])
                                 for v in variables],
                                optimizer_fn=SGD, learning_rate=1.0,
                                clip_norm=1.0)

    def loss(variables):
        a, b = variables
        return 3.0 * tf.reduce_sum(a) + 4.0 * tf.reduce_sum(b)

    (values, _), = train(mode, [("a", [0.0]), ("b", [0.0])], loss, make, 1)
    np.testing.assert_allclose(np.concatenate(values), [-0.6, -0.8],
                               rtol=1e-6)


@pytest.mark.parametrize("dtypes", [("float16", "float32"),
                                    ("float32", "float64")],
                         ids=["f16-f32", "f32-f64"])
def test_clip_norm_across_float_dtypes(mode, dtypes):
    """A float16 layer next to a float32 one: one norm (float32, float64 if
    any is), each gradient scaled in its own dtype. TF's own
    clip_by_global_norm fails here (a `Pack` of mixed dtypes)."""
    def run():
        a = tf.Variable(np.zeros(1, dtypes[0]), name="a")
        b = tf.Variable(np.zeros(1, dtypes[1]), name="b")
        optimizer = GroupedOptimizer([Group("a"), Group("b")],
                                     optimizer_fn=SGD, learning_rate=1.0,
                                     clip_norm=1.0)

        def loss():
            return (3.0 * tf.cast(tf.reduce_sum(a), tf.float32)
                    + 4.0 * tf.cast(tf.reduce_sum(b), tf.float32))

        if not mode.graph:
            optimizer.minimize(loss, var_list=[a, b])
            return [a.numpy(), b.numpy()]
        op = optimizer.minimize(loss())
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            sess.run(op)
            return sess.run([a, b])

    if mode.graph:
        with tf.Graph().as_default():
            a, b = run()
    else:
        a, b = run()
    assert (a.dtype.name, b.dtype.name) == dtypes
    np.testing.assert_allclose(a, [-0.6], rtol=1e-3)
    np.testing.assert_allclose(b, [-0.8], rtol=1e-6)


def test_eager_var_list_none_uses_watched_variables():
    a, b = make_vars(("net/a", [1.0]), ("net/b", [1.0]))
    optimizer = GroupedOptimizer([Group("net/a"), Group("net/b",
                                                        frozen=True)],
                                 optimizer_fn=SGD, learning_rate=0.5)
    optimizer.minimize(lambda: linear_loss([a, b]))
    assert (a.numpy(), b.numpy()) == (0.5, 1.0)
    assert V1.train.get_global_step().numpy() == 1


def test_tf_function_step():
    a, b = make_vars(("net/a", [0.0]), ("net/b", [0.0]))
    gs = V1.train.get_or_create_global_step()
    optimizer = GroupedOptimizer(
        [Group("net/a", learning_rate=decay.exponential_decay(
            1.0, gs, 1, 0.5, staircase=True)),
         Group("net/b", optimizer=V1.train.AdamOptimizer(0.1))],
        optimizer_fn=SGD)

    @tf.function
    def step():
        optimizer.minimize(lambda: linear_loss([a, b]), var_list=[a, b])

    for _ in range(3):
        step()
    np.testing.assert_allclose(a.numpy(), [-1.75])
    np.testing.assert_allclose(b.numpy(), [-0.3], rtol=1e-5)
    assert gs.numpy() == 3


# --------------------------------------------- one backward pass, one step --

def _three_layer_graph():
    variables = make_vars(("net/a", [1.0, 2.0]), ("net/b", [3.0]),
                          ("net/c", [[1.0], [2.0]]))
    a, b, c = variables
    hidden = tf.tanh(tf.expand_dims(a, 0) @ c + b)
    return variables, tf.reduce_sum(hidden * hidden)


def test_one_backward_pass():
    with tf.Graph().as_default() as single:
        _, loss = _three_layer_graph()
        SGD(0.1).minimize(loss)
    with tf.Graph().as_default() as grouped:
        _, loss = _three_layer_graph()
        minimize_groups(loss, [Group("net/a"), Group("net/b"),
                               Group("net/c")],
                        optimizer_fn=V1.train.AdamOptimizer,
                        learning_rate=0.1)
    with tf.Graph().as_default() as naive:
        variables, loss = _three_layer_graph()
        tf.group(*[SGD(0.1).minimize(loss, var_list=[v]) for v in variables])
    assert grad_op_count(grouped) == grad_op_count(single)
    assert grad_op_count(naive) > 2 * grad_op_count(single)


def test_no_read_after_increment_race_over_fresh_runs():
    """Every group's first update uses lr(0), in 300 freshly initialised runs.

    Each group's rate halves at step 1, so an update that read the step after
    another group's increment would be half as large.
    """
    with tf.Graph().as_default():
        variables = make_vars(*[(f"g{k}", np.zeros(64)) for k in range(6)])
        gs = V1.train.get_or_create_global_step()
        base = [0.5 + k for k in range(6)]
        groups = [Group([v], learning_rate=decay.exponential_decay(
            lr, gs, 1, 0.5, staircase=True)) for v, lr in zip(variables, base)]
        train_op = minimize_groups(linear_loss(variables), groups,
                                   optimizer_fn=SGD)
        init = V1.global_variables_initializer()
        mismatches = 0
        with V1.Session() as sess:
            for _ in range(300):
                sess.run(init)
                sess.run(train_op)
                values, step = sess.run([variables, gs])
                expected = [np.full(64, -lr, np.float32) for lr in base]
                mismatches += step != 1 or any(
                    not np.array_equal(v, e) for v, e in zip(values, expected))
    assert mismatches == 0


def test_update_ops_run_with_the_step():
    with tf.Graph().as_default():
        w, = make_vars(("w", [1.0]))
        moving = tf.Variable(0.0, trainable=False, name="moving_mean")
        V1.add_to_collection(V1.GraphKeys.UPDATE_OPS,
                             moving.assign_add(1.0).op)
        groups = [Group([w])]
        with_updates = minimize_groups(square_loss([w]), groups,
                                       optimizer_fn=SGD, learning_rate=0.1)
        without = minimize_groups(square_loss([w]), groups, optimizer_fn=SGD,
                                  learning_rate=0.1, update_ops=[])
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            for _ in range(3):
                sess.run(with_updates)
            sess.run(without)
            assert sess.run(moving) == 3.0
            assert sess.run(V1.train.get_global_step()) == 4


# ------------------------------------------------------------- coverage --

def test_every_variable_in_exactly_one_group():
    with tf.Graph().as_default():
        make_vars(("net/block1/w", 0.0), ("net/block10/w", 0.0),
                  ("net/head/w", 0.0), ("extra", 0.0))
        optimizer = GroupedOptimizer(
            [Group("net/block1"), Group(re.compile("w$"), name="all w"),
             Group("net/missing")], optimizer_fn=SGD, learning_rate=0.1)
        with pytest.raises(ValueError) as error:
            optimizer.split_variables()
    message = str(error.value)
    assert message.startswith("GroupedOptimizer: `groups` must be such that "
                              "every variable is in exactly one group")
    assert "in no group: extra;" in message
    assert "in several groups: net/block1/w (groups[0] and all w);" in message
    assert "net/block10/w" not in message.split("Received")[0]
    assert "patterns matching nothing: 'net/missing'" in message


def test_scope_matches_on_name_boundaries():
    with tf.Graph().as_default():
        variables = make_vars(("net/block1/w", 0.0), ("net/block10/w", 0.0),
                              ("net/block1", 0.0))
        optimizer = GroupedOptimizer(
            [Group("net/block1/"), Group("net/block10")],
            optimizer_fn=SGD, learning_rate=0.1)
        first, second = optimizer.split_variables()
    assert first == [variables[0], variables[2]]
    assert second == [variables[1]]


def test_frozen_group_gets_no_gradient_and_no_update(mode):
    def make(variables):
        return GroupedOptimizer(
            [Group("net/frozen", frozen=True), Group("net/train")],
            optimizer_fn=SGD, learning_rate=0.5)

    specs = [("net/frozen/w", [1.0]), ("net/train/w", [1.0])]
    (values, step), = train(mode, specs, linear_loss, make, 1)
    assert (values[0][0], values[1][0], step) == (1.0, 0.5, 1)


def test_frozen_variables_are_not_differentiated():
    with tf.Graph().as_default():
        frozen, trained = make_vars(("frozen", [1.0]), ("trained", [1.0]))
        optimizer = GroupedOptimizer([Group([frozen], frozen=True),
                                      Group([trained])],
                                     optimizer_fn=SGD, learning_rate=0.1)
        pairs = optimizer.compute_gradients(square_loss([frozen, trained]))
    assert [v for _, v in pairs] == [trained]


def test_group_without_gradient_is_an_error():
    with tf.Graph().as_default():
        used, unused = make_vars(("used", [1.0]), ("head/unused", [1.0]))
        with pytest.raises(ValueError, match="head got no gradient"):
            minimize_groups(square_loss([used]),
                            [Group([used]), Group("head", name="head")],
                            optimizer_fn=SGD, learning_rate=0.1)


@pytest.mark.parametrize("kwargs, exc, text", [
    ({"variables": []}, ValueError, "`variables` must be non-empty"),
    ({"variables": ""}, ValueError, "non-empty scope strings"),
    ({"variables": 3}, TypeError, "compiled regexes"),
    ({"variables": "a", "optimizer": "adam"}, TypeError,
     "tf.compat.v1.train.Optimizer"),
    ({"variables": "a", "multiplier": -1}, ValueError,
     "`multiplier` must be >= 0"),
    ({"variables": "a", "multiplier": tf.constant(1.0)}, TypeError,
     "Python number"),
    ({"variables": "a", "frozen": True, "multiplier": 2}, ValueError,
     "`frozen` must be False"),
    ({"variables": "a", "optimizer": SGD(0.1), "learning_rate": 0.1},
     ValueError, "`learning_rate` must be None"),
    ({"variables": "a", "optimizer": SGD(0.1), "multiplier": 0.5},
     ValueError, "`multiplier` must be 1.0"),
    ({"variables": "a", "learning_rate": "fast"}, TypeError,
     "`learning_rate` must be"),
], ids=["empty", "empty-scope", "int", "optimizer-type", "negative",
        "tensor-multiplier", "frozen-with-rate", "optimizer-and-rate",
        "optimizer-and-multiplier", "bad-rate"])
def test_group_validation(kwargs, exc, text):
    with pytest.raises(exc, match=re.escape(text)):
        Group(**kwargs)


def test_grouped_optimizer_validation():
    shared = SGD(0.1)
    cases = [
        (dict(groups=[]), TypeError, "non-empty list of Group"),
        (dict(groups=Group("a")), TypeError, "non-empty list of Group"),
        (dict(groups=["a"]), TypeError, "`groups[0]` must be a Group"),
        (dict(groups=[Group("a")], learning_rate=0.1), ValueError,
         "`optimizer_fn` must be given"),
        (dict(groups=[Group("a")], optimizer_fn=SGD), ValueError,
         "`learning_rate` must be given"),
        (dict(groups=[Group("a")], optimizer_fn=lambda lr: "sgd",
              learning_rate=0.1), TypeError, "returning a tf.compat.v1"),
        (dict(groups=[Group("a", optimizer=shared),
                      Group("b", optimizer=shared)]), ValueError,
         "share one"),
        (dict(groups=[Group("a")], optimizer_fn=SGD, learning_rate=0.1,
              clip_norm=0), ValueError, "`clip_norm` must be > 0"),
        (dict(groups=[Group("a")], optimizer_fn=SGD, learning_rate=0.1,
              loss_scale=128), TypeError, "DynamicLossScale"),
    ]
    for kwargs, exc, text in cases:
        groups = kwargs.pop("groups")
        with pytest.raises(exc, match=re.escape(text)):
            GroupedOptimizer(groups, **kwargs)


def test_dict_groups_and_minimize_groups_refuses_eager_mode():
    optimizer = GroupedOptimizer([{"variables": "a", "multiplier": 0.5}],
                                 optimizer_fn=SGD, learning_rate=0.1)
    assert optimizer.groups[0].multiplier == 0.5
    with pytest.raises(RuntimeError, match="GroupedOptimizer"):
        minimize_groups(tf.constant(1.0), [Group("a")], optimizer_fn=SGD,
                        learning_rate=0.1)


# ---------------------------------------------------------- checkpoints --

def _interop_graph(grouped):
    """Three groups, Adam / Momentum / Adam, hand-written or grouped."""
    variables, loss = _three_layer_graph()
    gs = V1.train.get_or_create_global_step()
    makers = [lambda: V1.train.AdamOptimizer(0.1),
              lambda: V1.train.MomentumOptimizer(0.05, 0.9),
              lambda: V1.train.AdamOptimizer(0.01)]
    if grouped:
        return minimize_groups(loss, [Group([v], optimizer=make())
                                      for v, make in zip(variables, makers)])
    return tf.group(*[make().minimize(loss, var_list=[v],
                                      global_step=gs if i == 0 else None)
                      for i, (v, make) in enumerate(zip(variables, makers))])


def _train_and_save(grouped, path, restore=None):
    with tf.Graph().as_default():
        train_op = _interop_graph(grouped)
        saver = V1.train.Saver()
        names = sorted(v.op.name for v in V1.global_variables())
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            if restore:
                saver.restore(sess, restore)
            sess.run(train_op)
            saver.save(sess, path)
            values = {v.op.name: sess.run(v) for v in V1.global_variables()}
    return names, values


def test_checkpoints_move_both_ways_with_the_hand_written_pattern(tmp_path):
    names_naive, _ = _train_and_save(False, str(tmp_path / "naive"))
    names_grouped, _ = _train_and_save(True, str(tmp_path / "grouped"))
    assert names_grouped == names_naive
    assert "beta1_power_1" in names_grouped
    assert "net/b/Momentum" in names_grouped
    # One more step from the other's checkpoint gives the same state.
    _, from_grouped = _train_and_save(False, str(tmp_path / "n2"),
                                      restore=str(tmp_path / "grouped"))
    _, from_naive = _train_and_save(True, str(tmp_path / "g2"),
                                    restore=str(tmp_path / "naive"))
    _, grouped_twice = _train_and_save(True, str(tmp_path / "g3"),
                                       restore=str(tmp_path / "grouped"))
    for name, value in grouped_twice.items():
        np.testing.assert_allclose(from_grouped[name], value, rtol=1e-6)
    assert from_naive["global_step"] == 2


def test_slots_are_reachable_through_the_grouped_optimizer():
    with tf.Graph().as_default():
        a, b = make_vars(("a", [1.0]), ("b", [1.0]))
        optimizer = GroupedOptimizer(
            [Group([a], optimizer=V1.train.AdamOptimizer(0.1)),
             Group([b], optimizer=V1.train.MomentumOptimizer(0.1, 0.9))])
        optimizer.minimize(square_loss([a, b]))
        assert optimizer.get_slot(a, "m").op.name == "a/Adam"
        assert optimizer.get_slot(b, "momentum").op.name == "b/Momentum"
        assert optimizer.get_slot(b, "m") is None
        assert [o.get_slot_names() for o in optimizer.optimizers] == [
            ["m", "v"], ["momentum"]]
        assert {v.op.name for v in optimizer.variables()} == {
            "a/Adam", "a/Adam_1", "beta1_power", "beta2_power", "b/Momentum"}


def test_object_checkpoint_in_eager_mode(tmp_path):
    """Slots and Adam's beta powers of every group survive a round trip."""
    def make():
        a, b = make_vars(("a", [1.0, 2.0]), ("b", [3.0]))
        optimizer = GroupedOptimizer(
            [Group([a], optimizer=V1.train.AdamOptimizer(0.1)),
             Group([b], optimizer=V1.train.MomentumOptimizer(0.1, 0.9))])
        step = tf.Variable(0, dtype=tf.int64)
        return [a, b], optimizer, step

    def train_step(variables, optimizer, step):
        optimizer.minimize(lambda: tf.reduce_sum(variables[0] ** 2)
                           + tf.reduce_sum(variables[1] ** 3),
                           var_list=variables, global_step=step)

    variables, optimizer, step = make()
    train_step(variables, optimizer, step)
    path = tf.train.Checkpoint(v=variables, opt=optimizer, step=step).save(
        str(tmp_path / "ckpt"))
    train_step(variables, optimizer, step)
    restored = make()
    tf.train.Checkpoint(v=restored[0], opt=restored[1],
                        step=restored[2]).restore(path)
    train_step(*restored)
    for want, got in zip(variables, restored[0]):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert restored[2].numpy() == 2


# ---------------------------------------------------- layer-wise decay --

def test_layer_decay_multipliers(mode):
    def make(variables):
        return GroupedOptimizer(layer_decay_groups(
            ["net/embed", ["net/l1", re.compile("net/l2")], "net/head"], 0.5),
            optimizer_fn=SGD, learning_rate=1.0)

    specs = [("net/embed/w", [0.0]), ("net/l1/w", [0.0]),
             ("net/l2/w", [0.0]), ("net/head/w", [0.0])]
    (values, _), = train(mode, specs, linear_loss, make, 1)
    np.testing.assert_allclose(np.concatenate(values),
                               [-0.25, -0.5, -0.5, -1.0])


def test_slim_blocks_from_names():
    with tf.Graph().as_default():
        make_vars(("net/conv1/weights", 0.0),
                  ("net/conv1/BatchNorm/beta", 0.0),
                  ("net/block1/unit_1/conv/weights", 0.0),
                  ("net/block1/unit_2/conv/weights", 0.0),
                  ("net/logits/biases", 0.0), ("net/scale", 0.0),
                  ("other/w", 0.0))
        assert slim_blocks("net") == ["net/conv1", "net/block1",
                                      "net/logits", "net/scale"]
        assert slim_blocks("net/", depth=2) == [
            "net/conv1", "net/block1/unit_1", "net/block1/unit_2",
            "net/logits", "net/scale"]
        with pytest.raises(ValueError, match="`scope` must be the scope"):
            slim_blocks("nope")
        with pytest.raises(TypeError, match="`depth` must be an integer"):
            slim_blocks("net", depth=1.5)


def test_drops_into_slim_create_train_op():
    slim = pytest.importorskip("tf_slim")
    import tf1_schedules.slim_compat  # noqa: F401  (slim on TF 2.16+)
    with tf.Graph().as_default():
        a, b = make_vars(("net/a", [1.0]), ("net/b", [1.0]))
        optimizer = GroupedOptimizer(
            [Group("net/a", multiplier=0.5), Group("net/b")],
            optimizer_fn=SGD, learning_rate=0.1)
        train_op = slim.learning.create_train_op(square_loss([a, b]),
                                                 optimizer)
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            for _ in range(3):
                sess.run(train_op)
            values = sess.run([a, b, V1.train.get_global_step()])
    np.testing.assert_allclose(values[:2], [[0.9 ** 3], [0.8 ** 3]])
    assert values[2] == 3


def test_layer_decay_on_a_slim_network_with_batch_norm():
    slim = pytest.importorskip("tf_slim")
    import tf1_schedules.slim_compat  # noqa: F401  (slim on TF 2.16+)
    with tf.Graph().as_default():
        images = tf.random.stateless_normal([4, 8, 8, 3], seed=[1, 2])
        with V1.variable_scope("net"):
            net = slim.conv2d(images, 4, 3, scope="conv1",
                              normalizer_fn=slim.batch_norm)
            net = slim.repeat(net, 2, slim.conv2d, 4, 3, scope="block1")
            logits = slim.fully_connected(slim.flatten(net), 2,
                                          scope="logits")
        loss = tf.reduce_mean(tf.square(logits))
        blocks = slim_blocks("net")
        assert blocks == ["net/conv1", "net/block1", "net/logits"]
        groups = layer_decay_groups(blocks, 0.5)
        train_op = minimize_groups(loss, groups, optimizer_fn=SGD,
                                   learning_rate=0.1)
        moving_mean = V1.get_collection(V1.GraphKeys.MODEL_VARIABLES,
                                        "net/conv1/BatchNorm/moving_mean")[0]
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            before = sess.run(V1.trainable_variables())
            sess.run(train_op)
            after = sess.run(V1.trainable_variables())
            assert sess.run(V1.train.get_global_step()) == 1
            assert np.any(sess.run(moving_mean) != 0.0)
    assert all(np.any(a != b) for a, b in zip(after, before))
    assert [g.multiplier for g in groups] == [0.25, 0.5, 1.0]
