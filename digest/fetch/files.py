"""``file:`` URLs, served only from under one local folder tree (the config's ``local_root``).

The path is resolved (``..`` and symlinks) before the check, so neither a feed linking to
``file:///etc/passwd`` nor a symlink out of the tree can read anything else. Files answer like an
HTTP server would: an ETag and Last-Modified from the file's stat, 304 for a matching conditional
request, and a Content-Type guessed from the name.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from digest.errors import BlockedURLError, FetchError
from digest.models import Response

TYPES = {".xml": "application/xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
         ".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/plain",
         ".json": "application/json"}


def local_path(url: str, root: Path | None) -> Path:
    """The file a ``file:`` URL names, if it lies under ``root``; raises BlockedURLError."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise BlockedURLError(url, f"refused: file URL on another host ({parts.netloc})")
    if root is None:
        raise BlockedURLError(url, "refused: file URLs are not allowed here (no local root)")
    path = Path(url2pathname(parts.path))
    if not path.is_absolute():
        raise BlockedURLError(url, "refused: file URL without an absolute path")
    try:
        resolved = path.resolve()
        base = root.resolve()
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise BlockedURLError(url, f"refused: cannot resolve path ({type(exc).__name__})") from None
    if not resolved.is_relative_to(base):
        raise BlockedURLError(url, f"refused: {path} is outside the local root")
    if resolved.is_dir():  # as a web server answers a folder URL
        index = (resolved / "index.html").resolve()
        if index.is_relative_to(base) and index.is_file():
            return index
    return resolved


def read_local(url: str, root: Path | None, max_bytes: int, etag: str | None = None,
               last_modified: str | None = None) -> Response:
    """Read a ``file:`` URL under ``root`` into a Response (304 when the validators match)."""
    path = local_path(url, root)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # never open a FIFO or a device: it may block
            raise FetchError(url, "not a regular file")
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            validator = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            modified = email.utils.formatdate(st.st_mtime, usegmt=True)
            headers = {"etag": validator, "last-modified": modified,
                       "content-type": guess_type(path)}
            if _not_modified(validator, int(st.st_mtime), etag, last_modified):
                return Response(url=url, final_url=url, status=304, headers=headers, body=b"")
            if st.st_size > max_bytes:
                raise FetchError(url, f"body larger than {max_bytes} bytes")
            body = fh.read(max_bytes + 1)
    except FetchError:  # FetchError is an OSError too
        raise
    except FileNotFoundError:
        raise FetchError(url, "file not found") from None
    except PermissionError:
        raise FetchError(url, "permission denied") from None
    except OSError as exc:
        raise FetchError(url, f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    if len(body) > max_bytes:
        raise FetchError(url, f"body larger than {max_bytes} bytes")
    headers["content-length"] = str(len(body))
    return Response(url=url, final_url=url, status=200, headers=headers, body=body)


def guess_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or ""


def _not_modified(validator: str, mtime: int, etag: str | None, last_modified: str | None) -> bool:
    if etag:
        tags = {t.strip().removeprefix("W/") for t in etag.split(",")}
        return validator in tags or "*" in tags
    if last_modified:
        try:
            since = email.utils.parsedate_to_datetime(last_modified).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return mtime <= since
    return False
