"""Framing: a 4-byte big-endian length, then that many bytes (UTF-8 JSON, or raw bytes a receiver decodes).

Used on every pipe between the sandbox's processes. Readers are bounded: a frame larger than the reader's limit is
never buffered, it marks the stream as overflowed.
"""

import json
import os
import struct


def frame_bytes(obj):
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(data)) + data


def write_frame(fd, obj):
    write_all(fd, frame_bytes(obj))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError("pipe closed")
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame(fd):
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    return json.loads(read_exact(fd, n).decode("utf-8", "surrogatepass"))



def frame_raw(data):
    """A frame around bytes that are already encoded."""
    return struct.pack(">I", len(data)) + data


def read_raw_frame(fd, limit):
    """One frame's bytes from a blocking fd; EOFError at end of stream, ValueError when over ``limit``."""
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    if n > limit:
        raise ValueError(f"frame of {n} bytes is over the limit of {limit}")
    return read_exact(fd, n)


class FrameReader:
    """Splits a byte stream arriving in pieces into frames (raw bytes); a frame over ``limit`` bytes is never
    buffered: the reader marks the stream as overflowed instead."""

    def __init__(self, limit):
        self.buf = bytearray()
        self.limit = limit
        self.overflow = False

    def feed(self, data):
        if self.overflow:
            return []
        self.buf += data
        out = []
        while len(self.buf) >= 4:
            (n,) = struct.unpack(">I", self.buf[:4])
            if n > self.limit:
                self.overflow = True
                self.buf.clear()
                return out
            if len(self.buf) < 4 + n:
                break
            out.append(bytes(self.buf[4:4 + n]))
            del self.buf[:4 + n]
        return out


def dump_json(obj):
    """Compact UTF-8 JSON of already plain data (surrogates kept, so any Python str survives)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def load_json(raw):
    """Parse one frame's JSON; any failure (bad UTF-8, bad JSON, nesting past the recursion limit, an integer past
    the int-to-str digit limit) is a ValueError."""
    try:
        return json.loads(raw.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError, UnicodeDecodeError, MemoryError) as exc:
        raise ValueError(f"malformed frame: {type(exc).__name__}: {str(exc)[:200]}") from None
