"""The one place that decides what a schedule call returns.

TF1 code calls a schedule once, at graph-construction time, and expects a
Tensor. TF2 (eager) code calls it once too, but needs something the optimizer
can re-evaluate every step: a zero-argument callable that re-reads the step.

    Graph mode (a `tf.Graph`, `disable_eager_execution()`, or inside
    `tf.function` tracing): `build(step)` now, a Tensor.
    Eager mode: `ScheduleFn(build, step)`, a zero-argument callable.

`global_step=None` means `tf.compat.v1.train.get_or_create_global_step()`.

Every TF1-style function of the package validates its arguments before it
calls `dual_mode` (see `_define.Schedule`), so a failed call builds nothing
and creates no global step.
"""
import tensorflow as tf

from tf1_schedules.schedules._compiled import compiled

__all__ = [
    "ScheduleFn",
    "dual_mode",
    "resolve_global_step",
    "global_step_dtype",
    "get_or_create_global_step",
    "get_global_step",
]

get_or_create_global_step = tf.compat.v1.train.get_or_create_global_step
get_global_step = tf.compat.v1.train.get_global_step


def resolve_global_step(global_step):
    """`global_step`, or the graph's global step (created if missing) for None."""
    if global_step is None:
        return get_or_create_global_step()
    return global_step


def global_step_dtype():
    """dtype of the global step `resolve_global_step(None)` would return.

    Lets validation know the step dtype without creating the variable.
    """
    existing = get_global_step()
    if existing is None:
        return tf.int64
    return tf.as_dtype(existing.dtype).base_dtype


# Called with the `ScheduleFn` at the start of every call, from
# `ScheduleFn.__call__` itself (so a hook can look at who is calling):
# `keras_schedules` registers its warning for Keras optimizers, whose step
# is their own `iterations`, not `global_step`.
CALL_HOOKS = []


class ScheduleFn:
    """A zero-argument callable: the schedule evaluated at the current step.

    Every call re-reads `step` when it is a `tf.Variable`, so the value follows
    `global_step.assign_add(1)` (TF1 `Optimizer` and Keras 3 optimizers both
    call a callable learning rate with no argument each step). Each eager
    call is one compiled call of `build` (traced once per kind of step, see
    `_compiled`), with the values of running `build` op by op.

    Attributes:
      step: the step the schedule follows (a variable, tensor or number).
      build: `build(step) -> Tensor`, the schedule itself.
    """

    __slots__ = ("build", "step", "__name__", "_run")

    def __init__(self, build, step, name="schedule"):
        self.build = build
        self.step = step
        self.__name__ = name
        self._run = compiled(build, name)

    def __call__(self):
        for hook in CALL_HOOKS:
            hook(self)
        return self._run(self.step)

    def get_config(self):
        """Not serializable: Keras would save a file it cannot load."""
        cls = "".join(part.title() for part in self.__name__.split("_"))
        raise TypeError(
            f"{self.__name__}: a TF1-style eager callable follows "
            "`global_step` and cannot be saved with a Keras model; give the "
            f"optimizer tf1_schedules.keras_schedules.{cls}(...) (the same "
            "arguments without the step) instead.")

    def at(self, step):
        """The schedule evaluated at another `step` (a number or a vector)."""
        return self._run(step)

    def __repr__(self):
        return f"<ScheduleFn {self.__name__} step={self.step!r}>"


def dual_mode(build, global_step, name="schedule"):
    """Graph mode: `build(step)`. Eager mode: `ScheduleFn(build, step)`.

    Args:
      build: `build(step) -> Tensor`; it builds every op of the schedule, so
        ops land in the caller's graph (or run eagerly on each call).
      global_step: a step, or None for the graph's global step.
      name: a label for the eager callable's repr.

    Returns:
      Graph mode: a Tensor. Eager mode: a `ScheduleFn`.
    """
    step = resolve_global_step(global_step)
    if tf.executing_eagerly():
        return ScheduleFn(build, step, name)
    return build(step)
