from django import template

register = template.Library()


@register.filter
def has_section(sections, name):
    """{% if sections|has_section:"health" %}: may this user see the section?"""
    return name in sections


@register.simple_tag(takes_context=True)
def panel(context, key: str, extra_class: str = ""):
    """A registered panel of the page, placed by its key (``kis_site.registries.panels_for``):
    nothing when the user may not see it; a deferred one loads when it comes into view."""
    item = (context.get("panels") or {}).get(key)
    if item is None:
        return ""
    name = "includes/_panel_deferred.html" if "url" in item else "includes/_panel.html"
    template = context.template.engine.get_template(name)
    with context.push(item=item, extra_class=extra_class):
        return template.render(context)
