"""Text encodings of the CSV files people export, recognised or refused by name, never misread.

Read: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, GBK/GB18030 (simplified
Chinese systems) and Big5 (traditional Chinese). Between GB18030 and Big5, whose byte
ranges overlap, charset-normalizer decides. Japanese Shift_JIS, which GB18030 would also
"decode" into nonsense, is recognised and refused, as is anything else that is not text.
"""

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


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NAMES = {"gb18030": "GBK/GB18030", "big5": "Big5", "utf-16": "UTF-16", "utf-32": "UTF-32"}


def _japanese(sample: bytes) -> bool:
    """Whether ``sample`` reads as Shift_JIS text with kana (which GBK text almost never gives)."""
    try:
        text = sample.decode("cp932")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    kana = [c for c in wide if "\u3040" <= c <= "\u30ff"]
    return len(kana) >= max(1, 0.05 * len(wide))


def _wide_sample(path: Path, limit: int = 256 * 1024) -> bytes:
    """Up to ``limit`` bytes of the file's lines that hold non-ASCII bytes: what tells encodings apart."""
    out = bytearray()
    with path.open("rb") as handle:
        for line in handle:
            if any(b > 0x7F for b in line):
                out += line
                if len(out) >= limit:
                    break
    return bytes(out)


def _chinese(path: Path) -> str | None:
    """'gb18030' or 'big5' as charset-normalizer judges the file's non-ASCII lines; None when neither fits.

    When both read the text equally well, GB18030 wins (the more common export).
    """
    from charset_normalizer import from_bytes

    sample = _wide_sample(path)
    chaos = {
        ("big5" if m.encoding in ("big5", "cp950") else "gb18030"): m.chaos
        for m in from_bytes(sample, cp_isolation=["gb18030", "big5"])
    }
    if not chaos:
        return None
    encoding = "big5" if chaos.get("big5", 1.0) + 0.01 < chaos.get("gb18030", 1.0) else "gb18030"
    if encoding not in chaos:
        encoding = next(iter(chaos))
    if encoding == "big5" and not _decodes(path, "big5") and _decodes(path, "cp950"):
        encoding = "cp950"
    return encoding if _decodes(path, encoding) else None


def detect_encoding(path: str | Path) -> str:
    """The codec to read a text file with: ``utf-8-sig``, ``utf-8``, ``utf-16``, ``utf-32``, ``gb18030`` or ``big5``.

    The whole file is checked, so a GBK character deep in a mostly-ASCII file is found.

    Raises
    ------
    ValueError
        When the file is in another encoding (named where it is recognised) or not text.
    """
    path = Path(path)
    with path.open("rb") as handle:
        sample = handle.read(_CHUNK)
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            if not _decodes(path, encoding):
                raise ValueError(
                    f"The file {path.name} starts as {_NAMES.get(encoding, 'UTF-8')} but is not valid text."
                )
            return encoding
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _japanese(_wide_sample(path)):
        raise ValueError(
            f"The file {path.name} is Japanese (Shift_JIS) text, which tierwise does not read; save it as UTF-8 CSV."
        )
    chinese = _chinese(path)
    if chinese is not None:
        return chinese
    raise ValueError(
        f"The file {path.name} is not UTF-8, GBK/GB18030, Big5 or UTF-16 text (is it a spreadsheet saved with .csv?); "
        f"save it as UTF-8 CSV."
    )


def to_utf8(path: str | Path, target: str | Path, encoding: str) -> Path:
    """Copy ``path`` to ``target`` re-encoded as UTF-8 without BOM, streaming."""
    target = Path(target)
    if encoding == "utf-8":
        shutil.copyfile(path, target)
        return target
    with open(path, encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    return target
