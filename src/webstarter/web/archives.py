"""A rendered project as a zip or a gzipped tar: one folder named like the project, each file
with its bytes and permission bits, dated when the render happened (so the same render always
packs to the same bytes)."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import time
import zipfile
from functools import lru_cache

from webstarter.web.renders import Rendered

FORMATS = {
    "zip": ("application/zip", ".zip"),
    "tar.gz": ("application/gzip", ".tar.gz"),
}


def zip_bytes(rendered: Rendered) -> bytes:
    """The project as a zip, its entries under `<folder>/`."""
    stamp = time.localtime(rendered.created)[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as pack:
        folder = zipfile.ZipInfo(f"{rendered.folder}/", date_time=stamp)
        folder.external_attr = (stat.S_IFDIR | 0o755) << 16
        pack.writestr(folder, b"")
        for item in rendered.files:
            info = zipfile.ZipInfo(f"{rendered.folder}/{item.path}", date_time=stamp)
            info.external_attr = (stat.S_IFREG | item.mode) << 16
            info.create_system = 3  # unix, so unzip restores the permission bits
            info.compress_type = zipfile.ZIP_DEFLATED
            pack.writestr(info, item.data)
    return buffer.getvalue()


def tar_gz_bytes(rendered: Rendered) -> bytes:
    """The project as a gzipped tar, its entries under `<folder>/`."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as pack:
        folder = tarfile.TarInfo(rendered.folder)
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, int(rendered.created)
        pack.addfile(folder)
        for item in rendered.files:
            info = tarfile.TarInfo(f"{rendered.folder}/{item.path}")
            info.size, info.mode, info.mtime = len(item.data), item.mode, int(rendered.created)
            pack.addfile(info, io.BytesIO(item.data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=int(rendered.created))


@lru_cache(maxsize=32)
def _packed(rendered: Rendered, kind: str) -> bytes:
    return zip_bytes(rendered) if kind == "zip" else tar_gz_bytes(rendered)


def archive(rendered: Rendered, kind: str) -> bytes:
    """The archive of `kind` (a key of FORMATS), packed once per render."""
    if kind not in FORMATS:
        raise ValueError(f"unknown archive format {kind!r}")
    return _packed(rendered, kind)
