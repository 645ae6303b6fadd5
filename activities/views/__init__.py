"""Pages of the activities, a module per group of pages (see activities/urls.py)."""
