"""Learning-rate schedules: TF1 mirrors, OD / BERT curves, the LRScheduler
policies and the pieces they are composed of.

* `decay`, `cosine`, `piecewise`: the nine `tf.compat.v1.train.*_decay`.
* `compose`: constant, ramp, stepwise, join, warmup; `at_global_step`.
* `od`: Object Detection API schedules; `bert_curve`: BERT's.
* `policies`: the seed `LRScheduler`'s policies as closed-form schedules.
* `step_fns`: every schedule as `f(step) -> Tensor`; `registry`: by name.

This layer imports nothing from `optim`, `slim`, `tools` or Keras.
"""
