"""Every schedule of the package as a Keras 3 `LearningRateSchedule`.

The migration path from TF1 code to Keras 3 optimizers: the same curve, with
the optimizer's `iterations` as the step (a TF1 function given to a Keras
optimizer would follow `global_step`, which Keras never increments).

    opt = keras.optimizers.SGD(
        keras_schedules.CosineDecayWithWarmup(0.1, 10000, warmup_steps=500))

Each class takes the arguments of the TF1-style function minus the step
(positionally or by name), gives the same values, and supports
`get_config`/`from_config` and Keras serialization
(`keras.optimizers.schedules.serialize`/`deserialize`,
`keras.saving.serialize_keras_object`): all are registered as
`tf1_schedules>ClassName`. `Warmup` and `Join` compose any Keras schedules.
`tf1_schedules.schedules.policies.LRScheduler` is also a Keras schedule.
"""
import inspect

import keras
import numpy as np

from tf1_schedules.schedules import compose
from tf1_schedules.schedules import registry
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import policies

__all__ = [
    "RegistrySchedule",
    "ExponentialDecay",
    "NaturalExpDecay",
    "InverseTimeDecay",
    "PolynomialDecay",
    "PiecewiseConstant",
    "CosineDecay",
    "CosineDecayRestarts",
    "LinearCosineDecay",
    "NoisyLinearCosineDecay",
    "ExponentialDecayWithBurnin",
    "ExponentialDecayWithWarmup",
    "PiecewiseWithWarmup",
    "ManualStepping",
    "CosineDecayWithWarmup",
    "BertLearningRate",
    "ConstantLearningRate",
    "StepDecayWithWarmup",
    "CosineAnnealingWarmRestarts",
    "OneCycle",
    "LRScheduler",
    "Warmup",
    "Join",
    "for_schedule",
]

_register = keras.saving.register_keras_serializable(package="tf1_schedules")
LearningRateSchedule = keras.optimizers.schedules.LearningRateSchedule


def _plain(value):
    """NumPy scalars and arrays as Python values (JSON-serializable)."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class RegistrySchedule(LearningRateSchedule):
    """A package schedule as a Keras schedule (subclasses set `schedule`).

    Arguments are validated at construction (before any op is built).
    """

    schedule = None  # the registry name

    def __init__(self, *args, **kwargs):
        factory = registry.get(self.schedule).fn
        bound = inspect.signature(factory).bind(*args, **kwargs)
        bound.apply_defaults()
        self._params = dict(bound.arguments)
        self._fn = factory(**self._params)

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        return {key: _plain(value) for key, value in self._params.items()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"


def _keras(name):
    """Class decorator: the Keras schedule for registry entry `name`."""
    def define(cls):
        cls.schedule = name
        cls.__signature__ = inspect.signature(registry.get(name).fn)
        cls.__doc__ = (f"`{name}` as a Keras schedule (step: the optimizer's "
                       f"`iterations`).\n\n" + (registry.get(name).summary))
        return _register(cls)

    return define


@_keras("exponential_decay")
class ExponentialDecay(RegistrySchedule):
    pass


@_keras("natural_exp_decay")
class NaturalExpDecay(RegistrySchedule):
    pass


@_keras("inverse_time_decay")
class InverseTimeDecay(RegistrySchedule):
    pass


@_keras("polynomial_decay")
class PolynomialDecay(RegistrySchedule):
    pass


@_keras("piecewise_constant")
class PiecewiseConstant(RegistrySchedule):
    pass


@_keras("cosine_decay")
class CosineDecay(RegistrySchedule):
    pass


@_keras("cosine_decay_restarts")
class CosineDecayRestarts(RegistrySchedule):
    pass


@_keras("linear_cosine_decay")
class LinearCosineDecay(RegistrySchedule):
    pass


@_keras("noisy_linear_cosine_decay")
class NoisyLinearCosineDecay(RegistrySchedule):
    pass


@_keras("exponential_decay_with_burnin")
class ExponentialDecayWithBurnin(RegistrySchedule):
    pass


@_keras("exponential_decay_with_warmup")
class ExponentialDecayWithWarmup(RegistrySchedule):
    pass


@_keras("piecewise_with_warmup")
class PiecewiseWithWarmup(RegistrySchedule):
    pass


ManualStepping = PiecewiseWithWarmup


@_keras("cosine_decay_with_warmup")
class CosineDecayWithWarmup(RegistrySchedule):
    pass


@_keras("bert_learning_rate")
class BertLearningRate(RegistrySchedule):
    pass


@_keras("constant_learning_rate")
class ConstantLearningRate(RegistrySchedule):
    pass


@_keras("step_decay_with_warmup")
class StepDecayWithWarmup(RegistrySchedule):
    pass


@_keras("cosine_annealing_warm_restarts")
class CosineAnnealingWarmRestarts(RegistrySchedule):
    pass


@_keras("one_cycle")
class OneCycle(RegistrySchedule):
    pass


# ----------------------------------------------------------- LRScheduler --

def _v1_learning_rate(optimizer):
    """Where `tf.compat.v1.train` optimizers keep their learning rate.

    There is no public accessor: `GradientDescentOptimizer` and most others
    use `_learning_rate`, `AdamOptimizer` and `AdadeltaOptimizer` `_lr`.
    """
    for attr in ("_learning_rate", "_lr"):
        if hasattr(optimizer, attr):
            return getattr(optimizer, attr)
    return None


def _set_learning_rate(optimizer, value):
    if isinstance(optimizer, tf.compat.v1.train.Optimizer):
        variable = _v1_learning_rate(optimizer)
        if not isinstance(variable, tf.Variable):
            checks.fail(
                "LRScheduler.update", "optimizer",
                "a tf.compat.v1 optimizer whose learning rate is a "
                "tf.Variable (e.g. GradientDescentOptimizer(tf.Variable(0.1))"
                "), or a Keras optimizer", optimizer, TypeError)
        variable.assign(value)
        return
    if not hasattr(optimizer, "learning_rate"):
        checks.fail("LRScheduler.update", "optimizer",
                    "a Keras or tf.compat.v1 optimizer", optimizer, TypeError)
    optimizer.learning_rate = value


@_register
class LRScheduler(keras.optimizers.schedules.LearningRateSchedule):
    """The snippet's scheduler: `update(optimizer, step)` once per iteration.

        lr_scheduler = LRScheduler(iterations=100000, lr=0.001, policy='step')
        for i in range(iterations):
            lr_scheduler.update(optimizer, i)   # sets optimizer's lr
            ... apply_gradients ...

    The value is a pure function of the step (see the module docstring for
    each policy), so it can also be passed directly as a Keras 3 learning
    rate (`keras.optimizers.SGD(LRScheduler(...))`: the step is the
    optimizer's `iterations`), evaluated with `lr_scheduler(step)`, or used
    in a TF1 graph via `lr_scheduler.for_global_step(global_step)`.

    Args:
      iterations: integer >= 1, the planned number of steps.
      lr: number >= 0, the peak / base learning rate.
      policy: 'constant', 'step', 'cosine' or 'onecycle'.
      warm_up: fraction of `iterations` in [0, 1] used to warm up
        (ignored by 'constant').
      initial_cycle_length: 'cosine': length of the first cycle.
      cycle_weight: 'cosine': growth factor of each cycle's length.
      decay_step: number in [0, 1], the decay factor: 'step' drops to
        `lr * decay_step` and `lr * decay_step ** 2`, 'cosine' and 'onecycle'
        end at `lr * decay_step ** 2`.
    """

    def __init__(self, iterations, lr, policy="step", warm_up=0.1,
                 initial_cycle_length=2500, cycle_weight=2.0, decay_step=0.1):
        self._config = dict(
            iterations=iterations, lr=lr, policy=policy, warm_up=warm_up,
            initial_cycle_length=initial_cycle_length,
            cycle_weight=cycle_weight, decay_step=decay_step)
        self._schedule = policies.lr_scheduler_fn(**self._config)

    def __call__(self, step):
        """The learning rate at `step` (a number, Tensor or vector)."""
        return self._schedule(step)

    def update(self, optimizer, step):
        """Sets `optimizer`'s learning rate to its value at `step`.

        Works in eager mode with a Keras (3 or tf_keras) optimizer built
        with a number as learning rate, or a `tf.compat.v1.train` optimizer
        whose learning rate is a `tf.Variable`.

        Returns:
          The learning rate set, a Python float.
        """
        if not tf.executing_eagerly():
            raise RuntimeError(
                "LRScheduler.update: needs eager execution. In graph mode "
                "pass `lr_scheduler.for_global_step(global_step)` to the "
                "optimizer instead.")
        value = float(self(step))
        _set_learning_rate(optimizer, value)
        return value

    def for_global_step(self, global_step=None, name=None):
        """TF1-style: a Tensor (graph mode) or a zero-argument callable
        (eager mode) following `global_step` (None: the global step)."""
        return compose.at_global_step(self._schedule, global_step, name)

    def get_config(self):
        return dict(self._config)


_BY_NAME = {cls.schedule: cls for cls in RegistrySchedule.__subclasses__()}


def for_schedule(name, *args, **kwargs):
    """The Keras schedule for registry name `name` (aliases accepted)."""
    entry = registry.get(name)
    if entry.name == "lr_scheduler":
        return LRScheduler(*args, **kwargs)
    return _BY_NAME[entry.name](*args, **kwargs)


# ------------------------------------------------------------- composites --

def _schedule_object(value):
    """A Keras schedule, deserialized when given as a config dict."""
    if isinstance(value, dict):
        return keras.saving.deserialize_keras_object(value)
    return value


@_register
class Warmup(LearningRateSchedule):
    """`compose.warmup` around any Keras schedule.

        shift (default): step < w: ramp; else schedule(step - w)
        overlay (BERT):  step < w: ramp; else schedule(step)

    Args: as `tf1_schedules.schedules.compose.warmup` (`schedule` is a Keras schedule).
    """

    def __init__(self, schedule, warmup_steps, warmup_learning_rate=0.0,
                 mode="shift", shape="linear", peak=None):
        self.schedule = _schedule_object(schedule)
        self._config = dict(warmup_steps=warmup_steps,
                            warmup_learning_rate=warmup_learning_rate,
                            mode=mode, shape=shape, peak=peak)
        self._fn = compose.with_warmup(self.schedule, warmup_steps,
                                  warmup_learning_rate, mode=mode,
                                  shape=shape, peak=peak)

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        config = {k: _plain(v) for k, v in self._config.items()}
        config["schedule"] = keras.saving.serialize_keras_object(
            self.schedule)
        return config


@_register
class Join(LearningRateSchedule):
    """`compose.join` of Keras schedules: part i from `boundaries[i-1]` on,
    seeing `step - boundaries[i-1]`."""

    def __init__(self, schedules, boundaries):
        self.schedules = [_schedule_object(s) for s in schedules]
        self.boundaries = _plain(list(boundaries))
        self._fn = compose.join(self.schedules, self.boundaries)

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        return {"schedules": [keras.saving.serialize_keras_object(s)
                              for s in self.schedules],
                "boundaries": list(self.boundaries)}
