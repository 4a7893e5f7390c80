"""Is a checkpoint readable? Checked when a restore plan is made.

A TF2 checkpoint is an index (`<prefix>.index`, an SSTable of tensor
names, shapes, dtypes, offsets and CRC32C checksums) and data shards
(`<prefix>.data-<i>-of-<n>`). Broken files otherwise surface late and
without the file's name: a truncated or random index gives
`DataLossError: file is too short to be an sstable`, a missing shard
`NotFoundError` and a truncated or byte-flipped shard `DataLossError` only
when `init_fn(sess)` runs.

`open_checkpoint` checks, cheaply, before any restore op is built:

  * the index parses (`tf.train.load_checkpoint`);
  * every data shard `0 .. n-1` exists;
  * the shards hold at least the bytes the index's fixed-size tensors need
    (`sum(num_elements * dtype.size)`; strings are variable-length and
    only counted by `verify_tensors`).

`verify_tensors` reads the tensors to restore once (what `Saver.restore`
reads next, now in the OS cache), which checks each one's CRC32C and so
also catches a flipped byte. Every failure is one `ValueError` naming the
file.
"""
import re

import numpy as np
import tensorflow as tf

from tf1_schedules._checks import fail

__all__ = ["open_checkpoint", "verify_tensors"]

_SHARD = re.compile(r"\.data-(\d{5})-of-(\d{5})$")
_VARIABLE_SIZE = (tf.string, tf.resource, tf.variant)


def _corrupt(fn, path, file, problem):
    fail(fn, "checkpoint_path", f"an intact checkpoint ({file}: {problem})",
         path)


def _first_line(error):
    message = getattr(error, "message", None) or str(error)
    return message.strip().splitlines()[0] if message.strip() else type(
        error).__name__


def _shards(fn, path):
    """The data shard files of `path`, checked complete: [(file, bytes)]."""
    found = {}
    for name in tf.io.gfile.glob(path + ".data-*-of-*"):
        match = _SHARD.search(name)
        if match and name[:match.start()] == path:
            found[int(match.group(1))] = (name, int(match.group(2)))
    if not found:
        _corrupt(fn, path, f"{path}.data-00000-of-00001",
                 "missing data file")
    total = next(iter(found.values()))[1]
    expected = [f"{path}.data-{i:05d}-of-{total:05d}" for i in range(total)]
    missing = [f for i, f in enumerate(expected)
               if found.get(i, ("", 0))[0] != f]
    if missing:
        _corrupt(fn, path, missing[0], f"missing data file ({len(missing)} "
                 f"of {total} shards missing)")
    return [(f, tf.io.gfile.stat(f).length) for f in expected]


def _needed_bytes(reader):
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    return sum(int(np.prod(shape, dtype=np.int64)) * dtypes[name].size
               for name, shape in shapes.items()
               if dtypes[name].base_dtype not in _VARIABLE_SIZE)


def open_checkpoint(fn, path):
    """`tf.train.load_checkpoint(path)`, after checking its files.

    Raises:
      ValueError (naming `fn`, `checkpoint_path` and the file): the index
        does not parse, a data shard is missing, or the shards are shorter
        than the index's tensors.
    """
    try:
        reader = tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as error:
        _corrupt(fn, path, f"{path}.index",
                 f"unreadable index: {_first_line(error)}")
    shards = _shards(fn, path)
    have = sum(size for _, size in shards)
    need = _needed_bytes(reader)
    if have < need:
        files = shards[0][0] if len(shards) == 1 else (
            f"{shards[0][0]} and {len(shards) - 1} more shard(s)")
        _corrupt(fn, path, files, f"truncated: {have} bytes, the index's "
                 f"tensors need at least {need}")
    return reader


def verify_tensors(fn, path, reader, names):
    """Reads each of `names` once (checks its CRC32C); raises ValueError."""
    for name in names:
        try:
            reader.get_tensor(name)
        except tf.errors.OpError as error:
            shards = _shards(fn, path)
            file = (shards[0][0] if len(shards) == 1 else
                    f"{path}.data-* (one of {len(shards)} shards)")
            _corrupt(fn, path, file, f"unreadable tensor {name!r}: "
                     f"{_first_line(error)}")
