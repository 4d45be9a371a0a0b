"""Test-session settings shared by the package tests and the notebook runs (nbval).

Size. A plain ``pytest`` is a quick check: unless ``BIASCOURSE_FAST`` is already set, the session
sets ``BIASCOURSE_FAST=1``, so every notebook (and every student notebook) runs at its smallest
size, in minutes. ``pytest --default-size`` runs them at their default size instead, what a reader
on Binder or a laptop runs (about half an hour on 2 cores).

Threads. With ``pytest -n auto`` every worker runs its own tests and notebook kernels; letting each
one also start a thread per core oversubscribes the CPU (on 2 cores, 2 workers x 2 threads ran the
suite 2-3x slower). Each parallel worker therefore uses one thread, and so do the kernels it starts.
"""
import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def pytest_addoption(parser):
    parser.addoption(
        "--default-size", action="store_true",
        help="run the notebooks at their default size (what Binder readers run) instead of the quick FAST size",
    )


def pytest_configure(config):
    # Set before any notebook kernel starts: the kernels inherit the environment.
    if config.getoption("--default-size"):
        os.environ["BIASCOURSE_FAST"] = "0"
    else:
        os.environ.setdefault("BIASCOURSE_FAST", "1")
