"""A schedule's ops as one compiled function, for eager callers.

In eager mode a step function `build(step)` runs its ops one by one: each
call pays Python and dispatch costs per op (0.5-1.5 ms for a schedule).
`compiled(build)` traces `build` once per kind of step into a `tf.function`
and runs the traced graph as a single op:

    run = compiled(build)
    run(step)     # == build(step), bit for bit, in one kernel launch

* Steps: a `tf.Variable` (re-read on every call; its handle is the input),
  a Keras variable, an eager Tensor, or a Python / NumPy number or list
  (converted as `tf.convert_to_tensor` converts it, so `build` sees the
  tensor it sees op by op: int32 for a small Python int). One trace per
  (dtype, scalar / vector / variable): a changing variable, tensor or
  Python-int step never retraces. Anything else (bool, string, rank > 1)
  runs `build(step)` op by op, with its usual errors.
* Graph mode and `tf.function` tracing: `build(step)` (ops in the caller's
  graph, as before).
* Values: TF's graph optimizer (grappler) rewrites `x / c` into
  `x * (1 / c)` and `pow(x, 2)` into `square(x)`, which changes float32 (and
  float64) bits. The call op therefore carries its own `config_proto` with
  the graph optimizer off: the traced graph runs the kernels op-by-op eager
  runs, so the values are those of `build(step)` in eager mode, bit for bit.
  Nothing global is changed (`tf.config.optimizer` stays as it is).
"""
import threading

import numpy as np
import tensorflow as tf

__all__ = ["compiled", "Compiled", "CALL_CONFIG"]


def _call_config():
    """A ConfigProto for one call: soft placement, graph optimizer off."""
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return config.SerializeToString()


CALL_CONFIG = _call_config()

_VARIABLE, _SCALAR, _VECTOR = "variable", "scalar", "vector"


def _as_input(step):
    """`(key, tensor or variable)` for a step the compiled path takes.

    None when the step must go op by op (an unusual type or rank).
    """
    if isinstance(step, (tf.Variable, tf.Tensor)):
        tensor = step
    elif isinstance(getattr(step, "value", None), tf.Variable):
        tensor = step.value  # a Keras 3 variable (optimizer.iterations)
    elif isinstance(step, (bool, np.bool_)):
        return None
    else:
        try:
            tensor = tf.convert_to_tensor(step)
        except (TypeError, ValueError):
            return None
    dtype = tensor.dtype.base_dtype
    if not (dtype.is_integer or dtype.is_floating):
        return None
    rank = tensor.shape.rank
    if rank not in (0, 1):
        return None
    if isinstance(tensor, tf.Variable):
        if isinstance(tensor, tf.distribute.DistributedValues):
            tensor = tf.convert_to_tensor(tensor)  # one replica's value
        else:
            return (_VARIABLE, dtype, tuple(tensor.shape)), tensor
    return ((_SCALAR if rank == 0 else _VECTOR), dtype), tensor


class _Call:
    """One traced concrete function, called as a single op."""

    __slots__ = ("function", "captures", "outputs", "variable")

    def __init__(self, function, variable):
        self.function = function
        self.captures = list(function.captured_inputs)
        self.outputs = [t.dtype for t in function.outputs]
        self.variable = variable

    def __call__(self, value):
        first = value.handle if self.variable else value
        return tf.raw_ops.StatefulPartitionedCall(
            args=[first] + self.captures, Tout=self.outputs,
            f=self.function, config_proto=CALL_CONFIG)[0]


class Compiled:
    """`run(step) == build(step)`, traced once per kind of step.

    Attributes:
      build: the step function, `build(step) -> Tensor`.
      function: the `tf.function` around `build` (its
        `experimental_get_tracing_count()` counts the traces).
    """

    __slots__ = ("build", "function", "_calls", "_lock", "__name__",
                 "__weakref__")

    def __init__(self, build, name=None):
        self.build = build
        self.function = tf.function(build, autograph=False)
        self._calls = {}
        self._lock = threading.Lock()
        self.__name__ = name or getattr(build, "__name__", "schedule")

    def __call__(self, step):
        if not tf.executing_eagerly():
            return self.build(step)
        found = _as_input(step)
        if found is None:
            return self.build(step)
        key, value = found
        call = self._calls.get(key)
        if call is None:
            call = self._trace(key, value)
        return call(value)

    def _trace(self, key, value):
        with self._lock:
            call = self._calls.get(key)
            if call is None:
                if key[0] == _VARIABLE:
                    function = self.function.get_concrete_function(value)
                else:
                    shape = [] if key[0] == _SCALAR else [None]
                    function = self.function.get_concrete_function(
                        tf.TensorSpec(shape, key[1]))
                call = _Call(function, key[0] == _VARIABLE)
                self._calls[key] = call
        return call

    @property
    def tracing_count(self):
        """How many times `build` was traced (at most one per kind of step)."""
        return self.function.experimental_get_tracing_count()

    def __reduce__(self):
        """Copies (`copy.deepcopy`) start untraced, around the same build."""
        return (Compiled, (self.build, self.__name__))

    def __repr__(self):
        return f"<Compiled {self.__name__}>"


def compiled(build, name=None):
    """`build(step)` as one compiled call in eager mode (see the module).

    Args:
      build: a step function `build(step) -> Tensor`.
      name: a label for the repr; default `build.__name__`.

    Returns:
      A `Compiled`: `run(step)` gives `build(step)`'s value, bit for bit.

    Example:
      >>> from tf1_schedules.schedules import step_fns
      >>> run = compiled(step_fns.exponential_decay_fn(0.1, 10, 0.5))
      >>> step = tf.Variable(10, dtype=tf.int64)
      >>> round(float(run(step)), 6)
      0.05
      >>> _ = step.assign(20)
      >>> round(float(run(step)), 6), run.tracing_count
      (0.025, 1)
    """
    if isinstance(build, Compiled):
        return build
    return Compiled(build, name)
