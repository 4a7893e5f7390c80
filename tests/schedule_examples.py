"""One example argument set per registry schedule, for tests that run
every schedule (the Keras classes, both flavours). Kept here, apart from the
gallery's curves, so changing a picture never changes what is tested."""

EXAMPLES = {
    "exponential_decay": dict(learning_rate=0.01, decay_steps=2000,
                              decay_rate=0.98),
    "natural_exp_decay": dict(learning_rate=0.01, decay_steps=2000,
                              decay_rate=0.98),
    "inverse_time_decay": dict(learning_rate=0.01, decay_steps=2000,
                               decay_rate=0.98),
    "polynomial_decay": dict(learning_rate=0.01, decay_steps=10000,
                             end_learning_rate=1e-05, power=1.0),
    "piecewise_constant": dict(boundaries=[5000, 8000],
                               values=[0.01, 0.001, 0.0001]),
    "cosine_decay": dict(learning_rate=0.01, decay_steps=10000, alpha=0.001),
    "cosine_decay_restarts": dict(learning_rate=0.01, first_decay_steps=5000,
                                  t_mul=1.0, m_mul=1.0, alpha=0.0001),
    "linear_cosine_decay": dict(learning_rate=0.01, decay_steps=10000,
                                num_periods=0.5, alpha=0.001, beta=0.001),
    "noisy_linear_cosine_decay": dict(learning_rate=0.01, decay_steps=10000,
                                      alpha=0.001, beta=0.001, seed=0),
    "exponential_decay_with_burnin": dict(
        learning_rate_base=0.01, learning_rate_decay_steps=2000,
        learning_rate_decay_factor=0.98, burnin_learning_rate=0.001,
        burnin_steps=2000, staircase=True),
    "exponential_decay_with_warmup": dict(
        learning_rate_base=0.01, learning_rate_decay_steps=2000,
        learning_rate_decay_factor=0.98, warmup_learning_rate=0.001,
        warmup_steps=2000, staircase=True),
    "piecewise_with_warmup": dict(boundaries=[5000, 8000],
                                  rates=[0.01, 0.001, 0.0001], warmup=False),
    "cosine_decay_with_warmup": dict(
        learning_rate_base=0.01, total_decay_steps=15000, alpha=0.001,
        warmup_learning_rate=0.0001, warmup_steps=2000,
        hold_base_rate_steps=2000),
    "bert_learning_rate": dict(init_lr=0.01, num_train_steps=20000,
                               num_warmup_steps=2000),
    "constant_learning_rate": dict(learning_rate=0.001),
    "step_decay_with_warmup": dict(learning_rate=0.001, total_steps=100000),
    "cosine_annealing_warm_restarts": dict(learning_rate=0.001,
                                           total_steps=100000),
    "one_cycle": dict(learning_rate=0.001, total_steps=100000),
    "lr_scheduler": dict(iterations=100000, lr=0.001, policy="constant"),
}
