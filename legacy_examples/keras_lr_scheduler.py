r"""Seed 004: the `LRScheduler` snippet in a Keras `GradientTape` loop.

    python legacy_examples/keras_lr_scheduler.py \
        --steps 2000 --logdir ./summary \
        [--policy constant|step|cosine|onecycle] [--warm-up 0.1]

The seed's loop, unchanged but for the import (`tf1_schedules.keras_schedules.
LRScheduler`, also `tf1_schedules.LRScheduler`): `lr_scheduler.update(
optimizer, i)` sets the Keras (3 or tf_keras) optimizer's
learning rate before each step. Eager mode (TF2), so the summaries go
through `tf.summary.create_file_writer` (`tf.summary.write` with the scalar
plugin's metadata: `tf.summary.scalar` itself needs the `tensorboard`
package, which TF 2.21 no longer installs). `--cycle-length` is the
'cosine' policy's `initial_cycle_length` (the seed's 2500 by default).
"""
import os

import keras
import tensorflow as tf

from tf1_schedules.keras_schedules import LRScheduler
from _common import batches, parse_args, toy_classification

SCALAR = tf.compat.v1.SummaryMetadata(
    plugin_data=tf.compat.v1.SummaryMetadata.PluginData(plugin_name="scalars"))


def add_flags(parser):
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--policy", default="step",
                        choices=("constant", "step", "cosine", "onecycle"))
    parser.add_argument("--warm-up", type=float, default=0.1)
    parser.add_argument("--cycle-length", type=int, default=2500)


def main(argv=None):
    args = parse_args(__doc__, 2000, argv, add_flags)
    iterations = args.steps
    x, y = toy_classification()
    batch = batches(x, y, batch_size=32)
    model = keras.Sequential([keras.Input((x.shape[1],)),
                              keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(3)])
    optimizer = keras.optimizers.Adam(args.lr)
    loss_function = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)
    lr_scheduler = LRScheduler(iterations=iterations, lr=args.lr,
                               policy=args.policy, warm_up=args.warm_up,
                               initial_cycle_length=args.cycle_length)
    logdir = os.path.join(args.logdir, f"lr_scheduler_{args.policy}")
    writer = tf.summary.create_file_writer(logdir)
    for i in range(iterations):
        x_batch, y_true = batch(i)
        lr = lr_scheduler.update(optimizer, i)
        with tf.GradientTape() as tape:
            y_pred = model(x_batch, training=True)
            loss = loss_function(y_true, y_pred)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        if i % args.summary_every == 0:
            with writer.as_default(step=i):
                tf.summary.write("learning_rate", lr, metadata=SCALAR)
                tf.summary.write("loss", loss, metadata=SCALAR)
    writer.close()
    print(f"lr_scheduler_{args.policy}: {iterations} steps; events in "
          f"{logdir}")
    return logdir


if __name__ == "__main__":
    main()
