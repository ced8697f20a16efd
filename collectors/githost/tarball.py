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
_ZERO_BLOCK = bytes(BLOCK)
_ROUND_UP, _WHOLE_BLOCKS = BLOCK - 1, ~(BLOCK - 1)  # a size in whole blocks: (size + _ROUND_UP) & _WHOLE_BLOCKS


class BadArchive(ValueError):
    """The bytes are not a gzipped tar archive that can be read to its end."""


class _Inflater:
    """Reads a gzip stream's decompressed bytes in order, a bounded amount at a time. The bytes
    inflated and not read yet are kept whole, with the offset of the first: reading an entry's
    header is one slice, not a copy and a deletion at the front of a growing buffer."""

    def __init__(self, data: bytes) -> None:
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._input = data
        self._buffer = b""
        self._at = 0  # where the unread bytes of the buffer start

    def read(self, size: int) -> bytes:
        """Exactly `size` bytes, or fewer at the end of the stream."""
        at = self._at
        end = at + size
        if end <= len(self._buffer):
            self._at = end
            return self._buffer[at:end]
        parts = [self._buffer[at:]]
        have = len(parts[0])
        while have < size and (more := self._inflated(max(size - have, _CHUNK))):
            parts.append(more)
            have += len(more)
        self._buffer = b"".join(parts)
        self._at = min(size, have)
        return self._buffer[:size]

    def skip(self, size: int) -> bool:
        """Drop `size` bytes; False when the stream ended first."""
        size -= len(self._buffer) - self._at
        if size <= 0:
            self._at = len(self._buffer) + size
            return True
        self._buffer, self._at = b"", 0
        while size > 0:
            more = self._inflated(min(size, _CHUNK))
            if not more:
                return False
            size -= len(more)
        if size < 0:  # inflated past the skipped bytes: keep the rest
            self._buffer, self._at = more, len(more) + size
        return True

    def _inflated(self, wanted: int) -> bytes:
        """At most `wanted` more bytes (at least one unless the stream has ended)."""
        try:
            while self._input:
                out = self._inflate.decompress(self._input, wanted)
                self._input = self._inflate.unconsumed_tail
                if out:
                    return out
            return self._inflate.flush()
        except zlib.error as exc:
            raise BadArchive(f"corrupt gzip data: {exc}") from None


def extract(data: bytes, paths: set[str], max_file_bytes: int) -> dict[str, bytes]:
    """The wanted `paths` (relative to the archive's one top folder) that are regular files of at
    most `max_file_bytes`, with their bytes. Raise BadArchive when the archive cannot be read."""
    found: dict[str, bytes] = {}
    left = set(paths)
    if not left:
        return found
    entries = _Entries(data, _REGULAR)
    for path, _kind, size in entries:
        if path in left and size <= max_file_bytes:
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
        for path, kind, size in _Entries(data, (*_REGULAR, _SYMLINK))
        if path
    ]


class _Entries:
    """The entries of a gzipped tar archive of the given types, in order, as (path, type flag,
    size); other entries (folders, mostly) are skipped without reading their names. An entry's
    bytes are skipped unless `take` reads them before the next one is asked for."""

    def __init__(self, data: bytes, kinds: tuple[bytes, ...]) -> None:
        self._stream = _Inflater(data)
        self._kinds = frozenset(kinds)
        self._taken = False

    def take(self, path: str, size: int) -> bytes:
        content = self._stream.read(_padded(size))[:size]
        if len(content) < size:
            raise BadArchive(f"the archive ends inside {path}")
        self._taken = True
        return content

    def __iter__(self) -> Iterator[tuple[str, bytes, int]]:
        read, skip, kinds = self._stream.read, self._stream.skip, self._kinds
        long_name: str | None = None  # from a pax or GNU header, for the entry that follows
        while True:
            header = read(BLOCK)
            if len(header) < BLOCK:
                raise BadArchive("the archive ends inside an entry header")
            if header == _ZERO_BLOCK:
                return  # the end-of-archive marker
            size = _size(header)
            padded = (size + _ROUND_UP) & _WHOLE_BLOCKS
            kind = header[156:157]
            if kind in kinds:
                name, long_name = long_name or _ustar_name(header), None
                self._taken = False
                _, slash, path = name.partition("/")
                yield path if slash else "", kind, size
                if not self._taken and not skip(padded):
                    raise BadArchive("the archive ends inside an entry")
            elif kind == _PAX or kind == _GNU_LONG_NAME:
                if size > _MAX_HEADER_BYTES:
                    raise BadArchive("an extended header is too large")
                body = read(padded)[:size]
                if len(body) < size:
                    raise BadArchive("the archive ends inside an extended header")
                long_name = _pax_path(body) if kind == _PAX else body.rstrip(b"\0").decode("utf-8", "surrogateescape")
            elif kind == _PAX_GLOBAL:  # the archive's own metadata (the commit), no entry of its own
                if not skip(padded):
                    raise BadArchive("the archive ends inside its global header")
            else:  # an entry of no wanted type: its long name, if any, was its own
                long_name = None
                if not skip(padded):
                    raise BadArchive("the archive ends inside an entry")


def _padded(size: int) -> int:
    """An entry's size in whole blocks."""
    return (size + _ROUND_UP) & _WHOLE_BLOCKS


def _size(header: bytes) -> int:
    if header[124] & 0x80:  # base-256, for sizes octal cannot hold
        return int.from_bytes(header[125:136], "big")
    digits = header[124:136].strip(b" \0")
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise BadArchive(f"an entry size is not a number: {digits!r}") from None


def _ustar_name(header: bytes) -> str:
    end = header.find(b"\0", 0, 100)
    name = header[: end if end >= 0 else 100]
    if header[257:262] == b"ustar" and header[345]:
        end = header.find(b"\0", 345, 500)
        name = header[345 : end if end >= 0 else 500] + b"/" + name
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
