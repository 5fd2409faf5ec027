"""Framing: a 4-byte big-endian length, then that many bytes (UTF-8 JSON, or raw bytes a receiver decodes).

Used on every pipe between the sandbox's processes. Readers are bounded: a frame larger than the reader's limit is
never buffered, it marks the stream as overflowed.
"""

import json
import os
import select
import socket
import struct


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


# -- descriptors over a Unix socket ------------------------------------------------------------------------------

_FDS_MARK = b"L"


def send_fds(sock_fd, fds):
    """Hand ``fds`` to the process at the other end of the Unix socket ``sock_fd`` (one marker byte carries them)."""
    sock = socket.socket(fileno=sock_fd)
    try:
        sock.sendmsg([_FDS_MARK], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))])
    finally:
        sock.detach()


def receive_fds(sock_fd, count):
    """The ``count`` descriptors :func:`send_fds` handed over ``sock_fd``; EOFError when they did not come."""
    sock = socket.socket(fileno=sock_fd)
    try:
        data, ancdata, _flags, _addr = sock.recvmsg(1, socket.CMSG_SPACE(count * 4))
    finally:
        sock.detach()
    fds = []
    for level, kind, cdata in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            n = len(cdata) // 4
            fds.extend(struct.unpack(f"{n}i", cdata[: n * 4]))
    if data != _FDS_MARK or len(fds) != count:
        for fd in fds:
            os.close(fd)
        raise EOFError("the descriptors were not handed over")
    return fds


class Channel:
    """Frames read from several descriptors as they arrive: ``next_frame`` waits for the first complete frame of
    any of them and returns it with the descriptor it came from. Each descriptor has its own bounded
    :class:`FrameReader`; a frame over its limit, or the descriptor's end, is reported as ``(fd, None)``."""

    def __init__(self):
        self.readers = {}
        self.queued = {}  # fd -> complete frames read and not yet taken
        self.poller = select.poll()

    def add(self, fd, limit):
        self.readers[fd] = FrameReader(limit)
        self.queued[fd] = []
        self.poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def remove(self, fd):
        if self.readers.pop(fd, None) is not None:
            del self.queued[fd]
            self.poller.unregister(fd)

    def pending(self, fd):
        """Frames of ``fd`` already read and not yet taken (or bytes of an unfinished one, or an overflow)."""
        reader = self.readers.get(fd)
        return bool(reader and (self.queued[fd] or reader.buf or reader.overflow))

    def _read(self, fd):
        """Read once from ``fd`` into its queue; False at its end."""
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if not data:
            return False
        self.queued[fd].extend(self.readers[fd].feed(data))
        return True

    def drain(self, fd):
        """Read what ``fd`` holds right now, without waiting (see :meth:`pending`)."""
        if fd not in self.readers:
            return
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not self.readers[fd].overflow and poller.poll(0) and self._read(fd):
            pass

    def next_frame(self):
        """``(fd, frame bytes)``, or ``(fd, None)`` at a descriptor's end or overflow."""
        while True:
            for fd, reader in self.readers.items():
                if self.queued[fd]:
                    return fd, self.queued[fd].pop(0)
                if reader.overflow:
                    return fd, None
            try:
                events = self.poller.poll()
            except InterruptedError:
                continue
            for fd, _ev in events:
                if fd in self.readers and not self._read(fd):
                    return fd, None
