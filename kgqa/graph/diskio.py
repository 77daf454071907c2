"""Write files atomically and lock them across processes, for the store and the derived-data cache.

Locks are ``fcntl.flock`` locks, so they are advisory, Linux and macOS only,
and released by the kernel when the process dies. They hold between
processes and also between two open file handles in one process.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path

__all__ = ["FileLock", "fsync_directory", "temporary_sibling", "write_atomically"]


def temporary_sibling(path: Path) -> Path:
    """Return an unused name next to ``path`` for a file that will be renamed onto it.

    The name starts with ``.`` and ends with ``.tmp`` so start-up cleanup can
    recognise leftovers from a crash.
    """
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def fsync_directory(path: Path) -> None:
    """Flush a directory entry to disk, so a rename or a new file inside it survives a crash."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see either the old or the new content, never a mix.

    The data goes to a temporary file in the same folder, is fsynced, and is
    renamed over ``path`` with ``os.replace``. Then the folder is fsynced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)

    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

    fsync_directory(path.parent)


class FileLock:
    """An advisory lock on one file: shared for readers, exclusive for writers.

    The lock file is created when missing. Use it as a context manager, or
    call ``acquire`` and ``release``.
    """

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.path = path
        self.shared = shared
        self._descriptor: int | None = None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock and return True; with ``blocking=False``, return False if it is taken."""
        if self._descriptor is not None:
            return True

        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        operation = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        if not blocking:
            operation |= fcntl.LOCK_NB

        try:
            fcntl.flock(descriptor, operation)
        except BlockingIOError:
            os.close(descriptor)
            return False
        except BaseException:
            os.close(descriptor)
            raise

        self._descriptor = descriptor
        return True

    def release(self) -> None:
        """Release the lock by closing its descriptor."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._descriptor is not None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()
