"""The ``{build-info}`` directive: which build of the website a reader is looking at.

The status page says whether the notebooks ran at their smallest size (``BIASCOURSE_FAST=1``, the
continuous-integration build) or at their default size, when the site was built, and on what kind of
machine (processor, cores, GPU), so that the execution times it lists can be read correctly.
"""
from __future__ import annotations

import datetime
import os
import platform

from docutils import nodes
from docutils.parsers.rst import Directive


def _processor() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpu() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # torch missing or broken: the page still builds
        pass
    return "none"


def describe_build(environ=os.environ) -> str:
    """One sentence: the build's size setting, its date and the machine it ran on."""
    fast = environ.get("BIASCOURSE_FAST", "").strip().lower() in {"1", "true", "yes", "on"}
    size = ("its smallest size (BIASCOURSE_FAST=1, as in continuous integration)" if fast
            else "its default size")
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"This build ran every notebook at {size}, on {date}, on a {platform.system()} machine with "
            f"{os.cpu_count()} CPU cores ({_processor()}) and GPU: {_gpu()}.")


class BuildInfo(Directive):
    has_content = False

    def run(self):
        paragraph = nodes.paragraph(classes=["build-info"])
        paragraph += nodes.Text(describe_build())
        return [paragraph]


def _always_rebuild_status(app, env, added, changed, removed):
    # the date and the setting change with every build, even when the page's source does not
    return [doc for doc in env.found_docs if doc.endswith("status")]


def setup(app):
    app.add_directive("build-info", BuildInfo)
    app.connect("env-get-outdated", _always_rebuild_status)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
