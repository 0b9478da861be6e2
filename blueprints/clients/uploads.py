"""Turning an uploaded CSV file into a text stream for the import services."""
from __future__ import annotations

import io

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadError(Exception):
    pass


def csv_text_stream(storage) -> io.StringIO:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    raw = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError("The file is larger than 5 MB; split it into smaller files.")
    if not raw.strip():
        raise UploadError("The file is empty.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return io.StringIO(raw.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise UploadError("The file is not a text CSV (save it as CSV UTF-8 and try again).")
