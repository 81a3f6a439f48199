"""What staff and providers upload, checked and cleaned before it is stored.

- Images (Wagtail's image library, used by editors and by providers' listings) are decoded and
  encoded again with Pillow. Only the pixels survive: no metadata (camera, GPS position), no
  bytes hidden after the image, no second file format folded into the same bytes. Pillow's
  decompression-bomb guard is an error, not a warning, so a small file that would expand to a
  huge picture is refused before it is decoded.
- Documents keep Wagtail's list of allowed extensions (WAGTAILDOCS_EXTENSIONS) and are limited
  in size (PORTAL_MAX_DOCUMENT_BYTES).
- Any request body over PORTAL_MAX_REQUEST_BYTES is refused with 413 before a view reads it
  (`RequestSizeLimitMiddleware`): a front-end proxy should enforce the same limit.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

# Pillow format name -> keyword arguments for saving a clean copy.
_SAVE_OPTIONS: dict[str, dict] = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "GIF": {},
    "WEBP": {"quality": 90},
}
_CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


class UnsafeImage(ValueError):
    """An image that cannot be decoded safely; the message is for the person uploading it."""


def reencode_image(data: bytes, *, max_pixels: int) -> tuple[bytes, str]:
    """A clean copy of an image: (its bytes, its Pillow format name).

    Raises UnsafeImage for a file Pillow cannot read, a format not allowed, or a picture over
    `max_pixels` (checked from the header, before any decoding).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in _SAVE_OPTIONS:
                    raise UnsafeImage(f"Images must be {', '.join(_SAVE_OPTIONS)} files.")
                image_format = image.format
                frames = getattr(image, "n_frames", 1)
                if image.width * image.height * frames > max_pixels:
                    raise UnsafeImage(f"This image is too large: at most {max_pixels:,} pixels.")
                image.load()
                output = io.BytesIO()
                if frames > 1 and image_format in ("GIF", "WEBP"):
                    image.save(output, image_format, save_all=True, **_SAVE_OPTIONS[image_format])
                else:
                    clean = ImageOps.exif_transpose(image)  # keep the way up; drop the EXIF
                    if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
                        clean = clean.convert("RGB")
                    clean.save(output, image_format, **_SAVE_OPTIONS[image_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UnsafeImage(f"This image is too large: at most {max_pixels:,} pixels.") from None
        except (OSError, SyntaxError, ValueError) as error:
            if isinstance(error, UnsafeImage):
                raise
            raise UnsafeImage("This file is not an image we can read.") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous_limit
    return output.getvalue(), image_format


def max_image_pixels() -> int:
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 40_000_000)


class ReencodedImageForm(BaseImageForm):
    """Wagtail's image form (WAGTAILIMAGES_IMAGE_FORM_BASE) storing a re-encoded copy of a new
    upload, never the bytes as uploaded."""

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # no new file (editing the title or focal point only)
        upload.seek(0)
        try:
            data, image_format = reencode_image(upload.read(), max_pixels=max_image_pixels())
        except UnsafeImage as error:
            raise ValidationError(str(error), code="unsafe_image") from None
        clean = SimpleUploadedFile(upload.name, data, content_type=_CONTENT_TYPES[image_format])
        clean.image = getattr(upload, "image", None)  # Wagtail's own checks read this
        return clean


class SizeLimitedDocumentForm(BaseDocumentForm):
    """Wagtail's document form (WAGTAILDOCS_DOCUMENT_FORM_BASE) with a size limit."""

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        limit = settings.PORTAL_MAX_DOCUMENT_BYTES
        if isinstance(upload, UploadedFile) and upload.size > limit:
            raise ValidationError(
                f"The file must be smaller than {filesizeformat(limit)}.", code="file_too_large"
            )
        return upload


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is over PORTAL_MAX_REQUEST_BYTES, before any view
    reads it: a JSON error body under /api/, plain text elsewhere. Paths that enforce a larger
    limit of their own (the IG bulk check takes up to IG_CHECK_MAX_BYTES of NHS numbers) are
    listed in PORTAL_REQUEST_SIZE_OWN_LIMIT_PATHS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_MAX_REQUEST_BYTES
        if length <= limit or request.path.startswith(
            tuple(settings.PORTAL_REQUEST_SIZE_OWN_LIMIT_PATHS)
        ):
            return self.get_response(request)
        detail = f"The request is larger than {filesizeformat(limit)}."
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "too_large", "detail": detail}, status=413)
        return HttpResponse(f"{detail}\n", status=413, content_type="text/plain; charset=utf-8")
