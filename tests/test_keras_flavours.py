"""Every Keras schedule class with Keras 3 and tf_keras optimizers: `fit`
uses the schedule's value at each step, `.keras` save / load keeps the
schedule and the step, and training continues as if uninterrupted.

The model is one weight `w` (Dense(1) on the input 1, no bias) trained with
the mean absolute error against a far target, so each SGD step adds exactly
the learning rate it used: `w[t + 1] - w[t] == lr(t)`.
"""
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from tf1_schedules import keras_schedules as ks
from tf1_schedules.schedules import registry

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FLAVOURS = {"keras3": keras, "tf_keras": tf_keras}

# Arguments under which every schedule changes within the first 5 steps.
SMALL = {
    "exponential_decay": (0.1, 2, 0.5),
    "natural_exp_decay": (0.1, 2, 0.5),
    "inverse_time_decay": (0.1, 2, 0.5),
    "polynomial_decay": (0.1, 4, 0.01),
    "piecewise_constant": ([1, 3], [0.1, 0.05, 0.01]),
    "cosine_decay": (0.1, 4),
    "cosine_decay_restarts": (0.1, 2),
    "linear_cosine_decay": (0.1, 4),
    "noisy_linear_cosine_decay": (0.1, 4, 0.0),  # no noise: reproducible
    "exponential_decay_with_burnin": (0.1, 2, 0.5, 0.01, 2, 0.0, False),
    "exponential_decay_with_warmup": (0.1, 2, 0.5, 0.01, 2, 0.0, False),
    "piecewise_with_warmup": ([2, 4], [0.02, 0.1, 0.01], True),
    "cosine_decay_with_warmup": (0.1, 6, 0.01, 2, 1),
    "bert_learning_rate": (0.1, 6, 2),
    "constant_learning_rate": (0.05,),
    "step_decay_with_warmup": (0.1, 5, 0.2),
    "cosine_annealing_warm_restarts": (0.1, 5, 0.2, 2),
    "one_cycle": (0.1, 5, 0.4),
    "lr_scheduler": (5, 0.1, "onecycle", 0.4),
}


def _composites(flavour):
    return {
        "Warmup": ks.Warmup(ks.CosineDecay(0.1, 4), 2, 0.01),
        "Join": ks.Join([ks.ExponentialDecay(0.1, 2, 0.5),
                         flavour.optimizers.schedules.CosineDecay(0.05, 4)],
                        [2]),
    }


def _schedule(name, flavour):
    if name in SMALL:
        return ks.for_schedule(name, *SMALL[name])
    return _composites(flavour)[name]


CASES = registry.names() + ["Warmup", "Join"]
X = np.ones((8, 1), np.float32)
Y = np.full((8, 1), 1e3, np.float32)


def _model(flavour, schedule):
    model = flavour.Sequential([
        flavour.Input((1,)),
        flavour.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    compile_args = {"jit_compile": False} if flavour is keras else {}
    model.compile(flavour.optimizers.SGD(schedule), loss="mae",
                  **compile_args)
    return model


def _weight(model):
    return float(model.layers[-1].get_weights()[0][0, 0])


def fit_steps(flavour, model, steps):
    """Trains `steps` batches; the learning rate each step used."""
    weights = [_weight(model)]

    class Record(flavour.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            weights.append(_weight(model))

    model.fit(X[:steps], Y[:steps], batch_size=1, epochs=1, shuffle=False,
              verbose=0, callbacks=[Record()])
    return np.diff(weights)


def expected(schedule, steps):
    return np.float32(schedule(tf.constant(steps, tf.int64)).numpy())


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", CASES)
def test_fit_save_load_fit(name, flavour, tmp_path):
    flavour = FLAVOURS[flavour]
    schedule = _schedule(name, flavour)
    model = _model(flavour, schedule)
    np.testing.assert_allclose(fit_steps(flavour, model, 3),
                               expected(schedule, [0, 1, 2]),
                               rtol=2e-5, atol=1e-6)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = flavour.models.load_model(path)
    lr = loaded.optimizer._learning_rate
    assert type(lr) is type(schedule)
    assert lr.get_config() == schedule.get_config()
    assert int(loaded.optimizer.iterations.numpy()) == 3
    np.testing.assert_allclose(fit_steps(flavour, loaded, 2),
                               expected(schedule, [3, 4]),
                               rtol=2e-5, atol=1e-6)


# tf_keras' other formats: .h5 (with `custom_objects()`: tf_keras reads
# registered schedules back by class name only) and SavedModel (tf_keras
# does not restore the optimizer's `iterations` from it, for any learning
# rate: the schedule comes back, the step restarts at 0).

TF_KERAS_FORMATS = ["model.h5", "saved_model"]


@pytest.mark.parametrize("fmt", TF_KERAS_FORMATS)
@pytest.mark.parametrize("name", ["cosine_decay", "lr_scheduler", "Join"])
def test_tf_keras_h5_and_saved_model(name, fmt, tmp_path):
    schedule = _schedule(name, tf_keras)
    model = _model(tf_keras, schedule)
    fit_steps(tf_keras, model, 3)
    path = str(tmp_path / fmt)
    model.save(path)
    custom = ks.custom_objects() if fmt.endswith(".h5") else None
    loaded = tf_keras.models.load_model(path, custom_objects=custom)
    lr = loaded.optimizer._learning_rate
    assert type(lr) is type(schedule)
    assert lr.get_config() == schedule.get_config()
    if fmt.endswith(".h5"):
        assert int(loaded.optimizer.iterations.numpy()) == 3
    else:
        assert int(loaded.optimizer.iterations.numpy()) == 0
        loaded.optimizer.iterations.assign(3)
    np.testing.assert_allclose(fit_steps(tf_keras, loaded, 2),
                               expected(schedule, [3, 4]),
                               rtol=2e-5, atol=1e-6)


def test_h5_without_custom_objects_fails_loudly(tmp_path):
    """tf_keras' .h5 loader ignores registered names: a clear failure, not
    a schedule of the same name with other arguments."""
    model = _model(tf_keras, ks.CosineDecay(0.1, 4))
    fit_steps(tf_keras, model, 1)
    path = str(tmp_path / "model.h5")
    model.save(path)
    with pytest.raises((TypeError, ValueError)):
        tf_keras.models.load_model(path)


def test_saving_a_tf1_eager_callable_fails_at_save_not_at_load(tmp_path):
    # A TF1-style eager callable follows global_step: Keras would write a
    # file it cannot read back. The save itself says what to use instead.
    import tf1_schedules as ts
    tf.compat.v1.train.get_or_create_global_step()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(
        ts.cosine_decay(0.1, None, 10)), loss="mse")
    with pytest.raises(TypeError, match=r"keras_schedules\.CosineDecay\("):
        model.save(tmp_path / "m.keras")
