"""Per-group (layer-wise) optimizers: one backward pass, one global step.

The hand-written TF1 recipe for layer-wise learning rates,

    train_op = tf.group(
        tf.train.GradientDescentOptimizer(1e-5).minimize(loss, var_list=a),
        tf.train.GradientDescentOptimizer(1e-4).minimize(loss, var_list=b))

builds one backward pass per group, increments `global_step` once for every
`minimize` it is passed to, and leaves that increment unordered with the
other groups' learning-rate reads. `GroupedOptimizer` (and the one-call
`minimize_groups`) does the same updates with:

  * one gradient computation for all groups;
  * every group's optimizer applied without the step, then
    `global_step += 1` exactly once, after every group's update, so each
    group's learning rate at step `t` is its schedule at `t`;
  * `UPDATE_OPS` (batch-norm moving averages) run with the step;
  * every variable in exactly one group (frozen groups said explicitly);
  * optional global-norm clipping across all groups and loss scaling.

Slot variables are named exactly as the hand-written pattern names them, so
checkpoints move both ways. A group's learning rate is a real learning rate:
with Adam, `multiplier=0.1` gives 0.1x the update (a gradient multiplier
gives ~1x, because Adam normalises the gradient's scale away).
"""
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.optim import _distribute
from tf1_schedules.schedules._mode import resolve_global_step
from tf1_schedules.optim.groups import (Group, as_group, assign_variables,
                                  default_var_list, label, var_name)
from tf1_schedules.optim.loss_scale import DynamicLossScale, all_finite

__all__ = ["GroupedOptimizer", "minimize_groups"]

_V1Optimizer = tf.compat.v1.train.Optimizer
_GATE_OP = _V1Optimizer.GATE_OP


# ------------------------------------------------------- GroupedOptimizer --

class GroupedOptimizer(_V1Optimizer):
    """Trains each group of variables with its own optimizer, in one step.

    A `tf.compat.v1.train.Optimizer`, so it also works where one is
    expected (`slim.learning.create_train_op`, Estimator `model_fn`s).

        grads = compute_gradients(loss)        # once, for every group
        grads = clip_by_global_norm(grads)     # if clip_norm
        for group: group_optimizer.apply_gradients(group_grads)   # no step
        global_step += 1                       # after every group's update

    Under a `tf.distribute` strategy (inside `strategy.run` or
    `call_for_each_replica`) the groups' optimizers sum the replicas'
    gradients, as every `tf.compat.v1` optimizer does; the clip norm is
    that of the summed gradients, the step is incremented once (also a step
    created outside `strategy.scope()`), and with loss scaling a step is
    skipped on every replica when any replica's gradients are not finite.
    The result equals a single device's on the global batch when the loss
    is averaged over the global batch (`tf.nn.compute_average_loss`).

    Args:
      groups: a list of `Group` (or dicts of `Group` arguments), in the order
        their optimizers are built (which fixes non-slot variable names such
        as Adam's `beta1_power`, `beta1_power_1`).
      optimizer_fn: `optimizer_fn(learning_rate) -> Optimizer`, called once
        per group that has no `optimizer`, e.g.
        `lambda lr: tf.compat.v1.train.MomentumOptimizer(lr, 0.9)`.
      learning_rate: the base learning rate (number, Tensor or schedule) of
        groups that give none; a group's `multiplier` scales it.
      clip_norm: None or number > 0: `tf.clip_by_global_norm` over the
        gradients of all groups together.
      loss_scale: None or a `DynamicLossScale`.
      name: name scope of the clipping and step ops.
    """

    def __init__(self, groups, *, optimizer_fn=None, learning_rate=None,
                 clip_norm=None, loss_scale=None, name="GroupedOptimizer"):
        fn = "GroupedOptimizer"
        if isinstance(groups, (Group, dict)) or not groups:
            checks.fail(fn, "groups", "a non-empty list of Group", groups,
                        TypeError)
        groups = [as_group(fn, i, g) for i, g in enumerate(groups)]
        if optimizer_fn is not None and not callable(optimizer_fn):
            checks.fail(fn, "optimizer_fn", "callable or None", optimizer_fn,
                        TypeError)
        if learning_rate is not None and not callable(learning_rate):
            learning_rate = checks.check_learning_rate(fn, learning_rate)
        if clip_norm is not None:
            checks.check_number(fn, "clip_norm", clip_norm, low=0,
                                low_inclusive=False)
        if loss_scale is not None and not isinstance(loss_scale,
                                                     DynamicLossScale):
            checks.fail(fn, "loss_scale", "None or a DynamicLossScale",
                        loss_scale, TypeError)
        if not isinstance(name, str) or not name:
            checks.fail(fn, "name", "a non-empty string", name, TypeError)
        super().__init__(use_locking=False, name=name)
        self.groups = groups
        self.optimizers = [_build_optimizer(fn, i, g, optimizer_fn,
                                            learning_rate)
                           for i, g in enumerate(groups)]
        _check_distinct(fn, self.optimizers)
        self.clip_norm = clip_norm
        self.loss_scale = loss_scale
        # Object-based checkpoints (eager mode) save every group's slots and
        # non-slot variables through these dependencies.
        for index, optimizer in enumerate(self.optimizers):
            if optimizer is not None:
                self._track_trackable(optimizer, name=f"group_{index}")
        if loss_scale is not None:
            self._track_trackable(loss_scale, name="loss_scale")

    def split_variables(self, var_list=None):
        """One list of variables per group (frozen groups included).

        `var_list` defaults to the trainable variables (graph mode). Raises
        ValueError listing unmatched and overlapping variables, and scope
        strings or regexes that match nothing.
        """
        if var_list is None:
            var_list = default_var_list()
        var_list = list(var_list)
        if not var_list and not _explicit(self.groups):
            checks.fail("GroupedOptimizer", "var_list", "non-empty (there "
                        "are no trainable variables: create the model "
                        "before the train op, or pass var_list)", var_list)
        return assign_variables("GroupedOptimizer", self.groups,
                                list(var_list) + _explicit(self.groups),
                                check_patterns=True)

    def compute_gradients(self, loss, var_list=None, gate_gradients=_GATE_OP,
                          aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """As `Optimizer.compute_gradients`, for the non-frozen variables.

        The gradients of all groups come from one backward pass. In eager
        mode `loss` is a zero-argument callable; a callable `loss` with
        `var_list=None` splits the variables it watches into the groups
        (graph collections do not exist in eager mode or tf.function).
        """
        check_loss("GroupedOptimizer.compute_gradients", loss)
        watched = callable(loss) and var_list is None
        if not watched:
            var_list = self._trained(self.split_variables(var_list))
        if self.loss_scale is not None:
            loss = self.loss_scale.scale_loss(loss)
        grads_and_vars = super().compute_gradients(
            loss, var_list, gate_gradients, aggregation_method,
            colocate_gradients_with_ops, grad_loss)
        if watched:
            trained = self._trained(self.split_variables(
                [v for _, v in grads_and_vars]))
            keep = {v.ref() for v in trained}
            grads_and_vars = [(g, v) for g, v in grads_and_vars
                              if v.ref() in keep]
        if self.loss_scale is not None:
            grads_and_vars = self.loss_scale.unscale(grads_and_vars)
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Applies each group's gradients, then `global_step += 1` once.

        Args:
          grads_and_vars: (gradient, variable) pairs, as `compute_gradients`
            returns them; pairs with a None gradient or in a frozen group
            are skipped.
          global_step: the step to increment; None means
            `tf.compat.v1.train.get_or_create_global_step()`.
          name: name of the returned op.

        Returns:
          Graph mode: the op that runs every update and the increment.
          Eager mode: None (the step has been applied).
        """
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        per_group = self._split_gradients(grads_and_vars)
        global_step = _check_step(resolve_global_step(global_step))
        if self.loss_scale is None:
            return self._apply(per_group, global_step, name)
        finite = all_finite([g for pairs in per_group for g, _ in pairs])
        replica = _distribute.replica_context()
        if replica is not None:
            applied = _distribute.apply_if_all_finite(
                replica, self._apply, (per_group, global_step, None), finite,
                self.loss_scale.update)
            return tf.group(applied, name=name or self.get_name())

        def apply():
            with tf.control_dependencies(
                    [self._apply(per_group, global_step, None)]):
                return tf.constant(True)

        applied = tf.cond(finite, apply, lambda: tf.constant(False))
        return tf.group(applied, self.loss_scale.update(finite),
                        name=name or self.get_name())

    def minimize(self, loss, global_step=None, var_list=None,
                 gate_gradients=_GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None,
                 grad_loss=None, *, update_ops=None):
        """`compute_gradients` + `apply_gradients` + `update_ops`.

        Args:
          loss, var_list, gate_gradients, aggregation_method,
          colocate_gradients_with_ops, grad_loss: as in `Optimizer.minimize`
            (in eager mode `loss` is a zero-argument callable).
          global_step: as in `apply_gradients` (None: the global step, which
            is incremented once per run).
          name: name of the update op.
          update_ops: ops to run with the step; None means the graph's
            `tf.compat.v1.GraphKeys.UPDATE_OPS` (batch-norm moving averages)
            in graph mode and none in eager mode.

        Returns:
          Graph mode: the train op. Eager mode: None (the step has run).
        """
        check_loss("GroupedOptimizer.minimize", loss)
        grads_and_vars = self.compute_gradients(
            loss, var_list, gate_gradients, aggregation_method,
            colocate_gradients_with_ops, grad_loss)
        step = self.apply_gradients(grads_and_vars, global_step, name)
        if update_ops is None:
            update_ops = ([] if tf.executing_eagerly() else
                          tf.compat.v1.get_collection(
                              tf.compat.v1.GraphKeys.UPDATE_OPS))
        if tf.executing_eagerly() or not update_ops:
            return step
        return tf.group(step, *update_ops)

    def get_slot(self, var, name):
        """The slot `name` of `var`, from the optimizer of `var`'s group.

        `get_slot_names()` stays empty: the groups' optimizers own the slots
        (and save them in object-based checkpoints); ask
        `optimizers[i].get_slot_names()` for their names.
        """
        for optimizer in self._active():
            slot = optimizer.get_slot(var, name)
            if slot is not None:
                return slot
        return None

    def variables(self):
        owned = [v for o in self._active() for v in o.variables()]
        if self.loss_scale is not None:
            owned += self.loss_scale.variables()
        return owned

    def _active(self):
        return [o for o in self.optimizers if o is not None]

    def _trained(self, members):
        return [v for group, vars_ in zip(self.groups, members)
                if not group.frozen for v in vars_]

    def _split_gradients(self, grads_and_vars):
        members = assign_variables("GroupedOptimizer", self.groups,
                                    [v for _, v in grads_and_vars])
        grads = {v.ref(): g for g, v in grads_and_vars}
        per_group = []
        for i, (group, vars_) in enumerate(zip(self.groups, members)):
            pairs = [(grads[v.ref()], v) for v in vars_
                     if grads[v.ref()] is not None]
            if not group.frozen and vars_ and not pairs:
                checks.fail("GroupedOptimizer", "groups", "trainable by the "
                            f"loss: {label(self.groups, i)} got no gradient "
                            "for any of its variables (freeze it with "
                            "frozen=True, or check the loss)",
                            [var_name(v) for v in vars_])
            per_group.append([] if group.frozen else pairs)
        return per_group

    def _apply(self, per_group, global_step, name):
        if self.clip_norm is not None:
            per_group = _clip(per_group, self.clip_norm, self.get_name())
        # Each group's optimizer is applied at the caller's name scope, as a
        # hand-written `minimize` would be: non-slot variables (Adam's
        # `beta1_power`) get the same names, so checkpoints interoperate.
        updates = [optimizer.apply_gradients(pairs)
                   for optimizer, pairs in zip(self.optimizers, per_group)
                   if optimizer is not None and pairs]
        with tf.control_dependencies(updates):
            increment = _increment(global_step)
        if tf.executing_eagerly():
            return None
        return tf.group(increment, name=name or self.get_name())


def check_loss(fn, loss, *, graph_only=False):
    """`loss`: a floating-point Tensor (or, unless `graph_only`, a
    zero-argument callable returning one, as eager `minimize` takes).

    Raises TypeError naming `fn` and `loss` instead of TF's AttributeError
    deep inside `Optimizer.compute_gradients`.
    """
    if callable(loss) and not graph_only and not checks.is_tensor(loss):
        return loss
    if not checks.is_tensor(loss):
        rule = ("a floating-point Tensor" if graph_only else
                "a floating-point Tensor or a zero-argument callable "
                "returning one")
        checks.fail(fn, "loss", rule, loss, TypeError)
    if not tf.as_dtype(loss.dtype).base_dtype.is_floating:
        checks.fail(fn, "loss", "a floating-point Tensor", loss, TypeError)
    return loss


def check_trainable(fn, loss, var_list):
    """Graph mode: some trainable variable exists when `var_list` is None."""
    if var_list is None and not tf.executing_eagerly() and not callable(
            loss) and not default_var_list(fn):
        checks.fail(fn, "loss", "a loss of trainable variables (there are "
                    "no trainable variables in the graph: build the model "
                    "before the train op, or pass var_list)", loss)


def _build_optimizer(fn, index, group, optimizer_fn, base_learning_rate):
    if group.frozen:
        return None
    if group.optimizer is not None:
        return group.optimizer
    learning_rate = (group.learning_rate if group.learning_rate is not None
                     else base_learning_rate)
    if learning_rate is None:
        checks.fail(fn, "learning_rate", f"given: {label([group], 0)} at "
                    f"groups[{index}] has no optimizer and no learning_rate",
                    None)
    if optimizer_fn is None:
        checks.fail(fn, "optimizer_fn", f"given: groups[{index}] has no "
                    "optimizer", None)
    optimizer = optimizer_fn(_scaled(learning_rate, group.multiplier))
    if not isinstance(optimizer, _V1Optimizer):
        checks.fail(fn, "optimizer_fn", "a function returning a "
                    "tf.compat.v1.train.Optimizer", optimizer, TypeError)
    return optimizer


def _scaled(learning_rate, multiplier):
    """`learning_rate * multiplier`, evaluated when the optimizer reads it."""
    if multiplier == 1.0:
        return learning_rate

    def scaled():
        value = learning_rate() if callable(learning_rate) else learning_rate
        value = tf.convert_to_tensor(value)
        return value * tf.constant(multiplier, value.dtype)

    return scaled


def _check_distinct(fn, optimizers):
    seen = {}
    for index, optimizer in enumerate(optimizers):
        if optimizer is None:
            continue
        if id(optimizer) in seen:
            checks.fail(fn, "groups", "given one optimizer instance each "
                        f"(groups[{seen[id(optimizer)]}] and groups[{index}] "
                        "share one, which would apply its per-step state "
                        "twice)", optimizer)
        seen[id(optimizer)] = index


def _check_step(global_step):
    if not isinstance(global_step, tf.Variable):
        checks.fail("GroupedOptimizer", "global_step", "a tf.Variable or None",
                    global_step, TypeError)
    return global_step


def _explicit(groups):
    return [m for g in groups for m in g.variables
            if isinstance(m, tf.Variable)]


def _increment(global_step):
    replica = _distribute.replica_context()
    if replica is None:
        return tf.compat.v1.assign_add(global_step, 1)
    return _distribute.increment(replica, global_step)


def _clip(per_group, clip_norm, scope):
    """`tf.clip_by_global_norm` over every group's gradients.

    Under a strategy the norm is that of the gradients summed over the
    replicas (what the optimizers apply), not of this replica's own.
    Gradients of several float dtypes (a float16 layer next to float32
    ones) share one norm computed in float32 (float64 if any is).
    """
    flat = [pair for pairs in per_group for pair in pairs]
    replica = _distribute.replica_context()
    grads = [g for g, _ in flat]
    with tf.name_scope(scope):
        if replica is not None:
            norm = _distribute.summed_global_norm(replica, flat)
        elif len({g.dtype.base_dtype for g in grads}) > 1:
            norm = _distribute.global_norm(grads)  # TF's fails on mixed
        else:
            norm = None  # exactly tf.clip_by_global_norm (BERT)
        clipped, _ = tf.clip_by_global_norm(grads, clip_norm, use_norm=norm)
    clipped = iter(clipped)
    return [[(next(clipped), v) for _, v in pairs] for pairs in per_group]


# ------------------------------------------------------------ one call --

def minimize_groups(loss, groups, *, optimizer_fn=None, learning_rate=None,
                    global_step=None, var_list=None, clip_norm=None,
                    loss_scale=None, update_ops=None,
                    name="GroupedOptimizer"):
    """The train op for per-group optimizers (graph mode, or in tf.function).

    Replaces `tf.group(opt_1.minimize(loss, var_list=v_1), ...)`:

        train_op = minimize_groups(loss, [
            Group("net/conv1", frozen=True),
            Group("net/block1", multiplier=0.1),
            Group("net/logits"),
        ], optimizer_fn=lambda lr: tf.compat.v1.train.AdamOptimizer(lr),
           learning_rate=polynomial_decay(1e-3, None, 10000))

    Args: as in `GroupedOptimizer` and `GroupedOptimizer.minimize`.

    Returns:
      A train op: one backward pass, each group's update, the `UPDATE_OPS`,
      and `global_step += 1` after every update.

    Raises:
      RuntimeError: in eager mode, where a new optimizer per call would lose
        its state: build a `GroupedOptimizer` once and call its `minimize`.
    """
    if tf.executing_eagerly():
        raise RuntimeError(
            "minimize_groups: `loss` must be a graph Tensor (graph mode or "
            "inside tf.function). In eager mode build "
            "GroupedOptimizer(groups, ...) once and call its "
            "minimize(loss_fn, var_list=...) every step.")
    check_loss("minimize_groups", loss)
    optimizer = GroupedOptimizer(
        groups, optimizer_fn=optimizer_fn, learning_rate=learning_rate,
        clip_norm=clip_norm, loss_scale=loss_scale, name=name)
    if not _explicit(optimizer.groups):
        check_trainable("minimize_groups", loss, var_list)
    return optimizer.minimize(loss, global_step, var_list,
                              update_ops=update_ops)
