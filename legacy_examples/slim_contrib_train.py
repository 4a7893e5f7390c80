"""Trains (or fine-tunes) a small image classifier with TF-Slim.

Written the way 2019-2020 TF1 codebases were (research/slim's
train_image_classifier.py is the model): `tf.contrib.slim`, `tf.app.flags`,
`contrib_training.HParams` for the model's hyper-parameters, a learning-rate
function choosing among exponential / fixed / polynomial, and
`slim.learning.train` with an `init_fn` built from `--checkpoint_exclude_scopes`
and `variables_to_train` from `--trainable_scopes`. It is not edited for
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
  dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int64)))
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
  """Configures the learning rate.

  Args:
    num_samples_per_epoch: The number of samples in each epoch of training.
    global_step: The global_step tensor.
    hparams: the model's HParams (for the batch size).

  Returns:
    A `Tensor` representing the learning rate.

  Raises:
    ValueError: if
  """
  decay_steps = int(num_samples_per_epoch * FLAGS.num_epochs_per_decay /
                    hparams.batch_size)

  if FLAGS.learning_rate_decay_type == 'exponential':
    return tf.train.exponential_decay(FLAGS.learning_rate,
                                      global_step,
                                      decay_steps,
                                      FLAGS.learning_rate_decay_factor,
                                      staircase=True,
                                      name='exponential_decay_learning_rate')
  elif FLAGS.learning_rate_decay_type == 'fixed':
    return tf.constant(FLAGS.learning_rate, name='fixed_learning_rate')
  elif FLAGS.learning_rate_decay_type == 'polynomial':
    return tf.train.polynomial_decay(FLAGS.learning_rate,
                                     global_step,
                                     decay_steps,
                                     FLAGS.end_learning_rate,
                                     power=1.0,
                                     cycle=False,
                                     name='polynomial_decay_learning_rate')
  else:
    raise ValueError('learning_rate_decay_type [%s] was not recognized' %
                     FLAGS.learning_rate_decay_type)


def _get_init_fn():
  """Returns a function run by the chief worker to warm-start the training.

  Note that the init_fn is only run when initializing the model during the very
  first global step.

  Returns:
    An init function run by the supervisor.
  """
  if FLAGS.checkpoint_path is None:
    return None

  # Warn the user if a checkpoint exists in the train_dir. Then we'll be
  # ignoring the checkpoint anyway.
  if tf.train.latest_checkpoint(FLAGS.train_dir):
    tf.logging.info(
        'Ignoring --checkpoint_path because a checkpoint already exists in %s'
        % FLAGS.train_dir)
    return None

  exclusions = []
  if FLAGS.checkpoint_exclude_scopes:
    exclusions = [scope.strip()
                  for scope in FLAGS.checkpoint_exclude_scopes.split(',')]

  # TODO(sguada) variables.filter_variables()
  variables_to_restore = []
  for var in slim.get_model_variables():
    for exclusion in exclusions:
      if var.op.name.startswith(exclusion):
        break
    else:
      variables_to_restore.append(var)

  if tf.gfile.IsDirectory(FLAGS.checkpoint_path):
    checkpoint_path = tf.train.latest_checkpoint(FLAGS.checkpoint_path)
  else:
    checkpoint_path = FLAGS.checkpoint_path

  tf.logging.info('Fine-tuning from %s' % checkpoint_path)

  return slim.assign_from_checkpoint_fn(
      checkpoint_path,
      variables_to_restore,
      ignore_missing_vars=FLAGS.ignore_missing_vars)


def _get_variables_to_train():
  """Returns a list of variables to train.

  Returns:
    A list of variables to train by the optimizer.
  """
  if FLAGS.trainable_scopes is None:
    return tf.trainable_variables()
  else:
    scopes = [scope.strip() for scope in FLAGS.trainable_scopes.split(',')]

  variables_to_train = []
  for scope in scopes:
    variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope)
    variables_to_train.extend(variables)
  return variables_to_train


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
