"""`tensorflow.contrib.framework`: what TF1 training code used from it.

tf-slim's `arg_scope` family and variable helpers (the very functions
`tensorflow.contrib.slim` exposes, so `arg_scope` stacks are shared),
the global-step helpers, and the checkpoint readers TF1 re-exported here
(now in `tf.train`):

>>> import tensorflow as tf
>>> with tf.Graph().as_default():
...     with tf.compat.v1.variable_scope("net"):
...         w = model_variable("w", shape=[2])
...     _ = tf.compat.v1.get_variable("other", shape=[1])
...     [v.op.name for v in get_variables_to_restore(exclude=["other"])]
['net/w']
"""
import tensorflow as tf
from tf_slim.ops import arg_scope as _arg_scope
from tf_slim.ops import framework_ops as _framework_ops
from tf_slim.ops import variables as _variables

from tf1_schedules.legacy.contrib._missing import missing_attribute

arg_scope = _arg_scope.arg_scope
add_arg_scope = _arg_scope.add_arg_scope
arg_scope_func_key = _arg_scope.arg_scope_func_key
arg_scoped_arguments = _arg_scope.arg_scoped_arguments
current_arg_scope = _arg_scope.current_arg_scope
has_arg_scope = _arg_scope.has_arg_scope

add_model_variable = _variables.add_model_variable
assert_global_step = _variables.assert_global_step
assert_or_get_global_step = _variables.assert_or_get_global_step
assign_from_checkpoint = _variables.assign_from_checkpoint
assign_from_checkpoint_fn = _variables.assign_from_checkpoint_fn
assign_from_values = _variables.assign_from_values
assign_from_values_fn = _variables.assign_from_values_fn
create_global_step = _variables.create_global_step
filter_variables = _variables.filter_variables
get_global_step = _variables.get_global_step
get_local_variables = _variables.get_local_variables
get_model_variables = _variables.get_model_variables
get_or_create_global_step = _variables.get_or_create_global_step
get_trainable_variables = _variables.get_trainable_variables
get_unique_variable = _variables.get_unique_variable
get_variable_full_name = _variables.get_variable_full_name
get_variables = _variables.get_variables
get_variables_by_name = _variables.get_variables_by_name
get_variables_by_suffix = _variables.get_variables_by_suffix
get_variables_to_restore = _variables.get_variables_to_restore
global_variable = _variables.global_variable
local_variable = _variables.local_variable
model_variable = _variables.model_variable
variable = _variables.variable
VariableDeviceChooser = _variables.VariableDeviceChooser

get_graph_from_inputs = _framework_ops.get_graph_from_inputs
get_name_scope = _framework_ops.get_name_scope

# TF1 re-exported these from `tensorflow.python.training.checkpoint_utils`.
init_from_checkpoint = tf.compat.v1.train.init_from_checkpoint
list_variables = tf.train.list_variables
load_checkpoint = tf.train.load_checkpoint
load_variable = tf.train.load_variable

argsort = tf.argsort
convert_to_tensor_or_sparse_tensor = (
    tf.compat.v1.convert_to_tensor_or_sparse_tensor)
is_tensor = tf.is_tensor
nest = tf.nest
sort = tf.sort

__all__ = sorted(name for name in dir() if not name.startswith("_")
                 and name not in ("tf", "missing_attribute"))

_MOVED = {
    "zero_initializer": "variable.assign(tf.zeros_like(variable))",
    "deprecated": "your own warning (tf.compat.v1 has no deprecation "
                  "decorators)",
    "py_func": "tf.compat.v1.py_func",
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing_attribute("framework", name, __all__, _MOVED)
