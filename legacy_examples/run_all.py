"""Runs every legacy example in this process, one after the other.

    python legacy_examples/run_all.py [--steps N] [--logdir DIR] [NAME ...]

Each example runs as `python legacy_examples/NAME.py --steps N --logdir DIR
--summary-every K` would (through `runpy`, so TensorFlow is imported once).
NAME selects examples (default: all). Exits with status 1 if any failed.
"""
import argparse
import os
import runpy
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


# name -> (seed, what it shows); each is `legacy_examples/<name>.py`.
EXAMPLES = {
    "piecewise_decay": ("002", "piecewise_constant_decay, [5000, 8000]"),
    "exponential_decay": ("002", "exponential_decay, continuous and "
                                 "staircase"),
    "natural_exp_decay": ("002", "natural_exp_decay, continuous and "
                                 "staircase"),
    "polynomial_decay": ("002", "polynomial_decay, powers 1, 0.5, 2"),
    "cosine_decay": ("002", "cosine_decay with alpha"),
    "linear_cosine_decay": ("002", "linear_cosine_decay, 0.5 and 4 periods"),
    "cosine_decay_cycle": ("002", "cosine_decay_restarts (SGDR), t_mul/m_mul "
                                  "1/1, 2/1, 2/0.5"),
    "exponential_decay_with_burnin": ("002", "OD exponential decay after a "
                                             "burn-in"),
    "piecewise_with_warmup": ("002", "OD manual stepping without and with "
                                     "warmup"),
    "cosine_decay_with_warmup": ("002", "OD cosine decay with warmup, with "
                                        "and without hold"),
    "bert_create_optimizer": ("000", "BERT create_optimizer in a "
                                     "sess.run(train_op) loop"),
    "tf1_train_loop": ("001", "the TF 1.x recipe: schedule, warmup, "
                              "tf.gradients, clipping, Adam, apply_gradients"),
    "layerwise_finetune": ("003", "restore without the last layer, "
                                  "layer-wise learning rates"),
    "keras_lr_scheduler": ("004", "LRScheduler.update in a Keras "
                                  "GradientTape loop"),
}


def example_names():
    """The names of the examples, as given to `run_all.py`."""
    return list(EXAMPLES)


def run_example(name, flags):
    """Runs `legacy_examples/<name>.py` as `__main__` with `flags`."""
    saved_argv = sys.argv
    sys.argv = [os.path.join(HERE, f"{name}.py"), *flags]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        sys.argv = saved_argv


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"any of: {', '.join(example_names())}")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--logdir", default="./summary")
    parser.add_argument("--summary-every", type=int, default=10)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(example_names()))
    if unknown:
        parser.error(f"unknown example(s): {', '.join(unknown)}")
    if HERE not in sys.path:
        sys.path.insert(0, HERE)  # as `python legacy_examples/NAME.py` does
    flags = ["--steps", str(args.steps), "--logdir", args.logdir,
             "--summary-every", str(args.summary_every)]
    failed = []
    for name in args.names or example_names():
        start = time.time()
        try:
            run_example(name, flags)
        except (Exception, SystemExit):  # report every failure, keep going
            traceback.print_exc()
            failed.append(name)
        print(f"[{'FAILED' if name in failed else 'ok'}] {name} "
              f"({time.time() - start:.1f} s)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
