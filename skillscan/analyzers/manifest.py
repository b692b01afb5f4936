"""The manifest analyzer: frontmatter and manifest validity, risky manifest fields of every format, and
capability evidence for every execution surface the loaders recorded (hooks, MCP/LSP servers, monitors,
install specs, dependency manifests, `bin/` entries, marketplace sources). Shell text inside surface
commands is the shell engine's job; this engine reports what the host is told to run and when."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from skillscan.analyzers.base import finding, line_text
from skillscan.capabilities import commands
from skillscan.capabilities.urls import url_host
from skillscan.formats import spec_for
from skillscan.formats.agent_skill import allowed_tools
from skillscan.formats.common import key_line
from skillscan.formats.declare import scoped
from skillscan.loaders.archive import is_archive_name
from skillscan.loaders.deps import scan_dependencies, vendored
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import Capability, Channel, Confidence, Finding, Package, PackageFile, Severity, Surface

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNSCOPED_BASH = re.compile(r"(?<![\w(])Bash(?:\(\s*\*?\s*\)|\(\s*:\s*\*\s*\))?(?![\w(])")
SENSITIVE_EVENTS = {"UserPromptSubmit", "PreToolUse", "PostToolUse", "SessionStart", "BeforeAgent", "BeforeTool",
                    "AfterTool", "BeforeModel"}
# names a `bin/` entry must not take: it is put first on the agent's PATH and shadows the real tool
SYSTEM_TOOLS = frozenset(
    ["git", "gh", "ls", "cat", "cp", "mv", "rm", "mkdir", "chmod", "chown", "curl", "wget", "ssh", "scp", "rsync", "sudo", "su", "sh", "bash", "zsh", "dash", "fish", "env", "python", "python3", "pip", "pip3", "node", "npm", "npx", "pnpm", "yarn", "bun", "deno", "uv", "uvx", "go", "cargo", "rustc", "make", "docker", "kubectl", "aws", "gcloud", "az", "terraform", "java", "ruby", "gem", "perl", "php", "grep", "find", "sed", "awk", "tar", "zip", "unzip", "gzip", "open", "xdg-open", "osascript", "security", "launchctl", "systemctl", "crontab", "ps", "kill", "which", "whoami", "id", "head", "tail", "less", "more", "vim", "vi", "nano", "code", "claude", "gemini", "codex", "openssl", "gpg", "base64", "xxd", "dd", "tee", "echo", "printf", "test", "true", "false"])
COMPILED_EXT = {".pyc": ".py", ".pyo": ".py", ".so": "", ".dylib": "", ".dll": "", ".exe": "", ".node": "",
                ".o": ".c", ".a": "", ".class": ".java", ".wasm": "", ".jar": "", ".elf": ""}
BINARY_MAGIC = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm")
RUNNER_FLAGS_WITH_VALUE = {
    "docker": {"-v", "--volume", "-e", "--env", "--name", "-p", "--publish", "--network", "--net", "--mount", "-w",
               "--workdir", "--entrypoint", "-u", "--user", "--env-file", "--platform", "-l", "--label", "--cpus",
               "-m", "--memory", "--add-host", "--device", "--cap-add", "--cap-drop", "--pull", "-h", "--hostname"},
    "npx": {"-p", "--package", "-c", "--call", "--registry", "--cache"},
    "uvx": {"--from", "--with", "--python", "-p", "--index", "--index-url", "--extra-index-url", "--with-requirements"},
}


cap = scoped  # a capability whose scope came from package text

argv = commands.words
host = url_host


def program(command: str) -> str:
    """The program a command line starts (capabilities/commands.program), as a capability scope."""
    return re.sub(r"[^\w.+@-]", "", commands.program(command))[:64]


def unpinned_runner(command: str) -> str:
    """A reason when the command fetches and runs a package without a fixed version, else ''."""
    words = argv(command)
    for i, w in enumerate(words):
        name = PurePosixPath(w).name
        rest = words[i + 1 :]
        if name in ("npx", "bunx", "pnpx") or (name in ("npm", "pnpm") and rest[:1] in (["exec"], ["dlx"])):
            rest = rest[1:] if name in ("npm", "pnpm") else rest
            spec = _first_operand(rest, RUNNER_FLAGS_WITH_VALUE["npx"], ("-p", "--package"))
            if spec and not re.search(r".@(\d[\w.+-]*)$", spec) and not spec.startswith((".", "/", "$")):
                auto = " -y" if any(r in ("-y", "--yes") for r in rest) else ""
                return f"`{name}{auto} {spec}` runs whatever version of {spec} is newest when it starts"
            return ""
        if name in ("uvx", "pipx") or (name == "uv" and rest[:2] == ["tool", "run"]):
            rest = rest[2:] if name == "uv" else (rest[1:] if name == "pipx" and rest[:1] == ["run"] else rest)
            spec = _first_operand(rest, RUNNER_FLAGS_WITH_VALUE["uvx"], ("--from",))
            if spec and not re.search(r"(==|@)\s*\d", spec) and not spec.startswith((".", "/", "$", "git+")):
                return f"`{name} {spec}` runs whatever version of {spec} is newest when it starts"
            return ""
        if name in ("docker", "podman") and rest[:1] == ["run"]:
            image = _first_operand(rest[1:], RUNNER_FLAGS_WITH_VALUE["docker"], ())
            if image and "@sha256:" not in image:
                tag = image.rsplit("/", 1)[-1].partition(":")[2]
                if not tag or tag == "latest":
                    return f"`{name} run {image}` runs a mutable image tag"
            return ""
    return ""


def _first_operand(words: list[str], with_value: set[str], spec_flags: tuple[str, ...]) -> str:
    i = 0
    while i < len(words):
        w = words[i]
        if w in spec_flags and i + 1 < len(words):
            return words[i + 1]
        if w.startswith("-"):
            if w in with_value and "=" not in w:
                i += 1
            i += 1
            continue
        return w
    return ""


class ManifestAnalyzer:
    name = "manifest"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        findings: list[Finding] = []
        spec = spec_for(package.format)
        if spec is not None and spec.skill_md_manifest and package.manifest_path:
            findings.extend(self._skill_md(package, package.manifest_path, self._dirname(package)))
        for nested in package.nested:
            md = f"{nested}/SKILL.md"
            if package.file(md) is not None:
                findings.extend(self._skill_md(package, md, PurePosixPath(nested).name))
        for surface in package.surfaces:
            findings.extend(self._surface(surface))
        findings.extend(self._format_fields(package))
        findings.extend(self._markdown_components(package))
        findings.extend(self._dependencies(package))
        findings.extend(self._inventory(package))
        for skipped in package.skipped:
            path = skipped.split(":", 1)[0] if ":" in skipped else "."
            if path.startswith("more than "):  # a cap on the whole package, not one path
                path = "."
            findings.append(finding("analysis-incomplete", skipped, path))
        return findings

    @staticmethod
    def _dirname(package: Package) -> str:
        root = package.root.rstrip("/")
        if root.endswith("!"):
            return ""
        return PurePosixPath(root.split("!/")[-1]).name

    # --- SKILL.md ---------------------------------------------------------------------------------
    def _skill_md(self, package: Package, md_path: str, dirname: str) -> list[Finding]:
        md = package.file(md_path)
        if md is None or md.text is None:
            return []
        path = md.path
        fm = parse_frontmatter(md.text)
        out: list[Finding] = []
        if not fm.present:
            return [finding("skill-frontmatter-missing", "SKILL.md has no frontmatter", path, 1,
                            snippet=line_text(md.text, 1), channel=Channel.MANIFEST)]
        if fm.error:  # reported; the rest is checked on the lenient reading the host agents make
            out.append(finding("skill-frontmatter-invalid", f"frontmatter: {fm.error}", path, 1,
                               snippet=line_text(md.text, 1), channel=Channel.MANIFEST))
        data = fm.data
        name = data.get("name")
        name_line = fm.key_lines.get("name", 1)
        problem = ""
        if not isinstance(name, str) or not name.strip():
            problem = "has no `name`"
        elif len(name) > 64:
            problem = "has a `name` longer than 64 characters"
        elif not NAME_RE.match(name):
            problem = f"`name: {name}` is not lowercase letters, digits and hyphens"
        elif "anthropic" in name or "claude" in name:
            problem = f"`name: {name}` uses a reserved word"
        elif dirname and dirname not in (".", name) and NAME_RE.match(dirname):
            problem = f"`name: {name}` differs from the directory name `{dirname}`"
        if problem:
            out.append(finding("skill-name-invalid", f"SKILL.md {problem}", path, name_line,
                               snippet=line_text(md.text, name_line), channel=Channel.MANIFEST))
        desc = data.get("description")
        if not isinstance(desc, str) or not desc.strip():
            out.append(finding("skill-description-missing", "SKILL.md has no `description`", path,
                               fm.key_lines.get("description", 1), snippet=line_text(md.text, 1),
                               channel=Channel.MANIFEST))
        elif len(desc) > 1024:
            out.append(finding("skill-description-missing", "SKILL.md `description` is longer than 1,024 characters",
                               path, fm.key_lines.get("description", 1), channel=Channel.MANIFEST,
                               snippet=line_text(md.text, fm.key_lines.get("description", 1))))
        out += self._allowed_tools(data, fm.key_lines, md)
        out += self._permission_mode(data, fm.key_lines, md)
        return out

    def _allowed_tools(self, data: dict[str, Any], key_lines: dict[str, int], md: PackageFile) -> list[Finding]:
        out = []
        for key in ("allowed-tools", "allowed_tools", "allowedTools"):
            if key not in data:
                continue
            line = key_lines.get(key, 1)
            for entry in allowed_tools(data[key]):
                if UNSCOPED_BASH.fullmatch(entry):
                    out.append(finding("unscoped-bash-preapproval",
                                       f"`{entry}` in {key} pre-approves every shell command", md.path, line,
                                       snippet=line_text(md.text or "", line), channel=Channel.MANIFEST))
        return out

    def _permission_mode(self, data: dict[str, Any], key_lines: dict[str, int], md: PackageFile) -> list[Finding]:
        for key in ("permissionMode", "permission-mode", "defaultMode"):
            if str(data.get(key, "")).strip() == "bypassPermissions":
                line = key_lines.get(key, 1)
                return [finding("bypass-permissions-mode", f"`{key}: bypassPermissions` in {md.path} turns off every "
                                "permission prompt", md.path, line, snippet=line_text(md.text or "", line),
                                channel=Channel.MANIFEST, capabilities=[Capability("proc.shell")])]
        return []

    def _markdown_components(self, package: Package) -> list[Finding]:
        """Plugin/extension commands and agents: allowed-tools and permissionMode in their frontmatter."""
        out: list[Finding] = []
        for f in package.files:
            top = f.path.split("/", 1)[0]
            if f.virtual or f.text is None or f.truncated or top not in ("commands", "agents", ".claude"):
                continue
            if not f.path.endswith(".md"):
                continue
            fm = parse_frontmatter(f.text)
            if not fm.present:
                continue
            out += self._allowed_tools(fm.data, fm.key_lines, f)
            out += self._permission_mode(fm.data, fm.key_lines, f)
        settings = package.file(".claude/settings.json") or package.file("settings.json")
        if settings is not None and settings.text and '"bypassPermissions"' in settings.text:
            line = key_line(settings.text, "defaultMode")
            out.append(finding("bypass-permissions-mode", "settings set `defaultMode: bypassPermissions`",
                               settings.path, line, snippet=line_text(settings.text, line), channel=Channel.MANIFEST,
                               capabilities=[Capability("proc.shell")]))
        return out

    # --- surfaces ---------------------------------------------------------------------------------
    def _surface(self, s: Surface) -> list[Finding]:
        extra = dict(s.extra)
        snippet = s.command or s.url
        prog = program(s.command) if s.command else ""
        exec_caps = [cap("proc.exec", prog)] if prog else []
        out: list[Finding] = []
        if s.kind == "load-time-command":
            out.append(finding("load-time-command", f"runs `{s.command[:120]}` when the skill loads", s.path, s.line,
                               snippet=s.command, channel=Channel.MANIFEST, capabilities=exec_caps))
        elif s.kind == "hook":
            caps = [cap("agent.hook", s.event or "*")] + exec_caps
            htype = extra.get("type", "command")
            if htype == "http":
                caps.append(cap("net.egress", host(s.url)))
                caps += [cap("env.read", v) for v in extra.get("allowedEnvVars", "").split(",") if v]
                out.append(finding("hook-http-egress", f"{s.event} hook POSTs its input to {s.url}", s.path, s.line,
                                   snippet=s.url, channel=Channel.MANIFEST, capabilities=caps))
            elif s.event in SENSITIVE_EVENTS and not s.gated:
                what = {"UserPromptSubmit": "every prompt the user sends", "SessionStart": "every session start",
                        "BeforeAgent": "every prompt the user sends"}.get(s.event, "every tool call")
                out.append(finding("hook-ungated", f"{s.event} hook runs `{(s.command or htype)[:100]}` on {what}"
                                   + (f" (matcher `{s.matcher}`)" if s.matcher else ""), s.path, s.line,
                                   snippet=snippet, channel=Channel.MANIFEST, capabilities=caps))
            else:
                out.append(finding("hook-registered", f"{s.event} hook ({htype}) `{(s.command or htype)[:100]}`",
                                   s.path, s.line, snippet=snippet, channel=Channel.MANIFEST, capabilities=caps))
        elif s.kind in ("mcp-server", "lsp-server"):
            if extra.get("role") == "headersHelper":
                out.append(finding("mcp-headers-helper", f"MCP server `{extra.get('server', '')}` runs `{s.command[:100]}`"
                                   " to build request headers", s.path, s.line, snippet=s.command,
                                   channel=Channel.MANIFEST, capabilities=exec_caps))
            else:
                caps = list(exec_caps)
                if s.url and "://" in s.url:
                    caps.append(cap("net.egress", host(s.url)))
                label = "LSP" if s.kind == "lsp-server" else "MCP"
                out.append(finding("mcp-server-declared", f"{label} server `{extra.get('server', '')}`: "
                                   f"{s.command or s.url}"[:200], s.path, s.line, snippet=snippet,
                                   channel=Channel.MANIFEST, capabilities=caps))
        elif s.kind == "monitor":
            out.append(finding("monitor-declared", f"monitor `{extra.get('name', '')}` runs `{s.command[:100]}` for the "
                               f"whole session ({s.event})", s.path, s.line, snippet=s.command,
                               channel=Channel.MANIFEST, capabilities=exec_caps + [Capability("proc.daemon")]))
        elif s.kind == "install":
            out += self._install(s, extra, exec_caps)
        elif s.kind == "bin":
            name = s.command
            if name in SYSTEM_TOOLS or name.lower() in SYSTEM_TOOLS:
                out.append(finding("bin-shadows-system-tool", f"`{s.path}` is put on the agent's PATH and shadows the "
                                   f"system `{name}`", s.path, 1, snippet=s.path, channel=Channel.MANIFEST,
                                   capabilities=[cap("proc.exec", name)]))
        elif s.kind == "marketplace-source":
            if extra.get("source") == "command" and s.command:
                out.append(finding("marketplace-command-source", f"plugin `{extra.get('plugin', '')}` is fetched by "
                                   f"running `{s.command[:100]}`", s.path, s.line, snippet=s.command,
                                   channel=Channel.MANIFEST, capabilities=exec_caps))
            elif extra.get("source") == "archive" and not extra.get("sha256"):
                out.append(finding("install-download-unverified", f"plugin `{extra.get('plugin', '')}` is downloaded "
                                   f"from {s.url} without a sha256", s.path, s.line, snippet=s.url,
                                   channel=Channel.MANIFEST, capabilities=[cap("net.egress", host(s.url))]))
        reason = unpinned_runner(s.command) if s.command and s.kind in (
            "mcp-server", "lsp-server", "hook", "monitor", "load-time-command") else ""
        if reason:
            out.append(finding("unpinned-package-runner", reason, s.path, s.line, snippet=s.command,
                               channel=Channel.MANIFEST))
        return out

    def _install(self, s: Surface, extra: dict[str, str], exec_caps: list[Capability]) -> list[Finding]:
        installer = extra.get("installer", "")
        if extra.get("script"):
            return [finding("install-lifecycle-script", f"npm `{extra['script']}` script runs `{s.command[:100]}` on "
                            "install", s.path, s.line, snippet=s.command, channel=Channel.MANIFEST,
                            capabilities=exec_caps)]
        out: list[Finding] = []
        if installer == "download":
            caps = [cap("net.egress", host(s.url)), cap("pkg.install", f"download:{host(s.url)}")]
            if not extra.get("sha256"):
                out.append(finding("install-download-unverified", f"installer downloads {s.url} without a sha256",
                                   s.path, s.line, snippet=s.url, channel=Channel.MANIFEST, capabilities=caps))
            else:
                out.append(finding("install-spec-declared", f"installer downloads {s.url} (sha256 pinned)", s.path,
                                   s.line, snippet=s.url, channel=Channel.MANIFEST, capabilities=caps))
            return out
        words = argv(s.command)
        target = words[-1] if len(words) > 2 and "-r" not in words and words[-1] != "." else "*"
        eco = {"pip": "pypi", "node": "npm"}.get(installer, installer)
        scope = f"{eco}:{target}" if eco and "," not in target else "*"
        out.append(finding("install-spec-declared", f"host installs with `{s.command[:100]}`", s.path, s.line,
                           snippet=s.command, channel=Channel.MANIFEST,
                           capabilities=[cap("pkg.install", scope)] + exec_caps))
        return out

    # --- per-format fields ------------------------------------------------------------------------
    def _format_fields(self, package: Package) -> list[Finding]:
        """What the package's format names as risky in its manifest (formats/<format>.py `field_notes`)."""
        mf = package.file(package.manifest_path) if package.manifest_path else None
        text = mf.text if mf is not None else None
        spec = spec_for(package.format)
        notes = spec.field_notes(package, text) if spec is not None and spec.field_notes is not None else []
        out = [finding(n.rule, n.message, package.manifest_path, n.line, snippet=line_text(text or "", n.line),
                       channel=Channel.MANIFEST, capabilities=n.capabilities) for n in notes]
        out += self._name_mismatch(package, text)
        return out

    def _name_mismatch(self, package: Package, text: str | None) -> list[Finding]:
        dirname = self._dirname(package)
        declared = package.manifest.get("name")
        spec = spec_for(package.format)
        if spec is None or not spec.names_itself or not isinstance(declared, str):
            return []
        if not dirname or dirname == declared or not declared:
            return []
        line = key_line(text, "name")
        return [finding("manifest-name-mismatch", f"{package.manifest_path} names the package `{declared}` but its "
                        f"directory is `{dirname}`", package.manifest_path, line, snippet=line_text(text or "", line),
                        channel=Channel.MANIFEST)]

    # --- dependency manifests and file inventory ---------------------------------------------------
    def _dependencies(self, package: Package) -> list[Finding]:
        deps, _ = scan_dependencies(package.files)
        out = []
        for d in deps:
            scope = d.scope if d.pinned else f"{d.ecosystem}:{d.name}"
            if "," in scope or "[" in scope or "]" in scope:
                scope = f"{d.ecosystem}:{d.name}"
            try:
                cap = Capability.parse(f"pkg.install[{scope}]")
            except ValueError:
                continue
            out.append(finding("dependency-declared", f"{d.kind} dependency {d.name} {d.spec}".strip(), d.path, d.line,
                               snippet=f"{d.name} {d.spec}".strip(), channel=Channel.MANIFEST, capabilities=[cap]))
        return out

    def _inventory(self, package: Package) -> list[Finding]:
        out: list[Finding] = []
        paths = {f.path for f in package.files}
        inner_counts: dict[str, int] = {}
        for f in package.files:
            if f.origin is not None:
                inner_counts[f.origin] = inner_counts.get(f.origin, 0) + 1
        for f in package.files:
            name = f.path.rsplit("/", 1)[-1]
            dot = name.rfind(".")
            ext = name[dot:].lower() if dot > 0 else ""
            compiled = ext in COMPILED_EXT or (f.is_binary and f.data[:4].startswith(BINARY_MAGIC) and
                                               (f.executable or ext in ("", ".bin")))
            if compiled:
                p = PurePosixPath(f.path)
                source_ext = COMPILED_EXT.get(ext, "")
                stem = p.name.split(".", 1)[0]
                if source_ext and ext in (".pyc", ".pyo"):
                    parent = p.parent.parent if p.parent.name == "__pycache__" else p.parent
                    candidate = (parent / f"{stem}{source_ext}").as_posix()
                    if candidate.lstrip("./") in paths or candidate in paths:
                        continue
                elif source_ext and (p.parent / f"{stem}{source_ext}").as_posix() in paths:
                    continue
                low = vendored(f.path)
                out.append(finding("compiled-code-without-source", f"{f.path} is compiled code without its source"
                                   + (" (vendored dependency)" if low else ""), f.path, 1, channel=Channel.CODE,
                                   severity=Severity.LOW if low else None,
                                   confidence=Confidence.MEDIUM if low else None,
                                   capabilities=[Capability("code.dynamic", "native")]))
            elif f.is_binary and f.origin is None and not is_archive_name(f.path) and opaque_binary(f.data):
                out.append(finding("opaque-binary-file", f"{f.path} is high-entropy binary data of no known file type"
                                   " (encrypted or packed content cannot be analysed)", f.path, 1,
                                   channel=Channel.CODE))
            if f.origin is None and is_archive_name(f.path):
                inner = inner_counts.get(f.path, 0)
                out.append(finding("nested-archive", f"{f.path} is an archive inside the package"
                                   + (f" ({inner} files scanned)" if inner else ""), f.path, 1,
                                   channel=Channel.METADATA))
        return out


OPAQUE_MIN_BYTES = 256
OPAQUE_MIN_ENTROPY = 7.2  # bits per byte: compressed, encrypted or random data


def shannon_entropy(data: bytes) -> float:
    if not data:
        return 0.0
    counts = [0] * 256
    for b in data:
        counts[b] += 1
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in counts if c)


def opaque_binary(data: bytes) -> bool:
    """High-entropy bytes that no known file type claims (images, fonts, audio, video, documents and
    archives all carry a signature): content nobody, human or scanner, can review."""
    if len(data) < OPAQUE_MIN_BYTES:
        return False
    import filetype

    if filetype.guess(data[:8192]) is not None:
        return False
    return shannon_entropy(data[:65536]) >= OPAQUE_MIN_ENTROPY

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = (
    "bin-shadows-system-tool",
    "bypass-permissions-mode",
    "compiled-code-without-source",
    "dependency-declared",
    "extension-migrated-to",
    "hook-http-egress",
    "hook-registered",
    "hook-ungated",
    "install-download-unverified",
    "install-lifecycle-script",
    "install-spec-declared",
    "load-time-command",
    "manifest-name-mismatch",
    "marketplace-command-source",
    "mcp-headers-helper",
    "mcp-server-declared",
    "mcpb-tools-generated",
    "monitor-declared",
    "nested-archive",
    "opaque-binary-file",
    "openclaw-requires-declared",
    "skill-always-on",
    "skill-description-missing",
    "skill-frontmatter-invalid",
    "skill-frontmatter-missing",
    "skill-name-invalid",
    "unpinned-package-runner",
    "unscoped-bash-preapproval",
)
