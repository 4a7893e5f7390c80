"""The one error for a name a `tensorflow.contrib.<module>` does not provide."""

__all__ = ["missing_attribute"]


def missing_attribute(module, name, provided, moved=None):
    """The `AttributeError` for `tensorflow.contrib.<module>.<name>`.

    Args:
      module: ``"layers"``, ``"framework"``, ...
      name: the attribute asked for.
      provided: the names the module provides (listed in the message).
      moved: optional `{name: where it went}` hints.
    """
    where = f"tensorflow.contrib.{module}"
    hint = ""
    if moved and name in moved:
        hint = f" Use {moved[name]} instead."
    return AttributeError(
        f"{where}.{name} is not provided by tf1_schedules' {where} "
        f"(TensorFlow 2.x removed tensorflow.contrib).{hint} "
        f"Provided: {', '.join(sorted(provided))}.", name=name)
