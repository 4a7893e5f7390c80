"""Per-group (layer-wise) optimizers: one backward pass, one global step.

The hand-written TF1 recipe for layer-wise learning rates,

    train_op = tf.group(
        tf.train.GradientDescentOptimizer(1e-5).minimize(loss, var_list=a),
        tf.train.GradientDescentOptimizer(1e-4).minimize(loss, var_list=b))

builds one backward pass per group, increments `global_step` once for every
`minimize` it is passed to, and leaves that increment unordered with the
other groups' learning-rate reads. `GroupedOptimizer` (and the one-call
`minimize_groups`) does the same updates with:

  * one gradient computation for all groups (`compute_gradients` once);
  * every group's optimizer applied without the step, then
    `global_step += 1` exactly once, after every group's update, so each
    group's learning rate at step `t` is its schedule at `t`;
  * `UPDATE_OPS` (batch-norm moving averages) run with the step;
  * every variable in exactly one group (frozen groups are said explicitly);
  * optional global-norm clipping across all groups and dynamic loss scaling.

Slot variables are named exactly as the hand-written pattern names them, so
checkpoints move both ways. A group's learning rate is a real learning rate:
with Adam, `multiplier=0.1` gives 0.1x the update (a gradient multiplier
gives ~1x, because Adam normalises the gradient's scale away).
"""
import re

import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules._mode import resolve_global_step

__all__ = [
    "Group",
    "GroupedOptimizer",
    "minimize_groups",
    "layer_decay_groups",
    "slim_blocks",
]

_V1Optimizer = tf.compat.v1.train.Optimizer
_GATE_OP = _V1Optimizer.GATE_OP


def _var_name(var):
    """`var.name` without the `:0` output suffix (works in eager mode)."""
    return re.sub(r":\d+$", "", var.name)


def _is_variable(value):
    return isinstance(value, tf.Variable)


def _unique(variables):
    """`variables` in order, each once (compared by identity)."""
    seen, out = set(), []
    for var in variables:
        if var.ref() not in seen:
            seen.add(var.ref())
            out.append(var)
    return out


# ------------------------------------------------------------------ Group --

class Group:
    """Some variables and how to train them (or `frozen=True`: not at all).

    Args:
      variables: a `tf.Variable`, a scope string (`"net/block1"` matches
        `net/block1` and everything under `net/block1/`, not
        `net/block10`), a compiled regex (matched with `re.search` against
        the variable name without `:0`), or a list of these.
      optimizer: a `tf.compat.v1.train.Optimizer` for this group only.
      learning_rate: this group's learning rate (a number, a Tensor, or a
        schedule: a zero-argument callable). Used with the `optimizer_fn`
        of `GroupedOptimizer`; defaults to its `learning_rate`.
      multiplier: number >= 0; the group trains with
        `learning_rate * multiplier` (a true learning-rate scale).
      frozen: bool; the variables get no gradient and no update.
      name: a label used in error messages.
    """

    __slots__ = ("variables", "optimizer", "learning_rate", "multiplier",
                 "frozen", "name")

    def __init__(self, variables, *, optimizer=None, learning_rate=None,
                 multiplier=1.0, frozen=False, name=None):
        fn = "Group"
        self.variables = _check_members(fn, variables)
        self.frozen = checks.check_flag(fn, "frozen", frozen)
        checks.check_number(fn, "multiplier", multiplier, low=0)
        if optimizer is not None and not isinstance(optimizer, _V1Optimizer):
            checks.fail(fn, "optimizer",
                        "a tf.compat.v1.train.Optimizer or None", optimizer,
                        TypeError)
        if learning_rate is not None and not callable(learning_rate):
            learning_rate = checks.check_learning_rate(fn, learning_rate)
        _check_exclusive(fn, optimizer, learning_rate, multiplier,
                         self.frozen)
        if name is not None and not isinstance(name, str):
            checks.fail(fn, "name", "a string or None", name, TypeError)
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.multiplier = multiplier
        self.name = name

    def matches(self, var, name):
        """Whether `var` (named `name`) belongs to this group."""
        return any(_member_matches(m, var, name) for m in self.variables)

    def __repr__(self):
        label = self.name or ", ".join(_describe(m) for m in self.variables)
        return f"Group({label})"


def _check_members(fn, variables):
    items = (list(variables) if isinstance(variables, (list, tuple))
             else [variables])
    if not items:
        checks.fail(fn, "variables", "non-empty", variables)
    for item in items:
        if isinstance(item, str) and not item.strip("/"):
            checks.fail(fn, "variables", "non-empty scope strings", variables)
        if not (_is_variable(item) or isinstance(item, (str, re.Pattern))):
            checks.fail(fn, "variables",
                        "tf.Variables, scope strings or compiled regexes",
                        variables, TypeError)
    return tuple(items)


def _check_exclusive(fn, optimizer, learning_rate, multiplier, frozen):
    if frozen and (optimizer is not None or learning_rate is not None
                   or multiplier != 1.0):
        checks.fail(fn, "frozen", "False when an optimizer, learning_rate or "
                    "multiplier is given", frozen)
    if optimizer is not None and learning_rate is not None:
        checks.fail(fn, "learning_rate", "None when `optimizer` is given "
                    "(the optimizer has its own)", learning_rate)
    if optimizer is not None and multiplier != 1.0:
        checks.fail(fn, "multiplier", "1.0 when `optimizer` is given (scale "
                    "that optimizer's learning rate instead)", multiplier)


def _member_matches(member, var, name):
    if _is_variable(member):
        return member.ref() == var.ref()
    if isinstance(member, str):
        scope = member.strip("/")
        return name == scope or name.startswith(scope + "/")
    return member.search(name) is not None


def _describe(member):
    if _is_variable(member):
        return _var_name(member)
    if isinstance(member, str):
        return repr(member)
    return f"re.compile({member.pattern!r})"


def _as_group(fn, index, group):
    if isinstance(group, Group):
        return group
    if isinstance(group, dict):
        return Group(**group)
    checks.fail(fn, f"groups[{index}]", "a Group or a dict of Group "
                "arguments", group, TypeError)


# ------------------------------------------------------------- assignment --

def _assign_variables(fn, groups, variables, *, check_patterns=False):
    """Splits `variables` into `groups`: one list per group, in group order.

    Raises ValueError listing the variables no group matches, the variables
    several groups match and (with `check_patterns`) the scope strings and
    regexes that match no variable.
    """
    members = [[] for _ in groups]
    unmatched, overlapping = [], {}
    for var in _unique(variables):
        name = _var_name(var)
        owners = [i for i, g in enumerate(groups) if g.matches(var, name)]
        if not owners:
            unmatched.append(name)
        elif len(owners) > 1:
            overlapping[name] = [_label(groups, i) for i in owners]
        else:
            members[owners[0]].append(var)
    unused = _unused_patterns(groups, variables) if check_patterns else []
    if unmatched or overlapping or unused:
        problems = [f"no group: {unmatched}" if unmatched else "",
                    f"several groups: {overlapping}" if overlapping else "",
                    f"patterns matching nothing: {unused}" if unused else ""]
        detail = "; ".join(p for p in problems if p)
        checks.fail(fn, "groups", "such that every variable is in exactly "
                    f"one group ({detail})", list(groups))
    return members


def _label(groups, index):
    return groups[index].name or f"groups[{index}]"


def _unused_patterns(groups, variables):
    names = [_var_name(v) for v in variables]
    return [_describe(m) for g in groups for m in g.variables
            if not _is_variable(m)
            and not any(_member_matches(m, None, n) for n in names)]


# ------------------------------------------------------- GroupedOptimizer --

class GroupedOptimizer(_V1Optimizer):
    """Trains each group of variables with its own optimizer, in one step.

    A `tf.compat.v1.train.Optimizer`, so it also works where one is
    expected (`slim.learning.create_train_op`, Estimator `model_fn`s).

        grads = compute_gradients(loss)        # once, for every group
        grads = clip_by_global_norm(grads)     # if clip_norm
        for group: group_optimizer.apply_gradients(group_grads)   # no step
        global_step += 1                       # after every group's update

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
        groups = [_as_group(fn, i, g) for i, g in enumerate(groups)]
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
        checks.check_name(fn, name)
        super().__init__(use_locking=False, name=name)
        self.groups = groups
        self.optimizers = [_build_optimizer(fn, i, g, optimizer_fn,
                                            learning_rate)
                           for i, g in enumerate(groups)]
        _check_distinct(fn, self.optimizers)
        self.clip_norm = clip_norm
        self.loss_scale = loss_scale

    def split_variables(self, var_list=None):
        """One list of variables per group (frozen groups included).

        `var_list` defaults to the trainable variables (graph mode). Raises
        ValueError listing unmatched and overlapping variables, and scope
        strings or regexes that match nothing.
        """
        if var_list is None:
            var_list = _default_var_list()
        return _assign_variables("GroupedOptimizer", self.groups,
                                 list(var_list) + _explicit(self.groups),
                                 check_patterns=True)

    def compute_gradients(self, loss, var_list=None, gate_gradients=_GATE_OP,
                          aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """As `Optimizer.compute_gradients`, for the non-frozen variables.

        The gradients of all groups come from one backward pass. In eager
        mode `loss` is a zero-argument callable; with `var_list=None` the
        variables it watches are split into the groups.
        """
        eager_watched = tf.executing_eagerly() and var_list is None
        if not eager_watched:
            var_list = self._trained(self.split_variables(var_list))
        if self.loss_scale is not None:
            loss = self.loss_scale.scale_loss(loss)
        grads_and_vars = super().compute_gradients(
            loss, var_list, gate_gradients, aggregation_method,
            colocate_gradients_with_ops, grad_loss)
        if eager_watched:
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
        for optimizer in self._active():
            slot = optimizer.get_slot(var, name)
            if slot is not None:
                return slot
        return None

    def get_slot_names(self):
        return sorted({n for o in self._active() for n in o.get_slot_names()})

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
        members = _assign_variables("GroupedOptimizer", self.groups,
                                    [v for _, v in grads_and_vars])
        grads = {v.ref(): g for g, v in grads_and_vars}
        per_group = []
        for i, (group, vars_) in enumerate(zip(self.groups, members)):
            pairs = [(grads[v.ref()], v) for v in vars_
                     if grads[v.ref()] is not None]
            if not group.frozen and vars_ and not pairs:
                checks.fail("GroupedOptimizer", "groups", "trainable by the "
                            f"loss: {_label(self.groups, i)} got no gradient "
                            "for any of its variables (freeze it with "
                            "frozen=True, or check the loss)",
                            [_var_name(v) for v in vars_])
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
        with tf.control_dependencies(updates), \
                tf.compat.v1.colocate_with(global_step):
            increment = tf.compat.v1.assign_add(global_step, 1)
        if tf.executing_eagerly():
            return None
        return tf.group(increment, name=name or self.get_name())
