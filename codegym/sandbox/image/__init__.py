"""Building the sandbox image the Docker backend runs programs in.

Two ways to build the same image (Debian bookworm, ``python3``, nothing else; see the ``Dockerfile`` here):

* ``dockerfile``: ``docker build`` of :data:`DOCKERFILE_DIR`; needs a registry to pull ``debian:bookworm-slim``.
* ``rootfs``: a root filesystem made with Debian's ``debootstrap`` (variant ``minbase`` plus ``python3``) from the
  Debian package mirror that apt is configured with, imported as an image through the Docker API
  (``POST /images/create?fromSrc=-``, what ``docker import``/``podman import`` do). Needs root and ``debootstrap``
  but no container registry, so it works on machines that only reach a Debian mirror.

``method="auto"`` uses ``dockerfile`` when the base image is present or its registry answers, else ``rootfs``.
Both set the same label, environment, working directory and command (:data:`IMAGE_CONFIG`), so the executor
cannot tell them apart. The debootstrap tarball is cached (``$CODEGYM_CACHE_DIR`` or ``/var/cache/codegym``) so a
rebuild takes seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegym.errors import BackendUnavailableError, SandboxConfigError, SandboxError

if TYPE_CHECKING:
    from docker import DockerClient

__all__ = ["DEFAULT_IMAGE", "DOCKERFILE_DIR", "IMAGE_LABEL", "IMAGE_CONFIG", "BUILD_METHODS", "build_image",
           "build_from_dockerfile", "build_from_rootfs", "debian_mirror", "image_changes", "image_status"]

#: The tag the Docker backend uses unless told otherwise.
DEFAULT_IMAGE = "codegym-sandbox:latest"
#: The directory holding the Dockerfile (the build context: the image needs nothing else).
DOCKERFILE_DIR = Path(__file__).resolve().parent
#: Label every codegym sandbox image carries; its value is the image layout version.
IMAGE_LABEL = "org.codegym.sandbox"
IMAGE_LAYOUT_VERSION = "1"

#: PID 1 of every sandbox container: reaps orphans (untrusted programs may leave zombies that would otherwise count
#: against the pids limit) and sleeps. Python rather than ``tini``/``catatonit`` so the image needs only python3.
REAPER_SOURCE = "import os, time\nwhile True:\n    try:\n        os.wait()\n    except ChildProcessError:\n        time.sleep(1)"

#: Image configuration shared by both build methods (mirrored in the Dockerfile; a test keeps them in step).
IMAGE_CONFIG: dict[str, Any] = {
    "labels": {IMAGE_LABEL: IMAGE_LAYOUT_VERSION},
    "env": {"LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
    "workdir": "/tmp",
    "cmd": ["python3", "-I", "-c", REAPER_SOURCE],
}

BUILD_METHODS = ("auto", "dockerfile", "rootfs")
DEFAULT_BASE_IMAGE = "debian:bookworm-slim"
DEFAULT_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
#: Paths dropped from the debootstrap tree: package caches and documentation the sandbox never reads (~130 MB).
ROOTFS_PRUNE = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                "usr/share/locale", "usr/share/info")

Log = Callable[[str], None]


def _print(msg: str) -> None:
    print(msg, flush=True)


def image_changes() -> list[str]:
    """:data:`IMAGE_CONFIG` as Dockerfile instructions, for ``import`` (which takes no Dockerfile)."""
    changes = [f"LABEL {k}={json.dumps(v)}" for k, v in IMAGE_CONFIG["labels"].items()]
    changes += [f"ENV {k}={v}" for k, v in IMAGE_CONFIG["env"].items()]
    changes.append(f"WORKDIR {IMAGE_CONFIG['workdir']}")
    changes.append("CMD " + json.dumps(IMAGE_CONFIG["cmd"]))
    return changes


def image_status(client: DockerClient, tag: str = DEFAULT_IMAGE) -> dict[str, Any] | None:
    """``{"id", "labels", "python"}`` of the image, or None when the engine does not have it."""
    import docker.errors

    try:
        img = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    return {"id": img.id, "tags": img.tags, "labels": img.labels or {},
            "created": img.attrs.get("Created"), "size_mb": round((img.attrs.get("Size") or 0) / 1e6, 1)}


# ----------------------------------------------------------------------------------------------------------------
# Dockerfile build
# ----------------------------------------------------------------------------------------------------------------

def _registry_host(image: str) -> str:
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return first.split(":")[0]
    return "registry-1.docker.io"


def registry_reachable(image: str = DEFAULT_BASE_IMAGE, timeout_s: float = 3.0) -> bool:
    """Whether the registry serving ``image`` accepts a TCP connection on port 443."""
    try:
        with socket.create_connection((_registry_host(image), 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def build_from_dockerfile(client: DockerClient, tag: str = DEFAULT_IMAGE, base_image: str = DEFAULT_BASE_IMAGE,
                          log: Log = _print) -> str:
    """``docker build`` the bundled Dockerfile; streams the build log. Returns the image id."""
    import docker.errors

    log(f"building {tag} from {DOCKERFILE_DIR / 'Dockerfile'} (base {base_image})")
    image_id = None
    try:
        for chunk in client.api.build(path=str(DOCKERFILE_DIR), tag=tag, rm=True, forcerm=True, decode=True,
                                      buildargs={"BASE_IMAGE": base_image}, pull=False):
            if "error" in chunk:
                raise SandboxError(f"docker build failed: {chunk['error'].strip()}")
            line = (chunk.get("stream") or chunk.get("status") or "").rstrip()
            if line:
                log("  " + line)
            aux = chunk.get("aux") or {}
            if isinstance(aux, dict) and aux.get("ID"):
                image_id = aux["ID"]
    except docker.errors.APIError as exc:
        raise SandboxError(f"docker build failed: {exc.explanation or exc}") from exc
    return image_id or client.images.get(tag).id


# ----------------------------------------------------------------------------------------------------------------
# debootstrap build
# ----------------------------------------------------------------------------------------------------------------

def _apt_source_files() -> Iterable[Path]:
    yield Path("/etc/apt/sources.list")
    d = Path("/etc/apt/sources.list.d")
    if d.is_dir():
        yield from sorted(p for p in d.iterdir() if p.suffix in (".list", ".sources"))


def debian_mirror(suite: str = DEFAULT_SUITE) -> str:
    """The Debian archive apt on this machine uses for ``suite`` (debootstrap needs the same reachable mirror).

    Reads one-line (``deb URL SUITE ...``) and deb822 (``URIs:``/``Suites:``) sources; skips security archives.
    Falls back to ``http://deb.debian.org/debian``.
    """
    for path in _apt_source_files():
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                suites = fields.get("suites", "").split()
                for uri in fields.get("uris", "").split():
                    if suite in suites and "security" not in uri:
                        return uri.rstrip("/")
        else:
            for line in text.splitlines():
                parts = line.split("#", 1)[0].split()
                if len(parts) >= 3 and parts[0] == "deb":
                    rest = [p for p in parts[1:] if not p.startswith("[")]
                    if len(rest) >= 2 and rest[1] == suite and "security" not in rest[0]:
                        return rest[0].rstrip("/")
    return DEFAULT_MIRROR


def default_cache_dir() -> Path:
    return Path(os.environ.get("CODEGYM_CACHE_DIR") or "/var/cache/codegym")


def _run_logged(cmd: list[str], log: Log, prefix: str = "  ") -> None:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-20:]
        # debootstrap prints one "I: ..." line per step; that is the progress worth showing.
        if line.startswith(("I:", "E:", "W:")):
            log(prefix + line)
    if proc.wait() != 0:
        raise SandboxError(f"{cmd[0]} failed (exit {proc.returncode}); last output:\n" + "\n".join(tail))


def make_rootfs_tarball(suite: str = DEFAULT_SUITE, mirror: str | None = None, cache_dir: Path | None = None,
                        rebuild: bool = False, log: Log = _print) -> Path:
    """A tarball of a ``debootstrap --variant=minbase --include=python3`` tree, cached; returns its path."""
    cache = cache_dir or default_cache_dir()
    tarball = cache / f"{suite}-minbase-python3.tar"
    if tarball.exists() and not rebuild:
        log(f"using cached root filesystem {tarball} ({tarball.stat().st_size / 1e6:.0f} MB)")
        return tarball
    if os.geteuid() != 0:
        raise BackendUnavailableError("building the image from a root filesystem needs root (debootstrap creates "
                                      "device nodes and chroots); run `sudo codegym sandbox build-image` or use "
                                      "--method dockerfile where a registry is reachable")
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise BackendUnavailableError("debootstrap is not installed; install it (`apt-get install debootstrap`) or "
                                      "use --method dockerfile where a registry is reachable")
    mirror = mirror or debian_mirror(suite)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfs-", dir=cache) as tmp:
        root = Path(tmp) / "root"
        log(f"debootstrap {suite} (minbase + python3) from {mirror}; this takes about a minute")
        t0 = time.monotonic()
        _run_logged([debootstrap, "--variant=minbase", "--include=python3", suite, str(root), mirror], log)
        log(f"debootstrap finished in {time.monotonic() - t0:.0f} s; pruning caches and documentation")
        for rel in ROOTFS_PRUNE:
            p = root / rel
            if p.is_dir():
                for child in p.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)
        (root / "tmp").chmod(0o1777)
        partial = tarball.with_suffix(".tar.partial")
        _run_logged(["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(partial), "."], log)
        partial.replace(tarball)
    log(f"root filesystem cached at {tarball} ({tarball.stat().st_size / 1e6:.0f} MB)")
    return tarball


def build_from_rootfs(client: DockerClient, tag: str = DEFAULT_IMAGE, suite: str = DEFAULT_SUITE, mirror: str | None = None,
                      cache_dir: Path | None = None, rebuild: bool = False, log: Log = _print) -> str:
    """Import a debootstrap root filesystem as ``tag`` through the Docker API. Returns the image id."""
    import docker.errors

    tarball = make_rootfs_tarball(suite=suite, mirror=mirror, cache_dir=cache_dir, rebuild=rebuild, log=log)
    repository, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    # Import under a throw-away name, then tag: podman's import ignores the tag parameter and would move
    # ``repository:latest`` instead.
    staging = f"codegym-import-{uuid.uuid4().hex[:12]}"
    log(f"importing {tarball.name} as {tag}")
    try:
        reply = client.api.import_image_from_file(str(tarball), repository=staging, changes=image_changes())
        text = reply if isinstance(reply, str) else json.dumps(reply)
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("error"):
                raise SandboxError(f"image import failed: {record['error']}")
        image = client.images.get(staging)
        image.tag(repository, version)
        client.images.remove(staging)
    except docker.errors.APIError as exc:
        raise SandboxError(f"image import failed: {exc.explanation or exc}") from exc
    return client.images.get(tag).id


# ----------------------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------------------

def build_image(client: DockerClient, tag: str = DEFAULT_IMAGE, method: str = "auto", base_image: str = DEFAULT_BASE_IMAGE,
                suite: str = DEFAULT_SUITE, mirror: str | None = None, cache_dir: Path | None = None,
                rebuild: bool = False, log: Log = _print) -> tuple[str, str]:
    """Build the sandbox image with ``method`` (``auto``, ``dockerfile`` or ``rootfs``); returns (method, id)."""
    if method not in BUILD_METHODS:
        raise SandboxConfigError(f"unknown build method {method!r}; use one of {', '.join(BUILD_METHODS)}")
    auto = method == "auto"
    if auto:
        if image_status(client, base_image) is not None:
            method = "dockerfile"
            log(f"base image {base_image} is present: building from the Dockerfile")
        elif registry_reachable(base_image):
            method = "dockerfile"
            log(f"registry for {base_image} is reachable: building from the Dockerfile")
        else:
            method = "rootfs"
            log(f"no registry reachable for {base_image}: building from a debootstrap root filesystem")
    if method == "dockerfile":
        if not auto:
            return method, build_from_dockerfile(client, tag=tag, base_image=base_image, log=log)
        try:
            return method, build_from_dockerfile(client, tag=tag, base_image=base_image, log=log)
        except SandboxError as exc:  # e.g. the registry accepts connections but the pull fails
            log(f"Dockerfile build failed ({exc}); falling back to a debootstrap root filesystem")
            method = "rootfs"
    return method, build_from_rootfs(client, tag=tag, suite=suite, mirror=mirror, cache_dir=cache_dir,
                                     rebuild=rebuild, log=log)
