"""Hostile and awkward uploads against ``photos.clean_photo``: only real JPEG/PNG/WEBP within the limits get through,
re-encoded, upright, without metadata, under a server-made name; everything else is a PhotoRejected naming the file.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from gridwork.matters.photos import MAX_PHOTO_BYTES, CleanPhoto, PhotoRejected, clean_photo

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
SERVER_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def halves(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue: enough to tell which way an image was turned."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:05:01 08:30:00"  # DateTime
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (26.0, 36.0, 12.5), 3: "E", 4: (106.0, 42.0, 7.25)}  # latitude / longitude, in a residents' yard
    )
    return exif


def clean(raw: bytes, name: str = "photo.jpg") -> CleanPhoto:
    return clean_photo(io.BytesIO(raw), original_name=name)


def reopened(photo: CleanPhoto) -> Image.Image:
    image = Image.open(io.BytesIO(photo.content))
    image.load()
    return image


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


# ---- rejections: each raises PhotoRejected, naming the file -------------------------------------------------------


def _not_a_photo() -> bytes:
    return "这不是照片，是一段文字。\n".encode() * 20


def _png_header_then_garbage() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(4096)


def _png_with_broken_image_data() -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", b"not zlib at all") + png_chunk(b"IEND", b"")


def _png_with_a_text_bomb() -> bytes:
    raw = encoded(Image.new("RGB", (8, 8), RED), "PNG")
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * 20_000_000, 9))  # 20 MB of text in 20 KB
    return raw[:33] + bomb + raw[33:]  # right after the signature and IHDR


def _truncated_jpeg() -> bytes:
    raw = encoded(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG", quality=90)
    return raw[: len(raw) // 2]


def _svg_with_script() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + (
        b"<script>fetch('/accounts/').then(r => r.text()).then(alert)</script><rect width='10' height='10'/></svg>"
    )


def _too_many_bytes() -> bytes:
    raw = encoded(Image.new("RGB", (8, 8), RED), "PNG")
    return raw + b"\0" * (MAX_PHOTO_BYTES + 1 - len(raw))  # a real PNG, padded after IEND to 10 MB + 1 byte


def _decompression_bomb() -> bytes:
    return encoded(Image.new("1", (20000, 20000)), "PNG")  # 400 megapixels in some 50 KB


def _forty_one_megapixels() -> bytes:
    return encoded(Image.new("1", (6500, 6400)), "PNG")  # 41.6 megapixels: under Pillow's bomb limit, over ours


REJECTED = [
    pytest.param(_not_a_photo, "notes.jpg", id="a text file named .jpg"),
    pytest.param(_png_header_then_garbage, "scan.png", id="a PNG header followed by garbage"),
    pytest.param(_png_with_broken_image_data, "broken.png", id="a PNG whose image data is not zlib"),
    pytest.param(_png_with_a_text_bomb, "text-bomb.png", id="a PNG with a zlib bomb in a text chunk"),
    pytest.param(_truncated_jpeg, "cut-off.jpg", id="a truncated JPEG"),
    pytest.param(lambda: encoded(halves(), "GIF"), "animation.gif", id="a GIF"),
    pytest.param(lambda: encoded(halves(), "BMP"), "bitmap.bmp", id="a BMP"),
    pytest.param(lambda: encoded(halves(), "TIFF"), "scan.tif", id="a TIFF"),
    pytest.param(lambda: encoded(halves(), "BMP"), "disguised.jpg", id="a BMP named .jpg"),
    pytest.param(_svg_with_script, "logo.svg", id="an SVG with a script"),
    pytest.param(_svg_with_script, "photo.png", id="an SVG with a script named .png"),
    pytest.param(_too_many_bytes, "huge.png", id="10 MB + 1 byte"),
    pytest.param(_decompression_bomb, "bomb.png", id="a decompression bomb (20000x20000 PNG)"),
    pytest.param(_forty_one_megapixels, "panorama.png", id="41 megapixels"),
    pytest.param(lambda: b"", "empty.jpg", id="an empty file"),
]


@pytest.mark.parametrize(("make", "name"), REJECTED)
def test_a_hostile_or_unacceptable_upload_is_rejected_naming_the_file(make: object, name: str) -> None:
    raw = make()  # type: ignore[operator]
    with pytest.raises(PhotoRejected) as rejected:
        clean(raw, name)
    assert name in str(rejected.value)


def test_the_size_limit_is_on_bytes_and_exactly_ten_megabytes_passes() -> None:
    raw = encoded(Image.new("RGB", (8, 8), RED), "PNG")
    photo = clean(raw + b"\0" * (MAX_PHOTO_BYTES - len(raw)), "big-but-allowed.png")
    assert (photo.content_type, photo.width, photo.height) == ("image/png", 8, 8)
    assert len(photo.content) < 1024  # the padding is gone with the re-encoding


def test_a_huge_upload_is_read_no_further_than_the_limit() -> None:
    class Huge(io.RawIOBase):
        """64 MB of 0xFF, made up as it is read."""

        size, served = 64 * 1024 * 1024, 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            count = min(len(buffer), self.size - self.served)
            buffer[:count] = b"\xff" * count
            self.served += count
            return count

    upload = Huge()
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(upload, original_name="stream.jpg")  # type: ignore[arg-type]
    assert "stream.jpg" in str(rejected.value)
    assert upload.served <= MAX_PHOTO_BYTES + 1


@pytest.mark.parametrize(
    ("image_format", "options"),
    [
        pytest.param("JPEG", {"dpi": (72, 72)}, id="JPEG"),
        pytest.param("PNG", {}, id="PNG"),
        pytest.param("WEBP", {}, id="WEBP"),
    ],
)
def test_a_photo_with_a_malformed_exif_block_is_rejected_or_cleaned_but_never_crashes(
    image_format: str, options: dict
) -> None:
    raw = encoded(halves(), image_format, exif=b"Exif\x00\x00this is not a TIFF header", **options)
    outcome: CleanPhoto | PhotoRejected
    try:
        outcome = clean(raw, "odd-exif.img")
    except PhotoRejected as rejected:
        outcome = rejected
    if isinstance(outcome, PhotoRejected):
        assert "odd-exif.img" in str(outcome)
    else:
        assert "exif" not in reopened(outcome).info


# ---- what gets through: re-encoded, metadata-free, upright, renamed -----------------------------------------------


def test_exif_with_gps_is_stripped_entirely() -> None:
    raw = encoded(halves(), "JPEG", exif=gps_exif(), comment=b"taken at home, 13812345678")
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    photo = clean(raw, "IMG_0001.JPG")
    image = reopened(photo)
    assert (image.format, photo.content_type, photo.name[-4:]) == ("JPEG", "image/jpeg", ".jpg")
    assert "exif" not in image.info
    assert not image.getexif()
    assert not image.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in photo.content
    assert b"PhoneMaker" not in photo.content
    assert b"13812345678" not in photo.content
    assert "comment" not in image.info


def test_xmp_and_icc_profile_are_stripped() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>26,36.2N</exif:GPSLatitude></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encoded(halves(), "JPEG", xmp=xmp, icc_profile=icc)
    assert b"GPSLatitude" in raw
    assert "icc_profile" in Image.open(io.BytesIO(raw)).info
    photo = clean(raw, "edited.jpg")
    image = reopened(photo)
    assert b"GPSLatitude" not in photo.content
    assert "xmp" not in image.info
    assert "icc_profile" not in image.info


def test_png_text_chunks_are_stripped() -> None:
    text = PngInfo()
    text.add_text("Author", "张三 13812345678")
    text.add_itxt("Location", "春晖路1号1号楼101室")
    raw = encoded(halves(), "PNG", pnginfo=text)
    assert {"Author", "Location"} <= set(Image.open(io.BytesIO(raw)).info)
    photo = clean(raw, "screenshot.png")
    image = reopened(photo)
    assert not {"Author", "Location"} & set(image.info)
    assert b"13812345678" not in photo.content


@pytest.mark.parametrize(
    ("orientation", "size", "red_at", "blue_at"),
    [
        pytest.param(3, (40, 20), (30, 10), (10, 10), id="3: upside down"),
        pytest.param(6, (20, 40), (10, 10), (10, 30), id="6: turned a quarter to the left"),
        pytest.param(8, (20, 40), (10, 30), (10, 10), id="8: turned a quarter to the right"),
    ],
)
def test_the_orientation_tag_is_honoured_and_the_photo_comes_out_upright(
    orientation: int, size: tuple[int, int], red_at: tuple[int, int], blue_at: tuple[int, int]
) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    photo = clean(encoded(halves(), "JPEG", exif=exif, quality=95), "rotated.jpg")
    image = reopened(photo).convert("RGB")
    assert image.size == (photo.width, photo.height) == size
    red, blue = image.getpixel(red_at), image.getpixel(blue_at)
    assert red[0] > 150 > red[2], red  # type: ignore[index]
    assert blue[2] > 150 > blue[0], blue  # type: ignore[index]
    assert "exif" not in image.info  # and no tag left to turn it a second time


@pytest.mark.parametrize(
    "name", ["IMG_0001.JPG", "../../etc/passwd.jpg", "C:\\Users\\张三\\Desktop\\家门口.jpg", "a.jpg\0.php", ""]
)
def test_the_stored_name_is_made_by_the_server(name: str) -> None:
    raw = encoded(halves(), "JPEG")
    first, second = clean(raw, name), clean(raw, name)
    for photo in (first, second):
        assert SERVER_NAME.match(photo.name), photo.name
    assert first.name != second.name


def test_the_format_comes_from_the_content_not_the_name() -> None:
    photo = clean(encoded(halves(), "PNG"), "looks-like.jpg")
    assert (photo.content_type, photo.name[-4:], reopened(photo).format) == ("image/png", ".png", "PNG")


def test_a_png_with_an_alpha_channel_stays_a_png_with_alpha() -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.paste((20, 160, 20, 255), (0, 0, 10, 20))
    photo = clean(encoded(image, "PNG"), "sticker.png")
    result = reopened(photo)
    assert (result.format, result.mode, photo.content_type) == ("PNG", "RGBA", "image/png")
    assert result.getpixel((5, 5))[3] == 255  # type: ignore[index]
    assert result.getpixel((15, 5))[3] == 0  # type: ignore[index]


def test_a_palette_png_with_a_transparent_colour_keeps_its_transparency() -> None:
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 20, 160, 20] + [0, 0, 0] * 254)
    image.paste(1, (0, 0, 10, 20))
    photo = clean(encoded(image, "PNG", transparency=0), "palette.png")
    result = reopened(photo).convert("RGBA")
    assert (result.getpixel((5, 5))[3], result.getpixel((15, 5))[3]) == (255, 0)  # type: ignore[index]


def test_an_rgb_png_with_a_transparent_colour_keeps_its_transparency() -> None:
    image = Image.new("RGB", (20, 20), (255, 255, 255))
    image.paste((20, 160, 20), (0, 0, 10, 20))
    photo = clean(encoded(image, "PNG", transparency=(255, 255, 255)), "keyed.png")
    result = reopened(photo).convert("RGBA")
    assert (result.getpixel((5, 5))[3], result.getpixel((15, 5))[3]) == (255, 0)  # type: ignore[index]


def test_webp_round_trip() -> None:
    photo = clean(encoded(halves((64, 48)), "WEBP", quality=90), "phone.webp")
    image = reopened(photo)
    assert (image.format, photo.content_type, photo.name[-5:], image.size) == ("WEBP", "image/webp", ".webp", (64, 48))
    assert (photo.content[:4], photo.content[8:12]) == (b"RIFF", b"WEBP")
    red = image.convert("RGB").getpixel((8, 24))
    assert red[0] > 150 > red[2]  # type: ignore[index]


def test_a_webp_with_alpha_keeps_it() -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.paste((20, 160, 20, 255), (0, 0, 10, 20))
    photo = clean(encoded(image, "WEBP", lossless=True), "sticker.webp")
    result = reopened(photo)
    assert result.mode == "RGBA"
    assert (result.getpixel((5, 5))[3], result.getpixel((15, 5))[3]) == (255, 0)  # type: ignore[index]


def test_a_phone_jpeg_with_several_pictures_inside_is_accepted_as_a_jpeg() -> None:
    """Many phones write JPEGs with a multi-picture index (MPF: a preview, a depth map, an HDR gain map...).

    Pillow opens them as "MPO"; they are JPEG files all the same, and residents' photos must not bounce."""
    raw = encoded(halves(), "MPO", save_all=True, append_images=[halves((20, 10))])
    assert raw[:2] == b"\xff\xd8"  # a JPEG, by its first bytes
    photo = clean(raw, "IMG_20260501_083000.jpg")
    assert (photo.content_type, reopened(photo).format, photo.width, photo.height) == ("image/jpeg", "JPEG", 40, 20)


@pytest.mark.parametrize(
    ("mode", "image_format"), [("CMYK", "JPEG"), ("L", "JPEG"), ("I;16", "PNG"), ("LA", "PNG"), ("1", "PNG")]
)
def test_unusual_but_legitimate_modes_come_through(mode: str, image_format: str) -> None:
    photo = clean(encoded(Image.new(mode, (16, 12)), image_format), f"odd.{image_format.lower()}")
    assert (photo.width, photo.height) == (16, 12)
    assert reopened(photo).format == image_format
