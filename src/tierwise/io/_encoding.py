"""Text encodings of the CSV files people export: UTF-8 (with or without BOM) and GBK/GB18030."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

__all__ = ["detect_encoding", "to_utf8"]

_CHUNK = 1 << 20


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: str | Path) -> str:
    """``'utf-8-sig'``, ``'utf-8'`` or ``'gb18030'`` (a superset of GBK and GB2312).

    The whole file is checked, so a GBK character deep in a mostly-ASCII file is found.

    Raises
    ------
    ValueError
        When the file is neither UTF-8 nor GB18030 text.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(3)
    if head == codecs.BOM_UTF8:
        return "utf-8-sig"
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise ValueError(f"The file {path} is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV.")


def to_utf8(path: str | Path, target: str | Path, encoding: str) -> Path:
    """Copy ``path`` to ``target`` re-encoded as UTF-8 without BOM, streaming."""
    target = Path(target)
    if encoding == "utf-8":
        shutil.copyfile(path, target)
        return target
    with open(path, encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    return target
