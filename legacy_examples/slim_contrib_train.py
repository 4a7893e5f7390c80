"""Trains (or fine-tunes) a small image classifier with TF-Slim.

Written the way 2019-2020 TF1 codebases were (research/slim's
train_image_classifier.py is the model): `tf.contrib.slim`, `tf.app.flags`,
`contrib_training.HParams` for the model's hyper-parameters, a learning-rate
function choosing among exponential / fixed / polynomial, and
`slim.learning.train` with an `init_fn` built from
`--checkpoint_exclude_scopes` and `variables_to_train` from
`--trainable_scopes`. It is not edited for
TF 2.x: run it under the tf1_schedules launcher,

    python -m tf1_schedules run --tf1 --tf1-namespace \\
        legacy_examples/slim_contrib_train.py --train_dir=/tmp/pretrain \\
        --num_classes=5 --max_number_of_steps=60

    python -m tf1_schedules run --tf1 --tf1-namespace \\
        legacy_examples/slim_contrib_train.py --train_dir=/tmp/finetune \\
        --num_classes=3 --checkpoint_path=/tmp/pretrain \\
        --checkpoint_exclude_scopes=SimpleNet/logits \\
        --trainable_scopes=SimpleNet/fc1,SimpleNet/logits \\
        --learning_rate_decay_type=polynomial --max_number_of_steps=40

The data are synthetic (each class is an 8x8 image pattern plus noise), so
the program needs no download.
"""
from __future__ import absolute_import
from __future__ import division
from __future__ import print_function

import numpy as np
import tensorflow as tf

from tensorflow.contrib import quantize as contrib_quantize
from tensorflow.contrib import training as contrib_training

slim = tf.contrib.slim

tf.app.flags.DEFINE_string(
    'train_dir', '/tmp/tfmodel/',
    'Directory where checkpoints and event logs are written to.')
tf.app.flags.DEFINE_integer('num_classes', 5, 'Number of classes.')
tf.app.flags.DEFINE_string(
    'hparams', '', 'Comma separated list of name=value hyper-parameters.')
tf.app.flags.DEFINE_integer(
    'log_every_n_steps', 10,
    'The frequency with which logs are printed.')
tf.app.flags.DEFINE_integer(
    'save_summaries_secs', 600,
    'The frequency with which summaries are saved, in seconds.')
tf.app.flags.DEFINE_integer(
    'save_interval_secs', 600,
    'The frequency with which the model is saved, in seconds.')
tf.app.flags.DEFINE_integer(
    'quantize_delay', -1,
    'Number of steps to start quantized training. Set to -1 would disable '
    'quantized training.')

######################
# Learning rate flags #
######################

tf.app.flags.DEFINE_string(
    'learning_rate_decay_type', 'exponential',
    'Specifies how the learning rate is decayed. One of "fixed", '
    '"exponential", or "polynomial"')
tf.app.flags.DEFINE_float('learning_rate', 0.01, 'Initial learning rate.')
tf.app.flags.DEFINE_float(
    'end_learning_rate', 0.0001,
    'The minimal end learning rate used by a polynomial decay learning rate.')
tf.app.flags.DEFINE_float(
    'learning_rate_decay_factor', 0.94, 'Learning rate decay factor.')
tf.app.flags.DEFINE_float(
    'num_epochs_per_decay', 2.0,
    'Number of epochs after which learning rate decays.')
tf.app.flags.DEFINE_integer('max_number_of_steps', None,
                            'The maximum number of training steps.')

#####################
# Fine-Tuning Flags #
#####################

tf.app.flags.DEFINE_string(
    'checkpoint_path', None,
    'The path to a checkpoint from which to fine-tune.')
tf.app.flags.DEFINE_string(
    'checkpoint_exclude_scopes', None,
    'Comma-separated list of scopes of variables to exclude when restoring '
    'from a checkpoint.')
tf.app.flags.DEFINE_string(
    'trainable_scopes', None,
    'Comma-separated list of scopes to filter the set of variables to train.'
    'By default, None would train all the variables.')
tf.app.flags.DEFINE_boolean(
    'ignore_missing_vars', False,
    'When restoring a checkpoint would ignore missing variables.')

FLAGS = tf.app.flags.FLAGS


def default_hparams():
  """The model's hyper-parameters (override with --hparams=a=1,b=2)."""
  return contrib_training.HParams(
      batch_size=16,
      num_samples=256,
      image_size=8,
      conv_depth=8,
      hidden_units=16,
      weight_decay=0.0004,
      momentum=0.9,
      seed=7)


def synthetic_inputs(hparams, num_classes):
  """Batches of (image, label): a fixed pattern per class plus noise."""
  rng = np.random.RandomState(hparams.seed)
  size = hparams.image_size
  patterns = rng.uniform(-1.0, 1.0, size=(num_classes, size, size, 3))
  labels = rng.randint(0, num_classes, size=hparams.num_samples)
  noise = 0.3 * rng.standard_normal((hparams.num_samples, size, size, 3))
  images = (patterns[labels] + noise).astype(np.float32)
  dataset = tf.data.Dataset.from_tensor_slices(
      (images, labels.astype(np.int64)))
  dataset = dataset.repeat().batch(hparams.batch_size, drop_remainder=True)
  return tf.data.make_one_shot_iterator(dataset).get_next()


def simple_net(images, num_classes, hparams, scope='SimpleNet'):
  """conv - pool - fc - logits, in slim's arg_scope style."""
  with slim.arg_scope(
      [slim.conv2d, slim.fully_connected],
      weights_regularizer=slim.l2_regularizer(hparams.weight_decay),
      weights_initializer=tf.contrib.layers.xavier_initializer()):
    with tf.variable_scope(scope, 'SimpleNet', [images]):
      net = slim.conv2d(images, hparams.conv_depth, [3, 3], scope='conv1')
      net = slim.max_pool2d(net, [2, 2], scope='pool1')
      net = slim.flatten(net)
      net = slim.fully_connected(net, hparams.hidden_units, scope='fc1')
      return slim.fully_connected(net, num_classes, activation_fn=None,
                                  scope='logits')


def _configure_learning_rate(num_samples_per_epoch, global_step, hparams):
  """The learning rate chosen by --learning_rate_decay_type.

  Args:
    num_samples_per_epoch: examples in one pass over the training data.
    global_step: the global step tensor.
    hparams: the model's HParams (the batch size sets the decay period).

  Returns:
    A scalar `Tensor`.

  Raises:
    ValueError: for an unknown --learning_rate_decay_type.
  """
  steps_per_epoch = num_samples_per_epoch / hparams.batch_size
  decay_steps = int(steps_per_epoch * FLAGS.num_epochs_per_decay)
  decay_type = FLAGS.learning_rate_decay_type

  if decay_type == 'fixed':
    return tf.constant(FLAGS.learning_rate, name='fixed_learning_rate')
  if decay_type == 'exponential':
    return tf.train.exponential_decay(
        FLAGS.learning_rate, global_step, decay_steps,
        FLAGS.learning_rate_decay_factor, staircase=True,
        name='exponential_decay_learning_rate')
  if decay_type == 'polynomial':
    return tf.train.polynomial_decay(
        FLAGS.learning_rate, global_step, decay_steps,
        FLAGS.end_learning_rate, power=1.0, cycle=False,
        name='polynomial_decay_learning_rate')
  raise ValueError('Unknown --learning_rate_decay_type: %r' % decay_type)


def _split_scopes(text):
  return [scope.strip() for scope in text.split(',')] if text else []


def _get_init_fn():
  """The warm start run once by the chief when the model is initialised.

  None when there is no --checkpoint_path, or when --train_dir already has a
  checkpoint (training then resumes from it instead).
  """
  if FLAGS.checkpoint_path is None:
    return None
  if tf.train.latest_checkpoint(FLAGS.train_dir):
    tf.logging.info('%s has a checkpoint: not warm-starting from %s',
                    FLAGS.train_dir, FLAGS.checkpoint_path)
    return None

  excluded = _split_scopes(FLAGS.checkpoint_exclude_scopes)
  variables_to_restore = [
      var for var in slim.get_model_variables()
      if not any(var.op.name.startswith(scope) for scope in excluded)]

  checkpoint = FLAGS.checkpoint_path
  if tf.gfile.IsDirectory(checkpoint):
    checkpoint = tf.train.latest_checkpoint(checkpoint)
  tf.logging.info('Warm-starting %d variables from %s',
                  len(variables_to_restore), checkpoint)
  return slim.assign_from_checkpoint_fn(
      checkpoint, variables_to_restore,
      ignore_missing_vars=FLAGS.ignore_missing_vars)


def _get_variables_to_train():
  """The variables of --trainable_scopes (all trainable ones by default)."""
  scopes = _split_scopes(FLAGS.trainable_scopes)
  if not scopes:
    return tf.trainable_variables()
  variables = []
  for scope in scopes:
    variables.extend(
        tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope))
  return variables


def main(_):
  hparams = default_hparams()
  hparams.parse(FLAGS.hparams)
  tf.logging.set_verbosity(tf.logging.INFO)
  tf.logging.info('hparams: %s' % hparams.to_json(sort_keys=True))

  with tf.Graph().as_default():
    tf.set_random_seed(hparams.seed)
    global_step = tf.train.get_or_create_global_step()

    images, labels = synthetic_inputs(hparams, FLAGS.num_classes)
    logits = simple_net(images, FLAGS.num_classes, hparams)
    tf.losses.softmax_cross_entropy(
        slim.one_hot_encoding(labels, FLAGS.num_classes), logits)
    total_loss = tf.losses.get_total_loss()
    tf.summary.scalar('total_loss', total_loss)

    if FLAGS.quantize_delay >= 0:
      contrib_quantize.create_training_graph(quant_delay=FLAGS.quantize_delay)

    learning_rate = _configure_learning_rate(hparams.num_samples, global_step,
                                             hparams)
    tf.summary.scalar('learning_rate', learning_rate)
    optimizer = tf.train.MomentumOptimizer(learning_rate,
                                           momentum=hparams.momentum)

    variables_to_train = _get_variables_to_train()
    train_op = slim.learning.create_train_op(
        total_loss, optimizer, variables_to_train=variables_to_train)

    slim.learning.train(
        train_op,
        logdir=FLAGS.train_dir,
        init_fn=_get_init_fn(),
        number_of_steps=FLAGS.max_number_of_steps,
        log_every_n_steps=FLAGS.log_every_n_steps,
        save_summaries_secs=FLAGS.save_summaries_secs,
        save_interval_secs=FLAGS.save_interval_secs)


if __name__ == '__main__':
  tf.app.run()
