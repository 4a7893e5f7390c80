"""Every package schedule as a Keras LearningRateSchedule (Keras 3 and
tf_keras): values, configs, what cannot be saved, TF1-style callables."""
import inspect
import json
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

import tf1_schedules
from tf1_schedules import keras_schedules as ks
from tf1_schedules.schedules import _mode
from tf1_schedules.schedules import step_fns
from tf1_schedules.schedules import registry

from tests.schedule_examples import EXAMPLES  # noqa: E402
STEPS = np.array([0, 1, 999, 2000, 2001, 5000, 14999, 30000, 99999])


def test_every_schedule_has_a_keras_class_and_an_example():
    assert set(EXAMPLES) == set(registry.names())
    for name in registry.names():
        schedule = ks.for_schedule(name, **EXAMPLES[name])
        assert isinstance(schedule, keras.optimizers.schedules
                          .LearningRateSchedule)
        assert isinstance(schedule, tf_keras.optimizers.schedules
                          .LearningRateSchedule)
        assert type(schedule).__name__ in ks.__all__


@pytest.mark.parametrize("name", registry.names())
def test_same_values_as_the_tf1_function(name):
    schedule = ks.for_schedule(name, **EXAMPLES[name])
    ours = schedule(tf.constant(STEPS)).numpy()
    entry = registry.get(name)
    if entry.tf1 is None:  # LRScheduler: its own TF1 form
        theirs = schedule.for_global_step(tf.constant(STEPS))()
    else:
        theirs = entry.tf1(**EXAMPLES[name],
                           **{entry.step_arg: tf.constant(STEPS)})()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", registry.names())
def test_config_and_serialization_round_trip(name):
    schedule = ks.for_schedule(name, **EXAMPLES[name])
    config = schedule.get_config()
    json.dumps(config)
    expected = schedule(tf.constant(STEPS)).numpy()
    copies = [
        type(schedule).from_config(config),
        keras.optimizers.schedules.deserialize(
            keras.optimizers.schedules.serialize(schedule)),
        keras.saving.deserialize_keras_object(
            json.loads(json.dumps(
                keras.saving.serialize_keras_object(schedule)))),
    ]
    for copy in copies:
        assert type(copy) is type(schedule)
        np.testing.assert_array_equal(copy(tf.constant(STEPS)), expected)


def test_registered_names():
    assert keras.saving.get_registered_name(ks.CosineDecayWithWarmup) == \
        "tf1_schedules>CosineDecayWithWarmup"
    assert keras.saving.get_registered_object(
        "tf1_schedules>OneCycle") is ks.OneCycle


def test_positional_arguments_and_signature():
    schedule = ks.ExponentialDecay(0.1, 10, 0.5, True)
    assert schedule.get_config() == {"learning_rate": 0.1, "decay_steps": 10,
                                     "decay_rate": 0.5, "staircase": True,
                                     "name": None}
    assert list(inspect.signature(ks.CosineDecayWithWarmup).parameters)[:2] \
        == ["learning_rate_base", "total_steps"]
    assert ks.ManualStepping is ks.PiecewiseWithWarmup


def test_numpy_arguments_keep_their_dtype_through_a_config():
    schedule = ks.PiecewiseWithWarmup(np.array([4, 6]), [np.float32(.02),
                                                         .1, .01], True)
    config = json.loads(json.dumps(schedule.get_config()))
    copy = ks.PiecewiseWithWarmup.from_config(config)
    assert copy._params["boundaries"].dtype == np.array([4, 6]).dtype
    assert type(copy._params["rates"][0]) is np.float32
    np.testing.assert_array_equal(copy(tf.range(8)), schedule(tf.range(8)))


@pytest.mark.parametrize("flavour", [keras, tf_keras])
def test_float64_learning_rate_stays_float64_through_the_optimizer(flavour):
    """Before: `_plain` turned np.float64 into a Python float (float32)."""
    optimizer = flavour.optimizers.SGD(ks.CosineDecay(np.float64(0.1), 20))
    config = json.loads(json.dumps(optimizer.get_config()))
    copy = type(optimizer).from_config(config)._learning_rate
    assert isinstance(copy, ks.CosineDecay)
    assert copy(3).dtype == tf.float64
    assert float(copy(3)) == float(ks.CosineDecay(np.float64(0.1), 20)(3))


def test_tf_keras_optimizer_takes_every_class():
    """Before: `RegistrySchedule.__call__() missing 1 required positional
    argument: 'step'` (tf_keras took the schedule for a plain callable)."""
    for schedule in (ks.CosineDecay(0.1, 20), ks.LRScheduler(20, 0.1),
                     ks.Warmup(ks.CosineDecay(0.1, 20), 2)):
        optimizer = tf_keras.optimizers.SGD(schedule)
        var = tf.Variable([0.0])
        for _ in range(3):
            optimizer.apply_gradients([(tf.constant([1.0]), var)])
        # tf_keras: `learning_rate` is the rate the last step used
        assert float(optimizer.learning_rate) == pytest.approx(
            float(schedule(2)))
        assert float(var[0]) == pytest.approx(
            -float(tf.reduce_sum(schedule(tf.range(3)))), rel=1e-6)


@pytest.mark.parametrize("flavour", [keras, tf_keras])
def test_gradient_tape_in_a_tf_function(flavour):
    schedule = ks.OneCycle(0.1, 6, 0.4)
    optimizer = flavour.optimizers.SGD(schedule)
    var = tf.Variable([0.0])

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(var)
        optimizer.apply_gradients(zip(tape.gradient(loss, [var]), [var]))

    applied = []
    for _ in range(6):
        before = float(var[0])
        train_step()
        applied.append(before - float(var[0]))
    np.testing.assert_allclose(applied, schedule(tf.range(6)).numpy(),
                               rtol=1e-5, atol=1e-8)


# ----------------------------------------- what a config cannot hold --

@pytest.mark.parametrize("make,argument", [
    (lambda: ks.CosineDecay(tf.constant(0.1), 10), "learning_rate"),
    (lambda: ks.ExponentialDecay(0.1, tf.Variable(10), 0.5), "decay_steps"),
    (lambda: ks.CosineDecay(keras.Variable(0.1), 10), "learning_rate"),
    (lambda: ks.LRScheduler(100, tf.constant(0.1)), "lr"),
    (lambda: ks.PiecewiseConstant([tf.constant(3)], [0.1, 0.01]),
     "boundaries"),
    (lambda: ks.Warmup(ks.CosineDecay(0.1, 10), tf.constant(2)),
     "warmup_steps"),
], ids=["tensor", "tf_variable", "keras_variable", "lr_scheduler",
        "tensor_in_list", "warmup_steps"])
def test_tensor_and_variable_arguments_are_rejected(make, argument):
    """Before: accepted, then `load_model` failed on the saved file."""
    with pytest.raises(TypeError, match=f"`{argument}` must be a Python or "
                       "NumPy number.*cannot hold a Tensor or Variable"):
        make()


@pytest.mark.parametrize("make,argument", [
    (lambda: ks.Warmup(step_fns.cosine_decay_fn(0.1, 10), 2), "schedule"),
    (lambda: ks.Warmup(tf1_schedules.cosine_decay(0.1, tf.Variable(0), 10),
                       2), "schedule"),
    (lambda: ks.Join([ks.CosineDecay(0.1, 10), lambda step: 0.1], [5]),
     r"schedules\[1\]"),
], ids=["step_function", "eager_tf1_callable", "lambda"])
def test_callables_inside_composites_are_rejected(make, argument):
    """Before: accepted, then `load_model` failed on the saved file."""
    with pytest.raises(TypeError, match=f"`{argument}` must be a Keras "
                       "LearningRateSchedule"):
        make()


def test_saving_a_from_tf1_adapter_fails_with_a_clear_error(tmp_path):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(ks.from_tf1(
        step_fns.cosine_decay_fn(0.1, 10))), loss="mae")
    with pytest.raises(TypeError, match="cannot be saved.*CosineDecay"):
        model.save(str(tmp_path / "model.keras"))


# ------------------------------------------- TF1-style callables --

def test_from_tf1_follows_the_optimizer_iterations():
    global_step = tf.Variable(0, dtype=tf.int64)
    tf1 = tf1_schedules.cosine_decay(0.1, global_step, 10)
    schedule = ks.from_tf1(tf1)
    expected = -float(tf.reduce_sum(ks.CosineDecay(0.1, 10)(tf.range(4))))
    for flavour in (keras, tf_keras):
        optimizer = flavour.optimizers.SGD(schedule)
        var = tf.Variable([0.0])
        for _ in range(4):
            optimizer.apply_gradients([(tf.constant([1.0]), var)])
        assert float(var[0]) == pytest.approx(expected, rel=1e-6)
    assert int(global_step.numpy()) == 0
    with pytest.raises(TypeError, match="use the schedule's class"):
        schedule.get_config()


class _Hooked:
    """A ScheduleFn whose call runs `check_keras_call` first, as
    `ScheduleFn.__call__` does with the hook in `_mode.CALL_HOOKS`."""

    def __init__(self, schedule_fn):
        self.schedule_fn = schedule_fn
        self.__name__ = schedule_fn.__name__

    def __call__(self):
        ks.check_keras_call(self.schedule_fn)
        return self.schedule_fn()


def _train(optimizer, steps=3):
    var = tf.Variable([0.0])
    for _ in range(steps):
        optimizer.apply_gradients([(tf.constant([1.0]), var)])


@pytest.mark.parametrize("flavour", [keras, tf_keras,
                                     tf_keras.optimizers.legacy])
def test_tf1_callable_in_a_keras_optimizer_warns_once(flavour):
    optimizers = getattr(flavour, "optimizers", flavour)
    tf1 = tf1_schedules.cosine_decay(0.1, tf.Variable(0, dtype=tf.int64), 10)
    with pytest.warns(ks.FollowsGlobalStepWarning) as record:
        _train(optimizers.SGD(_Hooked(tf1)))
    assert len(record) == 1
    message = str(record[0].message)
    assert "keras_schedules.CosineDecay(...)" in message
    assert "from_tf1" in message and "optimizer.iterations" in message


def test_no_warning_when_the_step_is_the_optimizer_iterations():
    """Keras 3 and tf_keras' legacy optimizers call a callable each step (a
    tf_keras optimizer calls it once, at construction: always frozen)."""
    for optimizers in (keras.optimizers, tf_keras.optimizers.legacy):
        optimizer = optimizers.SGD(0.1)
        tf1 = tf1_schedules.cosine_decay(0.1, optimizer.iterations, 10)
        optimizer.learning_rate = _Hooked(tf1)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ks.FollowsGlobalStepWarning)
            _train(optimizer)
    with warnings.catch_warnings():  # a TF1 optimizer: no warning either
        warnings.simplefilter("error", ks.FollowsGlobalStepWarning)
        step = tf.Variable(0, dtype=tf.int64)
        lr = _Hooked(tf1_schedules.cosine_decay(0.1, step, 10))
        tf.compat.v1.train.GradientDescentOptimizer(lr).apply_gradients(
            [(tf.constant([1.0]), tf.Variable([0.0]))])


@pytest.mark.skipif(not hasattr(_mode, "CALL_HOOKS"),
                    reason="needs the ScheduleFn call hook in _mode")
def test_eager_tf1_callable_warns_in_tf_keras():
    """Before: the learning rate silently stayed at 0.1 for every step."""
    tf1 = tf1_schedules.cosine_decay(0.1, None, 10)
    with pytest.warns(ks.FollowsGlobalStepWarning):
        _train(tf_keras.optimizers.SGD(tf1))


@pytest.mark.slow
def test_tf_use_legacy_keras_switch():
    """`TF_USE_LEGACY_KERAS=1`: `tf.keras` is tf_keras; the classes work."""
    code = (
        "import tensorflow as tf, tf_keras\n"
        "from tf1_schedules import keras_schedules as ks\n"
        "assert tf.keras.optimizers.SGD is tf_keras.optimizers.SGD\n"
        "opt = tf.keras.optimizers.SGD(ks.CosineDecay(0.1, 10))\n"
        "v = tf.Variable([0.0])\n"
        "for _ in range(3): opt.apply_gradients([(tf.constant([1.0]), v)])\n"
        "print(float(opt.learning_rate))\n")
    env = {**__import__("os").environ, "TF_USE_LEGACY_KERAS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, timeout=120,
                         capture_output=True, text=True, check=True).stdout
    assert float(out.split()[-1]) == pytest.approx(  # the last step's rate
        float(ks.CosineDecay(0.1, 10)(2)))


def test_invalid_arguments_raise_at_construction():
    with pytest.raises(ValueError, match="`decay_steps` must be > 0"):
        ks.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="First step cannot be zero."):
        ks.ManualStepping([0, 3], [1., 2., 3.])
    with pytest.raises(TypeError):
        ks.CosineDecay(0.1, 10, bogus=1)


@pytest.mark.parametrize("schedule", [
    ks.CosineDecayWithWarmup(0.1, 40, 0.01, 5, 3),
    ks.StepDecayWithWarmup(0.1, 30),
    ks.Warmup(keras.optimizers.schedules.ExponentialDecay(0.1, 5, 0.5), 4),
], ids=["od_cosine", "step_policy", "warmup_of_keras"])
def test_keras_optimizer_steps_with_its_iterations(schedule):
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    var = tf.Variable([0.0])
    applied = []
    for _ in range(9):
        before = float(var.numpy()[0])
        optimizer.apply_gradients([(tf.constant([1.0]), var)])
        applied.append(before - float(var.numpy()[0]))
    expected = schedule(tf.range(9, dtype=tf.int64)).numpy()
    np.testing.assert_allclose(applied, expected, rtol=1e-5, atol=1e-9)
    assert float(optimizer.learning_rate) == pytest.approx(
        float(schedule(9)))


def test_warmup_and_join_compose_keras_schedules():
    inner = ks.CosineDecay(0.1, 100)
    warm = ks.Warmup(inner, 10, 0.01, mode="overlay", shape="cosine")
    joined = ks.Join([warm, keras.optimizers.schedules.PiecewiseConstantDecay(
        [5], [0.5, 0.05])], [50])
    steps = tf.constant([0, 5, 10, 49, 50, 55, 56], tf.int64)
    expected = joined(steps).numpy()
    np.testing.assert_allclose(expected[[0, 4, 6]], [0.01, 0.5, 0.05],
                               rtol=1e-6)
    for copy in (ks.Join.from_config(joined.get_config()),
                 keras.optimizers.schedules.deserialize(json.loads(json.dumps(
                     keras.optimizers.schedules.serialize(joined))))):
        np.testing.assert_array_equal(copy(steps), expected)
        assert isinstance(copy.schedules[0], ks.Warmup)


@pytest.mark.parametrize("flavour", [keras, tf_keras])
@pytest.mark.parametrize("ours,theirs,args", [
    ("ExponentialDecay", "ExponentialDecay", (0.1, 7, 0.5, True)),
    ("InverseTimeDecay", "InverseTimeDecay", (0.1, 7, 0.5)),
    ("PolynomialDecay", "PolynomialDecay", (0.1, 15, 0.01, 2.0, True)),
    ("CosineDecay", "CosineDecay", (0.1, 30, 0.1)),
    ("CosineDecayRestarts", "CosineDecayRestarts", (0.1, 5, 2.0, 0.5, 0.1)),
    ("PiecewiseConstant", "PiecewiseConstantDecay",
     ([5, 9], [0.1, 0.05, 0.01])),
])
def test_migration_from_keras_builtin_schedules(ours, theirs, args, flavour):
    """README's table: the same positional arguments give the same curve."""
    steps = tf.range(40, dtype=tf.int64)
    mine = getattr(ks, ours)(*args)(steps).numpy()
    builtin = getattr(flavour.optimizers.schedules, theirs)(*args)
    np.testing.assert_allclose(
        mine, [float(builtin(tf.cast(s, tf.float32))) for s in steps],
        rtol=2e-6, atol=1e-9)


def test_lr_scheduler_signature_and_home():
    assert tf1_schedules.LRScheduler is ks.LRScheduler
    assert str(inspect.signature(ks.LRScheduler)) == (
        "(iterations, lr, policy='step', warm_up=0.1, "
        "initial_cycle_length=2500, cycle_weight=2.0, decay_step=0.1, *, "
        "double_step=True)")  # the snippet's flag, keyword-only
    from tf1_schedules.schedules import policies
    assert not hasattr(policies, "LRScheduler")


@pytest.mark.parametrize("optimizers", [keras.optimizers,
                                        tf_keras.optimizers,
                                        tf_keras.optimizers.legacy])
def test_lr_scheduler_update_sets_either_flavour(optimizers):
    scheduler = ks.LRScheduler(iterations=20, lr=0.1, policy="onecycle")
    optimizer = optimizers.SGD(0.5)
    var = tf.Variable([0.0])
    for i in range(4):
        assert scheduler.update(optimizer, i) == float(scheduler(i))
        optimizer.apply_gradients([(tf.constant([1.0]), var)])
    assert float(var[0]) == pytest.approx(
        -float(tf.reduce_sum(scheduler(tf.range(4)))), rel=1e-6)
