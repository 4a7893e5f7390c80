"""`tensorflow.contrib.quantize`: importable; no graph rewrites.

TF1's quantization-aware training rewrote the graph in place, inserting
fake-quantization ops around every convolution / matmul; that rewriter
(`tensorflow/contrib/quantize`) is gone from TF 2.x and has no public
replacement for `tf.compat.v1` graphs. Scripts that only import this module
(such as `research/slim/train_image_classifier.py` without ``--quantize``)
run; calling a rewrite raises `NotImplementedError` naming what is missing
and where quantization-aware training lives now (the TensorFlow Model
Optimization Toolkit, `tfmot.quantization.keras`, for Keras models).

>>> create_training_graph()  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
NotImplementedError: tensorflow.contrib.quantize.create_training_graph ...
"""
__all__ = [
    "create_eval_graph",
    "create_training_graph",
    "experimental_create_eval_graph",
    "experimental_create_training_graph",
]


def _unsupported(function):
    return NotImplementedError(
        f"tensorflow.contrib.quantize.{function} is not supported by "
        "tf1_schedules: TensorFlow 2.x removed contrib.quantize's graph "
        "rewriter (the in-place insertion of fake-quantization ops for "
        "quantization-aware training), and it has no public replacement for "
        "tf.compat.v1 graphs. Train without quantization (e.g. leave "
        "slim's --quantize off) or use the TensorFlow Model Optimization "
        "Toolkit (tfmot.quantization.keras) with a Keras model.")


def create_training_graph(input_graph=None, quant_delay=0):
    """Not supported (TF 2.x removed the rewriter): `NotImplementedError`."""
    del input_graph, quant_delay
    raise _unsupported("create_training_graph")


def create_eval_graph(input_graph=None):
    """Not supported (TF 2.x removed the rewriter): `NotImplementedError`."""
    del input_graph
    raise _unsupported("create_eval_graph")


def experimental_create_training_graph(input_graph=None, weight_bits=8,
                                       activation_bits=8, symmetric=False,
                                       quant_delay=0, freeze_bn_delay=None,
                                       scope=None):
    """Not supported (TF 2.x removed the rewriter): `NotImplementedError`."""
    del (input_graph, weight_bits, activation_bits, symmetric, quant_delay,
         freeze_bn_delay, scope)
    raise _unsupported("experimental_create_training_graph")


def experimental_create_eval_graph(input_graph=None, weight_bits=8,
                                   activation_bits=8, symmetric=False,
                                   quant_delay=None, scope=None):
    """Not supported (TF 2.x removed the rewriter): `NotImplementedError`."""
    del (input_graph, weight_bits, activation_bits, symmetric, quant_delay,
         scope)
    raise _unsupported("experimental_create_eval_graph")
