"""Test-session settings shared by the package tests and the notebook runs (nbval).

With ``pytest -n auto`` every worker runs its own tests and notebook kernels; letting each one also
start a thread per core oversubscribes the CPU (on 2 cores, 2 workers x 2 threads ran the suite 2-3x
slower). Each parallel worker therefore uses one thread, and so do the kernels it starts.
"""
import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
