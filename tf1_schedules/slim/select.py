"""Fine-tune selection: which variables to train, which scopes to keep.

Follows slim's `train_image_classifier.py` flags (`trainable_scopes`,
`checkpoint_exclude_scopes`) with two differences from slim:

* Scopes match on ``/`` boundaries: ``logits`` matches ``logits/weights`` but
  not ``logits_aux/weights``. ``prefix_match=True`` restores slim's raw
  string-prefix matching.
* Variable lists are de-duplicated, so overlapping scopes never update a
  variable twice.
* A scope that matches no variable (a typo such as ``net/logit`` for
  ``net/logits``, which slim silently ignores: the old head is restored, or
  nothing is trained) raises a `ValueError` naming the scope and the nearest
  existing scopes; ``unmatched="warn"`` warns instead, ``"ignore"`` is
  slim's silence.

Graph mode reads the default graph's collections; eager mode takes
``variables=`` (there are no collections).
"""
import difflib
import warnings

import tensorflow as tf

from tf1_schedules._checks import check_flag, check_sequence, fail
from tf1_schedules._variables import (in_scope, matching_scope, name_of,
                                      unique)

__all__ = ["parse_scopes", "check_unmatched", "select_variables",
           "variables_to_train", "UNMATCHED"]

UNMATCHED = ("raise", "warn", "ignore")

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


def check_unmatched_option(fn, unmatched):
    """The `unmatched` keyword: one of `UNMATCHED`."""
    if not isinstance(unmatched, str) or unmatched not in UNMATCHED:
        fail(fn, "unmatched", f"one of {', '.join(map(repr, UNMATCHED))}",
             unmatched, TypeError if not isinstance(unmatched, str)
             else ValueError)
    return unmatched


def _all_scopes(names):
    """Every scope of `names` (each `/` prefix) and the names themselves."""
    scopes = {}
    for name in names:
        parts = name.split("/")
        for end in range(1, len(parts) + 1):
            scopes.setdefault("/".join(parts[:end]), None)
    return list(scopes)


def nearest_scopes(scope, names, count=3):
    """The existing scopes closest to `scope` (difflib), for messages.

    >>> nearest_scopes("net/logit", ["net/logits/weights",
    ...                              "net/logits_aux/weights",
    ...                              "net/conv1/weights"])
    ['net/logits', 'net/logits_aux', 'net/logits/weights']
    """
    scopes = _all_scopes(names)
    close = difflib.get_close_matches(scope.strip("/"), scopes, n=count,
                                      cutoff=0.5)
    if close:
        return close
    return [s for s in scopes if "/" not in s][:count]


def check_unmatched(fn, arg, scopes, names, unmatched, prefix_match=False,
                    given=None):
    """Raises (or warns) for each of `scopes` matching none of `names`.

    Args:
      fn, arg: the function and argument named in the message.
      scopes: the parsed scopes; `names`: variable names without `:0`.
      unmatched: "raise" (ValueError), "warn" (UserWarning) or "ignore".
      given: the argument as the user gave it (for the message).
    """
    if unmatched == "ignore" or not scopes:
        return
    names = list(names)
    missing = [s for s in scopes
               if not any(in_scope(n, s, prefix_match) for n in names)]
    if not missing:
        return
    details = "; ".join(
        f"{s!r} matches none"
        + (f", nearest: {', '.join(map(repr, near))}"
           if (near := nearest_scopes(s, names)) else
           " (there are no variables)")
        for s in missing)
    rule = (f"scopes that each match some variable ({details}); pass "
            "unmatched='warn' to allow it")
    if unmatched == "raise":
        fail(fn, arg, rule, scopes if given is None else given)
    warnings.warn(f"{fn}: `{arg}` has scopes matching no variable "
                  f"({details}).", UserWarning, stacklevel=3)


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
                     prefix_match=False, unmatched="raise"):
    """Variables in any `include_scopes` and in no `exclude_scopes`.

    Args:
      variables: an iterable of variables; repeats are dropped.
      include_scopes: None (everything), a comma-separated string or a list.
      exclude_scopes: same forms; applied after `include_scopes`.
      prefix_match: keyword-only. False: ``a/b`` matches ``a/b`` and
        ``a/b/...`` only. True: slim's raw ``str.startswith``.
      unmatched: keyword-only; a scope matching none of `variables` raises
        ValueError ("raise", the default), warns ("warn") or is ignored
        ("ignore", slim's behaviour).

    Returns:
      A de-duplicated list in the original order.
    """
    return _select("select_variables", variables, include_scopes,
                   exclude_scopes, prefix_match, unmatched,
                   ("include_scopes", "exclude_scopes"))


def _select(fn, variables, include_scopes, exclude_scopes, prefix_match,
            unmatched, args):
    variables = check_variables(fn, variables)
    include = parse_scopes(fn, args[0], include_scopes)
    exclude = parse_scopes(fn, args[1], exclude_scopes)
    prefix_match = check_flag(fn, "prefix_match", prefix_match)
    unmatched = check_unmatched_option(fn, unmatched)
    names = [name_of(v) for v in variables]
    check_unmatched(fn, args[0], include, names, unmatched, prefix_match,
                    include_scopes)
    check_unmatched(fn, args[1], exclude, names, unmatched, prefix_match,
                    exclude_scopes)
    return [v for v in unique(variables)
            if (not include or matching_scope(name_of(v), include, prefix_match))
            and not matching_scope(name_of(v), exclude, prefix_match)]


def variables_to_train(trainable_scopes=None, *, variables=None,
                       prefix_match=False, unmatched="raise"):
    """slim's `_get_variables_to_train`, de-duplicated and boundary-aware.

    Args:
      trainable_scopes: None (all trainable variables), slim's comma-separated
        string or a list of scopes.
      variables: keyword-only candidates; default the graph's trainable
        variables.
      prefix_match, unmatched: keyword-only; see `select_variables` (a
        scope matching no trainable variable raises by default: slim returns
        [] for it, so nothing trains).

    Returns:
      A list for `create_train_op(variables_to_train=...)` or
      `optimizer.minimize(var_list=...)`. Graph mode: the default graph's
      variables. Eager mode: pass `variables` (there is no collection).
    """
    fn = "variables_to_train"
    parse_scopes(fn, "trainable_scopes", trainable_scopes)
    if variables is None:
        variables = _v1.trainable_variables()
    return _select(fn, variables, trainable_scopes, None, prefix_match,
                   unmatched, ("trainable_scopes", "exclude_scopes"))
