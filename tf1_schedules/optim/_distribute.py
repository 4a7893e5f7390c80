"""What `GroupedOptimizer` does differently in a `tf.distribute` replica.

Inside `strategy.run` / `call_for_each_replica` every replica holds the
gradients of its own examples; the `tf.compat.v1` optimizers sum them across
replicas when they apply them (`merge_call` + `batch_reduce_to(SUM)`).
Three steps of `GroupedOptimizer` need every replica at once, so each takes
one `merge_call` here:

  * the global-norm clip factor, from the norm of the *summed* gradients;
  * `global_step += 1`, once per step whatever the step variable is;
  * with loss scaling, one decision for all replicas (apply only if every
    replica's gradients are finite), taken in cross-replica context,
    because a `merge_call` cannot run inside a `tf.cond` built in a replica.

Without a strategy (or in its cross-replica context) `replica_context()` is
None and `GroupedOptimizer` builds exactly the single-device ops.

Tested under `MirroredStrategy` (two logical CPUs, `tests/test_distribute.py`)
and `MultiWorkerMirroredStrategy` (two processes, `tests/test_multi_worker.py`),
in graph mode and `tf.function`.
"""
import functools

import tensorflow as tf

__all__ = ["replica_context", "global_norm", "summed_global_norm",
           "increment", "apply_if_all_finite"]


def replica_context():
    """The replica context of a non-default strategy, else None."""
    if not tf.distribute.has_strategy():
        return None
    return tf.distribute.get_replica_context()


def global_norm(tensors):
    """`tf.linalg.global_norm`, also over tensors of several float dtypes.

    One dtype (the usual case): exactly `tf.linalg.global_norm`. Mixed
    dtypes (float16 layers next to float32 ones), which TF rejects in its
    `Pack`: computed in float64 if any tensor is float64, else float32.
    """
    tensors = [t for t in tensors if t is not None]
    dtypes = {t.dtype.base_dtype for t in tensors}
    if len(dtypes) <= 1:
        return tf.linalg.global_norm(tensors)
    wide = tf.float64 if tf.float64 in dtypes else tf.float32
    return tf.linalg.global_norm([tf.cast(t, wide) for t in tensors])


def summed_global_norm(replica, grads_and_vars):
    """`tf.linalg.global_norm` of the gradients summed over all replicas.

    Clipping each replica's gradients with this norm (`clip_by_global_norm(
    ..., use_norm=...)`) scales them all by the one factor, so the sum the
    optimizers take equals `clip_by_global_norm` of the summed gradients: a
    single device's clipping on the global batch.
    """
    summed = replica.merge_call(_sum, args=(list(grads_and_vars),))
    return global_norm(summed)


def _sum(strategy, grads_and_vars):
    return strategy.extended.batch_reduce_to(tf.distribute.ReduceOp.SUM,
                                             grads_and_vars)


def increment(replica, variable):
    """`variable += 1` once, however many replicas call it.

    In cross-replica context one `assign_add` updates every copy of a
    mirrored step and a step created outside the strategy's scope alike (a
    replica-context `assign_add` on the latter would run once per replica).
    """
    return replica.merge_call(
        lambda _: tf.compat.v1.assign_add(variable, 1))


def apply_if_all_finite(replica, apply, args, finite, update_scale):
    """`apply(*args)` in every replica if every replica's `finite` is True.

    Args:
      replica: the current replica context.
      apply: the per-replica update, `apply(*args) -> op`; it may itself use
        `merge_call` (it runs in a fresh replica context inside the cond).
      args: its arguments (this replica's gradients and variables).
      finite: this replica's bool Tensor, "my gradients are finite".
      update_scale: `update_scale(all_finite) -> op`, run once in
        cross-replica context (the loss scale's update).

    Returns:
      Graph mode: the op (the same in every replica). Eager mode: None.
    """
    merge = functools.partial(_apply_if_all_finite, apply=apply,
                              update_scale=update_scale)
    return replica.merge_call(merge, args=(args, finite))


def _apply_if_all_finite(strategy, args, finite, *, apply, update_scale):
    every = tf.reduce_all(tf.stack(
        strategy.experimental_local_results(finite)))

    def apply_all():
        updates = strategy.extended.call_for_each_replica(apply, args=args)
        ops = [u for u in strategy.experimental_local_results(updates)
               if u is not None]
        with tf.control_dependencies(ops):
            return tf.constant(True)

    applied = tf.cond(every, apply_all, lambda: tf.constant(False))
    return tf.group(applied, update_scale(every))
