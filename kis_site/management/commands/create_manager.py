"""python manage.py create_manager: the first KIS manager account of a new installation.

``createsuperuser`` makes an account without the KIS role (and with every permission at once);
this command makes what the panel makes: an account with the role "Kierownik KIS" (the
administration panel through that role's permissions, never a superuser), its staff record, a
password checked by the project's validators (AUTH_PASSWORD_VALIDATORS), and audit entries
(the account, the staff record and the grant of the role, marked as made by this command).

Interactive by default: asks for what is missing and for the password twice (getpass, never
echoed, never an argument). ``--no-input`` for automation: the password comes from the
environment variable named by ``--password-env`` (KIS_MANAGER_PASSWORD). It refuses while an
active manager exists: further accounts are made in the panel, by that manager (or here with
``--additional``).
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from kis_site.audit import log_role_change
from kis_site.models import StaffMember
from kis_site.vocabulary import Role

PASSWORD_ENV = "KIS_MANAGER_PASSWORD"
SOURCE = "manage.py create_manager"
POSITION = "kierownik KIS"  # data, in Polish like the role's group name


class Command(BaseCommand):
    help = (
        "Creates a KIS manager account (role, staff record, audited), asking for the password "
        "twice. Refuses while an active manager exists, unless --additional."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help="the login")
        parser.add_argument("--email", help="e-mail address (optional)")
        parser.add_argument("--first-name", dest="first_name")
        parser.add_argument("--last-name", dest="last_name")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"ask nothing: the password is read from ${PASSWORD_ENV} (see --password-env)",
        )
        parser.add_argument(
            "--password-env",
            default=PASSWORD_ENV,
            metavar="NAME",
            help=f"the environment variable holding the password with --no-input "
            f"(default {PASSWORD_ENV})",
        )
        parser.add_argument(
            "--additional",
            action="store_true",
            help="create the account even though an active manager exists",
        )

    def handle(self, *args, interactive, password_env, additional, **options):
        self.interactive = interactive
        if not additional:
            self._refuse_when_a_manager_exists()
        username = self._value(options, "username", "Login (username)", self._check_username)
        first_name = self._value(options, "first_name", "First name / Imię", self._check_name)
        last_name = self._value(options, "last_name", "Last name / Nazwisko", self._check_name)
        email = self._value(
            options, "email", "E-mail (optional / opcjonalnie)", self._check_email, optional=True
        )
        User = get_user_model()
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=True,
            is_superuser=False,
        )
        password = self._password(user, password_env)
        user.set_password(password)
        with transaction.atomic():
            if not additional:
                self._refuse_when_a_manager_exists()  # again, inside the transaction
            if User._default_manager.filter(username=username).exists():
                raise CommandError(f"The login {username!r} is taken. / Ten login jest zajęty.")
            self._create(user, email)
        self.stdout.write(
            self.style.SUCCESS(
                f"Manager account created: {username} (role {Role.MANAGER.group_name}, staff "
                "record, administration panel at /admin/). / Konto kierownika utworzone."
            )
        )

    # --- the account --------------------------------------------------------------------------

    def _create(self, user, email: str) -> None:
        from auditlog.context import set_extra_data

        source = {"source": SOURCE, "os_user": _os_user()}
        with set_extra_data({"additional_data": source}):
            user.save()
            StaffMember.objects.create(
                user=user,
                first_name=user.first_name,
                last_name=user.last_name,
                position=POSITION,
                email=email,
            )
        group = Group.objects.get(name=Role.MANAGER.group_name)
        user.groups.add(group)
        entry = log_role_change(by=None, user=user, group=group, granted=True)
        entry.additional_data = {**entry.additional_data, **source}
        entry.save(update_fields=["additional_data"])

    def _refuse_when_a_manager_exists(self) -> None:
        managers = list(
            get_user_model()
            ._default_manager.filter(is_active=True, groups__name=Role.MANAGER.group_name)
            .values_list("username", flat=True)
        )
        if managers:
            raise CommandError(
                f"An active KIS manager account exists already ({', '.join(sorted(managers))}). "
                "Further accounts are created in the administration panel; pass --additional to "
                "create another manager here anyway. / Konto kierownika już istnieje."
            )

    # --- asking -------------------------------------------------------------------------------

    def _value(self, options, name, prompt, check, *, optional=False) -> str:
        given = options.get(name)
        if given is not None:
            return check(given.strip(), optional=optional)
        if not self.interactive:
            if optional:
                return ""
            raise CommandError(f"--{name.replace('_', '-')} is required with --no-input.")
        while True:
            try:
                return check(input(f"{prompt}: ").strip(), optional=optional)
            except CommandError as error:
                self.stderr.write(str(error))

    def _password(self, user, password_env: str) -> str:
        if not self.interactive:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(
                    f"With --no-input the password is read from the environment variable "
                    f"{password_env}, which is empty or not set. / Brak hasła w {password_env}."
                )
            errors = _password_errors(password, user)
            if errors:
                raise CommandError("The password is refused: " + " ".join(errors))
            return password
        while True:
            password = getpass.getpass("Password / Hasło: ")
            if password != getpass.getpass("Password again / Hasło ponownie: "):
                self.stderr.write("The passwords differ. / Hasła się różnią.")
                continue
            errors = _password_errors(password, user)
            if not errors:
                return password
            for error in errors:
                self.stderr.write(error)

    # --- checks -------------------------------------------------------------------------------

    def _check_username(self, value: str, *, optional=False) -> str:
        User = get_user_model()
        if not value:
            raise CommandError("The login cannot be empty. / Podaj login.")
        try:
            User.username_validator(value)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if User._default_manager.filter(username=value).exists():
            raise CommandError(f"The login {value!r} is taken. / Ten login jest zajęty.")
        return value

    def _check_name(self, value: str, *, optional=False) -> str:
        if not value:
            raise CommandError("The name cannot be empty. / Podaj imię i nazwisko.")
        if len(value) > 100:
            raise CommandError("At most 100 characters. / Najwyżej 100 znaków.")
        return value

    def _check_email(self, value: str, *, optional=False) -> str:
        if not value and optional:
            return ""
        try:
            validate_email(value)
        except ValidationError:
            raise CommandError(f"Not an e-mail address: {value!r}.") from None
        return value


def _password_errors(password: str, user) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
