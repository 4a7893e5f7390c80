"""Every schedule is defined once; its surfaces are derived here.

A *definition* validates its Python arguments once and returns the schedule
as a step function `f(step) -> Tensor`:

    def _exponential_decay(call, learning_rate, decay_steps, decay_rate,
                           staircase=False, name=None):
        checks.check_number(call.fn, "decay_rate", decay_rate, low=0)
        ...
        return build                      # build(step) -> Tensor

    EXPONENTIAL_DECAY = Schedule(_exponential_decay, "exponential_decay")
    exponential_decay = EXPONENTIAL_DECAY.tf1
    exponential_decay_fn = EXPONENTIAL_DECAY.fn

From one `Schedule` come:

* `tf1`: the TF1-style function, with the step argument inserted at
  `step_position` (`exponential_decay(learning_rate, global_step,
  decay_steps, ...)`): a Tensor in graph mode, a zero-argument `ScheduleFn`
  in eager mode (see `_mode.dual_mode`);
* `fn`: the step-function factory (`exponential_decay_fn(learning_rate,
  decay_steps, ...)`), whose `f(step)` takes integer steps as int64 (in
  eager mode as one compiled call, see `_compiled`);
* `make(caller, *args, **kwargs)`: that factory with every error naming
  `caller`, the name the user called (a Keras class, `LRScheduler`, ...).

The definition's first argument, `call`, says who is calling (`call.fn`,
for messages) and the step's dtype when it is known before any op is built
(`call.step_dtype`: the TF1 form's step; int64 for step functions, which
widen integer steps to int64).
"""
import dataclasses
import inspect
import re
from typing import Mapping, Optional

import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules._compiled import compiled
from tf1_schedules.schedules._mode import dual_mode, global_step_dtype

__all__ = ["Call", "Schedule", "as_step"]

_REQUIRED = inspect.Parameter.empty
# Step dtypes a step function passes on unchanged (others: `as_step`).
_AS_IS = frozenset([tf.int64, tf.float32, tf.float64])


def as_step(step):
    """`step` as a Tensor; integer steps widened to int64 (never int32)."""
    step = tf.convert_to_tensor(step)
    if step.dtype.is_integer and step.dtype != tf.int64:
        step = tf.cast(step, tf.int64)
    return step


@dataclasses.dataclass(frozen=True)
class Call:
    """Who calls a definition.

    Attributes:
      fn: the name messages start with (the function the user called).
      step_dtype: the dtype the step will have.
      renamed: argument names as the caller spells them, e.g.
        `{"total_steps": "iterations"}` for `LRScheduler`.
    """

    fn: str
    step_dtype: Optional[tf.DType] = tf.int64
    renamed: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def arg(self, name):
        """`name` as the caller spells it (for messages)."""
        return self.renamed.get(name, name)


def _step_dtype(step):
    """The dtype of a TF1-form step, without building an op."""
    if step is None:
        return global_step_dtype()
    return checks.static_dtype(step)


def _arity_message(caller, signature, error):
    """`signature.bind`'s complaint in the package's message shape."""
    text = str(error)
    missing = re.match(r"missing a required argument: '(\w+)'", text)
    if missing:
        return (f"{caller}: `{missing.group(1)}` must be given (it has no "
                f"default). Arguments: {', '.join(signature.parameters)}.")
    unknown = re.match(r"got an unexpected keyword argument '(\w+)'", text)
    if unknown:
        return (f"{caller}: `{unknown.group(1)}` is not an argument. "
                f"Arguments: {', '.join(signature.parameters)}.")
    return f"{caller}: {text}. Arguments: {', '.join(signature.parameters)}."


class Schedule:
    """One schedule and the surfaces derived from its definition.

    Args:
      define: `define(call, *params) -> f(step)`.
      name: the TF1-style function's name (also the registry name).
      step_arg: the name of the TF1 form's step argument; None: the
        schedule has no TF1 form (`tf1` is None).
      step_position: where the step goes among the TF1 form's parameters.
      step_default: the step's default in the TF1 form (none: required).
    """

    def __init__(self, define, name, *, step_arg="global_step",
                 step_position=1, step_default=_REQUIRED):
        self.define = define
        self.name = name
        self.step_arg = step_arg
        params = list(inspect.signature(define).parameters.values())[1:]
        self.signature = inspect.Signature(params)
        self.fn = self._factory()
        self.tf1 = None
        if step_arg is not None:
            step = inspect.Parameter(
                step_arg, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=step_default)
            params.insert(step_position, step)
            self.tf1_signature = inspect.Signature(params)
            self.tf1 = self._tf1()

    @property
    def summary(self):
        """The first line of the docstring."""
        doc = inspect.getdoc(self.define) or ""
        return doc.splitlines()[0] if doc else ""

    @property
    def parameters(self):
        """The factory's parameters (name -> inspect.Parameter)."""
        return dict(self.signature.parameters)

    def bind(self, caller, args, kwargs, signature=None):
        """`args`/`kwargs` bound to the signature; TypeError naming `caller`."""
        signature = signature or self.signature
        try:
            return signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(_arity_message(caller, signature, error)) from None

    def make(self, caller, *args, **kwargs):
        """`f(step) -> Tensor` for these arguments; errors name `caller`."""
        bound = self.bind(caller, args, kwargs)
        build = self.define(Call(caller), **bound.arguments)
        run = compiled(build, f"{self.name}_fn")  # eager: one call

        def schedule(step):
            if not checks.is_tensor(step):  # Python / NumPy steps
                checks.check_step(caller, step, arg="step")
            elif step.dtype in _AS_IS:  # a global step, a float step
                return run(step)
            return run(as_step(step))

        schedule.__name__ = f"{self.name}_fn"
        return schedule

    def _factory(self):
        def factory(*args, **kwargs):
            return self.make(self.name, *args, **kwargs)

        return self._dressed(factory, f"{self.name}_fn", self.signature,
                             f"Step function of `{self.name}` (same "
                             "arguments, no step): `f(step) -> Tensor`.")

    def _tf1(self):
        def tf1(*args, **kwargs):
            bound = self.bind(self.name, args, kwargs, self.tf1_signature)
            step = bound.arguments.pop(self.step_arg, None)
            checks.check_step(self.name, step, arg=self.step_arg)
            build = self.define(Call(self.name, _step_dtype(step)),
                                **bound.arguments)
            return dual_mode(build, step, self.name)

        return self._dressed(tf1, self.name, self.tf1_signature,
                             inspect.getdoc(self.define))

    def _dressed(self, function, name, signature, doc):
        function.__name__ = function.__qualname__ = name
        function.__module__ = self.define.__module__
        function.__signature__ = signature
        function.__doc__ = doc
        return function

    def __repr__(self):
        return f"<Schedule {self.name}{self.signature}>"
