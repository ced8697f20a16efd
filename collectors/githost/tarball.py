"""The wanted files of a Git host's tarball, read without `tarfile`.

`tarfile` builds a TarInfo object for every entry, checksums it and parses every field: in a
scan of 1,000 repositories that was most of the scanning process's CPU time, spent under the
GIL. A GitHub or GitLab tarball (`git archive`) is plain ustar with pax headers (one global header carrying the commit,
per-entry ones for long paths), so this reads only what finding a file needs: the name, the
size and the type of each entry, and the bytes of the wanted ones. Inflating (C, outside the
GIL) is bounded: it proceeds a block at a time and stops once every wanted file is found, so a
highly compressed archive costs no more memory than the files kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

BLOCK = 512
_CHUNK = 1 << 16  # bytes inflated per step when skipping
_MAX_HEADER_BYTES = 1 << 20  # a pax or long-name header larger than this is not a GitHub archive
_REGULAR = (b"0", b"\0", b"7")
_PAX = b"x"
_PAX_GLOBAL = b"g"
_GNU_LONG_NAME = b"L"
_SYMLINK = b"2"


class BadArchive(ValueError):
    """The bytes are not a gzipped tar archive that can be read to its end."""


class _Inflater:
    """Reads a gzip stream's decompressed bytes in order, a bounded amount at a time."""

    def __init__(self, data: bytes) -> None:
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._input = data
        self._buffer = bytearray()

    def read(self, size: int) -> bytes:
        """Exactly `size` bytes, or fewer at the end of the stream."""
        while len(self._buffer) < size and self._more(size - len(self._buffer)):
            pass
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def skip(self, size: int) -> bool:
        """Drop `size` bytes; False when the stream ended first."""
        while size > 0:
            if not self._buffer and not self._more(min(size, _CHUNK)):
                return False
            dropped = min(size, len(self._buffer))
            del self._buffer[:dropped]
            size -= dropped
        return True

    def _more(self, wanted: int) -> bool:
        try:
            if self._input:
                self._buffer += self._inflate.decompress(self._input, max(wanted, _CHUNK))
                self._input = self._inflate.unconsumed_tail
                return True
            tail = self._inflate.flush()
        except zlib.error as exc:
            raise BadArchive(f"corrupt gzip data: {exc}") from None
        self._buffer += tail
        return bool(tail)


def extract(data: bytes, paths: set[str], max_file_bytes: int) -> dict[str, bytes]:
    """The wanted `paths` (relative to the archive's one top folder) that are regular files of at
    most `max_file_bytes`, with their bytes. Raise BadArchive when the archive cannot be read."""
    found: dict[str, bytes] = {}
    left = set(paths)
    if not left:
        return found
    entries = _Entries(data)
    for path, kind, size in entries:
        if kind in _REGULAR and path in left and size <= max_file_bytes:
            found[path] = entries.take(path, size)
            left.discard(path)
            if not left:
                break
    return found


def listing(data: bytes) -> list[tuple[str, int | None]]:
    """Every file of the archive as (path relative to its top folder, size): regular files with
    their size, symbolic links with None (a tree lists them as files too; their target is read
    apart). Raise BadArchive when the archive cannot be read to its end."""
    return [
        (path, size if kind in _REGULAR else None)
        for path, kind, size in _Entries(data)
        if path and (kind in _REGULAR or kind == _SYMLINK)
    ]


class _Entries:
    """The entries of a gzipped tar archive in order, as (path, type flag, size); an entry's bytes
    are skipped unless `take` reads them before the next one is asked for."""

    def __init__(self, data: bytes) -> None:
        self._stream = _Inflater(data)
        self._taken = False

    def take(self, path: str, size: int) -> bytes:
        content = self._stream.read(-(-size // BLOCK) * BLOCK)[:size]
        if len(content) < size:
            raise BadArchive(f"the archive ends inside {path}")
        self._taken = True
        return content

    def __iter__(self) -> Iterator[tuple[str, bytes, int]]:
        stream = self._stream
        long_name: str | None = None  # from a pax or GNU header, for the entry that follows
        while True:
            header = stream.read(BLOCK)
            if len(header) < BLOCK:
                raise BadArchive("the archive ends inside an entry header")
            if not any(header):
                return  # the end-of-archive marker
            size = _size(header)
            padded = -(-size // BLOCK) * BLOCK
            kind = header[156:157]
            if kind in (_PAX, _GNU_LONG_NAME):
                if size > _MAX_HEADER_BYTES:
                    raise BadArchive("an extended header is too large")
                body = stream.read(padded)[:size]
                if len(body) < size:
                    raise BadArchive("the archive ends inside an extended header")
                long_name = _pax_path(body) if kind == _PAX else body.rstrip(b"\0").decode("utf-8", "surrogateescape")
                continue
            if kind == _PAX_GLOBAL:  # the archive's own metadata (the commit), no entry of its own
                if not stream.skip(padded):
                    raise BadArchive("the archive ends inside its global header")
                continue
            name, long_name = long_name or _ustar_name(header), None
            self._taken = False
            yield name.split("/", 1)[1] if "/" in name else "", kind, size
            if not self._taken and not stream.skip(padded):
                raise BadArchive("the archive ends inside an entry")


def _size(header: bytes) -> int:
    field = header[124:136]
    if field[0] & 0x80:  # base-256, for sizes octal cannot hold
        return int.from_bytes(field[1:], "big")
    digits = field.strip(b" \0")
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise BadArchive(f"an entry size is not a number: {digits!r}") from None


def _ustar_name(header: bytes) -> str:
    name = header[0:100].split(b"\0", 1)[0]
    if header[257:262] == b"ustar":
        prefix = header[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "surrogateescape")


def _pax_path(body: bytes) -> str | None:
    """The `path` record of a pax header ("<length> path=<value>\\n" records)."""
    position = 0
    while position < len(body):
        space = body.find(b" ", position)
        if space < 0:
            break
        try:
            length = int(body[position:space])
        except ValueError:
            raise BadArchive("a pax header record has no length") from None
        if length <= 0:
            raise BadArchive("a pax header record has a bad length")
        record = body[space + 1 : position + length - 1]  # without the newline
        key, _, value = record.partition(b"=")
        if key == b"path":
            return value.decode("utf-8", "surrogateescape")
        position += length
    return None
