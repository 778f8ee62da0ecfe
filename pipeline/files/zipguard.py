"""Checking an Office zip (.xlsx, .ods, .docx) before any reader expands it.

A 6 MB workbook can expand to gigabytes (a "zip bomb"), and the sizes an archive declares
may lie: some readers trust them, others decompress until the stream ends. So the
declared sizes are checked first, then every part is really expanded here, in bounded
steps, and refused as soon as it grows past the limits.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

from pipeline.common import limits

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_STEP = 1024 * 1024


class ArchiveProblem(Exception):
    """Why an archive is refused: `kind` is "too-big" or "corrupt"; `part` names the part."""

    def __init__(self, kind: str, part: str | None = None) -> None:
        super().__init__(f"{kind}: {part}")
        self.kind = kind
        self.part = part


def check_archive(data: bytes, archive: zipfile.ZipFile) -> None:
    """Raise ArchiveProblem unless every part of `archive` (the zip of `data`) expands within
    the limits of `pipeline.common.limits`, whatever sizes the archive declares."""
    infos = archive.infolist()
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise ArchiveProblem("too-big")
    declared = 0
    for info in infos:
        _check_sizes(info.filename, info.file_size, info.compress_size)
        declared += info.file_size
    if declared > limits.MAX_EXPANDED_BYTES:
        raise ArchiveProblem("too-big")
    expanded = 0
    for info in infos:
        expanded += _expanded_size(data, info)
        if expanded > limits.MAX_EXPANDED_BYTES:
            raise ArchiveProblem("too-big", info.filename)


def _check_sizes(name: str, size: int, compressed: int) -> None:
    if size > limits.MAX_PART_BYTES:
        raise ArchiveProblem("too-big", name)
    if size > limits.RATIO_CHECKED_ABOVE and size > limits.MAX_COMPRESSION_RATIO * max(
        compressed, 1
    ):
        raise ArchiveProblem("too-big", name)


def _expanded_size(data: bytes, info: zipfile.ZipInfo) -> int:
    """The real size of one part, decompressed from its raw bytes with a bounded output."""
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise ArchiveProblem("corrupt", info.filename)
    magic, *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if magic != _LOCAL_MAGIC:
        raise ArchiveProblem("corrupt", info.filename)
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[begin : begin + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # Office applications write only stored or deflated parts.
        raise ArchiveProblem("corrupt", info.filename)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        for offset in range(0, len(raw), _STEP):
            pending = bytes(raw[offset : offset + _STEP])
            while pending:
                size += len(inflater.decompress(pending, _STEP))
                pending = inflater.unconsumed_tail
                _check_sizes(info.filename, size, info.compress_size)
            if inflater.eof:
                break
        while not inflater.eof and (chunk := inflater.decompress(b"", _STEP)):
            size += len(chunk)
            _check_sizes(info.filename, size, info.compress_size)
    except zlib.error as exc:
        raise ArchiveProblem("corrupt", info.filename) from exc
    return size
