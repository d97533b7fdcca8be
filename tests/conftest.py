"""Test configuration shared by every test: Qt runs offscreen, so CI needs no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STUDIO_DEBUG", "")
