"""Fine-tune selection: which variables to train, which scopes to keep.

Follows slim's `train_image_classifier.py` flags (`trainable_scopes`,
`checkpoint_exclude_scopes`) with two differences from slim:

* Scopes match on ``/`` boundaries: ``logits`` matches ``logits/weights`` but
  not ``logits_aux/weights``. ``prefix_match=True`` restores slim's raw
  string-prefix matching.
* Variable lists are de-duplicated, so overlapping scopes never update a
  variable twice.

Graph mode reads the default graph's collections; eager mode takes
``variables=`` (there are no collections).
"""
import tensorflow as tf

from tf1_schedules._checks import check_flag, check_sequence, fail
from tf1_schedules._variables import matching_scope, name_of, unique

__all__ = ["parse_scopes", "select_variables", "variables_to_train"]

_v1 = tf.compat.v1


def parse_scopes(fn, arg, scopes):
    """A tuple of scope strings from None, slim's ``"a, b"`` string or a list."""
    if scopes is None:
        return ()
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    elif not isinstance(scopes, (list, tuple)) or not all(
            isinstance(s, str) for s in scopes):
        fail(fn, arg, "None, a comma-separated string or a list of strings",
             scopes, TypeError)
    parsed = [s.strip() for s in scopes]
    return tuple(dict.fromkeys(s for s in parsed if s))






def check_variables(fn, variables):
    """`variables` as a list of objects with a string `.name` (variables)."""
    variables = check_sequence(fn, "variables", variables,
                               "an iterable of variables")
    for var in variables:
        if not isinstance(getattr(var, "name", None), str):
            fail(fn, "variables", "an iterable of variables (objects with a "
                 f"string `name`; got {var!r})", variables, TypeError)
    return variables




def select_variables(variables, include_scopes=None, exclude_scopes=None, *,
                     prefix_match=False):
    """Variables in any `include_scopes` and in no `exclude_scopes`.

    Args:
      variables: an iterable of variables; repeats are dropped.
      include_scopes: None (everything), a comma-separated string or a list.
      exclude_scopes: same forms; applied after `include_scopes`.
      prefix_match: keyword-only. False: ``a/b`` matches ``a/b`` and
        ``a/b/...`` only. True: slim's raw ``str.startswith``.

    Returns:
      A de-duplicated list in the original order.
    """
    fn = "select_variables"
    variables = check_variables(fn, variables)
    include = parse_scopes(fn, "include_scopes", include_scopes)
    exclude = parse_scopes(fn, "exclude_scopes", exclude_scopes)
    prefix_match = check_flag(fn, "prefix_match", prefix_match)
    return [v for v in unique(variables)
            if (not include or matching_scope(name_of(v), include, prefix_match))
            and not matching_scope(name_of(v), exclude, prefix_match)]


def variables_to_train(trainable_scopes=None, *, variables=None,
                       prefix_match=False):
    """slim's `_get_variables_to_train`, de-duplicated and boundary-aware.

    Args:
      trainable_scopes: None (all trainable variables), slim's comma-separated
        string or a list of scopes.
      variables: keyword-only candidates; default the graph's trainable
        variables.
      prefix_match: keyword-only; see `select_variables`.

    Returns:
      A list for `create_train_op(variables_to_train=...)` or
      `optimizer.minimize(var_list=...)`. Graph mode: the default graph's
      variables. Eager mode: pass `variables` (there is no collection).
    """
    scopes = parse_scopes("variables_to_train", "trainable_scopes",
                           trainable_scopes)
    if variables is None:
        variables = _v1.trainable_variables()
    return select_variables(variables, scopes, prefix_match=prefix_match)
