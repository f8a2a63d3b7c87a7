"""Response bodies: bounded streaming decompression and the "is this a page or feed at all" check.

:func:`read_body` reads a streamed body within the size cap and the request deadline.
:class:`BodyDecoder` undoes ``Content-Encoding`` (gzip, deflate) chunk by chunk and never produces
more than the cap, so a gzip bomb costs at most ``max_bytes`` of memory. :func:`content_problem`
refuses binary files (by magic bytes first, then by declared type) and empty bodies, and tolerates
a wrong or missing Content-Type on what is really markup or text.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable

MAGIC: tuple[tuple[bytes, int, str], ...] = (  # (signature, offset, what it is)
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"WEBP", 8, "WebP image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"\x00\x00\x01\x00", 0, "icon"),
    (b"%PDF-", 0, "PDF document"),
    (b"PK\x03\x04", 0, "ZIP archive"),
    (b"PK\x05\x06", 0, "ZIP archive"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "MS Office document"),
    (b"ftyp", 4, "MP4 video"),
    (b"\x1a\x45\xdf\xa3", 0, "Matroska/WebM video"),
    (b"ID3", 0, "MP3 audio"),
    (b"OggS", 0, "Ogg media"),
    (b"fLaC", 0, "FLAC audio"),
    (b"wOFF", 0, "web font"),
    (b"wOF2", 0, "web font"),
    (b"\x7fELF", 0, "executable"),
    (b"\x00asm", 0, "WebAssembly"),
)
SNIFF_BYTES = 512  # enough decoded bytes to recognise a binary format early
BINARY_TYPES = ("image/", "audio/", "video/", "font/", "model/")
BINARY_APP = frozenset({
    "application/pdf", "application/zip", "application/gzip", "application/x-gzip",
    "application/octet-stream", "application/x-tar", "application/x-7z-compressed",
    "application/vnd.rar", "application/x-rar-compressed", "application/msword",
    "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-bzip2",
    "application/wasm", "application/x-msdownload", "application/x-shockwave-flash",
})
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class UnusableBody(Exception):
    """The body cannot be used; the message is the one-line reason."""


class BodyTooLarge(UnusableBody):
    """The decoded body passed the cap."""


class BadEncoding(UnusableBody):
    """The body's Content-Encoding is unknown or its compressed data is corrupt."""


class NotAPage(UnusableBody):
    """The first bytes show a binary format."""


class DeadlinePassed(Exception):
    """The request's total deadline passed while the body was being read."""


class BodyDecoder:
    """Decode a ``Content-Encoding`` stream incrementally, refusing to grow past ``max_bytes``."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise BadEncoding(f"unsupported content-encoding {content_encoding.strip()}")
        self.coding = codings[0] if codings else ""
        if self.coding not in ("", "gzip", "x-gzip", "deflate"):
            raise BadEncoding(f"unsupported content-encoding {self.coding}")
        self.max_bytes = max_bytes
        self.size = 0  # decoded bytes produced so far
        self._z: zlib._Decompress | None = self._new()
        self._first = True
        self._done_members = 0
        self._ignore_rest = False

    def _new(self) -> zlib._Decompress | None:
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.coding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes) -> bytes:
        """Decoded bytes for the next raw chunk; raises BodyTooLarge or BadEncoding."""
        if self._ignore_rest:
            return b""
        if self._z is None:
            return self._count(data)
        out = []
        while data:
            z = self._z
            assert z is not None
            room = self.max_bytes - self.size + 1  # one more byte than allowed proves the overflow
            try:
                piece = z.decompress(data, room)
            except zlib.error:
                if self._first and self.coding == "deflate":  # servers send raw deflate too
                    self._first = False
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if self._done_members:  # junk after a complete member: keep what we have
                    self._z = None
                    self._ignore_rest = True
                    break
                raise BadEncoding(f"corrupt {self.coding} data") from None
            self._first = False
            out.append(self._count(piece))
            if z.unconsumed_tail:
                data = z.unconsumed_tail
            elif z.eof and z.unused_data and self.coding != "deflate":
                data = z.unused_data.lstrip(b"\x00")  # concatenated gzip members
                self._done_members += 1
                self._z = self._new()
            else:
                data = b""
        return b"".join(out)

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        return self._count(self._z.flush())

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.max_bytes:
            raise BodyTooLarge(f"body larger than {self.max_bytes} bytes")
        return piece


def read_body(raw_chunks: Iterable[bytes], content_encoding: str, content_type: str,
              content_length: str, max_bytes: int, deadline: float) -> bytes:
    """Decode a streamed body within the cap and deadline, refusing binaries from their first bytes.

    Raises :class:`UnusableBody` subclasses (too large, bad encoding, not a page) or
    :class:`DeadlinePassed`. The caller stops the download by closing the response.
    """
    decoder = BodyDecoder(content_encoding, max_bytes)
    if not decoder.coding and content_length.isdigit() and int(content_length) > max_bytes:
        raise BodyTooLarge(f"body larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size, sniffed = 0, False
    for raw in raw_chunks:
        if time.monotonic() > deadline:  # HTTP/2 streams are not clamped per read
            raise DeadlinePassed
        piece = decoder.feed(raw)
        chunks.append(piece)
        size += len(piece)
        if not sniffed and size >= SNIFF_BYTES:
            sniffed = True
            problem = early_problem(b"".join(chunks)[:SNIFF_BYTES], content_type)
            if problem:
                raise NotAPage(problem)
    chunks.append(decoder.flush())
    return b"".join(chunks)


def media_type(content_type: str) -> str:
    """``"text/html; charset=utf-8"`` -> ``"text/html"``."""
    return content_type.split(";", 1)[0].strip().lower()


def magic_kind(head: bytes) -> str | None:
    """The binary format ``head`` starts with, if it is a known one."""
    for sig, offset, kind in MAGIC:
        if head[offset:offset + len(sig)] == sig:
            if kind == "icon" and len(head) > 6 and head[4:6] == b"\x00\x00":
                continue  # four NULs then NULs: not an icon directory
            if kind == "WebP image" and head[:4] != b"RIFF":
                continue
            return kind
    return None


def looks_textual(head: bytes) -> bool:
    """True when ``head`` is text or markup in some encoding (UTF-8/16/32, legacy 8-bit)."""
    if head.startswith(TEXT_BOMS) or head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        return True
    stripped = head.lstrip(b" \t\r\n\x00")
    if stripped[:1] == b"<" and b"\x00" in head[:8]:  # UTF-16/32 without a BOM: "<\0?\0x\0"
        return _utf16_or_32(head)
    if b"\x00" in head:
        return _utf16_or_32(head)
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls <= max(1, len(head) // 50)


def _utf16_or_32(head: bytes) -> bool:
    for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        size = 4 if "32" in enc else 2
        try:
            text = head[: len(head) - len(head) % size].decode(enc)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
        if text and printable >= 0.95 * len(text):
            return True
    return False


def early_problem(head: bytes, content_type: str) -> str | None:
    """A binary signature in the first decoded bytes: stop downloading at once."""
    kind = magic_kind(head)
    return _binary_message(kind, content_type) if kind else None


def content_problem(body: bytes, content_type: str) -> str | None:
    """Why ``body`` is not a page or feed we can use, or None when it is."""
    if not body.strip():
        return "empty response (no body)"
    head = body[:2048]
    kind = magic_kind(head)
    if kind:
        return _binary_message(kind, content_type)
    if looks_textual(head):
        return None  # markup or text: a wrong or missing Content-Type is tolerated
    mtype = media_type(content_type)
    if mtype and _binary_type(mtype):
        return f"not a web page (content-type {mtype})"
    return "not a web page (binary content)"


def _binary_type(mtype: str) -> bool:
    return mtype.startswith(BINARY_TYPES) or mtype in BINARY_APP


def _binary_message(kind: str, content_type: str) -> str:
    mtype = media_type(content_type)
    if mtype and _binary_type(mtype):
        return f"not a web page (content-type {mtype})"
    if mtype:
        return f"not a web page ({kind} served as {mtype})"
    return f"not a web page ({kind})"
