"""The seeds' code runs unchanged under `tf1-schedules run`.

Every code block of ``../shared/seeds/000_*.txt``, ``002_*.txt`` and
``003_*.txt`` is taken from the seed files at test time (fenced and indented
Markdown blocks) and sorted into:

- programs (they import TensorFlow themselves): written to a file as they
  are and run by the launcher (``--all``: TF1 behaviour, TF1 namespace,
  schedule swap, NumPy aliases, `tensorflow.contrib`);
- fragments: the text as it is, between a prologue and an epilogue this test
  supplies (the minimal model, a session, logging of the learning rate),
  run by the launcher the same way. The one text change is 003's ``.....``
  placeholder for the loss, which becomes ``loss``; 003's slim fragment
  gets the model build inserted where its author elided it;
- API names and a signature line (checked against the package and TF);
- non-TensorFlow code (003's fastai ``lr_find``), reported and skipped.

The smaller step count is given through the launcher, never the text:
``--max-session-runs N`` ends the script's input after N ``Session.run``
calls (`tf.errors.OutOfRangeError`, the end-of-data signal the seeds'
Coordinator loops stop on cleanly). The seed programs do one run per step
plus one every 10th step plus one initialisation run, so N = 2311 stops them
exactly before step 2100: steps 0..2090 are logged, past the 2000-step
warm-up / burn-in / staircase boundaries.

Every job runs in one child process that calls the launcher's `main()` once
per job (TensorFlow is imported once; each run ends with the launcher
undoing what it installed, including a fresh default graph). The learning
rates each program logs (its TensorBoard events) are compared with this
package's values for the same call (`tf1_schedules.values`), and with
TensorFlow's own function where TF has one.
"""
import ast
import glob
import inspect
import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS_DIR = os.environ.get("TF1_SCHEDULES_SEEDS_DIR",
                           os.path.join(ROOT, "..", "shared", "seeds"))
SEED_IDS = ("000", "002", "003")
LOG_EVERY, STOP_STEP = 10, 2100
MAX_RUNS = 1 + STOP_STEP + STOP_STEP // LOG_EVERY  # = 2311
FLAGS = ["--all"]

if not glob.glob(os.path.join(SEEDS_DIR, "000_*.txt")):
    pytest.skip(f"no seeds in {SEEDS_DIR}", allow_module_level=True)


# --------------------------------------------------------------------------
# Extracting the blocks
# --------------------------------------------------------------------------
_FENCE = re.compile(r"^(\s*)(?:[*-]\s+)?```\s*(\w*)\s*$")


def code_blocks(text):
    """`[(line, code)]`: fenced blocks and 4-space indented blocks."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            start, i = i + 1, i + 1
            while i < len(lines) and lines[i].strip() != "```":
                i += 1
            blocks.append((start + 1, textwrap.dedent(
                "\n".join(lines[start:i]))))
        elif (lines[i].startswith("    ") and lines[i].strip()
              and (i == 0 or not lines[i - 1].strip())):
            start = i
            while i < len(lines) and (lines[i].startswith("    ")
                                      or not lines[i].strip()):
                i += 1
            blocks.append((start + 1, textwrap.dedent(
                "\n".join(lines[start:i]))))
            continue
        i += 1
    return [(line, code.strip("\n")) for line, code in blocks
            if code.strip()]


def seed_blocks():
    found = []
    for seed in SEED_IDS:
        (path,) = glob.glob(os.path.join(SEEDS_DIR, f"{seed}_*.txt"))
        with open(path, encoding="utf-8") as f:
            for line, code in code_blocks(f.read()):
                found.append((seed, line, code))
    return found


def kind(code):
    """'program', 'signature', 'name', 'not_tf' or 'fragment'."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        if re.match(r"def \w+\([^)]*\)\s*:\s*$", code, re.S):
            return "signature"
        return "fragment"  # e.g. 003's `minimize(.....)` placeholder
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) and "tensorflow"
           in ast.unparse(node) for node in tree.body):
        return "program"
    if (len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
            and isinstance(tree.body[0].value, (ast.Name, ast.Attribute))):
        return "name"
    if "tf." not in code and "Optimizer" not in code and "slim" not in code:
        return "not_tf"
    return "fragment"


BLOCKS = seed_blocks()
PROGRAMS = [b for b in BLOCKS if kind(b[2]) == "program"]
FRAGMENTS = [b for b in BLOCKS if kind(b[2]) == "fragment"]


def block_id(block):
    return f"{block[0]}-line{block[1]}"


# --------------------------------------------------------------------------
# The surrounding models the fragments get
# --------------------------------------------------------------------------
_LOG = """
import json as _json
def _write_log(**entries):
    with open("log.json", "w") as _f:
        _json.dump(entries, _f)
"""

_ADAM_MODEL = _LOG + """
import tensorflow as tf
STEPS, INIT_LR, NUM_TRAIN, NUM_WARMUP = 30, 0.1, 40, 10
w = tf.get_variable("w", initializer=[1.0, -2.0])
loss = tf.reduce_sum(tf.square(w))
"""

_ADAM_LOG = """
def _adam_learning_rate():
    graph = tf.get_default_graph()
    (op,) = [o for o in graph.get_operations()
             if o.type in ("ApplyAdam", "ResourceApplyAdam")]
    rate = op.inputs[5]
    while rate.op.type in ("Switch", "RefSwitch", "Identity"):
        rate = rate.op.inputs[0]
    return rate
_rate = _adam_learning_rate()
_steps, _rates = [], []
for _ in range(STEPS):
    _s, _r = sess.run([tf.train.get_global_step(), _rate])
    _steps.append(int(_s)); _rates.append(float(_r))
    sess.run(train_op)
_write_log(steps=_steps, rates=_rates, init_lr=INIT_LR,
           num_train=NUM_TRAIN, num_warmup=NUM_WARMUP)
"""

# 000's warm-up tail: what it reads, as create_optimizer builds it.
_WARMUP_TAIL = dict(prologue=_ADAM_MODEL + """
global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.polynomial_decay(
    INIT_LR, global_step, NUM_TRAIN, end_learning_rate=0.0, power=1.0)
global_steps_int = tf.cast(global_step, tf.int32)
warmup_steps_int = tf.constant(NUM_WARMUP, dtype=tf.int32)
warmup_learning_rate = INIT_LR * (tf.cast(global_steps_int, tf.float32)
                                  / tf.cast(warmup_steps_int, tf.float32))

class _InitializingSession(tf.Session):
    # The fragment's `sess.run(train_op)` comes right after it builds the
    # optimizer, so the model's session initialises on its first run.
    def run(self, *args, **kwargs):
        if not getattr(self, "_ready", False):
            self._ready = True
            super().run(tf.global_variables_initializer())
        return super().run(*args, **kwargs)

sess = _InitializingSession()
""", epilogue=_ADAM_LOG, check="warmup")


def _create_optimizer_model(manual_fp16):
    return dict(prologue=_ADAM_MODEL, epilogue=f"""
train_op = create_optimizer(loss, INIT_LR, NUM_TRAIN, NUM_WARMUP,
                            manual_fp16={manual_fp16})
sess = tf.Session()
sess.run(tf.global_variables_initializer())
""" + _ADAM_LOG, check="warmup")


_DECAY_MODEL = dict(prologue=_LOG + """
import tensorflow as tf
w = tf.get_variable("w", initializer=[1.0, -2.0])
loss = tf.reduce_sum(tf.square(w))
""", epilogue="""
sess = tf.Session()
sess.run(tf.global_variables_initializer())
_steps, _rates = [], []
for _ in range(250):
    _s, _r = sess.run([global_step, learning_rate])
    _steps.append(int(_s)); _rates.append(float(_r))
    sess.run(learning_step)
_write_log(steps=_steps, rates=_rates)
""", replace={".....": "loss"}, check="exponential")

_LAYERWISE_MODEL = dict(prologue=_LOG + """
import numpy as np
import tensorflow as tf
GradientDescentOptimizer = tf.train.GradientDescentOptimizer
h = tf.constant(np.linspace(-1.0, 1.0, 6).reshape(3, 2), tf.float32)
for i in range(21):  # 42 trainable variables: [0:40] and [40:] both used
    kernel = tf.get_variable(f"kernel{i}", initializer=tf.eye(2) * 0.9)
    bias = tf.get_variable(f"bias{i}", initializer=[0.1, -0.1])
    h = tf.tanh(tf.matmul(h, kernel) + bias)
loss = tf.reduce_sum(tf.square(h - 0.5))
""", epilogue="""
tvars = tf.trainable_variables()
grads = tf.gradients(loss, tvars)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
_before, _grads = sess.run([tvars, grads])
sess.run(train_op)
_after = sess.run(tvars)
_write_log(before=[v.tolist() for v in _before],
           grads=[g.tolist() for g in _grads],
           after=[v.tolist() for v in _after])
""", check="layerwise")

_SLIM_MODEL = dict(prologue=_LOG + """
import tensorflow as tf
import tensorflow.contrib.slim as slim
fine_tune_layers = ["logits", "fc2"]
_MODEL_VARIABLES = []

def _build_model():
    images = tf.zeros([2, 8, 8, 3])
    net = slim.conv2d(images, 4, [3, 3], scope="conv1")
    net = slim.flatten(net)
    net = slim.fully_connected(net, 8, scope="fc1")
    net = slim.fully_connected(net, 8, scope="fc2")
    slim.fully_connected(net, 5, activation_fn=None, scope="logits")
    _MODEL_VARIABLES.extend(v.op.name for v in slim.get_model_variables())
""", insert="_build_model()", epilogue="""
_write_log(model=_MODEL_VARIABLES,
           restore=[v.op.name for v in variables_to_restore],
           train=[v.op.name for v in variables_to_train],
           exclusions=fine_tune_layers)
""", check="slim_split")

# A distinctive line of each fragment -> the model it gets (the first key
# found wins: create_optimizer also contains the warm-up tail).
FRAGMENT_MODELS = {
    "def create_optimizer(": None,  # two jobs, see fragment_jobs()
    "is_warmup = tf.cast(global_steps_int < warmup_steps_int": _WARMUP_TAIL,
    "global_step = tf.Variable(0)": _DECAY_MODEL,
    "var1 = tf.trainable_variables()[0:40]": _LAYERWISE_MODEL,
    "for var in slim.get_model_variables():": _SLIM_MODEL,
}


def model_for(code):
    keys = [key for key in FRAGMENT_MODELS if key in code]
    assert keys, f"no surrounding model for fragment:\n{code}"
    return keys[0]


def _insert_after_first_line(code, statement):
    first, rest = code.split("\n", 1)
    indent = re.match(r"\s*", rest).group(0)
    return f"{first}\n{indent}{statement}\n{rest}"


def fragment_program(code, model):
    for old, new in model.get("replace", {}).items():
        code = code.replace(old, new)
    if "insert" in model:
        code = _insert_after_first_line(code, model["insert"])
    return f"{model['prologue']}\n{code}\n{model['epilogue']}"


def fragment_jobs():
    """`[(name, program text, check)]` for every fragment block."""
    jobs = []
    for block in FRAGMENTS:
        key = model_for(block[2])
        if key == "def create_optimizer(":
            for fp16 in (False, True):
                model = _create_optimizer_model(fp16)
                jobs.append((f"{block_id(block)}-fp16={fp16}",
                             fragment_program(block[2], model),
                             model["check"]))
        else:
            model = FRAGMENT_MODELS[key]
            jobs.append((block_id(block), fragment_program(block[2], model),
                         model["check"]))
    return jobs


# --------------------------------------------------------------------------
# Running everything in one child process
# --------------------------------------------------------------------------
_DRIVER = """
import contextlib, io, json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from tf1_schedules.legacy.launcher import main
results = {}
for name, job in json.load(open(sys.argv[1])).items():
    os.chdir(job["cwd"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(job["argv"])
    results[name] = {"status": status, "output": out.getvalue()}
with open(sys.argv[2], "w") as f:
    json.dump(results, f)
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("seeds")
    jobs = {}

    def add(name, text, argv_extra=()):
        directory = base / name
        directory.mkdir()
        (directory / "program.py").write_text(text, encoding="utf-8")
        jobs[name] = {"cwd": str(directory), "argv": [
            *FLAGS, *argv_extra, str(directory / "program.py")]}

    for block in PROGRAMS:
        add(block_id(block), block[2],
            ["--max-session-runs", str(MAX_RUNS)])
    for name, text, _ in fragment_jobs():
        add(name, text)
    plan, out = base / "plan.json", base / "results.json"
    plan.write_text(json.dumps(jobs))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(plan), str(out)],
                          cwd=str(base), env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads(out.read_text())
    return {name: dict(results[name], cwd=jobs[name]["cwd"])
            for name in jobs}


def _ok(run):
    assert run["status"] == 0, run["output"][-4000:]


# --------------------------------------------------------------------------
# What a program logs, and what it should log
# --------------------------------------------------------------------------
def read_events(directory):
    """`{tag: (steps, values)}` from TF1 event files under `directory`."""
    scalars = {}
    for path in glob.glob(os.path.join(directory, "**", "events.out.*"),
                          recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                scalars.setdefault(value.tag, []).append(
                    (event.step, value.simple_value))
    return {tag: tuple(np.array(c) for c in zip(*sorted(pairs)))
            for tag, pairs in scalars.items()}


STEP = object()  # marks the argument that is the global step


def _constants(tree):
    """Module-level `NAME = <expression of literals / earlier names>`."""
    known = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            try:
                known[node.targets[0].id] = eval(  # noqa: S307 (seed text)
                    compile(ast.Expression(node.value), "<seed>", "eval"),
                    {"__builtins__": {}}, dict(known))
            except Exception:  # not a constant (a tf.* call, ...)
                pass
    return known


def _value(node, constants, step_names):
    if isinstance(node, ast.Name) and node.id in step_names:
        return STEP
    return eval(compile(ast.Expression(node), "<seed>", "eval"),  # noqa: S307
                {"__builtins__": {}}, dict(constants))


def logged_calls(code):
    """`{tag: (function name, args, kwargs)}` for each `tf.summary.scalar`
    of `main()`: the schedule call last assigned to the logged name."""
    tree = ast.parse(code)
    constants = _constants(tree)
    (main,) = [n for n in tree.body
               if isinstance(n, ast.FunctionDef) and n.name == "main"]
    step_names, assigned, calls = set(), {}, {}
    for node in main.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            target = node.targets[0].id
            callee = ast.unparse(node.value.func)
            if callee.endswith("get_or_create_global_step"):
                step_names.add(target)
            else:
                assigned[target] = node.value
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and ast.unparse(node.value.func) == "tf.summary.scalar"):
            tag_node, logged = node.value.args
            call = assigned[logged.id]
            name = ast.unparse(call.func).split(".")[-1]
            args = [_value(a, constants, step_names) for a in call.args]
            kwargs = {k.arg: _value(k.value, constants, step_names)
                      for k in call.keywords}
            calls[tag_node.value] = (name, args, kwargs)
    return calls


def _bound(function, args, kwargs):
    """The call's arguments by name, without the step and `name`."""
    bound = inspect.signature(function).bind(*args, **kwargs).arguments
    step = [k for k, v in bound.items() if v is STEP]
    assert step in (["global_step"], ["x"]), bound  # piecewise_constant: x
    return {k: v for k, v in bound.items()
            if k not in ("global_step", "x", "name")}


def package_values(name, args, kwargs, steps):
    function = getattr(tf1_schedules, name)
    return tf1_schedules.values(function, steps,
                                **_bound(function, args, kwargs))


def tensorflow_values(name, args, kwargs, steps):
    """TF's own function (the parent process has no swap), or None."""
    function = getattr(tf.compat.v1.train, name, None)
    if function is None:
        return None
    assert function is not getattr(tf1_schedules, name)
    params = _bound(function, args, kwargs)
    with tf.Graph().as_default():
        step = tf.compat.v1.placeholder(tf.int64, [])
        step_name = ("x" if "x" in inspect.signature(function).parameters
                     else "global_step")
        rate = function(**{step_name: step}, **params)
        with tf.compat.v1.Session() as sess:
            return np.array([sess.run(rate, {step: s}) for s in steps])


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
def test_the_seeds_have_the_blocks_this_test_knows():
    kinds = {}
    for block in BLOCKS:
        kinds.setdefault(kind(block[2]), []).append(block)
    assert len(kinds["program"]) == 10  # 002's ten "验证代码" programs
    assert {b[0] for b in kinds["program"]} == {"002"}
    assert len(kinds["fragment"]) == 5
    assert [b[0] for b in kinds["signature"]] == ["000"]
    assert [b[0] for b in kinds["not_tf"]] == ["003"]  # fastai lr_find
    for block in FRAGMENTS:
        model_for(block[2])


@pytest.mark.parametrize("block", PROGRAMS, ids=block_id)
def test_program_runs_unchanged_and_logs_the_package_rates(block, runs):
    run = runs[block_id(block)]
    _ok(run)
    assert "all threads are asked to stop!" in run["output"]
    logged = read_events(run["cwd"])
    calls = logged_calls(block[2])
    assert calls and len(logged) == len(calls)
    for tag, (steps, rates) in logged.items():
        # TF1 makes a summary's tag unique in the graph ("<tag>_1" when the
        # schedule's `name=` scope took "<tag>"), with TF's schedules too.
        name, args, kwargs = calls[tag if tag in calls
                                   else re.sub(r"_\d+$", "", tag)]
        # The launcher's step limit, not the text, ended the loop.
        np.testing.assert_array_equal(steps,
                                      np.arange(0, STOP_STEP, LOG_EVERY))
        # float32 rounding, relative to the schedule's scale (cos() near its
        # zeros loses relative precision).
        atol = 1e-6 * np.max(np.abs(rates))
        ours = package_values(name, args, kwargs, steps)
        np.testing.assert_allclose(rates, ours, rtol=1e-6, atol=atol,
                                   err_msg=f"{tag}: package")
        theirs = tensorflow_values(name, args, kwargs, steps)
        if theirs is not None:
            np.testing.assert_allclose(rates, theirs, rtol=1e-5, atol=atol,
                                       err_msg=f"{tag}: TensorFlow")


def _read_log(run):
    with open(os.path.join(run["cwd"], "log.json")) as f:
        return json.load(f)


def _check_warmup(log):
    steps = np.array(log["steps"])  # from 1 when the fragment ran a step
    np.testing.assert_array_equal(steps, steps[0] + np.arange(len(steps)))
    assert steps[0] < log["num_warmup"] < steps[-1] < log["num_train"]
    ours = tf1_schedules.values(
        tf1_schedules.bert_learning_rate, steps, init_lr=log["init_lr"],
        num_train_steps=log["num_train"], num_warmup_steps=log["num_warmup"])
    decayed = tensorflow_values(
        "polynomial_decay", [log["init_lr"], STEP, log["num_train"]],
        dict(end_learning_rate=0.0, power=1.0), steps)
    warm = steps < log["num_warmup"]
    theirs = np.where(warm, log["init_lr"] * steps / log["num_warmup"],
                      decayed)
    np.testing.assert_allclose(log["rates"], ours, rtol=1e-6)
    np.testing.assert_allclose(log["rates"], theirs, rtol=1e-6)


def _check_exponential(log):
    steps = np.array(log["steps"])
    np.testing.assert_array_equal(steps, np.arange(len(steps)))
    params = dict(learning_rate=0.1, decay_steps=100, decay_rate=0.96,
                  staircase=True)
    ours = tf1_schedules.values(tf1_schedules.exponential_decay, steps,
                                **params)
    theirs = tensorflow_values("exponential_decay", [], dict(
        params, global_step=STEP), steps)
    np.testing.assert_allclose(log["rates"], ours, rtol=1e-6)
    np.testing.assert_allclose(log["rates"], theirs, rtol=1e-6)
    assert len(set(log["rates"])) == 3  # steps 0-99, 100-199, 200-249


def _check_layerwise(log):
    for i, (before, grad, after) in enumerate(
            zip(log["before"], log["grads"], log["after"])):
        rate = 0.00001 if i < 40 else 0.0001
        expected = np.float32(before) - np.float32(rate) * np.float32(grad)
        np.testing.assert_allclose(after, expected, rtol=1e-6, atol=1e-9)
        assert np.any(np.array(grad) != 0)


def _check_slim_split(log):
    excluded = [n for n in log["model"]
                if any(n.startswith(e) for e in log["exclusions"])]
    assert excluded and len(excluded) < len(log["model"])
    assert log["train"] == excluded
    assert log["restore"] == [n for n in log["model"] if n not in excluded]


_CHECKS = dict(warmup=_check_warmup, exponential=_check_exponential,
               layerwise=_check_layerwise, slim_split=_check_slim_split)


@pytest.mark.parametrize("job", fragment_jobs(), ids=lambda job: job[0])
def test_fragment_runs_unchanged_in_its_model(job, runs):
    name, _, check = job
    run = runs[name]
    _ok(run)
    _CHECKS[check](_read_log(run))


def test_api_names_resolve_to_the_package_under_the_swap():
    names = [b for b in BLOCKS if kind(b[2]) == "name"]
    assert names
    defined = {n.name for b in PROGRAMS for n in ast.parse(b[2]).body
               if isinstance(n, ast.FunctionDef)}
    from tf1_schedules.legacy import swap_schedules

    with swap_schedules():
        for seed, line, code in names:
            if code.startswith("tf.train."):
                attribute = code.split(".")[-1]
                found = getattr(tf.compat.v1.train, attribute)
                assert found is getattr(tf1_schedules, attribute), code
            else:  # a function the seed's own programs define
                assert code in defined, (seed, line, code)
                assert callable(getattr(tf1_schedules, code))


def test_signature_line_is_the_tf1_signature():
    (block,) = [b for b in BLOCKS if kind(b[2]) == "signature"]
    namespace = {}
    exec(block[2] + "\n    pass\n", namespace)  # noqa: S102 (seed text)
    (name,) = [k for k in namespace if k != "__builtins__"]
    written = inspect.signature(namespace[name])
    assert written == inspect.signature(getattr(tf.compat.v1.train, name))
    assert written == inspect.signature(getattr(tf1_schedules, name))
