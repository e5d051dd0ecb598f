"""Every English catalogue is complete, current and compiled.

"Current" means it holds exactly the strings the code marks for translation today: the test
extracts them again with makemessages in a scratch copy and compares.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import nuanxin

PACKAGE = Path(nuanxin.__file__).parent
CATALOGUES = sorted(PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))


def _source_dir(po_path: Path) -> Path:
    return po_path.parents[3]


def _apps_with_own_catalogue() -> set[str]:
    return {_source_dir(p).name for p in CATALOGUES if _source_dir(p) != PACKAGE}


def _extract(source: Path, scratch: Path) -> set[str]:
    """The msgids makemessages finds in ``source`` (minus apps that keep their own catalogue)."""
    skip = {"migrations", "locale", "__pycache__", "static"}
    if source == PACKAGE:
        skip |= _apps_with_own_catalogue()
    copy = scratch / source.name
    shutil.copytree(source, copy, ignore=lambda _d, names: [n for n in names if n in skip])
    (copy / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            "en",
            "--no-location",
            "--settings=nuanxin.settings",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    po = polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))
    return {e.msgid for e in po if not e.obsolete}


def test_there_is_an_english_catalogue():
    assert CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: _source_dir(p).name)
def test_catalogue_is_translated_current_and_compiled(po_path, tmp_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    committed = {e.msgid for e in po if not e.obsolete}
    extracted = _extract(_source_dir(po_path), tmp_path)
    assert sorted(extracted - committed) == [], "strings missing from the catalogue"
    assert sorted(committed - extracted) == [], "catalogue holds strings the code no longer has"
    assert {e.msgid: e.msgstr for e in po.translated_entries()} == {e.msgid: e.msgstr for e in mo}
