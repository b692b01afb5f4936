"""MCP Registry entries: `server.json` (`packages[]` launched by a runner such as npx/uvx/docker,
`remotes[]` URLs). The launch command is reconstructed as the client would run it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skillscan.capabilities.grammar import normalize_host
from skillscan.formats.common import (
    ManifestError,
    command_line,
    file_map,
    key_line,
    mapping,
    read_json,
    unreadable_manifest,
    value_line,
)
from skillscan.formats.declare import FieldNote, Fields, line_of, list_of
from skillscan.formats.emit import Suggestion, json_suggestion, needed_env, without_env
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface

SERVER_JSON = "server.json"
RUNNERS = {"npm": "npx", "pypi": "uvx", "oci": "docker", "nuget": "dnx", "cargo": "cargo", "mcpb": "mcpb"}


def is_server_json(f: PackageFile) -> bool:
    if f.text is None or f.truncated:
        return False
    try:
        data = read_json(f)
    except ManifestError:
        return False
    return isinstance(data, dict) and bool(data.get("name")) and (
        isinstance(data.get("packages"), list) or isinstance(data.get("remotes"), list)
        or "modelcontextprotocol" in str(data.get("$schema", "")))


def _args(items: Any) -> list[str]:
    out: list[str] = []
    for a in items if isinstance(items, list) else []:
        if not isinstance(a, dict):
            continue
        value = a.get("value", a.get("default", a.get("valueHint", "")))
        if a.get("type") == "named" and a.get("name"):
            out.append(str(a["name"]))
            if value not in ("", None):
                out.append(str(value))
        elif value not in ("", None):
            out.append(str(value))
    return out


def package_command(pkg: dict[str, Any]) -> str:
    reg = str(pkg.get("registryType") or pkg.get("registry_type") or "")
    runner = str(pkg.get("runtimeHint") or RUNNERS.get(reg, reg or "run"))
    ident = str(pkg.get("identifier") or pkg.get("name") or "")
    version = str(pkg.get("version") or "")
    if reg == "oci":
        ref = ident if (":" in ident.rsplit("/", 1)[-1] or "@" in ident or not version) else f"{ident}:{version}"
        argv = ["docker", "run", *(_args(pkg.get("runtimeArguments")) or ["-i", "--rm"]), ref]
    else:
        ref = f"{ident}@{version}" if version and reg == "npm" else (f"{ident}=={version}" if version and reg == "pypi"
                                                                       else ident)
        argv = [runner, *_args(pkg.get("runtimeArguments")), ref]
    argv += _args(pkg.get("packageArguments"))
    return command_line(argv)


def parse_server_json(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    f = file_map(files)[SERVER_JSON]
    try:
        manifest = mapping(read_json(f))
    except ManifestError as exc:
        return unreadable_manifest(root, "mcp-server", SERVER_JSON, exc)
    text = f.text
    surfaces: list[Surface] = []
    for pkg in manifest.get("packages") if isinstance(manifest.get("packages"), list) else []:
        if not isinstance(pkg, dict):
            continue
        transport = mapping(pkg.get("transport"))
        env = [str(e.get("name")) for e in pkg.get("environmentVariables") or [] if isinstance(e, dict)]
        extra = [("server", str(pkg.get("identifier") or "")), ("registryType", str(pkg.get("registryType") or "")),
                 ("transport", str(transport.get("type") or "stdio"))]
        if env:
            extra.append(("env", ",".join(env)))
        if pkg.get("fileSha256"):
            extra.append(("sha256", str(pkg["fileSha256"])))
        surfaces.append(Surface(kind="mcp-server", path=SERVER_JSON, command=package_command(pkg),
                                url=str(transport.get("url") or ""),
                                line=value_line(text, str(pkg.get("identifier") or "")), extra=tuple(extra)))
    for remote in manifest.get("remotes") if isinstance(manifest.get("remotes"), list) else []:
        if isinstance(remote, dict) and remote.get("url"):
            surfaces.append(Surface(kind="mcp-server", path=SERVER_JSON, url=str(remote["url"]),
                                    line=value_line(text, str(remote["url"])),
                                    extra=(("transport", str(remote.get("type") or "")),)))
    return Parsed(name=str(manifest.get("name") or root), format="mcp-server", version=str(manifest.get("version") or ""),
                  manifest=manifest, manifest_path=SERVER_JSON, surfaces=tuple(surfaces))


ECOSYSTEMS = {"npm": "npm", "pypi": "pypi", "oci": "oci", "nuget": "nuget", "mcpb": "url", "cargo": "cargo", "go": "go"}


def declare_server(out: Fields, package: Package) -> None:
    """Registry packages (installs, runtime, environment variables, file arguments) and remotes."""
    m = package.manifest
    f = package.file(SERVER_JSON)
    text = f.text if f is not None else None
    path = SERVER_JSON
    for pkg in list_of(m.get("packages")):
        if not isinstance(pkg, Mapping):
            continue
        ident = str(pkg.get("identifier", "*"))
        ver = str(pkg.get("version", "")) if pkg.get("version") else ""
        rt = str(pkg.get("registryType", ""))
        line = line_of(text, ident)
        out.add(Capability("pkg.install", f"{ECOSYSTEMS.get(rt, rt or 'npm')}:{ident}{'@' + ver if ver else ''}"),
                "surface", path, line, "packages")
        if pkg.get("runtimeHint"):
            out.add(Capability("proc.exec", str(pkg["runtimeHint"])), "surface", path, line, "packages.runtimeHint")
        for ev in list_of(pkg.get("environmentVariables")):
            if isinstance(ev, Mapping) and isinstance(ev.get("name"), str):
                n = ev["name"]
                out.add(Capability("env.read", n), "grant", path, line_of(text, n), "environmentVariables")
                if ev.get("isSecret") is True:
                    out.add(Capability("secrets.read", f"env:{n}"), "grant", path, line_of(text, n),
                            "environmentVariables")
        for arg in list_of(pkg.get("packageArguments")) + list_of(pkg.get("runtimeArguments")):
            if isinstance(arg, Mapping) and arg.get("format") == "filepath":
                out.add(Capability("fs.read", "*"), "user", path, line, "packageArguments")
                out.add(Capability("fs.write", "*"), "user", path, line, "packageArguments")
        transport = pkg.get("transport")
        if isinstance(transport, Mapping) and isinstance(transport.get("url"), str) and "://" in transport["url"]:
            out.add(Capability("net.egress", normalize_host(transport["url"])), "surface", path,
                    line_of(text, transport["url"]), "packages.transport")
    for remote in list_of(m.get("remotes")):
        if isinstance(remote, Mapping) and isinstance(remote.get("url"), str):
            out.add(Capability("net.egress", normalize_host(remote["url"])), "surface", path,
                    line_of(text, remote["url"]), "remotes")


def server_notes(package: Package, text: str | None) -> list[FieldNote]:
    """An MCPB package downloaded without `fileSha256`."""
    out = []
    for pkg in list_of(package.manifest.get("packages")):
        if isinstance(pkg, dict) and pkg.get("registryType") == "mcpb" and not pkg.get("fileSha256"):
            out.append(FieldNote("install-download-unverified", f"MCPB package {pkg.get('identifier')} has no "
                                 "`fileSha256`", key_line(text, "registryType")))
    return out


def write_server(caps: Sequence[Capability], package: Package,
            inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """Each needed environment variable in `environmentVariables`."""
    envs = needed_env(caps, inferred)
    if not envs:
        return (), list(caps)
    data = {"environmentVariables": [{"name": e, "isSecret": secret} for e, secret in envs]}
    return (json_suggestion(package.format, SERVER_JSON, data),), without_env(caps)


MCP_SERVER = FormatSpec(name="mcp-server", markers=(SERVER_JSON,), parse=parse_server_json, priority=24,
                        probe=is_server_json,
                        declarable={"mcp-server": frozenset({"pkg.install", "proc.exec", "env.read", "secrets.read",
                                                             "net.egress", "fs.read", "fs.write"})},
                        declare=declare_server, write_suggestion=write_server,
                        field_notes=server_notes, code_elsewhere=True)
