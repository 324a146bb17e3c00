"""Photos of matters: checked by content, size-capped, re-encoded without metadata (EXIF, GPS), renamed."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTOS = 9
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


class PhotoRejected(ValueError):
    """A file that is not an acceptable photo; the message says why, naming the file."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    name: str
    content_type: str
    width: int
    height: int


def clean_photo(file: IO[bytes], *, original_name: str = "") -> CleanPhoto:
    """Check ``file`` is a real JPEG, PNG or WEBP within the limits and return it re-encoded without metadata."""
    label = original_name or _("the photo")
    raw = file.read(MAX_PHOTO_BYTES + 1)
    if len(raw) > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("%(name)s is larger than 10 MB.") % {"name": label})
    if not raw:
        raise PhotoRejected(_("%(name)s is empty.") % {"name": label})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            # Phones write JPEGs with an MPF index of extra pictures; Pillow names them MPO. The first is the photo.
            image_format = {"MPO": "JPEG"}.get(probe.format or "", probe.format or "")
            width, height = probe.size
            if image_format not in FORMATS:
                raise PhotoRejected(_("%(name)s is not a JPEG, PNG or WEBP image.") % {"name": label})
            if width * height > MAX_PHOTO_PIXELS:
                raise PhotoRejected(_("%(name)s has more than 40 megapixels.") % {"name": label})
            probe.verify()
            opened = Image.open(io.BytesIO(raw))
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(_("%(name)s is not a readable image.") % {"name": label}) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected(_("%(name)s is damaged and cannot be read.") % {"name": label}) from error
    extension, content_type = FORMATS[image_format]
    if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    elif "transparency" in image.info or image.mode not in {"RGB", "RGBA", "L", "LA"}:
        # Palette images, and colour-keyed transparency (tRNS), become real alpha so that nothing is lost.
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in {"PA", "RGBa"} else "RGB")
    # A fresh image from the pixels alone: no EXIF, GPS, ICC profile, text chunks or comments survive.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    output = io.BytesIO()
    options: dict[str, dict[str, Any]] = {
        "JPEG": {"quality": 85, "optimize": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 85},
    }
    clean.save(output, format=image_format, **options[image_format])
    return CleanPhoto(
        content=output.getvalue(),
        name=f"{uuid.uuid4().hex}.{extension}",
        content_type=content_type,
        width=clean.width,
        height=clean.height,
    )
