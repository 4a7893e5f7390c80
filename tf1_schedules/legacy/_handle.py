"""`Installation`: the handle each `tf1_schedules.legacy` installer returns."""

__all__ = ["Installation"]


class Installation:
    """What one installer changed; `undo()` puts it back, once.

    Also a context manager: ``with install_x(): ...`` undoes on exit. A
    handle made of `parts` undoes them in reverse order.

    >>> log = []
    >>> outer = Installation("both", parts=[
    ...     Installation("a", lambda: log.append("a")),
    ...     Installation("b", lambda: log.append("b"))])
    >>> with outer:
    ...     pass
    >>> log, outer.active
    (['b', 'a'], False)
    >>> outer.undo()  # a second undo changes nothing
    >>> log
    ['b', 'a']
    """

    def __init__(self, name, undo=None, parts=(), detail=""):
        self.name = name
        self.parts = tuple(parts)
        self.detail = detail
        self._undo = undo
        self.active = True

    def undo(self):
        """Reverts this installation (and its parts); then does nothing."""
        if not self.active:
            return
        self.active = False
        for part in reversed(self.parts):
            part.undo()
        if self._undo is not None:
            self._undo()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.undo()
        return False

    def __repr__(self):
        state = "active" if self.active else "undone"
        inner = ", ".join(part.name for part in self.parts)
        extra = f" [{inner}]" if inner else ""
        detail = f" {self.detail}" if self.detail else ""
        return f"<Installation {self.name}{extra}{detail}: {state}>"
