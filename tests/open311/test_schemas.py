"""The official schemas come from OPEN311_SCHEMAS; without them the tests skip, in CI they fail."""

import pytest

from tests.open311 import schemas


def test_the_official_schemas_are_found():
    folder = schemas.schema_dir()

    assert (folder / "requests.json").is_file() and (folder / "request.json").is_file()


def test_the_environment_variable_names_the_folder(monkeypatch, tmp_path):
    for name in schemas.OFFICIAL:
        (tmp_path / name).write_text("{}")
    monkeypatch.setenv("OPEN311_SCHEMAS", str(tmp_path))

    assert schemas.schema_dir() == tmp_path


def test_without_the_variable_the_tests_skip_and_say_why(monkeypatch):
    monkeypatch.delenv("OPEN311_SCHEMAS", raising=False)
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="set OPEN311_SCHEMAS"):
        schemas.schema_dir()


@pytest.mark.parametrize("ci", ["true", "1"])
def test_without_the_variable_ci_fails_instead_of_skipping(monkeypatch, ci):
    monkeypatch.delenv("OPEN311_SCHEMAS", raising=False)
    monkeypatch.setenv("CI", ci)

    with pytest.raises(pytest.fail.Exception, match="CI needs"):
        schemas.schema_dir()


def test_a_folder_that_lacks_a_schema_fails_even_outside_ci(monkeypatch, tmp_path):
    (tmp_path / "services.json").write_text("{}")
    monkeypatch.setenv("OPEN311_SCHEMAS", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.fail.Exception, match=r"lacks service\.json"):
        schemas.schema_dir()


def test_a_response_that_breaks_the_official_schema_is_caught():
    wrong = [{"service_request_id": 7, "status": "pending", "requested_datetime": "yesterday"}]

    with pytest.raises(AssertionError):
        schemas.validate_official("requests.json", wrong)
