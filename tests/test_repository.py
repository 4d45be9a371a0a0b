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


# ----- the repository's address: set once (biascourse.repository.REPOSITORY), the same everywhere ------

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

import biascourse  # noqa: E402
from biascourse import repository  # noqa: E402

REPO_URL = repository.repository_url()
SITE = repository.site_url()


def _first_code_cell(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_every_address_in_the_repository_is_the_configured_one():
    assert repository.configured(ROOT) == repository.REPOSITORY
    found = repository.occurrences(ROOT)
    wrong = repository.disagreeing(ROOT)
    assert not wrong, ("addresses that are not REPOSITORY's (biascourse/repository/__init__.py); set them all with "
                       "`python -m biascourse.repository set OWNER/NAME`:\n" + "\n".join(map(str, wrong)))
    places = {o.path.parts[0] for o in found}
    assert {"_config.yml", "CITATION.cff", "README.md", "notebooks", "students", "biascourse"} <= places


def test_launch_buttons_footer_citation_and_package_use_the_address():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == REPO_URL and config["repository"]["branch"] == "main"
    assert config["html"]["baseurl"] == SITE == biascourse.SITE_URL
    assert f'href="{REPO_URL}/blob/main/LICENSE"' in config["html"]["extra_footer"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["repository-code"] == REPO_URL and cff["url"] == SITE
    readme = (ROOT / "README.md").read_text()
    assert REPO_URL in readme and SITE in readme


@pytest.mark.parametrize("folder", ["notebooks", "students"])
def test_every_notebook_installs_the_package_from_the_address(folder):
    notebooks = sorted((ROOT / folder).glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        assert f'"biascourse @ git+{REPO_URL}@main"' in _first_code_cell(path), path.relative_to(ROOT)


def test_site_address_is_derived_from_the_repository():
    assert repository.site_url("biascourse/biascourse") == "https://biascourse.github.io/biascourse/"
    assert repository.site_url("Jane-Doe/bias.course") == "https://jane-doe.github.io/bias.course/"
    assert repository.site_url("jane/jane.github.io") == "https://jane.github.io/"
    assert repository.repository_url("jane/course") == "https://github.com/jane/course"
    assert repository.addresses("jane/course") == {
        "https://github.com/jane/course", "https://colab.research.google.com/github/jane/course",
        "https://mybinder.org/v2/gh/jane/course", "https://jane.github.io/course/", "https://jane.github.io/course"}
    for bad in ("biascourse", "a/b/c", "https://github.com/a/b", "-a/b", "a/b.", ""):
        with pytest.raises(ValueError, match="OWNER/NAME"):
            repository.repository_url(bad)


def _copy(tmp_path: Path) -> Path:
    skip = shutil.ignore_patterns(*repository.SKIPPED_DIRS, "*.egg-info")
    return Path(shutil.copytree(ROOT, tmp_path / "fork", ignore=skip))


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "biascourse.repository", "--root", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_a_fork_rewrites_every_address_with_one_command(tmp_path):
    fork = _copy(tmp_path)
    before = repository.occurrences(fork)
    result = _cli(fork, "set", "Jane-Doe/bias-course")
    assert result.returncode == 0, result.stderr
    assert repository.configured(fork) == "Jane-Doe/bias-course"
    after = repository.occurrences(fork)
    assert [(o.path, o.line) for o in after] == [(o.path, o.line) for o in before]      # every one, nothing else
    assert {o.address for o in after} <= repository.addresses("Jane-Doe/bias-course")
    assert "https://github.com/Jane-Doe/bias-course" in {o.address for o in after}
    config = yaml.safe_load((fork / "_config.yml").read_text())
    assert config["repository"]["url"] == "https://github.com/Jane-Doe/bias-course"
    assert config["html"]["baseurl"] == "https://jane-doe.github.io/bias-course/"
    assert 'git+https://github.com/Jane-Doe/bias-course@main' in _first_code_cell(fork / "notebooks" / "04_phases_of_bias.ipynb")
    json.loads((fork / "notebooks" / "04_phases_of_bias.ipynb").read_text())                 # still valid JSON
    assert _cli(fork, "check").returncode == 0
    # an address typed by hand that disagrees is named, with its file and line
    (fork / "book" / "extra.md").write_text("See https://github.com/someone/else for more.\n")
    result = _cli(fork, "check")
    assert result.returncode == 1 and "book/extra.md:1: https://github.com/someone/else" in result.stdout
    assert _cli(fork, "set", "not a repository").returncode == 2
