"""The package's rules for naming and selecting variables, written once.

Used by the grouped optimizers (`optim`), BERT's weight-decay exclusions and
fine-tune selection (`slim`):

    >>> import tensorflow as tf
    >>> v = tf.Variable(1.0, name="net/logits/weights")
    >>> name_of(v)
    'net/logits/weights'
    >>> in_scope("net/logits/weights", "net/logits"), in_scope("net/logits_aux/w", "net/logits")
    (True, False)
"""
import re

__all__ = ["name_of", "unique", "in_scope", "matching_scope"]

_OUTPUT_INDEX = re.compile(r":\d+$")


def name_of(variable):
    """`variable.name` without the output index (``net/w`` for ``net/w:0``).

    Read from `.name`, which (unlike `.op`) exists in eager mode too.
    """
    return _OUTPUT_INDEX.sub("", variable.name)


def unique(variables):
    """`variables` in order, each once (compared by identity)."""
    seen, out = set(), []
    for var in variables:
        if id(var) not in seen:
            seen.add(id(var))
            out.append(var)
    return out


def in_scope(name, scope, prefix_match=False):
    """`name` lies in `scope`: on a ``/`` boundary, or as a raw prefix.

    Boundary matching (the default): ``a/b`` matches ``a/b`` and ``a/b/...``,
    not ``a/bc``. ``prefix_match=True`` is slim's raw ``str.startswith``.
    """
    if prefix_match:
        return name.startswith(scope)
    scope = scope.strip("/")
    return name == scope or name.startswith(scope + "/")


def matching_scope(name, scopes, prefix_match=False):
    """The first of `scopes` that `name` lies in, or None."""
    return next((s for s in scopes if in_scope(name, s, prefix_match)), None)
