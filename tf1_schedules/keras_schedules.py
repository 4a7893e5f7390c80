"""Every schedule of the package as a Keras learning-rate schedule, for
Keras 3 (`keras`) and tf_keras (Keras 2) alike.

The migration path from TF1 code to Keras optimizers: the same curve, with
the optimizer's `iterations` as the step (a TF1-style callable given to a
Keras optimizer would follow `global_step`, which Keras never increments).

    opt = keras.optimizers.SGD(                      # Keras 3
        keras_schedules.CosineDecayWithWarmup(0.1, 10000, warmup_steps=500))
    opt = tf_keras.optimizers.SGD(                   # tf_keras, same class
        keras_schedules.CosineDecayWithWarmup(0.1, 10000, warmup_steps=500))

One definition serves both flavours: every class here derives from
`Schedule`, a subclass of both `keras.optimizers.schedules.
LearningRateSchedule` and `tf_keras.optimizers.schedules.
LearningRateSchedule`, and is registered with both serialization registries
as `tf1_schedules>ClassName`. So the flavour is whatever the optimizer is
(`import keras`, `import tf_keras`, or `tf.keras` with
`TF_USE_LEGACY_KERAS=1`); nothing to switch.

Each registry class takes the arguments of the TF1-style function minus the
step (positionally or by name), gives the same values, and supports
`get_config`/`from_config` and both flavours' saving. What a config cannot
hold is rejected at construction (`TypeError` naming the argument): Tensors,
Variables, Python callables. NumPy scalars and arrays keep their dtype
through a config (`np.float64(0.1)` stays a float64 schedule). `Warmup` and
`Join` compose any saveable Keras schedules; `LRScheduler` is the seed's
scheduler class; `from_tf1(schedule)` adapts a TF1-style eager callable or a
step function to follow `optimizer.iterations` (not saveable: use the
class). A package TF1-style callable handed to a Keras optimizer warns once
(`FollowsGlobalStepWarning`).
"""
import inspect
import json
import os
import sys
import warnings
import weakref

import keras
import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import _mode
from tf1_schedules.schedules import compose
from tf1_schedules.schedules import registry
from tf1_schedules.schedules._compiled import compiled
from tf1_schedules.schedules.fast import PolicyValues

try:  # a dependency of the package; optional here
    import tf_keras
except ImportError:  # pragma: no cover - tf_keras is installed with us
    tf_keras = None

__all__ = [
    "Schedule",
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
    "custom_objects",
    "from_tf1",
    "FollowsGlobalStepWarning",
    "FLAVOURS",
]

#: The Keras modules whose optimizers take these schedules.
FLAVOURS = tuple(m for m in (keras, tf_keras) if m is not None)

_BASES = tuple(m.optimizers.schedules.LearningRateSchedule for m in FLAVOURS)


class Schedule(*_BASES):
    """Base of every schedule here: a `LearningRateSchedule` of each flavour.

    Subclasses define `__call__(step)` and `get_config()`;
    `from_config(config)` is `cls(**config)`.
    """

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _register(cls):
    """Registers `cls` as `tf1_schedules>Name` with every flavour."""
    for flavour in FLAVOURS:
        cls = flavour.saving.register_keras_serializable(
            package="tf1_schedules")(cls)
    return cls


# ---------------------------------------------------------------- config --

_NUMPY = "__numpy__"  # {"__numpy__": dtype, "value": ...} in a config


def _encode(value):
    """A checked argument as JSON: NumPy values tagged with their dtype."""
    if isinstance(value, (np.generic, np.ndarray)):
        return {_NUMPY: str(value.dtype), "value": value.tolist()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    """Inverse of `_encode` (other values unchanged)."""
    if isinstance(value, dict) and set(value) == {_NUMPY, "value"}:
        array = np.asarray(value["value"], dtype=value[_NUMPY])
        return array if array.ndim else array[()]
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


_SAVEABLE_RULE = (
    "a Python or NumPy number, bool, string, None, or a list of them (a "
    "Keras schedule is saved as its config, which cannot hold {what}; pass "
    "{fix})")


def _check_saveable(fn, arg, value):
    """TypeError unless `value` can live in a config (JSON + NumPy dtypes)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_saveable(fn, arg, item)
        return
    if checks.is_tensor(value) or _is_keras_variable(value):
        rule = _SAVEABLE_RULE.format(
            what="a Tensor or Variable",
            fix="a number, e.g. float(t) or np.float64(t.numpy())")
    elif callable(value):
        rule = _SAVEABLE_RULE.format(
            what="a Python callable", fix="its value")
    else:
        rule = _SAVEABLE_RULE.format(what=type(value).__name__,
                                     fix="a number")
    checks.fail(fn, arg, rule, value, TypeError)


def _is_keras_variable(value):
    return isinstance(value, keras.Variable)


def _checked(fn, params):
    """`params` (name -> value) decoded from a config and checked."""
    params = {name: _decode(value) for name, value in params.items()}
    for name, value in params.items():
        _check_saveable(fn, name, value)
    return params


def _config(params):
    return {name: _encode(value) for name, value in params.items()}


# ------------------------------------------------------ registry classes --

def _factory(entry, caller):
    """`entry`'s step-function factory, its errors naming `caller`."""
    make = getattr(entry, "make", None)
    if make is None:
        return entry.fn
    return lambda **params: make(caller, **params)


def _bind(entry, caller, signature, args, kwargs):
    """`args`/`kwargs` bound to `signature`; TypeError naming `caller` (in
    the registry's arity-message shape when it has one)."""
    bind = getattr(entry, "bind", None)
    if bind is not None:
        return bind(caller, args, kwargs, signature)
    try:
        return signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{caller}: {error}.") from None


class RegistrySchedule(Schedule):
    """A package schedule as a Keras schedule (subclasses set `schedule`).

    Arguments are validated at construction (before any op is built).
    """

    schedule = None  # the registry name

    def __init__(self, *args, **kwargs):
        caller = type(self).__name__
        bound = _bind(registry.get(self.schedule), caller,
                      inspect.signature(type(self)), args, kwargs)
        bound.apply_defaults()
        self._params = _checked(caller, bound.arguments)
        self._fn = compiled(_factory(registry.get(self.schedule), caller)(
            **self._params))

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        return _config(self._params)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"


def _keras(name):
    """Class decorator: the Keras schedule for registry entry `name`."""
    def define(cls):
        entry = registry.get(name)
        cls.schedule = name
        if "__init__" not in cls.__dict__:
            cls.__signature__ = inspect.signature(entry.fn)
        if cls.__doc__ is None:
            cls.__doc__ = (f"`{name}` as a Keras schedule (step: the "
                           "optimizer's `iterations`).\n\n" + entry.summary)
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
    """Sets a Keras (either flavour) or tf.compat.v1 optimizer's rate."""
    _learning_rate_setter(optimizer)(value)


def _learning_rate_setter(optimizer):
    """`set(value)` for the optimizer's rate; TypeError for a wrong one."""
    if isinstance(optimizer, tf.compat.v1.train.Optimizer):
        variable = _v1_learning_rate(optimizer)
        if not isinstance(variable, tf.Variable):
            checks.fail(
                "LRScheduler.update", "optimizer",
                "a tf.compat.v1 optimizer whose learning rate is a "
                "tf.Variable (e.g. GradientDescentOptimizer(tf.Variable(0.1))"
                "), or a Keras optimizer", optimizer, TypeError)
        return variable.assign
    if not hasattr(optimizer, "learning_rate"):
        checks.fail("LRScheduler.update", "optimizer",
                    "a Keras or tf.compat.v1 optimizer", optimizer, TypeError)
    return lambda value: setattr(optimizer, "learning_rate", value)


@_keras("lr_scheduler")
class LRScheduler(RegistrySchedule):
    """The snippet's scheduler: `update(optimizer, step)` once per iteration.

        lr_scheduler = LRScheduler(iterations=100000, lr=0.001, policy='step')
        for i in range(iterations):
            lr_scheduler.update(optimizer, i)   # sets optimizer's lr
            ... apply_gradients ...

    The value is a pure function of the step (see
    `tf1_schedules.schedules.policies` for each policy), so it can also be
    passed directly as a Keras learning rate (`keras.optimizers.SGD(
    LRScheduler(...))` or `tf_keras.optimizers.SGD(...)`: the step is the
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
                 initial_cycle_length=2500, cycle_weight=2.0, decay_step=0.1,
                 *, double_step=True):
        super().__init__(
            iterations=iterations, lr=lr, policy=policy, warm_up=warm_up,
            initial_cycle_length=initial_cycle_length,
            cycle_weight=cycle_weight, decay_step=decay_step,
            double_step=double_step)

    def _value(self, step):
        """The learning rate at `step`, a Python float.

        Integer steps take `PolicyValues`' exact Python path (no TF op; it
        is built at the first update), other steps one compiled TF call.
        """
        if not checks.is_tensor(step):  # before the first trace
            checks.check_step("LRScheduler", step, arg="step")
        values = self.__dict__.get("_values")
        if values is None:
            values = self._values = PolicyValues(**self._params,
                                                 schedule=self._fn)
        return values(step)

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
        assign = _learning_rate_setter(optimizer)  # checked before any op
        value = self._value(step)
        assign(value)
        return value

    def for_global_step(self, global_step=None, name=None):
        """TF1-style: a Tensor (graph mode) or a zero-argument callable
        (eager mode) following `global_step` (None: the global step)."""
        return compose.at_global_step(self._fn, global_step, name)


_BY_NAME = {cls.schedule: cls for cls in RegistrySchedule.__subclasses__()}


def for_schedule(name, *args, **kwargs):
    """The Keras schedule for registry name `name` (aliases accepted)."""
    return _BY_NAME[registry.get(name).name](*args, **kwargs)


# ------------------------------------------------------------- composites --

_FOREIGN = "tf_keras"  # config key of a schedule only tf_keras can rebuild


def _is_schedule(value):
    return isinstance(value, _BASES)


def _serialize(schedule):
    """A Keras schedule as a JSON-able dict either flavour can rebuild
    (ours and Keras 3's: Keras 3's format; tf_keras-only schedules: tagged).
    """
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return keras.optimizers.schedules.serialize(schedule)
    return {_FOREIGN: tf_keras.optimizers.schedules.serialize(schedule)}


def _deserialize(config):
    if set(config) == {_FOREIGN}:
        inner = config[_FOREIGN]
        if str(inner.get("module", "keras")).startswith(("keras", "tf_keras")):
            # A tf_keras schedule, rebuilt from its own class: within
            # `custom_objects()` (an .h5 load) its name may mean ours.
            builtin = getattr(tf_keras.optimizers.schedules,
                              inner.get("class_name", ""), None)
            if builtin is not None:
                return builtin.from_config(inner["config"])
        return tf_keras.optimizers.schedules.deserialize(inner)
    return keras.optimizers.schedules.deserialize(config)


def _schedule_argument(fn, arg, value):
    """A saveable Keras schedule (deserialized when given as a config).

    Rejected with a TypeError: package step functions, TF1-style eager
    callables and other Python callables (a saved config cannot hold
    them), and schedules whose config cannot be serialized.
    """
    if isinstance(value, dict):
        return _deserialize(value)
    if not _is_schedule(value):
        rule = ("a Keras LearningRateSchedule, e.g. "
                "tf1_schedules.keras_schedules.CosineDecay(...) (a saved "
                "config cannot hold a step function, a TF1-style callable "
                "or a Tensor)")
        checks.fail(fn, arg, rule, value, TypeError)
    try:
        json.dumps(_serialize(value))
    except (NotImplementedError, TypeError, ValueError) as error:
        checks.fail(fn, arg, "a Keras schedule whose config can be saved "
                    f"({type(error).__name__}: {error})", value, TypeError)
    return value


@_register
class Warmup(Schedule):
    """`compose.with_warmup` around any Keras schedule.

        shift (default): step < w: ramp; else schedule(step - w)
        overlay (BERT):  step < w: ramp; else schedule(step)

    Args: as `tf1_schedules.schedules.compose.with_warmup` (`schedule` is a
    Keras schedule of either flavour).
    """

    def __init__(self, schedule, warmup_steps, warmup_learning_rate=0.0,
                 mode="shift", shape="linear", peak=None):
        self.schedule = _schedule_argument("Warmup", "schedule", schedule)
        self._params = _checked("Warmup", dict(
            warmup_steps=warmup_steps,
            warmup_learning_rate=warmup_learning_rate,
            mode=mode, shape=shape, peak=peak))
        self._fn = compiled(compose.with_warmup(self.schedule,
                                                **self._params))

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        config = _config(self._params)
        config["schedule"] = _serialize(self.schedule)
        return config


@_register
class Join(Schedule):
    """`compose.join` of Keras schedules: part i from `boundaries[i-1]` on,
    seeing `step - boundaries[i-1]`."""

    def __init__(self, schedules, boundaries):
        if not isinstance(schedules, (list, tuple)):
            checks.fail("Join", "schedules", "a list of Keras schedules",
                        schedules, TypeError)
        self.schedules = [_schedule_argument("Join", f"schedules[{i}]", s)
                          for i, s in enumerate(schedules)]
        self._params = _checked("Join", {"boundaries": boundaries})
        self.boundaries = self._params["boundaries"]
        self._fn = compiled(compose.join(self.schedules, self.boundaries))

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        config = _config(self._params)
        config["schedules"] = [_serialize(s) for s in self.schedules]
        return config


def custom_objects():
    """Every class here by its bare name, for tf_keras' `.h5` loader.

        tf_keras.models.load_model(
            "m.h5", custom_objects=keras_schedules.custom_objects())

    tf_keras writes a registered schedule into an `.h5` file under its class
    name and reads it back by that name alone (its `registered_name` is
    ignored), so without this the load fails (`Unknown decay`, or a
    tf_keras schedule of the same name rejecting the arguments). Not needed
    for `.keras` files, SavedModel, or Keras 3.
    """
    classes = list(_BY_NAME.values()) + [Warmup, Join]
    return {cls.__name__: cls for cls in classes}


# --------------------------------------------------- TF1-style callables --

class _FollowIterations(Schedule):
    """A step function evaluated at the optimizer's `iterations` (either
    flavour). Not saveable: a config cannot hold a Python function."""

    def __init__(self, step_fn, label):
        self._fn = compiled(step_fn)
        self._label = label

    def __call__(self, step):
        return self._fn(step)

    def get_config(self):
        raise TypeError(
            f"from_tf1({self._label}) cannot be saved: a Keras config cannot "
            "hold a Python function. To save the optimizer, use the "
            "schedule's class instead, e.g. "
            "tf1_schedules.keras_schedules.CosineDecay(0.1, 1000) for "
            "cosine_decay(0.1, global_step, 1000).")

    def __repr__(self):
        return f"from_tf1({self._label})"


def from_tf1(schedule):
    """A TF1-style eager callable or a step function, following
    `optimizer.iterations` instead of `global_step`.

        lr = tf1_schedules.cosine_decay(0.1, None, 1000)  # follows global_step
        opt = tf_keras.optimizers.SGD(keras_schedules.from_tf1(lr))

    The result is a Keras schedule of both flavours, but not saveable (its
    `get_config` raises TypeError): to save the optimizer, use the class of
    the same name (`keras_schedules.CosineDecay(0.1, 1000)`).

    Args:
      schedule: what a package TF1-style function returns in eager mode (a
        `ScheduleFn`), or a step function `f(step)` (`step_fns.*_fn(...)`).

    Example:
      >>> from tf1_schedules.schedules import step_fns
      >>> lr = from_tf1(step_fns.cosine_decay_fn(0.1, 1000))
      >>> round(float(lr(500)), 4)
      0.05
    """
    step_fn = compose.to_step_fn(schedule, "from_tf1")
    label = getattr(schedule, "__name__", type(schedule).__name__)
    return _FollowIterations(step_fn, label)


# ------------------------------------- TF1-style callables in Keras: warn --

class FollowsGlobalStepWarning(UserWarning):
    """A callable following `global_step` was handed to a Keras optimizer."""


def _optimizer_types():
    types = [keras.optimizers.Optimizer]
    if tf_keras is not None:
        types += [tf_keras.optimizers.Optimizer,
                  tf_keras.optimizers.legacy.Optimizer]
    return tuple(types)


_OPTIMIZERS = _optimizer_types()
_KERAS_DIRS = tuple(  # where the optimizers that call a learning rate live
    os.path.join(os.path.dirname(m.__file__), "src", "optimizers") + os.sep
    for m in FLAVOURS)
_WARNED = weakref.WeakSet()  # optimizers already warned about
_MAX_DEPTH = 16


def _calling_optimizer(frame):
    """The Keras optimizer among the callers of `frame`, or None."""
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return None
        if frame.f_code.co_filename.startswith(_KERAS_DIRS):
            candidate = frame.f_locals.get("self")
            if isinstance(candidate, _OPTIMIZERS):
                return candidate
        frame = frame.f_back
    return None


def _same_variable(a, b):
    unwrap = lambda v: getattr(v, "value", v) if _is_keras_variable(v) else v
    return a is b or unwrap(a) is unwrap(b)


def check_keras_call(schedule_fn, frame=None):
    """Warns once per optimizer when a Keras optimizer calls `schedule_fn`
    (a `ScheduleFn` following a variable other than its `iterations`).

    Run on each call of a `ScheduleFn` (the hook in `_mode`); `frame` is the
    frame that called it (default: the caller's caller).
    """
    step = schedule_fn.step
    if not isinstance(step, tf.Variable) and not _is_keras_variable(step):
        return
    optimizer = _calling_optimizer(frame or sys._getframe(2))
    if optimizer is None or optimizer in _WARNED:
        return
    if _same_variable(step, optimizer.iterations):
        return
    _WARNED.add(optimizer)
    warnings.warn(_freeze_message(schedule_fn, optimizer),
                  FollowsGlobalStepWarning, stacklevel=3)


def _freeze_message(schedule_fn, optimizer):
    name = schedule_fn.__name__
    cls = _BY_NAME.get(registry.ALIASES.get(name, name))
    fix = (f"tf1_schedules.keras_schedules.{cls.__name__}(...) (the same "
           f"arguments without the step)" if cls is not None else
           "the tf1_schedules.keras_schedules class of the same name")
    step = getattr(schedule_fn.step, "name", schedule_fn.step)
    return (
        f"{name} follows the variable {step!r} (`global_step`), "
        f"but the Keras optimizer {type(optimizer).__name__} counts its "
        "steps in `optimizer.iterations` and never increments `global_step`:"
        " unless your loop increments it, the learning rate stays at its "
        f"current value. Use {fix}, or "
        "keras_schedules.from_tf1(schedule); both follow "
        "`optimizer.iterations`.")


_hooks = getattr(_mode, "CALL_HOOKS", None)
if _hooks is not None and check_keras_call not in _hooks:
    _hooks.append(check_keras_call)
