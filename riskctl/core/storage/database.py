"""The database backend: file content in ``storage_blobs`` / ``storage_blob_chunks``.

For several hosts over one PostgreSQL: a file is written in the same transaction
as the row that records it, so both land or neither does. Content is stored once
per SHA-256 (a second upload of the same bytes adds no blob) in 1 MiB chunks,
and read back one chunk per query on a short connection of its own: a download
holds neither the whole file in memory nor a transaction open while the client
reads. Works the same on SQLite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from sqlalchemy import Insert, insert, select

from riskctl.core import clock
from riskctl.core.db import db, is_postgres
from riskctl.core.storage.base import FileRef, StorageCorrupt, StorageMissing
from riskctl.core.storage.models import Blob, BlobChunk

CHUNK = 1024 * 1024


def _insert_blob_once(sha256: str, size: int) -> Insert:
    if is_postgres():
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (
        dialect_insert(Blob)
        .values(sha256=sha256, size=size, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(Blob.sha256)
    )


def rechunk(chunks: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    """The same bytes in pieces of ``size`` (the last one shorter)."""
    buffer = bytearray()
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            room = size - len(buffer)
            buffer += view[:room]
            view = view[room:]
            if len(buffer) == size:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


class DatabaseBackend:
    name = "database"

    def write(self, ref: FileRef, chunks: Iterable[bytes]) -> FileRef:
        """Add the blob in the session's transaction, unless that content is stored already.

        ``ref.size`` may be None (a file archived before its row kept a size); the
        SHA-256 must be known, since it is the blob's key.
        """
        if ref.sha256 is None:
            raise ValueError("the database backend stores content by its SHA-256")
        connection = db.session.connection()
        claimed = connection.execute(_insert_blob_once(ref.sha256, ref.size or 0)).first()
        if claimed is None:
            # Stored before, or by a transaction that committed while this one waited.
            return ref if ref.size is not None else ref.with_hash(ref.sha256, self.size(ref) or 0)
        digest, size = hashlib.sha256(), 0
        for seq, piece in enumerate(rechunk(chunks)):
            connection.execute(insert(BlobChunk).values(sha256=ref.sha256, seq=seq, data=piece))
            digest.update(piece)
            size += len(piece)
        if digest.hexdigest() != ref.sha256 or (ref.size is not None and size != ref.size):
            raise StorageCorrupt(f"写入的文件 {ref.name} 与预期的 SHA-256 不符，未保存")
        if ref.size is None:
            connection.execute(
                Blob.__table__.update().where(Blob.sha256 == ref.sha256).values(size=size)
            )
        return ref.with_hash(ref.sha256, size)

    def size(self, ref: FileRef) -> int | None:
        if ref.sha256 is None:
            return None
        with db.engine.connect() as connection:
            return connection.scalar(select(Blob.size).where(Blob.sha256 == ref.sha256))

    def chunks(self, ref: FileRef) -> Iterator[bytes]:
        if self.size(ref) is None:
            raise StorageMissing(f"文件 {ref.name} 不在数据库存储中，请联系系统管理员")
        seq = 0
        while True:
            with db.engine.connect() as connection:
                piece = connection.scalar(
                    select(BlobChunk.data).where(
                        BlobChunk.sha256 == ref.sha256, BlobChunk.seq == seq
                    )
                )
            if piece is None:
                return
            yield bytes(piece)
            seq += 1

    def landed(self, ref: FileRef) -> bool:
        return self.size(ref) is not None
