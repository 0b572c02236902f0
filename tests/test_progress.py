"""arsearch.progress: a text bar wherever the notebook widget cannot work,
without tqdm.auto's warning."""

from __future__ import annotations

import io
import sys
import types
import warnings

import pytest
from tqdm.std import tqdm as text_tqdm

from arsearch.progress import in_notebook, progress_bar


@pytest.fixture
def fake_kernel(monkeypatch):
    """Make this look like a Jupyter kernel (IPython with an IPKernelApp)."""
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_outside_jupyter_the_text_bar():
    assert not in_notebook() or "ipykernel" in sys.modules
    bar = progress_bar(5, file=io.StringIO())
    assert type(bar) is text_tqdm
    bar.close()


def test_jupyter_without_ipywidgets_falls_back_to_text_without_a_warning(fake_kernel,
                                                                         monkeypatch):
    import tqdm.notebook

    monkeypatch.setattr(tqdm.notebook, "IProgress", None)    # as when ipywidgets is missing
    assert in_notebook()
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = progress_bar(4, file=out, desc="indexing", unit=" articles")
        bar.update(4)
        bar.close()
    assert type(bar) is text_tqdm
    assert "4/4" in out.getvalue() and "articles" in out.getvalue()


def test_a_shell_that_fails_is_no_notebook(monkeypatch):
    module = types.ModuleType("IPython")

    def broken():
        raise RuntimeError("no shell")

    module.get_ipython = broken
    monkeypatch.setitem(sys.modules, "IPython", module)
    assert not in_notebook()
