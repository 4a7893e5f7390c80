"""The Markdown table of rejected inputs, from the rows the tests run.

    python scripts/bad_input_table.py [--out /work/notes/docs_bad_input.md]

Reads `tests/bad_input_cases.CASES` (the rows `tests/test_bad_input.py`
checks), runs every row once in eager mode (graph-only rows in a scratch
graph) to capture the real message, and prints the table (or writes it,
with its introduction, to `--out`).
"""
import argparse
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import tensorflow as tf  # noqa: E402

INTRO = """\
## Bad input, catalogued

Every public function checks its Python arguments before it builds anything. A rejected
call raises `TypeError` (wrong kind of object) or `ValueError` (wrong value) with one
message shape,

    <function>: `<argument>` must be <rule>. Received: <argument>=<value>.

and leaves the graph as it was: no op other than constants, no variable, no global step,
no collection changed, in graph and in eager mode. Upstream messages that configs and tests
grep for are kept verbatim (OD's `learning_schedules` messages, TF's `piecewise_constant`
dtype messages); those rows are marked *verbatim*.

Each row below is a test (`tests/test_bad_input.py`, in graph and eager mode unless the
Modes column says otherwise); the table is generated from the same rows by
`python scripts/bad_input_table.py --out docs/bad_input.md`, so the two cannot drift.
A row can be marked **known gap** (an input accepted today, or rejected late or unclearly):
its test is then a strict xfail, so fixing the gap turns it red until the mark is removed.
No row carries that mark at present.
"""


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _stable(message):
    """Without run-specific text: temporary paths, object addresses."""
    message = re.sub(r"/\S*no_ckpt_\w+", "<empty dir>", message)
    return re.sub(r" at 0x[0-9a-f]+", "", message)


def capture_message(case):
    """The message `case` raises (the row's call, run once)."""
    def run():
        env = case.prepare() if case.prepare else {}
        try:
            case.call(env)
        except Exception as error:  # noqa: BLE001 - known gaps raise others
            return _stable(str(error))
        return "(no error raised)"

    if "eager" in case.modes and tf.executing_eagerly():
        return run()
    with tf.Graph().as_default():
        return run()


def markdown_table(cases, messages):
    """The table; `messages` maps a row id to its message (optional)."""
    lines = ["| Function | Rejected input | Error | Modes | Message |",
             "|---|---|---|---|---|"]
    for case in cases:
        message = messages.get(case.id, "")
        if len(message) > 160:
            message = message[:157] + "..."
        if case.verbatim is not None:
            message = f"*verbatim:* {message or case.verbatim}"
        if case.off_shape is not None:
            message = (f"{message} (*not in the project's shape:* "
                       f"{case.off_shape})")
        if case.known_bug is not None:
            message = f"**known gap, test is a strict xfail:** {case.known_bug}"
        lines.append(
            f"| `{case.function}` | `{_cell(case.given)}` | "
            f"`{case.error.__name__}` | {'/'.join(case.modes)} | "
            f"{_cell(message)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the Markdown section here")
    args = parser.parse_args(argv)
    from tests.bad_input_cases import CASES
    messages = {case.id: capture_message(case) for case in CASES}
    table = markdown_table(CASES, messages)
    if args.out:
        with open(args.out, "w") as out:
            out.write(INTRO + "\n" + table + "\n")
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
