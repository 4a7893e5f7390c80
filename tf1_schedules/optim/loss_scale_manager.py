"""TF1's `tf.contrib.mixed_precision`: loss-scale managers, `LossScaleOptimizer`.

Seed code written for TF 1.x runs as it is::

    manager = ExponentialUpdateLossScaleManager(
        init_loss_scale=2 ** 32, incr_every_n_steps=1000,
        decr_every_n_nan_or_inf=2, decr_ratio=0.5)
    optimizer = LossScaleOptimizer(tf.compat.v1.train.AdamOptimizer(lr),
                                   manager)
    train_op = optimizer.minimize(loss, global_step=global_step)

`compute_gradients` multiplies the loss by the scale and divides the
gradients by it; `apply_gradients` applies them (and increments
`global_step`) only when every gradient is finite, and always lets the
manager update the scale. Gradients taken elsewhere (`tf.gradients(loss)`)
are applied unscaled, as in TF1: then only the skip on inf/NaN acts.

`ExponentialUpdateLossScaleManager` follows TF 1.15's rule, counted over
runs of the train op (`scale`, `good`, `bad` are its three variables
``loss_scale``, ``good_steps``, ``bad_steps``)::

    finite step:      good + 1 >= incr_every_n_steps ?
                        scale *= incr_ratio (kept if that overflows float32),
                        good = bad = 0
                      : good += 1
    non-finite step:  bad + 1 >= decr_every_n_nan_or_inf ?
                        scale = max(1, scale * decr_ratio), good = bad = 0
                      : bad += 1, good = 0

The package's own `DynamicLossScale` (for `GroupedOptimizer`) drops the
scale after every non-finite step instead; both share `all_finite`.

Differences from TF 1.15: arguments are checked (TF 1.15 checked only
`FixedLossScaleManager`'s `loss_scale >= 1`); the scale's update runs after
the (skipped or applied) variable update, so it never races with the read
that unscaled the gradients; None gradients are ignored by the finiteness
check; `get_slot`, `get_slot_names` and `variables` reach the wrapped
optimizer.
"""
import abc

import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.optim.loss_scale import all_finite

__all__ = [
    "LossScaleManager",
    "FixedLossScaleManager",
    "ExponentialUpdateLossScaleManager",
    "LossScaleOptimizer",
]

_GATE_OP = tf.compat.v1.train.Optimizer.GATE_OP


class LossScaleManager(abc.ABC):
    """The loss-scale strategy `LossScaleOptimizer` asks at every step."""

    @abc.abstractmethod
    def get_loss_scale(self):
        """The loss scale, a scalar float32 Tensor (or variable)."""

    @abc.abstractmethod
    def update_loss_scale(self, finite_grads):
        """Moves the scale after a step; `finite_grads`: a bool Tensor.

        Returns:
          Graph mode: the op. Eager mode: None (the update has run).
        """


def _result(op):
    return None if tf.executing_eagerly() else op


class FixedLossScaleManager(LossScaleManager):
    """A loss scale that never changes.

    Args:
      loss_scale: a number >= 1.

    >>> float(FixedLossScaleManager(128).get_loss_scale())
    128.0
    """

    def __init__(self, loss_scale):
        checks.check_number("FixedLossScaleManager", "loss_scale",
                            loss_scale, low=1)
        self._loss_scale_value = loss_scale

    def get_loss_scale(self):
        return tf.convert_to_tensor(self._loss_scale_value, tf.float32)

    def update_loss_scale(self, finite_grads):
        del finite_grads
        return _result(tf.no_op())


def _check_count(fn, arg, value):
    checks.check_number(fn, arg, value, low=1)
    if not checks.is_integral(value) or isinstance(value, bool):
        checks.fail(fn, arg, "an integer", value, TypeError)


class ExponentialUpdateLossScaleManager(LossScaleManager):
    """TF1's dynamic loss scale: grow after a run of finite steps, shrink
    after accumulated non-finite ones (see the module docstring).

    Its variables are created by the constructor, as in TF1, in the graph
    and name scope of that call: ``loss_scale`` (float32), ``good_steps``
    and ``bad_steps`` (int32), all non-trainable (so TF1 checkpoints
    restore them).

    Args:
      init_loss_scale: the starting scale, a number > 0.
      incr_every_n_steps: integer >= 1; consecutive finite steps before
        the scale grows.
      decr_every_n_nan_or_inf: integer >= 1; non-finite steps (not
        necessarily consecutive) before the scale shrinks.
      incr_ratio: number >= 1, the growth factor.
      decr_ratio: number in (0, 1], the shrink factor.
    """

    def __init__(self, init_loss_scale, incr_every_n_steps,
                 decr_every_n_nan_or_inf=2, incr_ratio=2, decr_ratio=0.8):
        fn = "ExponentialUpdateLossScaleManager"
        checks.check_number(fn, "init_loss_scale", init_loss_scale, low=0,
                            low_inclusive=False)
        _check_count(fn, "incr_every_n_steps", incr_every_n_steps)
        _check_count(fn, "decr_every_n_nan_or_inf", decr_every_n_nan_or_inf)
        checks.check_number(fn, "incr_ratio", incr_ratio, low=1)
        checks.check_number(fn, "decr_ratio", decr_ratio, low=0,
                            low_inclusive=False, high=1)
        self._incr_every_n_steps = int(incr_every_n_steps)
        self._decr_every_n_nan_or_inf = int(decr_every_n_nan_or_inf)
        self._incr_ratio = float(incr_ratio)
        self._decr_ratio = float(decr_ratio)
        self._loss_scale = _state(float(init_loss_scale), tf.float32,
                                  "loss_scale")
        self._num_good_steps = _state(0, tf.int32, "good_steps")
        self._num_bad_steps = _state(0, tf.int32, "bad_steps")

    def get_loss_scale(self):
        return self._loss_scale

    def variables(self):
        """`[loss_scale, good_steps, bad_steps]`."""
        return [self._loss_scale, self._num_good_steps, self._num_bad_steps]

    def update_loss_scale(self, finite_grads):
        scale, good, bad = (tf.convert_to_tensor(v) for v in self.variables())
        finite = tf.convert_to_tensor(finite_grads, tf.bool)
        grow = tf.logical_and(finite, good + 1 >= self._incr_every_n_steps)
        shrink = tf.logical_and(tf.logical_not(finite),
                                bad + 1 >= self._decr_every_n_nan_or_inf)
        bigger = scale * self._incr_ratio
        bigger = tf.where(tf.math.is_finite(bigger), bigger, scale)
        smaller = tf.maximum(1.0, scale * self._decr_ratio)
        new_scale = tf.where(grow, bigger, tf.where(shrink, smaller, scale))
        changed = tf.logical_or(grow, shrink)
        zero = tf.zeros_like(good)
        new_good = tf.where(changed | tf.logical_not(finite), zero, good + 1)
        new_bad = tf.where(changed, zero, tf.where(finite, bad, bad + 1))
        return _result(tf.group(
            self._loss_scale.assign(new_scale, read_value=False),
            self._num_good_steps.assign(new_good, read_value=False),
            self._num_bad_steps.assign(new_bad, read_value=False)))


def _state(value, dtype, name):
    return tf.compat.v1.Variable(tf.constant(value, dtype), trainable=False,
                                 name=name, dtype=dtype)


def _check_manager(manager):
    if isinstance(manager, LossScaleManager):
        return
    if not (callable(getattr(manager, "get_loss_scale", None))
            and callable(getattr(manager, "update_loss_scale", None))):
        checks.fail("LossScaleOptimizer", "loss_scale_manager",
                    "a LossScaleManager (with get_loss_scale and "
                    "update_loss_scale)", manager, TypeError)


def _scaled(grad, factor):
    if grad is None:
        return None
    factor = tf.cast(factor, grad.dtype.base_dtype)
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * factor, grad.indices,
                                grad.dense_shape)
    return grad * factor


class LossScaleOptimizer(tf.compat.v1.train.Optimizer):
    """Wraps a `tf.compat.v1` optimizer with loss scaling (TF1's contrib).

    Args:
      opt: the `tf.compat.v1.train.Optimizer` that computes and applies
        the gradients.
      loss_scale_manager: a `LossScaleManager` (`FixedLossScaleManager`,
        `ExponentialUpdateLossScaleManager` or your own subclass).

    `compute_gradients` returns the gradients of `loss * scale` divided by
    `scale`; `apply_gradients` skips the whole update (and the
    `global_step` increment) when a gradient holds inf or NaN, then runs
    `loss_scale_manager.update_loss_scale(all_finite)`.
    """

    def __init__(self, opt, loss_scale_manager):
        if not isinstance(opt, tf.compat.v1.train.Optimizer):
            checks.fail("LossScaleOptimizer", "opt",
                        "a tf.compat.v1.train.Optimizer", opt, TypeError)
        _check_manager(loss_scale_manager)
        super().__init__(use_locking=False, name="LossScaleOptimizer")
        self._opt = opt
        self._loss_scale_manager = loss_scale_manager

    def compute_gradients(self, loss, var_list=None,
                          gate_gradients=_GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """Gradients of `loss * scale`, divided by `scale`."""
        scale = self._loss_scale_manager.get_loss_scale()
        if callable(loss):
            loss_fn = loss

            def scaled_loss():
                value = loss_fn()
                return value * tf.cast(scale, value.dtype.base_dtype)

            scaled = scaled_loss if tf.executing_eagerly() else scaled_loss()
        else:
            scaled = loss * tf.cast(scale, loss.dtype.base_dtype)
        grads_and_vars = self._opt.compute_gradients(
            scaled, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss)
        inverse = tf.math.reciprocal(tf.cast(scale, tf.float32))
        return [(_scaled(g, inverse), v) for g, v in grads_and_vars]

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Applies the gradients if all are finite; updates the scale.

        Returns:
          Graph mode: the train op. Eager mode: None (the step has run).
        """
        grads_and_vars = list(grads_and_vars)
        grads = [g for g, _ in grads_and_vars if g is not None]
        finite = all_finite(grads) if grads else tf.constant(True)

        def apply():
            update = self._opt.apply_gradients(grads_and_vars, global_step,
                                               name)
            deps = [] if update is None else [update]
            with tf.control_dependencies(deps):
                return tf.constant(True)

        applied = tf.cond(finite, apply, lambda: tf.constant(False))
        with tf.control_dependencies([applied]):
            update_scale = self._loss_scale_manager.update_loss_scale(finite)
        if tf.executing_eagerly():
            return None
        return tf.group(applied, update_scale,
                        name=name or "LossScaleOptimizer")

    def get_slot(self, var, name):
        return self._opt.get_slot(var, name)

    def get_slot_names(self):
        return self._opt.get_slot_names()

    def variables(self):
        owned = list(self._opt.variables())
        manager_variables = getattr(self._loss_scale_manager, "variables",
                                    None)
        if callable(manager_variables):
            owned += list(manager_variables())
        return owned
