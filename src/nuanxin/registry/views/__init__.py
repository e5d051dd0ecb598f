"""Pages of the registry (see urls.py)."""
