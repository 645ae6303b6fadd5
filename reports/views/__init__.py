"""Pages of the reports app, a module per group of pages (see reports/urls.py)."""
