from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOGO_MAX_BYTES = 2 * 1024 * 1024


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes, never from its name."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def validate_logo(file) -> None:
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB."))
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    if sniff_image_type(head) is None:
        raise ValidationError(_("The logo must be a PNG or JPEG image."))


def _check(module, value, messages):
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    try:
        return module.validate(value)
    except InvalidLength as error:
        raise ValidationError(messages["length"], code="length") from error
    except InvalidChecksum as error:
        raise ValidationError(messages["checksum"], code="checksum") from error
    except (InvalidFormat, InvalidComponent) as error:
        raise ValidationError(messages["format"], code="format") from error


def clean_pesel(value: str) -> str:
    """A valid PESEL in its compact form, or a ValidationError with a Polish message."""
    from stdnum.pl import pesel

    return _check(
        pesel,
        value,
        {
            "length": _("A PESEL has 11 digits."),
            "checksum": _("This PESEL is not valid: its check digit does not match."),
            "format": _("This PESEL is not valid: it must be 11 digits with a real birth date."),
        },
    )


def clean_nip(value: str) -> str:
    from stdnum.pl import nip

    return _check(
        nip,
        value,
        {
            "length": _("A NIP has 10 digits."),
            "checksum": _("This NIP is not valid: its check digit does not match."),
            "format": _("A NIP may contain only digits (and dashes)."),
        },
    )


def clean_regon(value: str) -> str:
    from stdnum.pl import regon

    return _check(
        regon,
        value,
        {
            "length": _("A REGON has 9 or 14 digits."),
            "checksum": _("This REGON is not valid: its check digit does not match."),
            "format": _("A REGON may contain only digits."),
        },
    )


def validate_pesel(value):
    clean_pesel(value)


def validate_nip(value):
    clean_nip(value)


def validate_regon(value):
    clean_regon(value)
