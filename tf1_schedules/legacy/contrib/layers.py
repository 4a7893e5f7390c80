"""`tensorflow.contrib.layers`: tf-slim's layers, initializers, regularizers.

Everything tf-slim's `layers` package exports under TF1's names (the same
function objects as `tensorflow.contrib.slim`'s), so `arg_scope` applies:

>>> import numpy as np, tensorflow as tf
>>> with tf.Graph().as_default():
...     x = tf.ones([2, 3])
...     y = fully_connected(x, 4, weights_initializer=xavier_initializer(),
...                         weights_regularizer=l2_regularizer(0.5))
...     reg = tf.compat.v1.get_collection(
...         tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
...     y.shape.as_list(), len(reg)
([2, 4], 1)

Feature columns (`real_valued_column`, `embedding_column`, ...) are not
provided: use `tf.feature_column`.
"""
from tf_slim.layers import initializers as _initializers
from tf_slim.layers import layers as _layers
from tf_slim.layers import normalization as _normalization
from tf_slim.layers import optimizers as _optimizers
from tf_slim.layers import regularizers as _regularizers
from tf_slim.layers import rev_block_lib as _rev_block_lib
from tf_slim.layers import summaries as _summaries

from tf1_schedules.legacy.contrib._missing import missing_attribute

_SOURCES = (_layers, _normalization, _initializers, _regularizers,
            _rev_block_lib, _summaries)

globals().update({name: getattr(module, name)
                  for module in _SOURCES for name in module.__all__})
optimize_loss = _optimizers.optimize_loss
adaptive_clipping_fn = _optimizers.adaptive_clipping_fn
OPTIMIZER_CLS_NAMES = _optimizers.OPTIMIZER_CLS_NAMES
OPTIMIZER_SUMMARIES = _optimizers.OPTIMIZER_SUMMARIES

__all__ = sorted([name for module in _SOURCES for name in module.__all__]
                 + ["optimize_loss", "adaptive_clipping_fn",
                    "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES"])

_FEATURE_COLUMNS = "tf.feature_column (TF 1.x feature columns moved there)"
_MOVED = {name: _FEATURE_COLUMNS for name in (
    "real_valued_column", "sparse_column_with_hash_bucket",
    "sparse_column_with_keys", "sparse_column_with_integerized_feature",
    "sparse_column_with_vocabulary_file", "embedding_column",
    "one_hot_column", "bucketized_column", "crossed_column",
    "input_from_feature_columns", "weighted_sum_from_feature_columns",
    "create_feature_spec_for_parsing",
    "make_place_holder_tensors_for_base_features")}
_MOVED.update(
    embed_sequence="tf.keras.layers.Embedding or tf.nn.embedding_lookup",
    safe_embedding_lookup_sparse="tf.nn.safe_embedding_lookup_sparse")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing_attribute("layers", name, __all__, _MOVED)
