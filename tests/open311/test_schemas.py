"""The official schemas are found where CI and the worktrees keep them, and their absence fails."""

import pytest

from tests.open311 import schemas


def test_the_official_schemas_are_found():
    folder = schemas.schema_dir()

    assert (folder / "requests.json").is_file() and (folder / "request.json").is_file()


def test_the_environment_variable_wins(monkeypatch, tmp_path):
    for name in schemas.OFFICIAL:
        (tmp_path / name).write_text("{}")
    monkeypatch.setenv("OPEN311_SCHEMAS", str(tmp_path))

    assert schemas.schema_dir() == tmp_path


def test_missing_schemas_fail_the_run_instead_of_skipping(monkeypatch, tmp_path):
    monkeypatch.setenv("OPEN311_SCHEMAS", str(tmp_path / "none"))
    monkeypatch.setattr(schemas, "REPO", tmp_path / "repo")
    monkeypatch.setattr(schemas, "FALLBACK", tmp_path / "elsewhere")

    with pytest.raises(pytest.fail.Exception, match="not in any of"):
        schemas.schema_dir()


def test_a_response_that_breaks_the_official_schema_is_caught():
    wrong = [{"service_request_id": 7, "status": "pending", "requested_datetime": "yesterday"}]

    with pytest.raises(AssertionError):
        schemas.validate_official("requests.json", wrong)
