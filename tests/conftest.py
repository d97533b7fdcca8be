"""Test configuration shared by every test: Qt runs offscreen, so CI needs no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STUDIO_DEBUG", "")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Several test processes share the cores (pytest-xdist): each, and the run processes it starts, gets one
    # OpenMP thread.  With torch's default of one per core, two workers' threads spin-waited on each other and a
    # 3 s engine test took 20 s.  Set before anything imports torch, which reads it once.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
