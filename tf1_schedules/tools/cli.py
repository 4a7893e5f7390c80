"""`tf1-schedules`: look at learning-rate schedules from the command line.

    tf1-schedules list
    tf1-schedules table exponential_decay learning_rate=0.1 decay_steps=10 \\
        decay_rate=0.5 --steps 0,10,20
    tf1-schedules plot cosine_decay learning_rate=0.1 decay_steps=1000 \\
        cosine_decay_restarts learning_rate=0.1 first_decay_steps=200 \\
        --steps 0:1000 -o lr.png
    tf1-schedules gallery out/gallery
    tf1-schedules tensorboard logs exponential_decay learning_rate=0.01 \\
        decay_steps=2000 decay_rate=0.98 --steps 0:20000:10
    tf1-schedules run [--tf1 ...] legacy_script.py [args...]

Schedules are given as a name followed by its `key=value` arguments (values
are Python literals: `boundaries=[5000,8000]`, `staircase=True`; other text
is a string: `policy=step`); several schedules follow each other. `label=`
names a curve (default: the schedule's name; when a name comes more than
once, the name with the arguments its curves differ in). `--steps` is
`start:stop[:stride]` (stop excluded, negative steps allowed: `--steps
-5:0`) or a comma-separated list, integers within int64, at most
`MAX_STEPS` steps. Every bad input (name, argument, option, step range,
output file) exits with status 2 and exactly one line on stderr,
`tf1-schedules: error: ...`. `run` hands its arguments to the legacy
launcher (`tf1_schedules.legacy.launcher`).
"""
import argparse
import ast
import re
import sys

import numpy as np

from tf1_schedules import _checks

__all__ = ["main", "parse_specs", "parse_steps", "MAX_STEPS"]

PROG = "tf1-schedules"
MAX_STEPS = 1_000_000
_INT64 = (-2 ** 63, 2 ** 63 - 1)
_STEPS_RULE = ("start:stop[:stride] (stop excluded) or a comma-separated "
               "list of integers")


class UsageError(ValueError):
    """A bad command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _literal(text):
    lowered = text.lower()
    if lowered in ("true", "false", "none"):
        return {"true": True, "false": False, "none": None}[lowered]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_specs(tokens):
    """`NAME k=v ... NAME k=v ...` -> list of `preview.Curve`."""
    from tf1_schedules.tools.preview import Curve

    specs = []
    for token in tokens:
        if "=" not in token:
            specs.append([token, token, {}])
            continue
        if not specs:
            raise UsageError(f"argument {token!r} comes before any schedule "
                             "name")
        key, _, text = token.partition("=")
        if not key.isidentifier():
            raise UsageError(f"bad argument {token!r}: expected key=value")
        name, params = specs[-1][1], specs[-1][2]
        if key in params or (key == "label" and specs[-1][0] != name):
            raise UsageError(f"argument {key!r} given twice for {name}")
        if key == "label":
            if not text:
                raise UsageError(f"bad argument {token!r}: a label must not "
                                 "be empty")
            specs[-1][0] = text
        else:
            params[key] = _literal(text)
    if not specs:
        raise UsageError("no schedule given")
    _name_duplicates(specs)
    return [Curve(label, name, params) for label, name, params in specs]


def _name_duplicates(specs):
    """Unlabelled curves of the same schedule: `name(differing args)`,
    then `[k]` where even those are equal."""
    from tf1_schedules.tools.preview import arguments_text

    for name in {spec[1] for spec in specs}:
        same = [s for s in specs if s[1] == name and s[0] == name]
        if len(same) < 2:
            continue
        keys = [k for k in dict.fromkeys(k for s in same for k in s[2])
                if len({repr(s[2].get(k, _MISSING)) for s in same}) > 1]
        for spec in same:
            differing = {k: spec[2][k] for k in keys if k in spec[2]}
            if differing:
                spec[0] = f"{name}({arguments_text(differing)})"
    labels = [spec[0] for spec in specs]
    for i, spec in enumerate(specs):
        if labels.count(labels[i]) > 1:
            spec[0] = f"{labels[i]}[{labels[:i].count(labels[i]) + 1}]"


_MISSING = object()


def _steps_error(text, rule=_STEPS_RULE):
    _checks.fail(PROG, "--steps", rule, text, UsageError)


def _step_int(text, part):
    try:
        value = int(part)
    except ValueError:
        _steps_error(text)
    if not _INT64[0] <= value <= _INT64[1]:
        _steps_error(text, "integers within the int64 range "
                     "[-2**63, 2**63 - 1]")
    return value


def parse_steps(text):
    """`start:stop[:stride]` (stop excluded) or `a,b,c` -> int64 array.

    Raises `UsageError` (a ValueError) for anything else, for integers
    outside int64, for a stride <= 0, and for no step or more than
    `MAX_STEPS` steps (counted before any array is made).
    """
    if ":" in text:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            _steps_error(text)
        bounds = [_step_int(text, part) for part in parts]
        if len(bounds) == 3 and bounds[2] <= 0:
            _steps_error(text, "start:stop:stride with a stride > 0")
        count = len(range(*bounds))
    else:
        listed = [_step_int(text, part) for part in text.split(",")]
        count = len(listed)
    if count == 0:
        _steps_error(text, "a range that selects at least one step")
    if count > MAX_STEPS:
        _steps_error(text, f"at most {MAX_STEPS} steps ({count} selected: "
                     "give a stride, e.g. 0:10000000000:10000)")
    if ":" in text:
        return np.arange(*bounds, dtype=np.int64)
    return np.array(listed, np.int64)


def _parser():
    parser = _Parser(prog=PROG, description="Print, plot and export "
                     "tf1_schedules learning-rate schedules.")
    sub = parser.add_subparsers(dest="command", required=True,
                                parser_class=_Parser)
    sub.add_parser("list", help="list the schedules and their arguments")
    sub.add_parser("run", add_help=False, help="run a legacy TF1 script "
                   "unchanged: tf1-schedules run [--tf1 ...] SCRIPT [args]")
    specs = dict(nargs="+", metavar="SCHEDULE [KEY=VALUE ...]",
                 help="schedule names, each followed by its arguments")
    table = sub.add_parser("table", help="print values at chosen steps")
    table.add_argument("specs", **specs)
    table.add_argument("--steps", required=True)
    table.add_argument("--csv", action="store_true", help="CSV output")
    plot = sub.add_parser("plot", help="plot schedules to an image file "
                          "(.png, .pdf, .svg, ...)")
    plot.add_argument("specs", **specs)
    plot.add_argument("--steps", default="0:1000")
    plot.add_argument("-o", "--output", required=True,
                      help="image file; its suffix picks the format")
    plot.add_argument("--title")
    plot.add_argument("--logy", action="store_true")
    gallery = sub.add_parser("gallery", help="every schedule with the seed "
                             "documents' parameters: PNGs and an index")
    gallery.add_argument("out_dir")
    gallery.add_argument("--points", type=int, default=2000)
    board = sub.add_parser("tensorboard", help="write TensorBoard scalars")
    board.add_argument("logdir")
    board.add_argument("specs", **specs)
    board.add_argument("--steps", required=True)
    return parser


def _list(out):
    from tf1_schedules.schedules import registry

    for entry in registry.SCHEDULES.values():
        params = ", ".join(
            name if p.default is p.empty else f"{name}={p.default!r}"
            for name, p in entry.parameters.items())
        out.write(f"{entry.name}({params})\n    {entry.summary}\n")
    aliases = ", ".join(f"{a} = {n}" for a, n in registry.ALIASES.items())
    out.write(f"aliases: {aliases}\n")


def _table(curves, steps, as_csv, out):
    from tf1_schedules.tools import preview

    columns = [preview.values(c.schedule, steps, **c.params) for c in curves]
    header = ["step"] + [c.label for c in curves]
    rows = [[str(s)] + [f"{col[i]:.9g}" for col in columns]
            for i, s in enumerate(steps)]
    if as_csv:
        for row in [header] + rows:
            out.write(",".join(row) + "\n")
        return
    widths = [max(len(r[i]) for r in [header] + rows) for i in
              range(len(header))]
    for row in [header] + rows:
        out.write("  ".join(v.rjust(w) for v, w in zip(row, widths)) + "\n")


def _run(args, out):
    from tf1_schedules.tools import gallery, preview

    if args.command == "list":
        _list(out)
    elif args.command == "table":
        _table(parse_specs(args.specs), parse_steps(args.steps), args.csv,
               out)
    elif args.command == "plot":
        curves, steps = parse_specs(args.specs), parse_steps(args.steps)
        path = preview.plot(curves, steps, args.output, title=args.title,
                            logy=args.logy)
        out.write(f"wrote {path}\n")
    elif args.command == "gallery":
        index = gallery.render_gallery(args.out_dir, points=args.points)
        out.write(f"wrote {index}\n")
    else:
        paths = preview.write_tensorboard(
            args.logdir, parse_specs(args.specs), parse_steps(args.steps))
        out.write("".join(f"wrote {p}\n" for p in paths))


def main(argv=None):
    """Runs the command line; returns the exit status (0, or 2 for any bad
    input; `run` returns the legacy script's status)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "run":
        from tf1_schedules.legacy.launcher import main as run_main
        return run_main(argv[1:])
    try:
        args = _parser().parse_args(_negative_steps(argv))
        _run(args, sys.stdout)
    except Exception as error:  # noqa: BLE001 (only bad inputs, see below)
        if not _is_bad_input(error):
            raise
        return _fail(error)
    return 0


def _negative_steps(argv):
    """`--steps -5:0` as `--steps=-5:0` (argparse takes `-5:0` for an
    option)."""
    out, tokens = [], iter(argv)
    for token in tokens:
        if token == "--steps":
            following = next(tokens, None)
            if following is not None and re.match(r"-\d", following):
                out.append(f"--steps={following}")
                continue
            out.append(token)
            if following is not None:
                out.append(following)
            continue
        out.append(token)
    return out


def _is_bad_input(error):
    """Errors a command line can cause: ours and the schedules' argument
    errors, integers too large for TensorFlow, files that cannot be
    written, and errors TensorFlow raises while running a schedule."""
    kinds = (ValueError, TypeError, OverflowError, OSError)
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        kinds += (tf.errors.OpError,)
    return isinstance(error, kinds)


def _one_line(error):
    text = getattr(error, "message", None) or str(error)
    text = " ".join(text.split()) or type(error).__name__
    if text.startswith(f"{PROG}: "):
        text = text[len(PROG) + 2:]
    return text


def _fail(error, status=2):
    sys.stderr.write(f"{PROG}: error: {_one_line(error)}\n")
    return status
