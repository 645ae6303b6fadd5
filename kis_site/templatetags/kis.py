from django import template

register = template.Library()


@register.filter
def has_section(sections, name):
    """{% if sections|has_section:"health" %}: may this user see the section?"""
    return name in sections
