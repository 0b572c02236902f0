"""Render the docs: run the examples of each template and paste their real output.

Every ``docs/src/NAME.md`` is a template of ``docs/NAME.md``. Usage, from
anywhere::

    python docs/render.py            # render every doc
    python docs/render.py guide cli  # render some of them
    python docs/render.py --check    # exit 1, with a diff, if a committed doc
                                     # differs from a fresh render

A template is Markdown. These fenced blocks are run, and replaced in the
rendered doc by the code with its output; everything else is copied as is:

````text
```pycon run          Python statements, shown as an interactive session
                      (">>> " and "... " prompts, the repr of each
                      expression, what it printed, and the last line of an
                      exception after "Traceback ... ..."). The blocks of
                      one doc share one namespace ...
```pycon run fresh    ... unless "fresh" starts a new one.
```console run        each "$ command" line is run with bash; its standard
                      output and error are pasted under it. A command that
                      exits non-zero fails the render: end it with
                      `; echo "exit $?"` to show a failure.
```console run head=N only the first N lines of each command's output,
                      then a line "…".
```python run md      the code is shown, then what it printed is pasted as
                      Markdown (a generated table, say).
````

How the examples run, so that the output is real and the same every time:

* each doc in a fresh temporary working directory, holding a copy of the
  other files of ``docs/src`` (the data files the examples read), in a
  Python subprocess of its own;
* with this repository's ``arsearch``: the repository is first on
  ``PYTHONPATH``, and an ``arsearch`` command that runs ``arsearch.cli`` from
  it is first on ``PATH``;
* without network: socket connections other than local (Unix) ones raise
  ``OSError`` in the renderer and in the ``arsearch`` commands;
* with a fixed environment: ``PYTHONHASHSEED=0``, ``TZ=UTC``, the
  ``C.UTF-8`` locale, an 80-column terminal width, unbuffered output (so
  standard output and error interleave as on a terminal), and no
  ``NO_COLOR``/``FORCE_COLOR``;
* the output is normalized: ``\\r\\n`` becomes ``\\n``, and the temporary
  directory's path and the repository's path are removed, should a message
  print them. Examples must not print timings, process ids or progress bars.

tests/test_docs.py renders every doc and compares it with the committed one.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import contextlib
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SRC = DOCS / "src"
REPO = DOCS.parent

#: Seconds one console command may run.
COMMAND_TIMEOUT = 120
#: Environment variables removed before running examples: they change output.
DROPPED_ENV = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "PYTHON_COLORS",
               "PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT", "ARSEARCH_INDEX")
FIXED_ENV = {
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
    "COLUMNS": "80",
    "LINES": "24",
    "TERM": "xterm",
}

_FENCE = re.compile(r"^```(\w+) run\b(.*)$")
_COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)

#: Installed in the renderer and in the ``arsearch`` shim: examples run offline.
NO_NETWORK = '''
import socket as _socket

def _refuse(self, address, *args, **kwargs):
    if self.family != getattr(_socket, "AF_UNIX", None):
        raise OSError("docs/render.py: examples run without network")
    return _connect(self, address, *args, **kwargs)

_connect = _socket.socket.connect
_socket.socket.connect = _refuse
_socket.socket.connect_ex = _refuse
'''

SHIM = '''#!{python}
# The arsearch command of the repository being documented (docs/render.py).
import sys
sys.path.insert(0, {repo!r})
{no_network}
from arsearch.cli import main
sys.exit(main())
'''


class RenderError(Exception):
    """A template that cannot be rendered (an unterminated block, a command
    that failed unexpectedly)."""


# ------------------------------------------------------------ running blocks

def run_pycon(src: str, ns: dict) -> str:
    """Run Python statements in ``ns``; the session as a REPL shows it."""
    tree = ast.parse(src)
    lines = src.splitlines()
    out: list[str] = []

    def comments(upto: int) -> None:
        for line in lines[done:upto]:
            if line.strip():
                out.append(">>> " + line)

    done = 0
    for node in tree.body:
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = node.decorator_list[0].lineno - 1
        comments(start)
        for i, line in enumerate(lines[start:node.end_lineno]):
            out.append((">>> " if i == 0 else "... ") + line)
        if isinstance(node, _COMPOUND):
            out.append("...")
        done = node.end_lineno
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                if isinstance(node, ast.Expr):
                    value = eval(compile(ast.Expression(node.value), "<doc>", "eval"), ns)
                    if value is not None:
                        print(repr(value))
                else:
                    exec(compile(ast.Module(body=[node], type_ignores=[]), "<doc>", "exec"), ns)
        except Exception as e:  # noqa: BLE001 - shown in the doc, as the REPL shows it
            out.extend(_lines(buf.getvalue()))
            cls = type(e)
            name = cls.__qualname__ if cls.__module__ == "builtins" else \
                f"{cls.__module__}.{cls.__qualname__}"
            out += ["Traceback (most recent call last):", "  ...", f"{name}: {e}"]
            continue
        out.extend(_lines(buf.getvalue()))
    comments(len(lines))
    return "\n".join(out)


def run_python(src: str, ns: dict) -> str:
    """Run a script in ``ns``; what it printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(src, "<doc>", "exec"), ns)
    return buf.getvalue().rstrip("\n")


def run_console(src: str, opts: str, cwd: str, env: dict[str, str]) -> str:
    """Run each ``$ `` line with bash in ``cwd``; the lines and their output."""
    m = re.search(r"head=(\d+)", opts)
    head = int(m.group(1)) if m else None
    out: list[str] = []
    for line in src.splitlines():
        out.append(line)
        if not line.startswith("$ "):
            continue
        try:
            p = subprocess.run(["bash", "-c", line[2:]], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RenderError(f"{line!r} ran for more than {COMMAND_TIMEOUT} s") from None
        text = p.stdout.decode("utf-8", errors="replace")
        if p.returncode != 0:
            raise RenderError(f"{line!r} exited with {p.returncode} (end it with "
                              f"`; echo \"exit $?\"` if that is meant):\n{text}")
        result = _lines(text)
        if head is not None and len(result) > head:
            result = result[:head] + ["…"]
        out.extend(result)
    return "\n".join(out)


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").rstrip("\n")
    return text.split("\n") if text.strip() else []


def render_template(template: Path, cwd: str, env: dict[str, str]) -> str:
    """The rendered text of ``template``, its examples run in ``cwd``."""
    ns: dict = {"__name__": "__doc__"}
    lines = template.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        lang, opts = m.group(1), m.group(2)
        try:
            end = lines.index("```", i + 1)
        except ValueError:
            raise RenderError(f"{template.name}:{i + 1}: unterminated block") from None
        src = "\n".join(lines[i + 1:end])
        os.chdir(cwd)
        if lang == "pycon":
            if "fresh" in opts.split():
                ns = {"__name__": "__doc__"}
            out += ["```pycon", run_pycon(src, ns), "```"]
        elif lang == "console":
            out += ["```console", run_console(src, opts, cwd, env), "```"]
        elif lang == "python" and "md" in opts.split():
            out += ["```python", src, "```", "", run_python(src, ns)]
        else:
            raise RenderError(f"{template.name}:{i + 1}: unknown block {lines[i]!r}")
        i = end + 1
    return "\n".join(out)


# ------------------------------------------------------------ the setting

def example_env(shim_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(FIXED_ENV)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PATH"] = os.pathsep.join(p for p in (shim_dir, env.get("PATH")) if p)
    return env


def normalize(text: str, *paths: str) -> str:
    """Remove machine-specific paths from rendered text."""
    for path in sorted({p for path in paths for p in (path, os.path.realpath(path))},
                       key=len, reverse=True):
        text = text.replace(path + os.sep, "").replace(path, ".")
    return text


#: Output that legitimately differs between two renders: an index's size in
#: bytes moves by a few bytes with Whoosh's random segment names. ``--check``
#: compares these with the number masked; the doc keeps the real number.
VOLATILE = re.compile(r'("?size_bytes"?:?\s+)\d+')


def same_doc(old: str, new: str) -> bool:
    return VOLATILE.sub(r"\1N", old) == VOLATILE.sub(r"\1N", new)


def templates() -> list[str]:
    return sorted(p.stem for p in SRC.glob("*.md"))


def render(name: str) -> str:
    """Render ``docs/src/NAME.md`` in a fresh temporary directory and return
    the text of ``docs/NAME.md``."""
    template = SRC / f"{name}.md"
    if not template.is_file():
        raise RenderError(f"no template {template}")
    with tempfile.TemporaryDirectory(prefix="arsearch-docs-") as tmp:
        work = os.path.join(tmp, "work")
        shim = os.path.join(tmp, "bin")
        shutil.copytree(SRC, work, ignore=lambda d, names: [
            n for n in names if Path(d) == SRC and n.endswith(".md")])
        os.mkdir(shim)
        command = os.path.join(shim, "arsearch")
        with open(command, "w", encoding="utf-8") as f:
            f.write(SHIM.format(python=sys.executable, repo=str(REPO), no_network=NO_NETWORK))
        os.chmod(command, 0o755)
        env = example_env(shim)
        p = subprocess.run([sys.executable, __file__, "--run-one", str(template), work],
                           cwd=work, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True)
        if p.returncode != 0:
            raise RenderError(f"rendering {name} failed:\n"
                              + p.stderr.decode("utf-8", errors="replace"))
        return normalize(p.stdout.decode("utf-8"), work, tmp, str(REPO))


def render_all(names: list[str] | None = None) -> dict[str, str]:
    """Render several docs at once (in parallel processes)."""
    names = names or templates()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(names)) as pool:
        return dict(zip(names, pool.map(render, names)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"docs to render (default: all of {', '.join(templates())})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 with a diff if a doc is out of date")
    parser.add_argument("--run-one", nargs=2, metavar=("TEMPLATE", "WORKDIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:  # the child process: render one template to stdout
        exec(NO_NETWORK, {})
        template, work = args.run_one
        sys.stdout.buffer.write(render_template(Path(template), work, dict(os.environ))
                                .encode("utf-8"))
        return 0
    try:
        rendered = render_all(args.names)
    except RenderError as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 2
    stale = 0
    for name, text in rendered.items():
        dest = DOCS / f"{name}.md"
        old = dest.read_text(encoding="utf-8") if dest.exists() else ""
        if same_doc(old, text):
            continue
        if args.check:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(keepends=True), text.splitlines(keepends=True),
                f"docs/{name}.md (committed)", f"docs/{name}.md (rendered)"))
        else:
            dest.write_text(text, encoding="utf-8")
            print(f"wrote docs/{name}.md")
    if args.check and stale:
        print(f"\n{stale} doc(s) out of date: run python docs/render.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
