"""`tf1_schedules.legacy`: install() and its pieces, and `tf1-schedules run`.

In-process tests cover the command line, exit statuses, the session-run
limit, the schedule swap, NumPy's aliases and the namespace rule, each with
its undo. Two child processes (marked slow) cover what needs a fresh
interpreter: ``python -m tf1_schedules run`` end to end, and TF1 behaviour
(`disable_v2_behavior`) with its undo.
"""
import builtins
import json
import os
import runpy
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules
from tf1_schedules import legacy
from tf1_schedules.legacy import launcher
from tf1_schedules.legacy.namespace import in_scope, tf1_namespace
from tf1_schedules.legacy.numpy_aliases import numpy_aliases
from tf1_schedules.legacy.swap import NAMES, ORIGINALS, swap_schedules
from tf1_schedules.tools import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------
def test_flags_are_parsed_up_to_the_script(tmp_path):
    script = write(tmp_path / "s.py", "")
    options, path, args = launcher.parse_args(
        ["--tf1", "--swap-schedules", "--max-session-runs=7", str(script),
         "--tf1", "x"])
    assert (path, args) == (str(script), ["--tf1", "x"])
    assert options == dict(contrib=True, max_session_runs=7,
                           tf1_behavior=True, swap_schedules=True,
                           numpy_aliases=False, tf1_namespace=False)
    options, _, _ = launcher.parse_args(
        ["--all", "--no-contrib", "--max-session-runs", "3", "--",
         str(script)])
    assert options == dict(contrib=False, max_session_runs=3,
                           tf1_behavior=True, swap_schedules=True,
                           numpy_aliases=True, tf1_namespace=True)


@pytest.mark.parametrize("argv, message", [
    (["--bogus", "s.py"], "unknown flag '--bogus'"),
    ([], "no SCRIPT given"),
    (["--tf1"], "no SCRIPT given"),
    (["missing.py"], "cannot find script 'missing.py'"),
    (["--max-session-runs", "-1", "s.py"], "non-negative integer"),
    (["--max-session-runs"], "needs a number"),
])
def test_bad_command_lines_exit_2_with_one_line(argv, message, capsys,
                                                tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "s.py", "raise AssertionError('must not run')")
    assert cli.main(["run", *argv]) == 2  # through the CLI's dispatch
    err = capsys.readouterr().err
    assert err.startswith("tf1-schedules run: ") and message in err
    assert err.count("\n") == 1


def test_help_exits_0(capsys):
    assert launcher.main(["--help"]) == 0
    assert "--max-session-runs" in capsys.readouterr().out


@pytest.mark.parametrize("body, status", [
    ("pass", 0),
    ("import sys; sys.exit()", 0),
    ("import sys; sys.exit(3)", 3),
    ("raise SystemExit('bye')", 1),
    ("raise KeyError('boom')", 1),
])
def test_exit_status_is_the_scripts(body, status, tmp_path, capsys):
    script = write(tmp_path / "s.py", body)
    assert launcher.main(["--no-contrib", str(script)]) == status


def test_a_failing_script_prints_its_own_traceback(tmp_path, capsys):
    script = write(tmp_path / "s.py", """
        def f():
            raise KeyError("boom")
        f()
    """)
    assert launcher.main(["--no-contrib", str(script)]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert str(script) in lines[1] and "launcher.py" not in err
    assert lines[-1] == "KeyError: 'boom'"


def test_script_sees_argv_path_and_main_and_both_are_restored(tmp_path):
    out = tmp_path / "out.json"
    script = write(tmp_path / "sub" / "s.py", f"""
        import json, sys
        json.dump([sys.argv, sys.path[0], __name__], open({str(out)!r}, "w"))
    """)
    argv, path0 = list(sys.argv), sys.path[0]
    assert launcher.main(["--no-contrib", str(script), "-a", "1"]) == 0
    assert json.loads(out.read_text()) == [
        [str(script), "-a", "1"], str(script.parent), "__main__"]
    assert (sys.argv, sys.path[0]) == (argv, path0)


# --------------------------------------------------------------------------
# --max-session-runs
# --------------------------------------------------------------------------
def test_session_runs_end_with_out_of_range_once_then_pass():
    with tf.Graph().as_default():
        one = tf.constant(1)
        with tf.compat.v1.Session() as sess:
            with launcher.limit_session_runs(3) as handle:
                assert [sess.run(one) for _ in range(3)] == [1, 1, 1]
                with pytest.raises(tf.errors.OutOfRangeError,
                                   match="after 3 session runs"):
                    sess.run(one)
                assert sess.run(one) == 1  # cleanup runs go through
                assert handle.state == {"runs": 3, "ended": True}
            # Undone: no limit any more.
            assert [sess.run(one) for _ in range(5)] == [1] * 5


@pytest.mark.parametrize("limit, exc", [(-1, ValueError), (2.5, ValueError),
                                        ("3", TypeError)])
def test_session_run_limit_is_checked(limit, exc):
    run = tf.compat.v1.Session.run
    with pytest.raises(exc, match=r"limit_session_runs: `limit` must be a "
                       r"non-negative int\. Received: limit="):
        launcher.limit_session_runs(limit)
    assert tf.compat.v1.Session.run is run


def test_other_threads_runs_are_not_counted():
    with tf.Graph().as_default():
        one = tf.constant(1)
        with tf.compat.v1.Session() as sess:
            with launcher.limit_session_runs(1) as handle:
                worker = threading.Thread(
                    target=lambda: [sess.run(one) for _ in range(4)])
                worker.start()
                worker.join()
                assert handle.state["runs"] == 0
                sess.run(one)
                with pytest.raises(tf.errors.OutOfRangeError):
                    sess.run(one)


def test_coordinator_loops_stop_cleanly_on_the_limit(tmp_path):
    script = write(tmp_path / "loop.py", f"""
        import tensorflow as tf
        with tf.Graph().as_default():
            counter = tf.compat.v1.Variable(0)
            step = counter.assign_add(1)
            coord = tf.compat.v1.train.Coordinator()
            with tf.compat.v1.Session() as sess:
                sess.run(counter.initializer)
                try:
                    for _ in range(1000):
                        sess.run(step)
                except Exception as e:
                    coord.request_stop(e)
                finally:
                    coord.request_stop()
                    coord.join([])
                count = str(sess.run(counter))
                open({str(tmp_path / "n")!r}, "w").write(count)
    """)
    assert launcher.main(["--no-contrib", "--max-session-runs", "11",
                          str(script)]) == 0
    assert (tmp_path / "n").read_text() == "10"  # init + 10 steps


# --------------------------------------------------------------------------
# install() and its pieces
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message, exc", [
    (dict(swap_schedules=1), "install: `swap_schedules` must be a bool. "
     "Received: swap_schedules=1.", TypeError),
    (dict(tf1_namespace=True), "install: `tf1_namespace` must be None or "
     "the directory of the user's code. Received: tf1_namespace=True.",
     TypeError),
    (dict(tf1_namespace="/no/such/dir"), "install: `tf1_namespace` must be "
     "an existing directory. Received: tf1_namespace='/no/such/dir'.",
     ValueError),
])
def test_install_checks_before_installing(kwargs, message, exc):
    before = (builtins.__import__, tf.compat.v1.train.exponential_decay)
    with pytest.raises(exc) as info:
        legacy.install(contrib=False, numpy_aliases=True, **kwargs)
    assert str(info.value) == message
    assert (builtins.__import__,
            tf.compat.v1.train.exponential_decay) == before
    assert not hasattr(np, "int")  # removed in NumPy 1.24: an alias only


def test_install_undoes_what_it_did_when_a_piece_fails(monkeypatch):
    def broken():
        raise ImportError("contrib is broken")
    monkeypatch.setitem(legacy._PIECES, "contrib", broken)
    original = tf.compat.v1.train.cosine_decay
    with pytest.raises(ImportError, match="contrib is broken"):
        # contrib comes first: nothing else may stay installed.
        legacy.install(swap_schedules=True, numpy_aliases=True)
    assert tf.compat.v1.train.cosine_decay is original
    assert not hasattr(np, "int")


def test_install_without_contrib_package_fails_loudly(monkeypatch, capsys,
                                                      tmp_path):
    monkeypatch.setitem(sys.modules, "tf1_schedules.legacy._contrib_finder",
                        None)
    with pytest.raises(ImportError):
        legacy.install()
    script = write(tmp_path / "s.py", "raise AssertionError('must not run')")
    assert launcher.main([str(script)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tf1-schedules run: cannot install the legacy "
                          "runtime: ModuleNotFoundError: import of "
                          "tf1_schedules.legacy._contrib_finder halted")
    assert err.count("\n") == 1


def test_swap_gives_the_package_functions_and_undo_restores_tfs():
    module = tf.compat.v1.train
    before = {name: getattr(module, name) for name in NAMES}
    import tensorflow.compat.v1 as tf_v1
    with legacy.install(contrib=False, swap_schedules=True) as handle:
        for name in NAMES:
            ours = getattr(tf1_schedules, name)
            assert getattr(module, name) is ours
            assert getattr(tf_v1.train, name) is ours
            assert ORIGINALS[name] is before[name]
        rate = tf_v1.train.exponential_decay(0.1, 20, 10, 0.5)
        value = rate() if callable(rate) else rate
        assert np.isclose(float(value), 0.025)
    assert not handle.active and ORIGINALS == {}
    for name in NAMES:
        assert getattr(module, name) is before[name]


@pytest.mark.parametrize("name", NAMES)
def test_swapped_functions_take_every_tf1_call(name):
    """TF1's parameters, order and defaults; only keyword-only extras."""
    import inspect
    theirs = inspect.signature(getattr(tf.compat.v1.train, name)).parameters
    ours = inspect.signature(getattr(tf1_schedules, name)).parameters
    assert list(ours)[:len(theirs)] == list(theirs)
    for key, parameter in theirs.items():
        assert ours[key].default == parameter.default
        assert ours[key].kind == parameter.kind
    assert all(p.kind is p.KEYWORD_ONLY
               for p in list(ours.values())[len(theirs):])


def test_nested_swaps_undo_in_reverse_order():
    original = tf.compat.v1.train.polynomial_decay
    outer = swap_schedules()
    inner = swap_schedules()
    inner.undo()
    swapped = tf.compat.v1.train.polynomial_decay
    assert swapped is tf1_schedules.polynomial_decay
    outer.undo()
    assert tf.compat.v1.train.polynomial_decay is original


NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def test_numpy_aliases_warn_once_and_undo():
    getattr_before = np.__dict__.get("__getattr__")
    # NumPy 1.26 (TF 2.16) still has some of them itself; those are kept.
    absent = [name for name in ("int", "float_", "product")
              if not hasattr(np, name)]
    had_tostring = hasattr(np.ndarray, "tostring")
    with numpy_aliases() as handle:
        assert "int" in handle.detail.split()
        with pytest.warns(DeprecationWarning, match=r"np\.int was removed"):
            assert np.int is int
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert np.int is int  # warned once already
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert np.object is object and np.float_ is np.float64
            assert np.product([2, 3]) == 6
            assert np.asscalar(np.array([4])) == 4
        a = np.arange(3, dtype=np.int16)
        with pytest.warns(DeprecationWarning, match="tobytes"):
            assert a.tostring() == a.tobytes()
        assert np.float32(2).tostring() == np.float32(2).tobytes()
        # NumPy 2 has its own np.bool (kept); NumPy 1's alias was `bool`.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert np.bool is (np.bool_ if NUMPY_2 else bool)
    assert np.__dict__.get("__getattr__") is getattr_before
    assert "int" in absent
    for name in absent:
        assert not hasattr(np, name)
    assert hasattr(np.ndarray, "tostring") == had_tostring
    assert hasattr(np.float32(1), "tostring") == had_tostring


# --------------------------------------------------------------------------
# The TF1 namespace
# --------------------------------------------------------------------------
@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A script, a module of its tree, and a library in a virtualenv inside
    the tree, each doing `import tensorflow as tf`."""
    root = tmp_path / "project"
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    body = "import tensorflow as tf\n"
    write(root / "app.py", body + "import helper, thelib\n")
    write(root / "helper.py", body)
    write(site / "thelib" / "__init__.py", body)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in ("helper", "thelib"):
        sys.modules.pop(name, None)


def test_namespace_applies_to_the_tree_not_to_libraries(tree):
    original_import = builtins.__import__
    with tf1_namespace(tree, contrib=False) as handle:
        app = runpy.run_path(str(tree / "app.py"), run_name="__main__")
        assert app["tf"] is tf.compat.v1
        assert app["helper"].tf is tf.compat.v1
        assert app["thelib"].tf is tf  # a site-packages library
        import tensorflow as here  # this test module is not in the tree
        assert here is tf
    assert not handle.active and builtins.__import__ is original_import
    sys.modules.pop("helper")
    app = runpy.run_path(str(tree / "app.py"))
    assert app["tf"] is tf and app["helper"].tf is tf


def test_namespace_gives_tf1_layers_and_undo_puts_tfs_back(tree):
    before = tf.compat.v1.layers
    with tf1_namespace(tree, contrib=False):
        layers = tf.compat.v1.layers
        assert callable(layers.dense) and callable(layers.conv2d)
        with tf.Graph().as_default():
            out = layers.dense(tf.zeros([2, 3]), 4)
        assert out.shape.as_list() == [2, 4]
    assert tf.compat.v1.layers is before


def test_namespace_leaves_explicit_tensorflow_imports_alone(tree):
    write(tree / "explicit.py", """
        import tensorflow.compat.v1 as v1
        import tensorflow.compat.v2 as v2
        from tensorflow import compat
    """)
    with tf1_namespace(tree, contrib=False):
        found = runpy.run_path(str(tree / "explicit.py"))
    assert found["v1"] is tf.compat.v1 and found["v2"] is tf.compat.v2
    assert found["compat"] is tf.compat.v1.compat


def test_scope_rule():
    assert in_scope("/p/app/m.py", "/p/app", excluded=())
    assert in_scope("/p/app/pkg/m.py", "/p/app", excluded=())
    assert not in_scope("/p/other/m.py", "/p/app", excluded=())
    assert not in_scope("/p/app/env/lib/dist-packages/x.py", "/p/app",
                        excluded=())
    assert not in_scope("/p/app/lib/m.py", "/p/app", excluded=("/p/app/lib",))
    # This package never gets the TF1 namespace, wherever it is installed.
    assert not in_scope(tf1_schedules.__file__,
                        os.path.dirname(os.path.dirname(
                            tf1_schedules.__file__)))


def test_namespace_checks_its_root():
    with pytest.raises(ValueError, match=r"tf1_namespace: `root` must be an "
                       r"existing directory\. Received: root='/nope'\."):
        tf1_namespace("/nope")


# --------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------
def _env():
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


@pytest.mark.slow
def test_python_m_run_with_all_flags(tmp_path):
    site = tmp_path / "proj" / ".venv" / "lib" / "site-packages"
    write(site / "outside.py", "import tensorflow as tf\n")
    write(tmp_path / "proj" / "models" / "__init__.py", "")
    write(tmp_path / "proj" / "models" / "net.py", """
        import numpy as np
        import tensorflow as tf
        WIDTH = np.int(3)
    """)
    script = write(tmp_path / "proj" / "train.py", f"""
        import json, sys
        sys.path.append({str(site)!r})
        import numpy as np
        import tensorflow as tf
        import tf1_schedules
        import outside
        from models import net
        gs = tf.train.get_or_create_global_step()
        rate = tf.train.piecewise_constant(gs, [10], [0.1, 0.01])
        dense = tf.layers.dense(tf.zeros([2, 3]), 4)  # TF1's tf.layers
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            value = float(sess.run(rate))
        json.dump(dict(
            argv=sys.argv, path0=sys.path[0],
            eager=tf.executing_eagerly(),
            session=tf.Session is tf.compat.v1.Session,
            script_v1=tf.__name__.endswith("compat.v1"),
            net_v1=net.tf is tf, outside_real=outside.tf.__name__,
            swapped=tf.train.piecewise_constant is
                    tf1_schedules.piecewise_constant,
            value=value, width=net.WIDTH, np_int=np.int is int,
            contrib=hasattr(tf, "contrib"),
            dense=dense.shape.as_list()),
            open("report.json", "w"))
        sys.exit(3)
    """)
    done = subprocess.run(
        [sys.executable, "-m", "tf1_schedules", "run", "--all", str(script),
         "x", "--y"], cwd=str(tmp_path), env=_env(), capture_output=True,
        text=True, timeout=240)
    assert done.returncode == 3, done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report == dict(
        argv=[str(script), "x", "--y"], path0=str(script.parent),
        eager=False, session=True, script_v1=True, net_v1=True,
        outside_real="tensorflow", swapped=True,
        value=float(np.float32(0.1)), width=3, np_int=True,
        contrib=True, dense=[2, 4])


_TF1_BEHAVIOR_CHILD = """
import json, os, sys
import numpy as np
import tensorflow as tf
from tf1_schedules.legacy import launcher
script = sys.argv[1]
seen = {}
status = launcher.main(["--tf1", "--no-contrib", script])
seen["status"] = status
seen["eager_after"] = tf.executing_eagerly()
seen["resource_after"] = tf.compat.v1.resource_variables_enabled()
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_tf1_behavior_is_on_for_the_script_and_undone_after(tmp_path):
    script = write(tmp_path / "s.py", f"""
        import json
        import tensorflow as tf
        x = tf.compat.v1.placeholder(tf.float32, [])
        with tf.compat.v1.Session() as sess:
            doubled = sess.run(2 * x, {{x: 4.0}})
        json.dump(dict(eager=tf.executing_eagerly(), doubled=float(doubled),
                       resource=tf.compat.v1.resource_variables_enabled()),
                  open({str(tmp_path / "inside.json")!r}, "w"))
    """)
    done = subprocess.run([sys.executable, "-c", _TF1_BEHAVIOR_CHILD,
                           str(script)], env=_env(), capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    inside = json.loads((tmp_path / "inside.json").read_text())
    assert inside == dict(eager=False, doubled=8.0, resource=False)
    after = json.loads(done.stdout.strip().splitlines()[-1])
    assert after == dict(status=0, eager_after=True, resource_after=True)
