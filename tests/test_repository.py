"""How the repository may be used and cited: licence files, CITATION.cff, and where they are named."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_licence_files_state_their_licences():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    text = (ROOT / "LICENSE-TEXT").read_text()
    assert "Creative Commons Attribution 4.0 International" in text
    assert "Section 1 – Definitions." in text  # the legal code itself, not a pointer to it


def test_citation_file_is_valid_and_names_both_licences():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "repository-code"):
        assert cff[key], key
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{cff["version"]}"' in pyproject


def test_readme_and_site_footer_name_the_licences_and_the_citation():
    readme = (ROOT / "README.md").read_text()
    footer = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["extra_footer"]
    for text in (readme, footer):
        assert "LICENSE" in text and "CITATION.cff" in text and "CC BY 4.0" in text and "MIT" in text
