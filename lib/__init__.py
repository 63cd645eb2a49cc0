"""Generic building blocks below every app: they import none of ours (tests/test_layering.py)."""
