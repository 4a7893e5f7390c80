"""Which variables train how: `Group`, layer-wise decay, slim block scopes.

A `Group` names some variables (by variable, scope or regex) and how they
train: their own optimizer, a learning rate or schedule, a multiplier of the
base learning rate, or `frozen=True`. `GroupedOptimizer`
(`tf1_schedules.optim.grouped`) puts every variable in exactly one group, or
raises an error listing the unmatched and the overlapping ones.
`layer_decay_groups(slim_blocks("resnet_v1_50"), 0.5)` gives the layer-wise
learning-rate decay groups of a slim network.
"""
import re

import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules._variables import in_scope, name_of as var_name, unique

__all__ = [
    "Group",
    "layer_decay_groups",
    "slim_blocks",
]

_V1Optimizer = tf.compat.v1.train.Optimizer


def _is_variable(value):
    return isinstance(value, tf.Variable)


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
      multiplier: Python number >= 0; the group trains with
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
        if tf.is_tensor(multiplier) or _is_variable(multiplier):
            checks.fail(fn, "multiplier", "a Python number", multiplier,
                        TypeError)
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
        self.multiplier = float(multiplier)
        self.name = name

    def matches(self, var, name):
        """Whether `var` (named `name`) belongs to this group."""
        return any(_member_matches(m, var, name) for m in self.variables)

    def __repr__(self):
        label = self.name or ", ".join(_describe(m) for m in self.variables)
        return f"Group({label})"


def _check_members(fn, variables, arg="variables"):
    items = (list(variables) if isinstance(variables, (list, tuple))
             else [variables])
    if not items:
        checks.fail(fn, arg, "non-empty", variables)
    for item in items:
        if isinstance(item, str) and not item.strip("/"):
            checks.fail(fn, arg, "non-empty scope strings", variables)
        if not (_is_variable(item) or isinstance(item, (str, re.Pattern))):
            checks.fail(fn, arg,
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
        return in_scope(name, member)
    return member.search(name) is not None


def _describe(member):
    if _is_variable(member):
        return var_name(member)
    if isinstance(member, str):
        return repr(member)
    return f"re.compile({member.pattern!r})"


def as_group(fn, index, group):
    if isinstance(group, Group):
        return group
    if isinstance(group, dict):
        return Group(**group)
    checks.fail(fn, f"groups[{index}]", "a Group or a dict of Group "
                "arguments", group, TypeError)


# ------------------------------------------------------------- assignment --

def assign_variables(fn, groups, variables, *, check_patterns=False):
    """Splits `variables` into `groups`: one list per group, in group order.

    Raises ValueError listing the variables no group matches, the variables
    several groups match and (with `check_patterns`) the scope strings and
    regexes that match no variable.
    """
    members = [[] for _ in groups]
    unmatched, overlapping = [], {}
    for var in unique(variables):
        name = var_name(var)
        owners = [i for i, g in enumerate(groups) if g.matches(var, name)]
        if not owners:
            unmatched.append(name)
        elif len(owners) > 1:
            overlapping[name] = [label(groups, i) for i in owners]
        else:
            members[owners[0]].append(var)
    unused = _unused_patterns(groups, variables) if check_patterns else []
    if unmatched or overlapping or unused:
        problems = ([f"in no group: {', '.join(unmatched)}"] if unmatched
                    else [])
        problems += ["in several groups: " + ", ".join(
            f"{n} ({' and '.join(o)})" for n, o in overlapping.items())
        ] if overlapping else []
        problems += ([f"patterns matching nothing: {', '.join(unused)}"]
                     if unused else [])
        checks.fail(fn, "groups", "such that every variable is in exactly "
                    f"one group ({'; '.join(problems)})", list(groups))
    return members


def label(groups, index):
    return groups[index].name or f"groups[{index}]"


def _unused_patterns(groups, variables):
    names = [var_name(v) for v in variables]
    return [_describe(m) for g in groups for m in g.variables
            if not _is_variable(m)
            and not any(_member_matches(m, None, n) for n in names)]


# ------------------------------------------------------- layer-wise decay --

def layer_decay_groups(layers, decay):
    """Groups with layer-wise learning-rate decay, input layer first.

        multiplier[i] = decay ** (len(layers) - 1 - i)

    The last (output) layer trains at the base learning rate, each earlier
    one `decay` times slower (timm's `layer_decay`, ELECTRA's
    `layerwise_lr_decay`, as learning rates rather than gradient scales).

    Args:
      layers: a non-empty list, input to output; each item is what
        `Group(variables)` takes (a scope such as `slim_blocks` returns, a
        regex, a variable or a list of these).
      decay: number > 0.

    Returns:
      A list of `Group`, for `GroupedOptimizer`/`minimize_groups` with a
      base `learning_rate` and `optimizer_fn`.
    """
    fn = "layer_decay_groups"
    if isinstance(layers, (str, re.Pattern)) or not layers:
        checks.fail(fn, "layers", "a non-empty list", layers, TypeError)
    checks.check_number(fn, "decay", decay, low=0, low_inclusive=False)
    for layer in layers:
        _check_members(fn, layer, arg="layers")
    n = len(layers)
    return [Group(layer, multiplier=decay ** (n - 1 - i),
                  name=layer if isinstance(layer, str) else None)
            for i, layer in enumerate(layers)]


def slim_blocks(scope, var_list=None, *, depth=1):
    """The sub-scopes of a network scope, in creation (input-to-output) order.

    For slim's `resnet_v1_50`, `slim_blocks("resnet_v1_50")` is
    `["resnet_v1_50/conv1", "resnet_v1_50/block1", ..., "resnet_v1_50/block4",
    "resnet_v1_50/logits"]`; `depth=2` splits the blocks into units
    (`"resnet_v1_50/block1/unit_1"`, ...). A variable directly under
    `scope` is its own block, and a block never sits inside another one
    (`conv1/BatchNorm` stays in `conv1`), so the blocks can be groups.

    Args:
      scope: the network's scope string.
      var_list: variables to look at; defaults to the trainable variables.
      depth: integer >= 1, how many name components below `scope`.

    Returns:
      A list of scope strings, for `layer_decay_groups`.
    """
    fn = "slim_blocks"
    if not isinstance(scope, str) or not scope.strip("/"):
        checks.fail(fn, "scope", "a non-empty string", scope, TypeError)
    checks.check_number(fn, "depth", depth, low=1)
    if not checks.is_integral(depth):
        checks.fail(fn, "depth", "an integer", depth, TypeError)
    prefix = scope.strip("/") + "/"
    variables = default_var_list(fn) if var_list is None else var_list
    names = [n for n in map(var_name, variables) if n.startswith(prefix)]
    if not names:
        checks.fail(fn, "scope", "the scope of some variable", scope)
    candidates = []
    for name in names:
        scopes = name[len(prefix):].split("/")[:-1]
        block = (prefix + "/".join(scopes[:int(depth)]) if scopes else name)
        if block not in candidates:
            candidates.append(block)
    # `net/conv1/weights` and `net/conv1/BatchNorm/beta` at depth 2 give
    # `net/conv1` and `net/conv1/BatchNorm`: one layer, whose scope already
    # covers the inner one (two groups would overlap).
    return [b for b in candidates
            if not any(b.startswith(c + "/") for c in candidates)]


def default_var_list(fn="GroupedOptimizer"):
    """The graph's trainable variables (as `Optimizer.compute_gradients`)."""
    if tf.executing_eagerly():
        checks.fail(fn, "var_list", "given in eager mode "
                    "(there are no variable collections)", None)
    return (tf.compat.v1.trainable_variables()
            + tf.compat.v1.get_collection(
                tf.compat.v1.GraphKeys.TRAINABLE_RESOURCE_VARIABLES))
