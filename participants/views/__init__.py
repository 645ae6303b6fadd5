"""Pages of the participants app, a module per group of pages (see participants/urls.py)."""
