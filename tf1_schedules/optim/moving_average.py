"""`MovingAverageOptimizer`: TF1's `tf.contrib.opt` parameter averaging.

Wraps a `tf.compat.v1` optimizer; every step also updates an exponential
moving average of each trained variable (`tf.compat.v1.train.
ExponentialMovingAverage`, shadow variables ``<var>/ExponentialMovingAverage``)::

    decay = average_decay                                  # num_updates=None
    decay = min(average_decay, (1 + n) / (10 + n))         # num_updates=n
    average = average - (1 - decay) * (average - var)      # after the update

`swapping_saver()` writes each average under its variable's name (and the
raw value under the average's name), so evaluation code restoring the
usual names gets the averaged weights, as TF1 did.

>>> import tensorflow as tf
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", initializer=1.0)
...     opt = MovingAverageOptimizer(
...         tf.compat.v1.train.GradientDescentOptimizer(0.5), average_decay=0.5)
...     train = opt.minimize(w * 1.0)          # gradient 1: w -= 0.5
...     saver = opt.swapping_saver()
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         _ = sess.run(train)
...         [float(x) for x in sess.run([w, opt.average(w)])]
[0.5, 0.75]

Differences from TF 1.15: arguments are checked; `get_slot`,
`get_slot_names` and `variables` reach the wrapped optimizer (and
`variables` lists the averages); `average(var)` is public; in eager mode
the averages start from the variables' values before the first update
(as graph mode's start from their initial values); partitioned
variables are saved slice by slice (under their slice names) by
`swapping_saver`.
"""
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules._variables import name_of

__all__ = ["MovingAverageOptimizer"]

_FN = "MovingAverageOptimizer"


def _check_arguments(opt, average_decay, num_updates, sequential_update):
    if not isinstance(opt, tf.compat.v1.train.Optimizer):
        checks.fail(_FN, "opt", "a tf.compat.v1.train.Optimizer", opt,
                    TypeError)
    checks.check_number(_FN, "average_decay", average_decay, low=0, high=1)
    if num_updates is not None:
        checks.check_number(_FN, "num_updates", num_updates, low=0)
    checks.check_flag(_FN, "sequential_update", sequential_update)


class MovingAverageOptimizer(tf.compat.v1.train.Optimizer):
    """Optimizer wrapper keeping a moving average of the trained variables.

    Args:
      opt: the `tf.compat.v1.train.Optimizer` computing and applying the
        gradients.
      average_decay: number in [0, 1], the averages' decay.
      num_updates: None, or the number of updates so far (a number or a
        Tensor such as the global step), which lowers the decay early on.
      sequential_update: True: update the averages after the variables;
        False: at the same time (may read either value).
    """

    def __init__(self, opt, average_decay=0.9999, num_updates=None,
                 sequential_update=True):
        _check_arguments(opt, average_decay, num_updates, sequential_update)
        super().__init__(use_locking=False, name="MovingAverageOptimizer")
        self._optimizer = opt
        self._ema = tf.compat.v1.train.ExponentialMovingAverage(
            average_decay, num_updates=num_updates, zero_debias=True)
        self._sequential_update = bool(sequential_update)
        self._variable_map = None
        self._averaged = []

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's `compute_gradients`."""
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The wrapped update, then the moving averages.

        Returns:
          Graph mode: the op ``train_with_avg``. Eager mode: None.
        """
        grads_and_vars = list(grads_and_vars)
        var_list = [v for g, v in grads_and_vars if g is not None]
        if tf.executing_eagerly():
            self._create_averages(var_list)
        train_op = self._optimizer.apply_gradients(
            grads_and_vars, global_step=global_step, name=name)
        deps = [train_op] if (self._sequential_update
                              and train_op is not None) else []
        with tf.control_dependencies(deps):
            average_op = self._ema.apply(var_list)
        self._remember(var_list)
        if tf.executing_eagerly():
            return None
        return tf.group(train_op, average_op, name="train_with_avg")

    def _create_averages(self, var_list):
        # Eager mode: a shadow variable starts from the variable's value when
        # it is created, so create it before the first update (graph mode
        # starts it from the initial value, as TF1 did). Applying the
        # average to an unchanged variable leaves the shadow at that value.
        new = [v for v in var_list if self._ema.average(v) is None]
        if new:
            self._ema.apply(new)

    def _remember(self, var_list):
        self._variable_map = {} if self._variable_map is None else (
            self._variable_map)
        for var in var_list:
            average = self._ema.average(var)
            self._variable_map[name_of(var)] = average
            self._variable_map[name_of(average)] = var
            if all(average is not a for a in self._averaged):
                self._averaged.append(average)

    def average(self, var):
        """The shadow variable averaging `var` (None if not averaged)."""
        return self._ema.average(var)

    def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
        """A `tf.compat.v1.train.Saver` that swaps variables and averages.

        Each averaged variable is saved under the name of its average and
        vice versa; restoring such a checkpoint with a plain saver loads
        the averages into the model's variables. Call it after
        `minimize` / `apply_gradients`, once every variable exists.

        Args:
          var_list: as for `Saver`: None (all global variables), a list of
            variables, or a dict from checkpoint names to variables.
          name: the saver's name.
          **kwargs: further `Saver` arguments.

        Raises:
          RuntimeError: before `minimize` / `apply_gradients`.
        """
        if self._variable_map is None:
            raise RuntimeError("Must call apply_gradients or minimize before "
                               "creating the swapping_saver")
        if var_list is None:
            var_list = tf.compat.v1.global_variables()
        if not isinstance(var_list, dict):
            var_list = {name_of(v): v for v in var_list}
        swapped = {key: ([self._swap(v) for v in value]
                         if isinstance(value, (list, tuple))
                         else self._swap(value))
                   for key, value in var_list.items()}
        return tf.compat.v1.train.Saver(swapped, name=name, **kwargs)

    def _swap(self, var):
        if not isinstance(var, tf.Variable):
            return var
        return self._variable_map.get(name_of(var), var)

    def get_slot(self, var, name):
        return self._optimizer.get_slot(var, name)

    def get_slot_names(self):
        return self._optimizer.get_slot_names()

    def variables(self):
        """The wrapped optimizer's variables, then the averages."""
        return list(self._optimizer.variables()) + list(self._averaged)
