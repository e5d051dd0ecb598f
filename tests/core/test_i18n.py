"""Every English catalogue is complete and its compiled .mo matches the .po."""

from pathlib import Path

import polib
import pytest

import nuanxin

CATALOGUES = sorted(Path(nuanxin.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"))


def test_there_is_an_english_catalogue():
    assert CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parents[3].name))
def test_catalogue_is_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))

    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    compiled = {e.msgid: e.msgstr for e in mo}
    assert {e.msgid: e.msgstr for e in po.translated_entries()} == compiled
