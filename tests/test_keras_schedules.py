"""Every package schedule as a Keras 3 LearningRateSchedule."""
import inspect
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules import keras_schedules as ks
from tf1_schedules.tools import preview
from tf1_schedules.schedules import registry

# One example per schedule: the gallery's first curve (seed parameters).
EXAMPLES = {item.name: item.curves[0].params for item in preview.GALLERY}
STEPS = np.array([0, 1, 999, 2000, 2001, 5000, 14999, 30000, 99999])


def test_every_schedule_has_a_keras_class_and_an_example():
    assert set(EXAMPLES) == set(registry.names())
    for name in registry.names():
        schedule = ks.for_schedule(name, **EXAMPLES[name])
        assert isinstance(schedule, keras.optimizers.schedules
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


def test_numpy_arguments_serialize_as_python_values():
    schedule = ks.PiecewiseWithWarmup(np.array([4, 6]), [np.float32(.02),
                                                         .1, .01], True)
    json.dumps(schedule.get_config())
    assert schedule.get_config()["boundaries"] == [4, 6]


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
