"""Driving runs: the wire format, run folders, the record loop, and runs in child processes.

Qt-free, between ``export`` and the front ends: the command line and the
window drive runs through this one package, so how a run folder is named,
how a seed series is laid out and how a run that ends early is finished
exist once.
"""
