"""Work done in forked child processes, each answering through a pipe.

A forked child starts with everything the parent has loaded and computed, so it needs no
start-up and no arguments passed; it leaves with `os._exit`, running none of the parent's
clean-up. Where there is no fork (Windows), callers do the work in their own process.
A leaf module (like fileio): the search index's build and scan fork through it, and so does
the plan of a bulk edit (store/bulk.py), which may not import search.
"""
from __future__ import annotations

import os
import struct

TYPE_CHECKING = False  # as typing's, without importing typing
if TYPE_CHECKING:  # imported by `scan` first thing in the `contacts` program: only cheap imports at run time
    from collections.abc import Callable, Sequence
    from typing import BinaryIO

    Advance = Callable[[int], None]

_FRAME = struct.Struct("<cQ")  # kind, then a number: items done, or the length of what follows
_DONE, _RESULT, _FAILED = b"+", b"=", b"!"


def can_fork() -> bool:
    return hasattr(os, "fork")


class ForkedJobFailed(Exception):
    """A job in a child process raised an exception or died; the message says which and why."""


class Child:
    """``work(out)`` run in a forked child, which writes what it has to say to ``out``, a pipe."""

    def __init__(self, work: Callable[[BinaryIO], None]) -> None:
        read_end, write_end = os.pipe()
        _widen(write_end)
        pid = os.fork()
        if pid == 0:  # the child: work, and leave without running any of the parent's clean-up
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    work(out)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid = pid
        self._pipe: BinaryIO | None = os.fdopen(read_end, "rb")

    def fileno(self) -> int:
        return self._pipe.fileno() if self._pipe else -1

    def read(self, size: int) -> bytes:
        return self._pipe.read(size) if self._pipe else b""

    def read1(self) -> bytes:
        """What the child has sent that is not read yet (at least a byte; nothing once it is done)."""
        return os.read(self.fileno(), 1 << 16) if self._pipe else b""

    def rest(self) -> bytes:
        return self._pipe.read() if self._pipe else b""

    def close(self) -> int:
        """Stop listening and wait for the child (a child still writing stops at once); its exit status."""
        if self._pipe is None:
            return -1
        self._pipe.close()
        self._pipe = None
        return os.waitpid(self._pid, 0)[1]


PIPE_SIZE = 1 << 20  # bytes; Linux's largest for a process without privileges (/proc/sys/fs/pipe-max-size)


def _widen(pipe: int) -> None:
    """Let ``pipe`` hold PIPE_SIZE bytes, where the system allows it (Linux), instead of 64 KiB.

    A scan of 100,000 files sends the parent 5 MB of stats; through the usual 64 KiB the two
    processes took turns some eighty times, and the stats reached the parent 10-20 ms later.
    """
    try:
        import fcntl  # not on Windows, which has no fork either

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):  # AttributeError: not Linux; OSError: a lower limit
        pass


def run_all(jobs: Sequence[Callable[[Advance], object]], progress: Advance | None = None) -> list[object]:
    """Run every job at once, each in a forked child; their results (pickled back), in order.

    A job is given ``advance(n)`` to say it has done ``n`` more items; ``progress`` is called
    in this process with the total of all jobs so far. If any job fails, the others are
    still waited for, and ForkedJobFailed is raised.
    """
    import selectors

    children = [Child(_work(job)) for job in jobs]
    readers = [_Frames() for _ in children]
    done = 0
    with selectors.DefaultSelector() as selector:
        for number, child in enumerate(children):
            selector.register(child.fileno(), selectors.EVENT_READ, number)
        while selector.get_map():
            for key, _ in selector.select():
                data = children[key.data].read1()
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                advanced = readers[key.data].feed(data)
                if advanced and progress is not None:
                    done += advanced
                    progress(done)
    statuses = [child.close() for child in children]
    failures = [reader.failure or f"a worker process ended with status {status}"
                for reader, status in zip(readers, statuses) if not reader.answered]
    if failures:
        raise ForkedJobFailed(failures[0])
    return [reader.result for reader in readers]


def _work(job: Callable[[Advance], object]) -> Callable[[BinaryIO], None]:
    """What a child runs for ``job``: the job, its result written to the child's pipe."""
    return lambda out: _run_job(job, out)


def _run_job(job: Callable[[Advance], object], out: BinaryIO) -> None:
    import pickle

    def advance(count: int) -> None:
        out.write(_FRAME.pack(_DONE, count))
        out.flush()

    try:
        data, kind = pickle.dumps(job(advance), pickle.HIGHEST_PROTOCOL), _RESULT
    except BaseException as exc:  # noqa: BLE001 - whatever it was, the parent must hear of it
        data, kind = f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"), _FAILED
    out.write(_FRAME.pack(kind, len(data)))
    out.write(data)


class _Frames:
    """What one child has said so far, read from its stream of frames.

    The stream is gathered in a bytearray, which grows in place: gathered in bytes, each read
    copied all that came before it, and a result of megabytes (a bulk edit's 10,000 edited
    files, 13 MB) was copied some two hundred times over (0.15 s).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.answered = False
        self.result: object = None
        self.failure = ""

    def feed(self, data: bytes) -> int:
        """Take in more of the stream; how many more items the child says it has done."""
        import pickle

        self._buffer += data
        advanced = 0
        while len(self._buffer) >= _FRAME.size:
            kind, number = _FRAME.unpack_from(self._buffer)
            if kind == _DONE:
                advanced += number
                del self._buffer[:_FRAME.size]
                continue
            end = _FRAME.size + number
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_FRAME.size:end])
            del self._buffer[:end]
            if kind == _RESULT:
                self.result, self.answered = pickle.loads(body), True
            else:
                self.failure = body.decode("utf-8", "replace")
        return advanced
