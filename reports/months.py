"""Calendar months, the unit of change reports: kis_site.months, where every app finds them."""

from kis_site.months import add_months, first_day, last_day, months_between, period_label

__all__ = ["add_months", "first_day", "last_day", "months_between", "period_label"]
