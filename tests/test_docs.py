"""The docs show real output: every example in docs/src is run again and the
result must equal the committed doc (docs/render.py renders them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _load_renderer():
    spec = importlib.util.spec_from_file_location("docs_render", DOCS / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load_renderer()


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return render.render_all()


@pytest.mark.parametrize("name", render.templates())
def test_committed_doc_matches_a_fresh_render(rendered, name):
    committed = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    assert render.same_doc(committed, rendered[name]), (
        f"docs/{name}.md is out of date or an example changed its output: "
        f"run python docs/render.py and review the diff")


def test_every_template_renders_to_a_doc():
    assert render.templates(), "no templates in docs/src"
    for name in render.templates():
        assert (DOCS / f"{name}.md").is_file(), f"docs/{name}.md was never rendered"


def test_only_the_index_size_may_differ_between_renders():
    assert render.same_doc("size_bytes   170500\n", "size_bytes   170503\n")
    assert render.same_doc('"size_bytes": 1,', '"size_bytes": 22,')
    assert not render.same_doc("articles     8\n", "articles     9\n")


def test_a_failing_command_fails_the_render(tmp_path):
    with pytest.raises(render.RenderError, match="exited with 3"):
        render.run_console("$ exit 3", "", str(tmp_path), {"PATH": "/usr/bin:/bin"})


def test_pycon_blocks_show_values_output_and_errors():
    out = render.run_pycon("x = 2\nx + 1\nprint('hi')\n1 / 0", {})
    assert out.splitlines() == [">>> x = 2", ">>> x + 1", "3", ">>> print('hi')", "hi",
                                ">>> 1 / 0", "Traceback (most recent call last):", "  ...",
                                "ZeroDivisionError: division by zero"]
