"""Settings of each algorithm, one module per algorithm (found automatically)."""
