"""Pages of the site itself, a module per group of pages (see kis_site/urls.py)."""
