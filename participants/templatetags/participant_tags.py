from django import template

from participants.models import Decision, EnrolmentStatus

register = template.Library()


@register.filter
def enrolment_status(value):
    """The label of an enrolment status code (annotations carry bare codes)."""
    try:
        return EnrolmentStatus(value).label
    except ValueError:
        return value


@register.filter
def decision_label(value):
    try:
        return Decision(value).label
    except ValueError:
        return value
