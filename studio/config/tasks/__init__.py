"""Settings of each task family, one module per family (found automatically)."""
