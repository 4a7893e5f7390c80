"""What is not model state: optimizer slots and the training step.

A fine-tune restores the model, not the optimizer's or the schedule's
state (REFERENCE F4). Slots are recognised by colocation or BERT's
``<variable>/<slot>`` names; the step by name (``global_step``), the
GLOBAL_STEP collection, an explicit ``global_step=`` argument, or, for a
user's own ``tf.Variable(0)`` (seed 003), by what the graph does with it:
an integer scalar incremented by exactly 1, which is what
``optimizer.minimize(loss, global_step=step)`` builds.
"""
import tensorflow as tf

from tf1_schedules._checks import fail
from tf1_schedules._variables import name_of

__all__ = ["incremented_counters", "is_step_counter", "step_reason",
           "is_optimizer_state", "state_context", "check_global_step"]

_v1 = tf.compat.v1


_INCREMENTS = ("AssignAdd", "AssignAddVariableOp")


def incremented_counters(graph):
    """Names of the tensors that an op of `graph` increments by exactly 1.

    TF1 optimizers' `apply_gradients(global_step=step)` builds
    `assign_add(step, 1)` (an `AssignAddVariableOp` on the step's handle, or
    `AssignAdd` on a reference variable), as does `GroupedOptimizer`; BERT's
    `step.assign(step + 1)` is an `AssignVariableOp` and is not counted (its
    step comes from `get_or_create_global_step`, already known).
    """
    names = set()
    for op in graph.get_operations():
        if op.type in _INCREMENTS and len(op.inputs) == 2:
            try:
                one = tf.get_static_value(op.inputs[1])
            except (TypeError, ValueError):
                continue
            if one is not None and getattr(one, "shape", ()) == () and one == 1:
                names.add(op.inputs[0].name)
    return names


def is_step_counter(variable, counters):
    """An integer scalar variable that the graph increments by 1.

    >>> with tf.Graph().as_default() as graph:
    ...     step = tf.compat.v1.Variable(0)      # seed 003's step
    ...     _ = tf.compat.v1.assign_add(step, 1)  # as minimize(global_step=)
    ...     is_step_counter(step, incremented_counters(graph))
    True
    """
    dtype = tf.as_dtype(variable.dtype).base_dtype
    if not dtype.is_integer or variable.shape.rank != 0:
        return False
    handle = getattr(variable, "handle", None)
    names = {variable.name} | ({handle.name} if tf.is_tensor(handle)
                               else set())
    return bool(names & counters)


def step_reason(variable, context):
    """Why `variable` counts as the step, or None."""
    if any(variable is s for s in context["explicit_steps"]):
        return "global_step (passed as global_step=)"
    steps = _v1.get_collection(_v1.GraphKeys.GLOBAL_STEP)
    if name_of(variable) == "global_step" or any(
            variable is s for s in steps):
        return "global_step"
    if is_step_counter(variable, context["counters"]):
        return "step counter (an integer scalar incremented by 1, as " \
               "global_step)"
    return None


def is_optimizer_state(variable, trainable_names, model_ids):
    """Slot-like state: TF1 optimizer slots, Adam powers, EMA shadows.

    TF1 optimizers and `ExponentialMovingAverage` colocate their variables
    with the variable they serve; BERT-style optimizers name them
    ``<variable>/<slot>``. Model and trainable variables never count.
    """
    name = name_of(variable)
    if name in trainable_names or id(variable) in model_ids:
        return False
    groups = {g.decode()[len("loc:@"):] for g in variable.op.colocation_groups()}
    if groups - {name}:
        return True
    return name.rpartition("/")[0] in trainable_names


def state_context(candidates, explicit_steps):
    """What `_exclusion_reason` needs: slot and step context."""
    trainable = {name_of(v) for v in _v1.trainable_variables()}
    trainable |= {name_of(v) for v in candidates if getattr(v, "trainable", 0)}
    model_ids = {id(v) for v in _v1.model_variables()}
    counters = incremented_counters(_v1.get_default_graph())
    return {"slots": (trainable, model_ids),
            "steps": {"explicit_steps": explicit_steps,
                      "counters": counters}}


def check_global_step(fn, global_step):
    if global_step is None:
        return []
    if not isinstance(global_step, tf.Variable):
        fail(fn, "global_step", "None or the step's tf.Variable", global_step,
             TypeError)
    return [global_step]
