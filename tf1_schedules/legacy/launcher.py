"""`tf1-schedules run [flags] SCRIPT [args...]`: a legacy script, unchanged.

Like ``coverage run``: SCRIPT runs as ``__main__`` (`runpy.run_path`) with
``sys.argv = [SCRIPT, *args]`` and the script's directory as
``sys.path[0]``, after the chosen pieces of `tf1_schedules.legacy` are
installed; the exit status is the script's (``sys.exit(n)`` passes through,
an uncaught exception prints its traceback and gives 1). A bad command line
prints one line, ``tf1-schedules run: ...``, and gives 2.

Flags (before SCRIPT; everything after SCRIPT is the script's):

  --tf1               tf.compat.v1.disable_v2_behavior() before the script
                      (tf.Session, Supervisor, slim.learning.train need it)
  --tf1-namespace     `import tensorflow as tf` in the script's own tree
                      binds tensorflow.compat.v1, with tf.contrib
  --swap-schedules    tf.compat.v1.train.*_decay are tf1_schedules'
  --numpy-aliases     np.int, np.float, np.bool, np.object, ...,
                      ndarray.tostring come back
  --all               all four above
  --no-contrib        do not install tensorflow.contrib (on by default)
  --max-session-runs N
                      end the script's input after N Session.run calls of
                      its main thread: the next one raises OutOfRangeError,
                      as exhausted input does (a smaller step count for
                      an unchanged script)

    python -m tf1_schedules run --tf1 --tf1-namespace train.py --lr 0.1
"""
import os
import runpy
import sys
import threading
import traceback

__all__ = ["main", "limit_session_runs", "run_script"]

PROG = "tf1-schedules run"

_FLAGS = {
    "--tf1": "tf1_behavior",
    "--tf1-namespace": "tf1_namespace",
    "--swap-schedules": "swap_schedules",
    "--numpy-aliases": "numpy_aliases",
}


class UsageError(Exception):
    """A bad command line: one line on stderr, exit status 2."""


def _usage():
    return (f"usage: {PROG} [--tf1] [--tf1-namespace] [--swap-schedules] "
            "[--numpy-aliases] [--all] [--no-contrib] "
            "[--max-session-runs N] SCRIPT [args...]")


def _count(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 0:
        raise UsageError(f"--max-session-runs must be a non-negative "
                         f"integer, got {text!r}")
    return value


def parse_args(argv):
    """`(options, script, script_args)`; flags stop at the first non-flag."""
    options = dict(contrib=True, max_session_runs=None,
                   **{name: False for name in _FLAGS.values()})
    argv = list(argv)
    while argv and argv[0].startswith("-"):
        flag = argv.pop(0)
        if flag == "--":
            break
        name, _, value = flag.partition("=")
        if flag in ("-h", "--help"):
            raise SystemExit(_help())
        if flag in _FLAGS:
            options[_FLAGS[flag]] = True
        elif flag == "--all":
            options.update({name: True for name in _FLAGS.values()})
        elif flag == "--no-contrib":
            options["contrib"] = False
        elif name == "--max-session-runs":
            if not value:
                if not argv:
                    raise UsageError("--max-session-runs needs a number")
                value = argv.pop(0)
            options["max_session_runs"] = _count(value)
        else:
            raise UsageError(f"unknown flag {flag!r} ({_usage()})")
    if not argv:
        raise UsageError(f"no SCRIPT given ({_usage()})")
    script, script_args = argv[0], argv[1:]
    if not os.path.isfile(script):
        raise UsageError(f"cannot find script {script!r}")
    return options, script, script_args


def _help():
    flags = "Flags" + __doc__.split("Flags", 1)[1]
    sys.stdout.write(_usage() + "\n\n" + flags.replace("\n\n", "\n", 1))
    return 0


def limit_session_runs(limit):
    """After `limit` `Session.run` calls, the next one ends the input.

    Counts the calls made on the thread that installed this (the script's
    main thread; the Supervisor's and queue runners' threads are not
    counted). Call number ``limit + 1`` raises `tf.errors.OutOfRangeError`
    -- the error with which an exhausted TF1 input pipeline ends training,
    which `tf.train.Coordinator`, `MonitoredSession`, `slim.learning.train`
    and ``except tf.errors.OutOfRangeError`` loops treat as a clean end --
    once; later calls (final checkpoint, cleanup) run normally. This is how
    a test gives an unchanged script a smaller step count.

    Returns:
      An `Installation`; its ``state`` dict has the ``runs`` counted and
      whether the input ``ended``.
    """
    import numbers

    import tensorflow as tf
    # `BaseSession.run` is what `tf.compat.v1.Session`, `InteractiveSession`
    # and the sessions inside `MonitoredSession` / Supervisor call; TF has no
    # public hook that sees every run of a plain `tf.Session`.
    from tensorflow.python.client.session import BaseSession

    from tf1_schedules._checks import fail
    from tf1_schedules.legacy._handle import Installation

    if (not isinstance(limit, numbers.Integral) or isinstance(limit, bool)
            or limit < 0):
        fail("limit_session_runs", "limit", "a non-negative int", limit,
             TypeError if not isinstance(limit, numbers.Number) else
             ValueError)
    original = BaseSession.run
    owner = threading.get_ident()
    state = {"runs": 0, "ended": False}

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if threading.get_ident() == owner and not state["ended"]:
            if state["runs"] >= limit:
                state["ended"] = True
                raise tf.errors.OutOfRangeError(
                    None, None, f"{PROG} --max-session-runs={limit}: input "
                    f"ended after {limit} session runs")
            state["runs"] += 1
        return original(self, fetches, feed_dict, options, run_metadata)

    BaseSession.run = run
    handle = Installation("limit_session_runs",
                          lambda: setattr(BaseSession, "run", original))
    handle.state = state
    return handle


def _status(code):
    """The process exit status Python gives for `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _script_traceback(error, script):
    """The traceback from the script's first frame on (no launcher frames)."""
    tb = error.__traceback__
    here = {os.path.realpath(__file__), os.path.realpath(runpy.__file__),
            "<frozen runpy>"}
    while tb is not None and (tb.tb_frame.f_code.co_filename in here or
                              os.path.realpath(tb.tb_frame.f_code.co_filename)
                              in here):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def run_script(script, args=()):
    """Runs `script` as ``__main__``; returns its exit status.

    ``sys.argv`` and ``sys.path[0]`` are set as ``python SCRIPT args...``
    sets them, and restored afterwards.
    """
    path = os.path.abspath(script)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [script, *args]
    sys.path[:1] = [os.path.dirname(path)]
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exit_:
        return _status(exit_.code)
    except KeyboardInterrupt as error:
        sys.stderr.write(_script_traceback(error, path))
        return 130
    except BaseException as error:  # what Python would print, then 1
        sys.stderr.write(_script_traceback(error, path))
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
    return 0


def _install(options, script):
    from tf1_schedules import legacy

    root = os.path.dirname(os.path.abspath(script))
    handle = legacy.install(
        contrib=options["contrib"], tf1_behavior=options["tf1_behavior"],
        swap_schedules=options["swap_schedules"],
        numpy_aliases=options["numpy_aliases"],
        tf1_namespace=root if options["tf1_namespace"] else None)
    if options["max_session_runs"] is None:
        return handle
    limit = limit_session_runs(options["max_session_runs"])
    return legacy.Installation("run", parts=[handle, limit])


def main(argv=None):
    """`tf1-schedules run [flags] SCRIPT [args...]`; returns the status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        options, script, script_args = parse_args(argv)
    except UsageError as error:
        sys.stderr.write(f"{PROG}: {error}\n")
        return 2
    except SystemExit as exit_:  # --help
        return _status(exit_.code)
    try:
        handle = _install(options, script)
    except (ImportError, ValueError, TypeError) as error:
        first = (str(error).strip().splitlines() or [""])[0]
        sys.stderr.write(f"{PROG}: cannot install the legacy runtime: "
                         f"{type(error).__name__}: {first}\n")
        return 2
    with handle:
        return run_script(script, script_args)
