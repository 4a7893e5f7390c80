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

Schedules are given as a name followed by its `key=value` arguments (values
are Python literals: `boundaries=[5000,8000]`, `staircase=True`; other text
is a string: `policy=step`); several schedules follow each other. `label=`
names a curve. `--steps` is `start:stop[:stride]` (stop excluded) or a
comma-separated list. Bad names or arguments exit with status 2 and one line
on stderr.
"""
import argparse
import ast
import sys

import numpy as np

__all__ = ["main", "parse_specs", "parse_steps"]

PROG = "tf1-schedules"


class UsageError(Exception):
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
    except (ValueError, SyntaxError):
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
        if key == "label":
            specs[-1][0] = text
        else:
            specs[-1][2][key] = _literal(text)
    if not specs:
        raise UsageError("no schedule given")
    labels = [label for label, _, _ in specs]
    for i, spec in enumerate(specs):
        if labels.count(spec[0]) > 1:
            spec[0] = f"{spec[0]}[{labels[:i].count(spec[0]) + 1}]"
    return [Curve(label, name, params) for label, name, params in specs]


def parse_steps(text):
    """`start:stop[:stride]` (stop excluded) or `a,b,c` -> int64 array."""
    try:
        if ":" in text:
            bounds = [int(part) for part in text.split(":")]
            if len(bounds) not in (2, 3) or (len(bounds) == 3
                                             and bounds[2] <= 0):
                raise ValueError
            steps = np.arange(*bounds, dtype=np.int64)
        else:
            steps = np.array([int(part) for part in text.split(",")],
                             np.int64)
    except ValueError:
        raise UsageError(f"bad --steps {text!r}: expected start:stop[:stride] "
                         "or a comma-separated list of integers") from None
    if steps.size == 0:
        raise UsageError(f"--steps {text!r} selects no step")
    return steps


def _parser():
    parser = _Parser(prog=PROG, description="Print, plot and export "
                     "tf1_schedules learning-rate schedules.")
    sub = parser.add_subparsers(dest="command", required=True,
                                parser_class=_Parser)
    sub.add_parser("list", help="list the schedules and their arguments")
    specs = dict(nargs="+", metavar="SCHEDULE [KEY=VALUE ...]",
                 help="schedule names, each followed by its arguments")
    table = sub.add_parser("table", help="print values at chosen steps")
    table.add_argument("specs", **specs)
    table.add_argument("--steps", required=True)
    table.add_argument("--csv", action="store_true", help="CSV output")
    plot = sub.add_parser("plot", help="plot schedules to a PNG file")
    plot.add_argument("specs", **specs)
    plot.add_argument("--steps", default="0:1000")
    plot.add_argument("-o", "--output", required=True, help="PNG file")
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
    from tf1_schedules.tools import preview

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
        if args.points < 2:
            raise UsageError("--points must be >= 2")
        index = preview.render_gallery(args.out_dir, points=args.points)
        out.write(f"wrote {index}\n")
    else:
        paths = preview.write_tensorboard(
            args.logdir, parse_specs(args.specs), parse_steps(args.steps))
        out.write("".join(f"wrote {p}\n" for p in paths))


def main(argv=None):
    """Runs the command line; returns the exit status (0, 1 or 2)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(argv)
        _run(args, sys.stdout)
    except UsageError as error:
        return _fail(f"error: {error}", 2)
    except (ValueError, TypeError) as error:
        return _fail(f"error: {_first_line(error)}", 2)
    except OSError as error:
        return _fail(f"error: {error}", 1)
    return 0


def _first_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def _fail(message, status):
    sys.stderr.write(f"{PROG}: {message}\n")
    return status
