import io
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOGO_MAX_BYTES = 2 * 1024 * 1024
# A scanned A4 page at 600 dpi is about 35 megapixels; a letterhead logo needs far fewer.
IMAGE_MAX_PIXELS = 50_000_000
LOGO_MAX_PIXELS = 16_000_000
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG"}


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes, never from its name."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def check_image(content: bytes, kind: str, *, max_pixels: int = IMAGE_MAX_PIXELS) -> None:
    """Open a PNG or JPEG with Pillow and decode it whole; a ValidationError with a Polish
    message when it does not open as ``kind`` or has more than ``max_pixels`` pixels.

    The size is read from the header before anything is decoded, so a decompression bomb (a
    small file that unpacks to gigabytes) is refused without being unpacked.
    """
    from PIL import Image

    too_large = ValidationError(
        _("The image has too many pixels: at most %(limit)s megapixels are accepted."),
        code="too_many_pixels",
        params={"limit": max_pixels // 1_000_000},
    )
    damaged = ValidationError(
        _("The image is damaged or is not really a %(kind)s file: it cannot be opened."),
        code="damaged_image",
        params={"kind": PILLOW_FORMATS[kind]},
    )
    formats = [PILLOW_FORMATS[kind]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=formats) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                image.verify()  # checksums, without decoding
            with Image.open(io.BytesIO(content), formats=formats) as image:
                image.load()  # every pixel: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    except Exception as error:  # Pillow raises many kinds of error on a broken file
        raise damaged from error


def validate_logo(file) -> None:
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB."))
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    content = file.read()
    file.seek(position)
    kind = sniff_image_type(content[:16])
    if kind is None:
        raise ValidationError(_("The logo must be a PNG or JPEG image."))
    check_image(content, kind, max_pixels=LOGO_MAX_PIXELS)


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
