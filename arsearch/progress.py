"""Progress bars that suit where they are shown.

``tqdm.auto`` picks a notebook widget in Jupyter, and when ipywidgets is
missing it warns ("IProgress not found. Please update jupyter and
ipywidgets") before falling back to text. :func:`progress_bar` makes the
same choice without the warning: the widget where ipywidgets works, the
text bar everywhere else, Jupyter included (which shows it as well).
"""

from __future__ import annotations

import sys
from typing import Any


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return False
    try:
        shell = get_ipython()
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # noqa: BLE001 - any oddity of the shell means "not a notebook"
        return False


def progress_bar(total: int | None = None, *, desc: str = "indexing", unit: str = " articles",
                 **options: Any) -> Any:
    """A tqdm progress bar: the notebook widget in Jupyter when ipywidgets
    works there, the text bar otherwise, never a warning.

    >>> bar = progress_bar(3, disable=True)
    >>> bar.update(3); bar.close()
    """
    if in_notebook():
        try:
            from tqdm.notebook import IProgress, tqdm as notebook_tqdm
        except ImportError:
            IProgress = None  # noqa: N806
        if IProgress is not None:
            return notebook_tqdm(total=total, desc=desc, unit=unit, **options)
    from tqdm.std import tqdm

    return tqdm(total=total, desc=desc, unit=unit, **options)
