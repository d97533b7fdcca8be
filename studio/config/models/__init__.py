"""Settings of each model kind, one module per kind (found automatically)."""
