"""plotly.min.js served from the installed plotly package, at ``static/plotly/plotly.min.js``.

The finder names that one file (not the package's data folder, which holds data sets and
templates too), so whitenoise and collectstatic see exactly the bundle the charts need, and
upgrading plotly with uv upgrades the charts.
"""

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PREFIX = "plotly"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if kwargs.get("all"):  # the name Django < 6.1 also accepts
            find_all = True
        if path != f"{PREFIX}/{PLOTLY_FILE}" or not (PLOTLY_DIR / PLOTLY_FILE).exists():
            return [] if find_all else None
        found = str(PLOTLY_DIR / PLOTLY_FILE)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        if (PLOTLY_DIR / PLOTLY_FILE).exists():
            yield PLOTLY_FILE, self.storage
