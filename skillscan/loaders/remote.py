"""Remote inputs, fetched with httpx and handed to the same safe in-memory archive loader as local
archives:

- ``https://…``                          an archive (zip, tar, tar.gz) by URL
- ``github:owner/repo[@ref][//subdir]``  the repository tarball from codeload
- ``clawhub:[owner/]slug[@version]``     ClawHub's download API (a zip)
- ``npm:pkg@version``                    registry metadata, then the package tarball (integrity checked)
- ``pypi:pkg==version``                  PyPI JSON metadata, then the sdist (sha256 checked)

Downloads are streamed with a size cap, connect/read timeouts and an overall deadline; the trust
store, proxies and redirects (at most five, each hop checked, no credentials to another host; plain
``http`` only for loopback addresses) are ``skillscan.loaders.transport``'s. Bodies are cached by sha256 so a re-scan of a pinned package does
not download it again. Base URLs come from the environment (``SKILLSCAN_GITHUB_URL``,
``SKILLSCAN_CLAWHUB_URL``, ``SKILLSCAN_NPM_REGISTRY``, ``SKILLSCAN_PYPI_URL``)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from skillscan.capabilities import urls as url_parts

PREFIXES = ("https://", "http://", "github:", "clawhub:", "npm:", "pypi:")
DEFAULTS = {
    "SKILLSCAN_GITHUB_URL": "https://codeload.github.com",
    "SKILLSCAN_CLAWHUB_URL": "https://clawhub.ai",
    "SKILLSCAN_NPM_REGISTRY": "https://registry.npmjs.org",
    "SKILLSCAN_PYPI_URL": "https://pypi.org",
}
GITHUB_RE = re.compile(r"^github:(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+)(?:@(?P<ref>[^/\s]+))?"
                       r"(?://(?P<subdir>[^\s]+))?$")
CLAWHUB_RE = re.compile(r"^clawhub:(?:(?P<owner>[A-Za-z0-9_.-]+)/)?(?P<slug>[A-Za-z0-9_.-]+)(?:@(?P<version>[^\s@]+))?$")
NPM_RE = re.compile(r"^npm:(?P<name>(?:@[a-z0-9_.-]+/)?[a-z0-9_.-]+)@(?P<version>[^\s@]+)$", re.IGNORECASE)
PYPI_RE = re.compile(r"^pypi:(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s=]+)$")


class RemoteError(Exception):
    pass


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 100 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0


def is_remote(arg: str) -> bool:
    return arg.startswith(PREFIXES)


def _base(name: str) -> str:
    return os.environ.get(name, DEFAULTS[name]).rstrip("/")


def cache_dir() -> Path | None:
    from skillscan.diskcache import cache_subdir, make_private_dir

    path = cache_subdir("downloads")
    if path is None:
        return None
    try:
        make_private_dir(path)
        return path
    except OSError:
        return None


def cached(sha256: str) -> bytes | None:
    directory = cache_dir()
    if directory is None or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    path = directory / sha256
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def store(data: bytes) -> None:
    directory = cache_dir()
    if directory is None:
        return
    digest = hashlib.sha256(data).hexdigest()
    try:
        fd, tmp = tempfile.mkstemp(dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, directory / digest)
    except OSError:
        pass


def fetch(url: str, limits: FetchLimits = FetchLimits(), *, accept: str = "*/*") -> bytes:
    """GET `url` with every bound applied; raises RemoteError with a clear message. Trust store,
    proxies and redirects (each hop checked) are skillscan.loaders.transport's."""
    import httpx

    from skillscan.loaders.transport import MAX_REDIRECTS, HopError, client, describe

    chosen = None

    started = time.monotonic()
    current = url
    try:
        http, chosen = client(url, connect_timeout=limits.connect_timeout, read_timeout=limits.read_timeout,
                              accept=accept)
        with http, http.stream("GET", url) as response:
            current = str(response.url)
            if response.status_code != 200:
                raise RemoteError(f"{current}: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise RemoteError(f"{current}: {declared} bytes is over the download cap of {limits.max_bytes}")
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_raw():
                total += len(chunk)
                if total > limits.max_bytes:
                    raise RemoteError(f"{current}: download exceeds the cap of {limits.max_bytes} bytes")
                if time.monotonic() - started > limits.deadline:
                    raise RemoteError(f"{current}: download took longer than {limits.deadline:.0f} s")
                chunks.append(chunk)
            return b"".join(chunks)
    except HopError as exc:
        raise RemoteError(str(exc)) from None
    except httpx.TooManyRedirects:
        raise RemoteError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise RemoteError(f"{current}: timed out") from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise RemoteError(f"{current}: connection broken or response truncated ({exc})") from None
    except httpx.HTTPError as exc:
        raise RemoteError(f"{current}: {describe(exc, chosen) if chosen else exc}") from None


def fetch_json(url: str, limits: FetchLimits) -> dict[str, object]:
    import json

    data = fetch(url, FetchLimits(max_bytes=min(limits.max_bytes, 16 * 1024 * 1024),
                                  connect_timeout=limits.connect_timeout, read_timeout=limits.read_timeout,
                                  deadline=limits.deadline), accept="application/json")
    try:
        doc = json.loads(data)
    except ValueError:
        raise RemoteError(f"{url}: the registry did not return JSON") from None
    if not isinstance(doc, dict):
        raise RemoteError(f"{url}: unexpected registry response")
    return doc


def sniff_suffix(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return ".zip"
    if data.startswith(b"\x1f\x8b"):
        return ".tar.gz"
    if len(data) > 262 and data[257:262] == b"ustar":
        return ".tar"
    raise RemoteError("the download is not a zip or tar archive")


@dataclass(frozen=True)
class Resolved:
    data: bytes
    name: str  # display name ending in the archive suffix
    subdir: str = ""


def _verified(data: bytes, *, sha256: str | None = None, integrity: str | None = None, what: str) -> bytes:
    if sha256 and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise RemoteError(f"{what}: sha256 does not match the registry's digest")
    if integrity and "-" in integrity:
        algo, _, b64 = integrity.partition("-")
        if algo in ("sha512", "sha384", "sha256"):
            if base64.b64encode(hashlib.new(algo, data).digest()).decode() != b64:
                raise RemoteError(f"{what}: {algo} integrity does not match the registry's")
    return data


def resolve(arg: str, limits: FetchLimits = FetchLimits()) -> Resolved:
    if arg.startswith(("https://", "http://")):
        data = fetch(arg, limits)
        name = url_parts.file_name(arg) or "download"
        return Resolved(data, name if name.lower().endswith((".zip", ".tar", ".tgz", ".tar.gz", ".skill", ".mcpb",
                                                             ".difypkg", ".plugin")) else name + sniff_suffix(data))
    m = GITHUB_RE.match(arg)
    if arg.startswith("github:"):
        if not m:
            raise RemoteError(f"{arg}: expected github:owner/repo[@ref][//subdir]")
        ref = m.group("ref") or "HEAD"
        url = f"{_base('SKILLSCAN_GITHUB_URL')}/{m.group('owner')}/{m.group('repo')}/tar.gz/{quote(ref, safe='')}"
        return Resolved(fetch(url, limits), f"{m.group('repo')}-{ref}.tar.gz", m.group("subdir") or "")
    if arg.startswith("clawhub:"):
        m = CLAWHUB_RE.match(arg)
        if not m:
            raise RemoteError(f"{arg}: expected clawhub:[owner/]slug[@version]")
        query = {"slug": m.group("slug")}
        if m.group("owner"):
            query["ownerHandle"] = m.group("owner")
        if m.group("version"):
            query["version"] = m.group("version")
        url = f"{_base('SKILLSCAN_CLAWHUB_URL')}/api/v1/download?{urlencode(query)}"
        return Resolved(fetch(url, limits), f"{m.group('slug')}.zip")
    if arg.startswith("npm:"):
        m = NPM_RE.match(arg)
        if not m:
            raise RemoteError(f"{arg}: expected npm:package@version")
        name, version = m.group("name"), m.group("version")
        meta = fetch_json(f"{_base('SKILLSCAN_NPM_REGISTRY')}/{quote(name, safe='@')}/{quote(version, safe='')}",
                          limits)
        dist = meta.get("dist") if isinstance(meta.get("dist"), dict) else {}
        tarball = dist.get("tarball") if isinstance(dist, dict) else None
        if not isinstance(tarball, str):
            raise RemoteError(f"{arg}: the registry metadata has no dist.tarball")
        integrity = dist.get("integrity") if isinstance(dist.get("integrity"), str) else None
        data = _verified(fetch(tarball, limits), integrity=integrity, what=arg)
        return Resolved(data, f"{name.replace('/', '__')}-{version}.tgz")
    if arg.startswith("pypi:"):
        m = PYPI_RE.match(arg)
        if not m:
            raise RemoteError(f"{arg}: expected pypi:package==version")
        name, version = m.group("name"), m.group("version")
        meta = fetch_json(f"{_base('SKILLSCAN_PYPI_URL')}/pypi/{quote(name)}/{quote(version)}/json", limits)
        urls = meta.get("urls") if isinstance(meta.get("urls"), list) else []
        sdists = [u for u in urls if isinstance(u, dict) and u.get("packagetype") == "sdist"]
        if not sdists:
            raise RemoteError(f"{arg}: no source distribution on the registry")
        sdist = sdists[0]
        digests = sdist.get("digests") if isinstance(sdist.get("digests"), dict) else {}
        expected = digests.get("sha256") if isinstance(digests, dict) else None
        hit = cached(expected) if isinstance(expected, str) else None
        data = hit if hit is not None else _verified(fetch(str(sdist.get("url")), limits), sha256=expected, what=arg)
        filename = str(sdist.get("filename") or f"{name}-{version}.tar.gz")
        return Resolved(data, filename)
    raise RemoteError(f"{arg}: not a remote source")
