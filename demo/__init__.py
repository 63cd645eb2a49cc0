"""Demo data for a local run: `python manage.py seed_demo` (used by `make run`).

It sits above every domain app and nothing imports it.
"""
