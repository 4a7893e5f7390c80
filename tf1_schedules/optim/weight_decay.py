"""Decoupled weight decay for `tf.compat.v1` optimizers (TF1's `tf.contrib.opt`).

`AdamWOptimizer`, `MomentumWOptimizer` and `extend_with_decoupled_weight_decay`
as TF 1.15 had them (Loshchilov & Hutter, https://arxiv.org/abs/1711.05101):
each step first decays every selected variable, then applies the base
optimizer's gradient update to the decayed value::

    var = var - weight_decay * var         # not multiplied by learning_rate
    var = base_update(var, grad)           # Adam / Momentum / ...

Slots and checkpoint names are the base optimizer's with the new default
name: AdamW writes ``<var>/AdamW``, ``<var>/AdamW_1``, ``beta1_power``,
``beta2_power``; MomentumW writes ``<var>/MomentumW``.

>>> import tensorflow as tf
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", initializer=[1.0, -2.0])
...     loss = tf.reduce_sum(w * 0.0)          # zero gradient: decay only
...     opt = MomentumWOptimizer(0.1, learning_rate=0.5, momentum=0.9)
...     train = opt.minimize(loss)
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         _ = sess.run(train)
...         sess.run(w).tolist()
[0.8999999761581421, -1.7999999523162842]

Differences from TF 1.15: each variable's decay runs after its gradient is
computed (in TF 1.15 nothing ordered the forward pass's read of `var`
before the decay's write, so a graph-mode gradient could see the decayed
value); `minimize(decay_var_list=...)` is honoured (TF
1.15's `minimize` handed it to `apply_gradients`, which reset it, so every
variable was decayed); an empty `decay_var_list` decays nothing (TF 1.15:
everything); the decay uses the `weight_decay` tensor built by `_prepare`,
so a callable `weight_decay` also works for dense variables; bad
hyper-parameters raise at construction.
"""
import inspect

import tensorflow as tf

from tf1_schedules import _checks as checks

__all__ = [
    "DecoupledWeightDecayExtension",
    "extend_with_decoupled_weight_decay",
    "AdamWOptimizer",
    "MomentumWOptimizer",
]

_GATE_OP = tf.compat.v1.train.Optimizer.GATE_OP


def check_hyper(fn, arg, value, **bounds):
    """A hyper-parameter: a number within `bounds`, a tensor or a callable.

    Callables are TF1's eager-mode form (a zero-argument function giving
    the value at each step); they are checked when called, by TF.
    """
    if callable(value) and not checks.is_tensor(value):
        return value
    return checks.check_number(fn, arg, value, **bounds)


def _refs(variables):
    """None stays None; else the set of `v.ref()` (variables are unhashable)."""
    if variables is None:
        return None
    return {v.ref() for v in variables}


class DecoupledWeightDecayExtension:
    """Mixin adding decoupled weight decay to a `tf.compat.v1` optimizer.

    It must come first among the bases, as in TF1::

        class AdamW(DecoupledWeightDecayExtension,
                    tf.compat.v1.train.AdamOptimizer):
            def __init__(self, weight_decay, *args, **kwargs):
                super().__init__(weight_decay, *args, **kwargs)

    Each update first runs ``var -= weight_decay * var`` (the rows of a
    sparse gradient only), then the base optimizer's update; that is
    right for optimizers whose update does not read `var` itself (SGD,
    Momentum, Adam, ...).

    Args:
      weight_decay: a float >= 0, a float Tensor, or (eager mode) a
        zero-argument callable; the fraction of each variable removed
        per step.
      **kwargs: the base optimizer's constructor arguments.
    """

    def __init__(self, weight_decay, **kwargs):
        fn = type(self).__name__
        check_hyper(fn, "weight_decay", weight_decay, low=0)
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None
        self._decay_var_list = None  # None: decay every updated variable
        self._minimize_decay = None
        super().__init__(**kwargs)

    def minimize(self, loss, global_step=None, var_list=None,
                 gate_gradients=_GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None,
                 grad_loss=None, decay_var_list=None):
        """`Optimizer.minimize`, decaying only `decay_var_list` (None: all)."""
        self._minimize_decay = _refs(decay_var_list)
        try:
            return super().minimize(
                loss, global_step=global_step, var_list=var_list,
                gate_gradients=gate_gradients,
                aggregation_method=aggregation_method,
                colocate_gradients_with_ops=colocate_gradients_with_ops,
                name=name, grad_loss=grad_loss)
        finally:
            self._minimize_decay = None

    def apply_gradients(self, grads_and_vars, global_step=None, name=None,
                        decay_var_list=None):
        """`Optimizer.apply_gradients`, decaying only `decay_var_list`.

        None decays every variable with a gradient; a list (even empty)
        decays exactly its members.
        """
        chosen = _refs(decay_var_list)
        self._decay_var_list = (self._minimize_decay if chosen is None
                                else chosen)
        return super().apply_gradients(grads_and_vars,
                                       global_step=global_step, name=name)

    def _prepare(self):
        weight_decay = self._weight_decay
        if callable(weight_decay) and not checks.is_tensor(weight_decay):
            weight_decay = weight_decay()
        self._weight_decay_tensor = tf.convert_to_tensor(
            weight_decay, name="weight_decay")
        super()._prepare()

    def _decays(self, var):
        return self._decay_var_list is None or var.ref() in self._decay_var_list

    def _decay_factor(self, var):
        return tf.cast(self._weight_decay_tensor, var.dtype.base_dtype)

    def _decay_dense(self, var):
        if not self._decays(var):
            return tf.no_op()
        return var.assign_sub(self._decay_factor(var) * var,
                              use_locking=self._use_locking,
                              read_value=False)

    def _decay_rows(self, var, indices, resource):
        if not self._decays(var):
            return tf.no_op()
        rows = -self._decay_factor(var) * tf.gather(var, indices)
        if resource:
            return tf.raw_ops.ResourceScatterAdd(
                resource=var.handle, indices=indices, updates=rows)
        return tf.compat.v1.scatter_add(var, indices, rows,
                                        use_locking=self._use_locking)

    # Each decay waits for its gradient: the gradient reads `var` in the
    # forward pass, and nothing else orders that read before the decay's
    # write (TF 1.15 left this race open).
    def _apply_dense(self, grad, var):
        with tf.control_dependencies([grad]):
            decay = self._decay_dense(var)
        with tf.control_dependencies([decay]):
            return super()._apply_dense(grad, var)

    def _resource_apply_dense(self, grad, var):
        with tf.control_dependencies([grad]):
            decay = self._decay_dense(var)
        with tf.control_dependencies([decay]):
            return super()._resource_apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        with tf.control_dependencies([grad.values, grad.indices]):
            decay = self._decay_rows(var, grad.indices, resource=False)
        with tf.control_dependencies([decay]):
            return super()._apply_sparse(grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        with tf.control_dependencies([grad, indices]):
            decay = self._decay_rows(var, indices, resource=True)
        with tf.control_dependencies([decay]):
            return super()._resource_apply_sparse(grad, var, indices)


def _keywords(base, args, kwargs):
    """The base constructor's positional `args` as keywords.

    TF1's extension passed only keywords to the base; binding the base's
    signature here lets the new class take them positionally as well.
    """
    if not args:
        return kwargs
    signature = inspect.signature(base.__init__)
    bound = signature.bind(None, *args, **kwargs)  # TypeError if they don't fit
    named = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise TypeError(f"{base.__name__}: too many positional "
                                f"arguments: {value!r}")
        else:
            named[name] = value
    return named


def extend_with_decoupled_weight_decay(base_optimizer):
    """A subclass of `base_optimizer` with decoupled weight decay.

    ``extend_with_decoupled_weight_decay(tf.compat.v1.train.AdamOptimizer)``
    behaves as `AdamWOptimizer` (but keeps Adam's default name "Adam").
    The new class takes `weight_decay` first, then the base's arguments;
    its `minimize` / `apply_gradients` take `decay_var_list`.

    Args:
      base_optimizer: a subclass of `tf.compat.v1.train.Optimizer`.

    Returns:
      The new class, `OptimizerWithDecoupledWeightDecay`.
    """
    if not (isinstance(base_optimizer, type) and issubclass(
            base_optimizer, tf.compat.v1.train.Optimizer)):
        checks.fail("extend_with_decoupled_weight_decay", "base_optimizer",
                    "a subclass of tf.compat.v1.train.Optimizer",
                    base_optimizer, TypeError)

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension,
                                            base_optimizer):
        """`base_optimizer` with decoupled weight decay (see the extension)."""

        def __init__(self, weight_decay, *args, **kwargs):
            super().__init__(weight_decay,
                             **_keywords(base_optimizer, args, kwargs))

    return OptimizerWithDecoupledWeightDecay


def _check_name(fn, name):
    if not isinstance(name, str) or not name:
        checks.fail(fn, "name", "a non-empty string", name, TypeError)


class MomentumWOptimizer(DecoupledWeightDecayExtension,
                         tf.compat.v1.train.MomentumOptimizer):
    """Momentum (SGDW) with decoupled weight decay, TF1's `tf.contrib.opt`.

    Per step, for each variable `var` with gradient `g`::

        var = var - weight_decay * var
        accum = momentum * accum + g
        var = var - learning_rate * accum                    # use_nesterov=False
        var = var - learning_rate * (g + momentum * accum)   # use_nesterov=True

    Slot `momentum`, saved as ``<var>/MomentumW``.
    """

    def __init__(self, weight_decay, learning_rate, momentum,
                 use_locking=False, name="MomentumW", use_nesterov=False):
        fn = "MomentumWOptimizer"
        check_hyper(fn, "weight_decay", weight_decay, low=0)
        check_hyper(fn, "learning_rate", learning_rate)
        check_hyper(fn, "momentum", momentum)
        checks.check_flag(fn, "use_locking", use_locking)
        checks.check_flag(fn, "use_nesterov", use_nesterov)
        _check_name(fn, name)
        super().__init__(weight_decay, learning_rate=learning_rate,
                         momentum=momentum, use_locking=use_locking,
                         name=name, use_nesterov=use_nesterov)


class AdamWOptimizer(DecoupledWeightDecayExtension,
                     tf.compat.v1.train.AdamOptimizer):
    """Adam with decoupled weight decay (AdamW), TF1's `tf.contrib.opt`.

    Per step `t` (from 1), for each variable `var` with gradient `g`::

        var = var - weight_decay * var
        lr_t = learning_rate * sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        var = var - lr_t * m / (sqrt(v) + epsilon)

    Slots `m` and `v`, saved as ``<var>/AdamW`` and ``<var>/AdamW_1``;
    ``beta1_power`` and ``beta2_power`` hold `beta ** t`.
    """

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9,
                 beta2=0.999, epsilon=1e-8, use_locking=False, name="AdamW"):
        fn = "AdamWOptimizer"
        check_hyper(fn, "weight_decay", weight_decay, low=0)
        check_hyper(fn, "learning_rate", learning_rate)
        check_hyper(fn, "beta1", beta1, low=0, high=1)
        check_hyper(fn, "beta2", beta2, low=0, high=1)
        check_hyper(fn, "epsilon", epsilon, low=0)
        checks.check_flag(fn, "use_locking", use_locking)
        _check_name(fn, name)
        super().__init__(weight_decay, learning_rate=learning_rate,
                         beta1=beta1, beta2=beta2, epsilon=epsilon,
                         use_locking=use_locking, name=name)
