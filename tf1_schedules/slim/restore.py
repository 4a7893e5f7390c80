"""Fine-tuning from a checkpoint: the restore plan, `init_fn` and `Scaffold`.

Follows slim's `train_image_classifier.py` flags (`checkpoint_path`,
`checkpoint_exclude_scopes`, `ignore_missing_vars`; a directory resolves to
its latest checkpoint; an existing checkpoint in the training directory wins
over the pretrained one), with these differences from slim:

* Scopes match on ``/`` boundaries and lists are de-duplicated (see
  `tf1_schedules.slim.select`).
* Names, shapes and dtypes are checked against the checkpoint before any
  restore op is built; a mismatch raises a `ValueError` naming the variable
  and both shapes, or is skipped and reported with
  ``skip_mismatched_shapes=True``.
* Optimizer slots (and EMA shadows) and `global_step` are never restored
  unless asked. The step is also recognised when it is the user's own
  ``tf.Variable(0)``: an integer scalar that the graph increments by 1 (what
  ``optimizer.minimize(..., global_step=step)`` builds), or the variable
  passed as ``global_step=``.
* An exclude scope matching no variable (``net/logit`` for ``net/logits``,
  which slim ignores, restoring the old head) raises a `ValueError` naming
  it and the nearest scopes (``unmatched="warn"`` warns instead).
* The checkpoint is checked when the plan is made: an unreadable index, a
  missing, truncated or corrupted data file raise one `ValueError` naming
  the file (slim fails with `DataLossError` / `NotFoundError` in `init_fn`,
  or "file is too short to be an sstable" without a path).
* Checkpoint scopes can be remapped (``scope_map={"vgg_16": "net/vgg_16"}``).
* Candidates are all global variables (minus the above), not only slim's
  MODEL_VARIABLES, so plain `tf.compat.v1.get_variable` weights restore too;
  pass ``variables=`` for another candidate list.

Graph mode only: restoring uses `tf.compat.v1.train.Saver`, which is TF1
Session code. Eager mode is not applicable (use `tf.train.Checkpoint`); the
functions that build restore ops raise `RuntimeError` there.
"""
import dataclasses
import logging
import os

import tensorflow as tf

from tf1_schedules._checks import check_flag, fail
from tf1_schedules._variables import in_scope, matching_scope, name_of, unique
from tf1_schedules.slim.integrity import open_checkpoint, verify_tensors
from tf1_schedules.slim.state import (check_global_step, is_optimizer_state,
                                      state_context, step_reason)
from tf1_schedules.slim.select import (check_unmatched,
                                       check_unmatched_option, parse_scopes)

__all__ = [
    "RestorePlan",
    "resolve_checkpoint",
    "variables_to_restore",
    "init_fn_from_checkpoint",
    "scaffold_from_checkpoint",
]

_LOG = logging.getLogger(__name__)
_v1 = tf.compat.v1


# --- what is not model state ----------------------------------------------------

def _exclusion_reason(variable, exclude, options, state):
    """Why `variable` is not a restore candidate, or None."""
    scope = matching_scope(name_of(variable), exclude, options["prefix_match"])
    if scope is not None:
        return f"checkpoint_exclude_scopes {scope!r}"
    step = (None if options["include_global_step"]
            else step_reason(variable, state["steps"]))
    if step is not None:
        return f"{step} (include_global_step=False)"
    if not options["include_optimizer_slots"] and is_optimizer_state(
            variable, *state["slots"]):
        return "optimizer slot (include_optimizer_slots=False)"
    return None


# --- the checkpoint ------------------------------------------------------------

def resolve_checkpoint(checkpoint_path, train_dir=None):
    """The checkpoint to fine-tune from, as slim's `_get_init_fn` decides.

    Args:
      checkpoint_path: a checkpoint prefix (``.../model.ckpt-100``) or a
        directory (resolved to its latest checkpoint).
      train_dir: the training directory; when it already holds a checkpoint,
        training resumes from it and the pretrained one is ignored.

    Returns:
      The checkpoint prefix, or None when `train_dir` holds a checkpoint.

    Raises:
      ValueError: when `checkpoint_path` names no checkpoint.
    """
    fn = "resolve_checkpoint"
    _check_path(fn, "checkpoint_path", checkpoint_path)
    _check_path(fn, "train_dir", train_dir, optional=True)
    if train_dir is not None and tf.train.latest_checkpoint(
            os.fspath(train_dir)):
        _LOG.info("Ignoring checkpoint_path because a checkpoint already "
                  "exists in %s", os.fspath(train_dir))
        return None
    path = os.fspath(checkpoint_path)
    if tf.io.gfile.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest is None:
            fail(fn, "checkpoint_path", "a checkpoint or a directory holding "
                 "one", path)
        return latest
    if not tf.io.gfile.exists(path + ".index"):
        fail(fn, "checkpoint_path", "an existing checkpoint prefix", path)
    return path


def _check_path(fn, arg, value, optional=False):
    """A str or os.PathLike (or None when `optional`), before `os.fspath`."""
    if value is None and optional:
        return
    if not isinstance(value, (str, os.PathLike)):
        rule = "a path (str or os.PathLike)" + (" or None" if optional else "")
        fail(fn, arg, rule, value, TypeError)


def _checkpoint_name(name, scope_map):
    """The checkpoint name of graph variable `name` (longest graph scope wins)."""
    best = None
    for ckpt_scope, graph_scope in scope_map.items():
        if in_scope(name, graph_scope) or graph_scope == "":
            if best is None or len(graph_scope) > len(best[1]):
                best = (ckpt_scope, graph_scope)
    if best is None:
        return name
    rest = name[len(best[1]):].lstrip("/")
    return "/".join(part for part in (best[0], rest) if part)


def _parse_scope_map(fn, scope_map):
    if scope_map is None:
        return {}
    if not isinstance(scope_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str)
            for k, v in scope_map.items()):
        fail(fn, "scope_map", "a dict {checkpoint scope: model scope} of "
             "strings", scope_map, TypeError)
    return {k.strip("/"): v.strip("/") for k, v in scope_map.items()}


def _shape(shape):
    if shape.rank is None:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


# --- the plan ------------------------------------------------------------------

@dataclasses.dataclass
class RestorePlan:
    """What a fine-tune restore does, decided before any op is built.

    Attributes:
      checkpoint_path: the resolved checkpoint prefix.
      restore: ``{checkpoint name: variable}``, the Saver's `var_list`.
      skipped: ``[(variable name, reason)]``: missing from the checkpoint
        (`ignore_missing_vars`) or of another shape
        (`skip_mismatched_shapes`); these keep their initial values.
      excluded: ``[(variable name, reason)]``: excluded scopes, optimizer
        slots, `global_step`.
    """

    checkpoint_path: str
    restore: dict
    skipped: list
    excluded: list

    def report(self):
        """A human-readable list of restored / skipped / excluded variables."""
        lines = [f"Fine-tune restore from {self.checkpoint_path}: "
                 f"{len(self.restore)} restored, {len(self.skipped)} skipped, "
                 f"{len(self.excluded)} excluded"]
        lines.append("restored:")
        for ckpt_name, var in self.restore.items():
            source = "" if ckpt_name == name_of(var) else f" <- {ckpt_name}"
            lines.append(f"  {name_of(var)}{source} {_shape(var.shape)}")
        for title, entries in (("skipped", self.skipped),
                               ("excluded", self.excluded)):
            lines.append(f"{title}:")
            lines.extend(f"  {name}: {reason}" for name, reason in entries)
        return "\n".join(lines)

    def init_fn(self):
        """Builds the restore ops now; returns `init_fn(sess)` that runs them.

        Graph mode only (a `tf.compat.v1.train.Saver` over `restore`).
        """
        _require_graph("RestorePlan.init_fn")
        saver = _v1.train.Saver(self.restore, name="finetune_restore")
        path = self.checkpoint_path

        def init_fn(sess):
            saver.restore(sess, path)

        init_fn.plan = self
        return init_fn


def _require_graph(fn):
    if tf.executing_eagerly():
        raise RuntimeError(
            f"{fn}: graph mode only (tf.compat.v1.train.Saver restores into "
            "a Session); in eager mode restore with tf.train.Checkpoint.")


def _check_against_checkpoint(var, ckpt_name, shapes, dtypes):
    """None when `var` can take `ckpt_name`'s value, else why not."""
    if ckpt_name not in shapes:
        return "missing", "not in the checkpoint" + (
            "" if ckpt_name == name_of(var) else f" (as {ckpt_name})")
    ckpt_shape = tf.TensorShape(shapes[ckpt_name])
    if not var.shape.is_compatible_with(ckpt_shape):
        return "shape", (f"shape {_shape(var.shape)} in the model, "
                         f"{_shape(ckpt_shape)} in the checkpoint "
                         f"({ckpt_name})")
    var_dtype = tf.as_dtype(var.dtype).base_dtype
    if var_dtype != dtypes[ckpt_name]:
        return "shape", (f"dtype {var_dtype.name} in the model, "
                         f"{dtypes[ckpt_name].name} in the checkpoint "
                         f"({ckpt_name})")
    return None


def _raise_problems(fn, path, problems, hint):
    if problems:
        listed = "\n".join(f"  {name}: {reason}" for name, reason in problems)
        raise ValueError(f"{fn}: {len(problems)} variable(s) cannot be "
                         f"restored from {path} ({hint}):\n{listed}")


def _candidates(variables):
    if variables is None:
        variables = _v1.global_variables()
    return unique(variables)


def variables_to_restore(checkpoint_path, checkpoint_exclude_scopes=None,
                         ignore_missing_vars=False, *, variables=None,
                         skip_mismatched_shapes=False,
                         include_optimizer_slots=False,
                         include_global_step=False, scope_map=None,
                         prefix_match=False, global_step=None,
                         unmatched="raise", verify_data=True):
    """Plans a fine-tune restore, checking names and shapes first.

    Every candidate variable is excluded (scope, slot, `global_step`),
    checked against `tf.train.list_variables(checkpoint)` or planned for
    restore. Nothing is built: `RestorePlan.init_fn()` builds the Saver.

    Args:
      checkpoint_path: a checkpoint prefix or a directory (latest checkpoint).
      checkpoint_exclude_scopes: slim's comma-separated string or a list;
        matched against model names on ``/`` boundaries.
      ignore_missing_vars: skip (and report) variables the checkpoint lacks
        instead of raising.
      variables: keyword-only candidates; default all global variables.
      skip_mismatched_shapes: keyword-only; skip (and report) variables whose
        shape or dtype differs from the checkpoint instead of raising.
      include_optimizer_slots: keyword-only; also restore optimizer slots,
        Adam's beta powers and EMA shadows.
      include_global_step: keyword-only; also restore `global_step` (a
        schedule would then resume at the pretrained step).
      scope_map: keyword-only ``{checkpoint scope: model scope}``, e.g.
        ``{"vgg_16": "my_net/vgg_16"}``; the longest model scope wins.
      prefix_match: keyword-only; slim's raw prefix matching for scopes.
      global_step: keyword-only; the training step's variable when it is
        none of the automatically recognised ones (`global_step` by name or
        collection, or an integer scalar the graph increments by 1, such as
        `tf.Variable(0)` passed to `minimize(global_step=...)`).
      unmatched: keyword-only; a `checkpoint_exclude_scopes` scope matching
        no candidate raises ValueError ("raise"), warns ("warn") or is
        ignored ("ignore", slim's silence).
      verify_data: keyword-only; also read each tensor to restore once,
        which checks its checksum (a flipped byte). False: only the index,
        the data files' presence and their sizes are checked.

    Returns:
      Graph mode: a `RestorePlan`. Eager mode: not applicable (Saver-based),
      raises `RuntimeError`.

    Raises:
      ValueError: missing variables (unless `ignore_missing_vars`), shape or
        dtype mismatches (unless `skip_mismatched_shapes`), two variables
        mapped to one checkpoint name, nothing left to restore, an exclude
        scope matching nothing (unless `unmatched`), or a broken checkpoint
        file (named in the message).
    """
    fn = "variables_to_restore"
    _require_graph(fn)
    exclude = parse_scopes(fn, "checkpoint_exclude_scopes",
                            checkpoint_exclude_scopes)
    options = {name: check_flag(fn, name, value) for name, value in (
        ("ignore_missing_vars", ignore_missing_vars),
        ("skip_mismatched_shapes", skip_mismatched_shapes),
        ("include_optimizer_slots", include_optimizer_slots),
        ("include_global_step", include_global_step),
        ("prefix_match", prefix_match), ("verify_data", verify_data))}
    mapping = _parse_scope_map(fn, scope_map)
    steps = check_global_step(fn, global_step)
    unmatched = check_unmatched_option(fn, unmatched)
    path = resolve_checkpoint(checkpoint_path)
    candidates = _candidates(variables)
    check_unmatched(fn, "checkpoint_exclude_scopes", exclude,
                    [name_of(v) for v in candidates], unmatched,
                    options["prefix_match"], checkpoint_exclude_scopes)
    reader = open_checkpoint(fn, path)
    plan = RestorePlan(path, {}, [], [])
    problems = _fill_plan(plan, reader, candidates, exclude, options,
                          mapping, state_context(candidates, steps))
    _raise_problems(fn, path, problems["shape"],
                    "pass skip_mismatched_shapes=True to skip them")
    _raise_problems(fn, path, problems["missing"],
                    "pass ignore_missing_vars=True to skip them")
    _raise_problems(fn, path, problems["collision"],
                    "two model variables map to one checkpoint name")
    if not plan.restore:
        raise ValueError(f"{fn}: no variable left to restore from {path}; "
                         f"check the scopes and scope_map.\n{plan.report()}")
    if options["verify_data"]:
        verify_tensors(fn, path, reader, plan.restore)
    return plan


def _fill_plan(plan, reader, candidates, exclude, options, mapping, state):
    """Sorts `candidates` into `plan`; returns the problems to raise."""
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    skip = {"missing": options["ignore_missing_vars"],
            "shape": options["skip_mismatched_shapes"]}
    problems = {"missing": [], "shape": [], "collision": []}
    for var in candidates:
        reason = _exclusion_reason(var, exclude, options, state)
        if reason is not None:
            plan.excluded.append((name_of(var), reason))
            continue
        ckpt_name = _checkpoint_name(name_of(var), mapping)
        issue = _check_against_checkpoint(var, ckpt_name, shapes, dtypes)
        if issue is None and ckpt_name in plan.restore:
            issue = ("collision", f"{ckpt_name} already restores "
                     f"{name_of(plan.restore[ckpt_name])}")
        if issue is None:
            plan.restore[ckpt_name] = var
        elif skip.get(issue[0]):
            plan.skipped.append((name_of(var), issue[1]))
        else:
            problems[issue[0]].append((name_of(var), issue[1]))
    return problems


# --- the three ways to run it ---------------------------------------------------

def init_fn_from_checkpoint(checkpoint_path, checkpoint_exclude_scopes=None,
                            ignore_missing_vars=False, *, train_dir=None,
                            print_fn=print, **selection):
    """slim's `_get_init_fn`: `init_fn(sess)` restoring the pretrained model.

    Use it in a plain `Session` loop (``init_fn(sess)`` after running the
    initializers) or as `slim.learning.train(..., init_fn=...)`. The restore
    ops are built now, so call it before the graph is finalized.
    `slim.learning.train` runs a `Supervisor` whose background threads need
    ``tf.compat.v1.disable_eager_execution()`` at program start.

    Args:
      checkpoint_path, checkpoint_exclude_scopes, ignore_missing_vars: as
        slim's flags; see `variables_to_restore`.
      train_dir: keyword-only; when it already holds a checkpoint, returns
        None (training resumes from that checkpoint instead).
      print_fn: keyword-only; called with `RestorePlan.report()` (None: quiet).
      **selection: the keyword-only options of `variables_to_restore`.

    Returns:
      Graph mode: `init_fn(sess)` (with the plan as `init_fn.plan`), or None.
      Eager mode: not applicable, raises `RuntimeError`.
    """
    fn = "init_fn_from_checkpoint"
    _require_graph(fn)
    _check_path(fn, "train_dir", train_dir, optional=True)
    if print_fn is not None and not callable(print_fn):
        fail(fn, "print_fn", "callable or None", print_fn, TypeError)
    path = resolve_checkpoint(checkpoint_path, train_dir)
    if path is None:
        return None
    plan = variables_to_restore(path, checkpoint_exclude_scopes,
                                ignore_missing_vars, **selection)
    if print_fn is not None:
        print_fn(plan.report())
    return plan.init_fn()


def scaffold_from_checkpoint(checkpoint_path, checkpoint_exclude_scopes=None,
                             ignore_missing_vars=False, *, train_dir=None,
                             print_fn=print, scaffold_kwargs=None,
                             **selection):
    """A `tf.compat.v1.train.Scaffold` whose `init_fn` restores the checkpoint.

    For `tf.compat.v1.train.MonitoredTrainingSession(checkpoint_dir=train_dir,
    scaffold=...)`: the session runs `init_fn` only when `train_dir` holds no
    checkpoint (and when it does, the scaffold gets no `init_fn` at all).

    Args:
      checkpoint_path, checkpoint_exclude_scopes, ignore_missing_vars,
      train_dir, print_fn, **selection: as `init_fn_from_checkpoint`.
      scaffold_kwargs: keyword-only dict of further `Scaffold` arguments.

    Returns:
      Graph mode: a `Scaffold`. Eager mode: not applicable, raises
      `RuntimeError`.
    """
    fn = "scaffold_from_checkpoint"
    _check_path(fn, "train_dir", train_dir, optional=True)
    if scaffold_kwargs is not None and not isinstance(scaffold_kwargs, dict):
        fail(fn, "scaffold_kwargs", "a dict or None", scaffold_kwargs,
             TypeError)
    restore = init_fn_from_checkpoint(
        checkpoint_path, checkpoint_exclude_scopes, ignore_missing_vars,
        train_dir=train_dir, print_fn=print_fn, **selection)
    return _v1.train.Scaffold(init_fn=_scaffold_init_fn(restore),
                              **(scaffold_kwargs or {}))


def _scaffold_init_fn(restore):
    """`Scaffold` calls `init_fn(scaffold, session)`; slim calls `(sess)`."""
    if restore is None:
        return None

    def init_fn(scaffold, sess):
        del scaffold
        restore(sess)

    return init_fn
