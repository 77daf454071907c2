"""Settings: environment parsing, overrides, errors, and the README kept in step with the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.errors import InvalidSetting
from kgqa.settings import SETTINGS, Settings, env_name, settings_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_without_environment():
    settings = Settings(environ={})
    assert settings.max_hops == 3
    assert settings.spacy_pipeline == "blank:en"


@pytest.mark.parametrize(
    ("variable", "raw", "name", "expected"),
    [
        ("KGQA_MAX_HOPS", "2", "max_hops", 2),
        ("KGQA_FUZZY_MIN_SCORE", "91.5", "fuzzy_min_score", 91.5),
        ("KGQA_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("KGQA_DEFAULT_GRAPH", "countries", "default_graph", "countries"),
    ],
)
def test_environment_overrides_default(variable, raw, name, expected):
    settings = Settings(environ={variable: raw})
    assert getattr(settings, name) == expected


def test_keyword_overrides_environment():
    settings = Settings(environ={"KGQA_MAX_HOPS": "2"}, max_hops=1)
    assert settings.max_hops == 1


def test_invalid_value_names_variable():
    with pytest.raises(InvalidSetting, match=r"KGQA_MAX_HOPS") as raised:
        Settings(environ={"KGQA_MAX_HOPS": "three"})
    assert "'three'" in raised.value.message


def test_unknown_override_rejected():
    with pytest.raises(InvalidSetting, match="Unknown setting 'max_hop'"):
        Settings(environ={}, max_hop=2)


def test_names_carry_units():
    for setting in SETTINGS:
        if setting.unit == "s":
            assert setting.name.endswith("_s"), setting.name
        if setting.unit == "MB":
            assert setting.name.endswith("_mb"), setting.name


def test_readme_documents_every_setting():
    readme = README.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert env_name(setting.name) in readme, f"{env_name(setting.name)} missing from README"


def test_readme_table_matches_generated_table():
    readme = README.read_text(encoding="utf-8")
    assert settings_markdown() in readme, "README settings table is stale: run kgqa settings"
