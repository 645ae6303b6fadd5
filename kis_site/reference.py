"""Reference data every database needs, created idempotently after each migrate (and flush)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from kis_site.roles import ADMIN_PERMISSIONS
from kis_site.vocabulary import Role


def ensure_reference_data(sender=None, using="default", apps=global_apps, **kwargs):
    # Permissions exist only after post_migrate of each app: create them all first.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.group_name)
        wanted = ADMIN_PERMISSIONS.get(role, [])
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            permissions.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)
    from kis_site.models import KisSettings

    KisSettings.objects.using(using).get_or_create(pk=1)
