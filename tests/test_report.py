"""The environment report of the setup-check notebook."""
import numpy as np

import biascourse as bc


def test_report_lists_versions_device_and_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("BIASCOURSE_FAST", "1")
    monkeypatch.setenv("BIASCOURSE_DATA", str(tmp_path))
    report = bc.environment_report()
    assert report["numpy"] == np.__version__
    assert report["FAST mode"] == "on"
    assert report["data directory"] == str(tmp_path)
    assert report["device"] in {"cpu", "cuda", "mps"}
    assert report["biascourse"] != "not installed"


def test_report_writes_the_home_folder_as_tilde(monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("BIASCOURSE_DATA", str(Path.home() / "datasets" / "course"))
    assert bc.environment_report()["data directory"] == str(Path("~") / "datasets" / "course")
