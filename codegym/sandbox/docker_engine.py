"""Finding a Docker-API engine (Docker, or podman's API service) and cleaning up containers whose owner is gone.

The Docker backend (``codegym.sandbox.docker``) connects through :func:`connect_engine`; test suites and tools ask
:func:`unavailable_reason` to skip the backend with a clear reason; ``codegym sandbox prune`` and every new executor
call :func:`prune_containers`.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from codegym.errors import BackendUnavailableError
from codegym.sandbox.image import DEFAULT_IMAGE, image_status

if TYPE_CHECKING:
    from docker import DockerClient

__all__ = ["CONTAINER_LABEL", "OWNER_LABEL", "WELL_KNOWN_SOCKETS", "candidate_engine_urls", "connect_engine",
           "prune_containers", "unavailable_reason"]

#: Every container the Docker backend starts carries these labels (value of OWNER_LABEL:
#: "<hostname>:<pid>:<executor>").
CONTAINER_LABEL = "org.codegym.sandbox.container"
OWNER_LABEL = "org.codegym.sandbox.owner"

#: Well-known sockets of Docker-API engines, probed in order when no address is given.
WELL_KNOWN_SOCKETS = ("/var/run/docker.sock", "/run/podman/podman.sock", "/run/codegym/podman.sock")


def candidate_engine_urls() -> list[str]:
    """Engine addresses to try: ``$CODEGYM_DOCKER_HOST``, ``$DOCKER_HOST``, then well-known sockets."""
    urls: list[str] = []
    for var in ("CODEGYM_DOCKER_HOST", "DOCKER_HOST"):
        if os.environ.get(var):
            urls.append(os.environ[var])
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    sockets = list(WELL_KNOWN_SOCKETS) + ([f"{runtime}/podman/podman.sock", f"{runtime}/docker.sock"]
                                          if runtime else [])
    urls += [f"unix://{s}" for s in sockets if os.path.exists(s)]
    return list(dict.fromkeys(urls))


def connect_engine(base_url: str | None = None, timeout_s: float = 120.0) -> DockerClient:
    """A ``docker.DockerClient`` for the first engine that answers a ping (Docker or ``podman system service``).

    Raises:
        BackendUnavailableError: the ``docker`` package is missing or no engine answers.
    """
    try:
        import docker
    except ImportError as exc:
        raise BackendUnavailableError("the Docker backend needs the docker SDK: pip install 'codegym[docker]'") \
            from exc
    urls = [base_url] if base_url else candidate_engine_urls()
    errors = []
    for url in urls:
        try:
            client = docker.DockerClient(base_url=url, timeout=int(timeout_s))
            client.ping()
            client.codegym_url = url  # the address that answered, for messages and `codegym sandbox status`
            return client
        except Exception as exc:  # noqa: BLE001 - any failure means "try the next address"
            errors.append(f"{url}: {type(exc).__name__}: {str(exc)[:200]}")
    tried = "; ".join(errors) if errors else "no DOCKER_HOST set and no engine socket found"
    raise BackendUnavailableError(
        "no Docker-API engine answered (" + tried + "). Start Docker, or serve the Docker API with podman: "
        "`podman system service --time=0 unix:///run/podman/podman.sock` (see docs/backends.md), and pass "
        "base_url= or set CODEGYM_DOCKER_HOST.")


def unavailable_reason(image: str = DEFAULT_IMAGE, base_url: str | None = None) -> str | None:
    """Why the Docker backend cannot run here (no SDK, no engine, or no sandbox image), or None when it can.

    For test suites and tools that skip the backend with a clear reason rather than fail.
    """
    try:
        client = connect_engine(base_url, timeout_s=15)
    except BackendUnavailableError as exc:
        return str(exc)
    try:
        if image_status(client, image) is None:
            return (f"the engine at {client.codegym_url} has no image {image!r}; build it with "
                    "`codegym sandbox build-image` (CI: .ci/setup_container_engine.sh)")
    finally:
        client.close()
    return None


def _owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's container: not ours to judge
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_containers(client: DockerClient, all_owners: bool = False) -> int:
    """Remove sandbox containers whose owning process on this host is gone (all of them with ``all_owners``)."""
    removed = 0
    for c in client.containers.list(all=True, filters={"label": CONTAINER_LABEL}):
        owner = (c.labels or {}).get(OWNER_LABEL, "")
        if all_owners or not _owner_alive(owner):
            try:
                c.remove(force=True)
                removed += 1
            except Exception:  # noqa: BLE001 - already gone, or being removed by its owner
                pass
    return removed
