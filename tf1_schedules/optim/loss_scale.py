"""Dynamic loss scaling for float16 training (BERT's `manual_fp16`).

Replaces `tf.contrib.mixed_precision.ExponentialUpdateLossScaleManager` +
`LossScaleOptimizer`, which are gone from TF 2.x. `GroupedOptimizer(...,
loss_scale=DynamicLossScale())` scales the loss, unscales the gradients and
skips every step whose gradients hold inf or NaN.
"""
import tensorflow as tf

from tf1_schedules import _checks as checks

__all__ = ["DynamicLossScale"]


class DynamicLossScale(tf.Module):
    """Dynamic loss scaling for float16 training (BERT's `manual_fp16`).

    The loss is multiplied by `scale` before differentiation and the
    gradients divided by it. A step whose gradients contain inf or NaN
    changes no variable (`GroupedOptimizer` skips the update and the
    `global_step` increment) and sets `scale = max(scale / multiplier, 1)`;
    after `increment_period` consecutive finite steps,
    `scale = scale * multiplier` (kept if finite).

    Its two variables (`loss_scale`, `loss_scale_good_steps`) are created on
    first use, in the graph of that use (one graph per object), and are
    saved with the optimizer in object-based checkpoints.

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
        super().__init__(name="DynamicLossScale")
        self.initial_scale = float(initial_scale)
        self.increment_period = int(increment_period)
        self.multiplier = float(multiplier)
        self._scale = None
        self._good_steps = None
        self._graph = None

    def variables(self):
        """`[scale, good_steps]`, created on first use."""
        with tf.init_scope():
            graph = (None if tf.executing_eagerly()
                     else tf.compat.v1.get_default_graph())
            if self._scale is None:
                self._graph = graph
                self._scale = _counter(self.initial_scale, tf.float32,
                                       "loss_scale")
                self._good_steps = _counter(0, tf.int64,
                                            "loss_scale_good_steps")
            elif graph is not self._graph:
                raise RuntimeError(
                    "DynamicLossScale: its variables live in another graph; "
                    "create one DynamicLossScale per graph.")
        return [self._scale, self._good_steps]

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
