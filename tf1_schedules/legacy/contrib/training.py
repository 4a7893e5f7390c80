"""`tensorflow.contrib.training`: `HParams` (in `tf1_schedules.legacy.hparams`).

The input-pipeline helpers TF1 kept here are not provided (see the hints
in the `AttributeError`).
"""
from tf1_schedules.legacy.contrib._missing import missing_attribute
from tf1_schedules.legacy.hparams import HParams

__all__ = ["HParams"]

_MOVED = {
    "bucket_by_sequence_length":
        "tf.data.experimental.bucket_by_sequence_length",
    "stratified_sample": "tf.data.Dataset.rejection_resample",
    "rejection_sample": "tf.data.Dataset.rejection_resample",
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing_attribute("training", name, __all__, _MOVED)
