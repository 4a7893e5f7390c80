"""Optimizer building blocks: BERT's AdamWeightDecayOptimizer, dynamic loss scaling.

`AdamWeightDecayOptimizer` reproduces `google-research/bert:optimization.py`
(update rule, slot names `<variable>/adam_m` and `<variable>/adam_v`, decay
exclusions) as a regular `tf.compat.v1.train.Optimizer`, so `minimize`,
`compute_gradients`, `get_slot`, sparse gradients and `global_step` work as
with any TF1 optimizer. `DynamicLossScale` replaces
`tf.contrib.mixed_precision`'s loss-scale manager for float16 training.
"""
import re

import tensorflow as tf

from tf1_schedules import _checks as checks

__all__ = ["AdamWeightDecayOptimizer", "DynamicLossScale"]


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
    """BERT's Adam with decoupled weight decay (no bias correction).

    Per variable `p` with gradient `g` (slots `m`, `v` start at zero):

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g ** 2
        update = m / (sqrt(v) + epsilon)
        update += weight_decay_rate * p     # unless excluded, see below
        p = p - learning_rate * update

    Weight decay is off when `weight_decay_rate == 0` or when any pattern of
    `exclude_from_weight_decay` is found (`re.search`) in the variable name
    without `:0` (so `"bias"` also excludes `dense/biases`, as in BERT).

    Args:
      learning_rate: a float, a Tensor, or a zero-argument callable
        (a tf1_schedules schedule in eager mode).
      weight_decay_rate: number >= 0.
      beta_1, beta_2: numbers in [0, 1).
      epsilon: number >= 0.
      exclude_from_weight_decay: None or a list of regex strings.
      name: the optimizer name (name scope of its ops).

    Differences from BERT:
      * `global_step`, when passed to `apply_gradients`/`minimize`, is
        incremented once after all updates, as by every TF1 optimizer (BERT's
        ignored it and `create_optimizer` added a manual, unordered
        `global_step + 1`). Do not keep that manual increment next to it.
      * A second instance over the same variable names its slots
        `<variable>/adam_m_1` (as TF names Adam's `Adam_1`) instead of raising
        BERT's "Variable .../adam_m already exists" error, so per-group
        optimizers can share a graph.
      * Sparse gradients (`tf.gather`, embeddings) are applied densely, as
        BERT's arithmetic on `IndexedSlices` did, without the dense-conversion
        warning.
    """

    def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-6, exclude_from_weight_decay=None,
                 name="AdamWeightDecayOptimizer"):
        fn = "AdamWeightDecayOptimizer"
        if not callable(learning_rate):
            learning_rate = checks.check_learning_rate(fn, learning_rate)
        checks.check_number(fn, "weight_decay_rate", weight_decay_rate, low=0)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            checks.check_number(fn, arg, value, low=0, high=1)
            if checks.static_number(value) == 1:
                checks.fail(fn, arg, "< 1", value)
        checks.check_number(fn, "epsilon", epsilon, low=0)
        self.exclude_from_weight_decay = _check_patterns(
            fn, exclude_from_weight_decay)
        if not isinstance(name, str) or not name:
            checks.fail(fn, "name", "a non-empty string", name, TypeError)
        super().__init__(use_locking=False, name=name)
        self.learning_rate = learning_rate
        self.weight_decay_rate = weight_decay_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _create_slots(self, var_list):
        # TF's slot creator names the slot `<variable>/<op_name>`: BERT's
        # `adam_m`/`adam_v` names. The getter sets the distribution policy.
        scope = tf.compat.v1.get_variable_scope()
        with tf.compat.v1.variable_scope(scope, custom_getter=_slot_getter,
                                         auxiliary_name_scope=False):
            for var in var_list:
                self._zeros_slot(var, "adam_m", "adam_m")
                self._zeros_slot(var, "adam_v", "adam_v")

    def _prepare(self):
        learning_rate = self._call_if_callable(self.learning_rate)
        self._learning_rate_t = tf.convert_to_tensor(
            learning_rate, name="learning_rate")

    def _decays(self, var):
        if not self.weight_decay_rate:
            return False
        name = re.sub(r":\d+$", "", var.name)
        return not any(re.search(p, name)
                       for p in self.exclude_from_weight_decay or ())

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "adam_m")
        v = self.get_slot(var, "adam_v")
        # The expression order is BERT's, so float32 results are identical.
        next_m = (tf.multiply(self.beta_1, m)
                  + tf.multiply(1.0 - self.beta_1, grad))
        next_v = (tf.multiply(self.beta_2, v)
                  + tf.multiply(1.0 - self.beta_2, tf.square(grad)))
        update = next_m / (tf.sqrt(next_v) + self.epsilon)
        if self._decays(var):
            update += self.weight_decay_rate * var
        learning_rate = tf.cast(self._learning_rate_t, var.dtype.base_dtype)
        next_param = var - learning_rate * update
        return tf.group(tf.compat.v1.assign(var, next_param),
                        tf.compat.v1.assign(m, next_m),
                        tf.compat.v1.assign(v, next_v))

    def _resource_apply_dense(self, grad, handle):
        return self._apply_dense(grad, handle)

    def _apply_sparse(self, grad, var):
        return self._apply_dense(tf.convert_to_tensor(grad), var)

    def _resource_apply_sparse(self, grad, handle, indices):
        # Called with de-duplicated indices; BERT's dense arithmetic decays
        # every row of `m` and `v`, so the update is applied densely.
        dense = tf.scatter_nd(tf.expand_dims(indices, -1), grad,
                              tf.shape(handle, out_type=indices.dtype))
        return self._apply_dense(dense, handle)


def _slot_getter(getter, *args, **kwargs):
    """Slots are written identically on every replica: mirrored, averaged."""
    kwargs["synchronization"] = tf.VariableSynchronization.ON_WRITE
    kwargs["aggregation"] = tf.VariableAggregation.MEAN
    return getter(*args, **kwargs)


def _check_patterns(fn, patterns):
    if patterns is None:
        return None
    if isinstance(patterns, str) or not all(
            isinstance(p, str) for p in patterns):
        checks.fail(fn, "exclude_from_weight_decay",
                    "None or a list of regex strings", patterns, TypeError)
    return list(patterns)


class DynamicLossScale:
    """Dynamic loss scaling for float16 training (BERT's `manual_fp16`).

    The loss is multiplied by `scale` before differentiation and the
    gradients divided by it. A step whose gradients contain inf or NaN
    changes no variable (`GroupedOptimizer` skips the update and the
    `global_step` increment) and sets `scale = max(scale / multiplier, 1)`;
    after `increment_period` consecutive finite steps,
    `scale = scale * multiplier` (kept if finite).

    Args:
      initial_scale: number > 0 (BERT's `manual_fp16` uses 2**32).
      increment_period: integer >= 1.
      multiplier: number > 1.

    Differences from `tf.contrib.mixed_precision.
    ExponentialUpdateLossScaleManager(init_loss_scale=2**32,
    incr_every_n_steps=1000, decr_every_n_nan_or_inf=2, decr_ratio=0.5)`:
    the scale drops after every non-finite step (as TF2's dynamic loss
    scale does), not after every second one.
    """

    def __init__(self, initial_scale=2.0**32, increment_period=1000,
                 multiplier=2.0):
        fn = "DynamicLossScale"
        checks.check_number(fn, "initial_scale", initial_scale, low=0,
                            low_inclusive=False)
        checks.check_number(fn, "increment_period", increment_period, low=1)
        if not checks.is_integral(increment_period):
            checks.fail(fn, "increment_period", "an integer",
                        increment_period, TypeError)
        checks.check_number(fn, "multiplier", multiplier, low=1,
                            low_inclusive=False)
        self.initial_scale = float(initial_scale)
        self.increment_period = int(increment_period)
        self.multiplier = float(multiplier)
        self._store = {}

    def variables(self):
        """`[scale, good_steps]`, created on first use (once per graph)."""
        with tf.init_scope():
            key = (None if tf.executing_eagerly()
                   else tf.compat.v1.get_default_graph())
            if key not in self._store:
                self._store[key] = [
                    _counter(self.initial_scale, tf.float32, "loss_scale"),
                    _counter(0, tf.int64, "loss_scale_good_steps")]
            return self._store[key]

    def scale(self):
        """The current loss scale, a float32 Tensor."""
        return tf.convert_to_tensor(self.variables()[0])

    def scale_loss(self, loss):
        """`loss * scale`; a callable loss gives a callable."""
        if callable(loss):
            return lambda: self.scale_loss(loss())
        return loss * tf.cast(self.scale(), loss.dtype)

    def unscale(self, grads_and_vars):
        """Divides every gradient by the scale (None stays None)."""
        inverse = 1.0 / self.scale()
        return [(None if g is None else _rescale(g, inverse), v)
                for g, v in grads_and_vars]

    def update(self, finite):
        """The op that moves the scale after a step; `finite`: bool Tensor."""
        scale, good = self.variables()
        good_next = good + 1
        period_done = good_next >= self.increment_period
        bigger = scale * self.multiplier
        grown = tf.where(
            tf.logical_and(period_done, tf.math.is_finite(bigger)),
            bigger, scale)
        shrunk = tf.maximum(scale / self.multiplier, 1.0)
        zero = tf.zeros_like(good_next)
        return tf.group(
            scale.assign(tf.where(finite, grown, shrunk)),
            good.assign(tf.where(
                tf.logical_and(finite, tf.logical_not(period_done)),
                good_next, zero)))


def all_finite(grads):
    """A bool Tensor: no gradient (dense or sparse) holds inf or NaN."""
    values = [g.values if isinstance(g, tf.IndexedSlices) else g
              for g in grads]
    return tf.reduce_all(
        tf.stack([tf.reduce_all(tf.math.is_finite(v)) for v in values]))


def _rescale(grad, factor):
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * tf.cast(factor, grad.dtype),
                                grad.indices, grad.dense_shape)
    return grad * tf.cast(factor, grad.dtype)


def _counter(value, dtype, name):
    """A non-trainable scalar that every replica updates identically."""
    return tf.Variable(
        tf.constant(value, dtype), trainable=False, name=name,
        synchronization=tf.VariableSynchronization.ON_WRITE,
        aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
