"""Downloads: what a command text fetched (`curl -o`, `wget`, `certutil`, `git clone`) or wrote
from decoded text, so that running that file later is remote (or hidden) code; remote code itself
(pipe-to-shell, download-and-run, untrusted hosts)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TypeVar

from skillscan.analyzers.shell.decode import first_url, stdout_payload
from skillscan.analyzers.shell.hosts import matches_host
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.paths import WRITERS_LAST
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities import urls
from skillscan.capabilities.urls import RAW_IP, host_of, static_host
from skillscan.model import Capability, Severity

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = ("remote-code-download-exec", "remote-code-pipe-to-shell", "remote-code-untrusted-host")

_T = TypeVar("_T")


class DownloadsMixin(AnalyzerBase):
    # remote code
    def _remote(self, cmd: Cmd, url: str, frame: Frame, message: str, download: bool = False) -> None:
        host = host_of(url)
        caps = [Capability("code.remote", url if url != "*" else "*"), Capability("net.egress", host)]
        scheme = urls.scheme(url)
        netloc = urls.netloc(url) if "://" in url else ""
        odd_port = bool(re.search(r":\d{2,5}$", netloc)) and not netloc.endswith(":443")
        untrusted = host != "*" and bool(RAW_IP.match(host) or matches_host(url, self.cm.untrusted_hosts)
                                         or scheme == "http" or odd_port)
        if untrusted:
            self.run.add(frame, cmd, "remote-code-untrusted-host", caps,
                         say("untrusted-host", message=message))
            return
        rule = "remote-code-download-exec" if download else "remote-code-pipe-to-shell"
        vendor = host != "*" and (matches_host(url, self.cm.vendor_installers) or
                                  bool(self.cm.vendor_host_regex and self.cm.vendor_host_regex.match(host)))
        self.run.add(frame, cmd, rule, caps, say("vendor-script", message=message) if vendor else message,
                     severity=None if vendor else Severity.HIGH)

    def _record_download(self, key: str, args: list[Word], values: list[str | None]) -> None:
        url = first_url(values)
        target = _download_target(key, values, url)
        if target:  # a URL computed at run time too: the file it writes is still not the author's own
            self.run.made_file(target)
        if url and target and target != "-" and len(self.run.downloads) < 256:
            self.run.downloads[PurePosixPath(target.replace("\\", "/")).name] = url
            self.run.downloads[target] = url

    def _is_download(self, value: str) -> str | None:
        if not self.run.downloads or not value:
            return None
        v = value.replace("\\", "/")
        if v in self.run.downloads:
            return self.run.downloads[v]
        name = PurePosixPath(v).name
        if name and name in self.run.downloads:
            return self.run.downloads[name]
        return None

    def _downloaded_exec(self, cmd: Cmd, pw: Word, frame: Frame) -> None:
        if pw.value and ("/" in pw.value or "\\" in pw.value or pw.value.endswith((".sh", ".exe", ".ps1"))):
            self._run_file(cmd, pw.value, frame, say("how-program", name=pw.value))

    def _run_file(self, cmd: Cmd, path: str, frame: Frame, how: str, dialect: str | None = "bash") -> None:
        """A file is executed: if this command text downloaded it (or cloned the repository it is in),
        that is remote code; if it wrote decoded text into it, that text is a hidden command."""
        url = self._is_download(path) or self._cloned(path)
        if url:
            self._remote(cmd, url, frame, say("downloaded-run", how=how, path=path, url=url),
                         download=True)
        literal = self._lookup(self.run.literal_files, path)
        if literal is not None and dialect == "bash" and path not in self.run.running:
            self.run.running.add(path)  # a script that runs itself is analysed once
            self.text(literal[0], Frame(literal[1], literal[2], frame.depth + 1, "bash"))
        hidden = self._lookup(self.run.decoded_files, path)
        if hidden is not None:
            self._decoded(cmd, hidden[0], hidden[1], frame, dialect if dialect != "python" else None,
                          say("decoded-file-run", how=how, path=path))

    def _cloned(self, path: str) -> str | None:
        if not self.run.clones:
            return None
        p = path.replace("\\", "/")
        p = p.removeprefix("./")
        for d, url in self.run.clones.items():
            if p.startswith(d.rstrip("/") + "/"):
                return url
        if self.run.cwd and "/" not in p.lstrip("/") and not p.startswith("/"):
            return self.run.clones.get(self.run.cwd)
        if self.run.cwd and not p.startswith("/"):
            return self.run.clones.get(self.run.cwd)
        return None

    def _git_push_remote(self, cmd: Cmd, key: str, args: list[Word], frame: Frame) -> None:
        """`git remote add NAME URL` … `git push NAME`: the push sends the repository to the host of the URL the
        same script gave the remote (a push to a URL written out is the capability map's). A URL whose path is
        computed at run time keeps its literal host (`REMOTE="https://git.host/${OWNER}/x.git"`)."""
        if key != "git":
            return
        ops = [w for w in args if (w.value or w.raw) and not (w.value or w.raw).startswith("-")]
        names = [w.value for w in ops]
        if len(ops) >= 4 and names[0] == "remote" and names[1] in ("add", "set-url") and names[2] and \
                len(self.run.remotes) < 32:
            url = _remote_url(ops[3])
            if url:
                self.run.remotes[names[2]] = url
            return
        if len(ops) >= 2 and names[0] == "push" and names[1] in self.run.remotes:
            url = self.run.remotes[names[1] or ""]
            host = (static_host(url) or host_of(url)) if "://" in url else urls.operand_host(url)
            self.run.add(frame, cmd, "shell-network-upload", [Capability("net.egress", host)],
                         say("git-push-remote", remote=names[1], url=url, host=host))

    def _track_git_cd(self, key: str, values: list[str | None]) -> None:
        if key == "cd":
            target = next((v for v in values if v and not v.startswith("-")), None)
            self.run.cwd = target.rstrip("/") if target else None
            return
        if key != "git" or not values:
            return
        ops = [v for v in values if v and not v.startswith("-")]
        if len(ops) >= 2 and ops[0] == "clone":
            url = first_url(ops[1:2]) or (ops[1] if re.match(r"^[\w.-]+@[\w.-]+:", ops[1] or "") else None)
            if url and len(self.run.clones) < 32:
                d = ops[2] if len(ops) >= 3 else PurePosixPath(url.rstrip("/")).name.removesuffix(".git")
                self.run.clones[d.rstrip("/")] = url

    @staticmethod
    def _lookup(table: dict[str, _T], value: str) -> _T | None:
        if not table or not value:
            return None
        v = value.replace("\\", "/")
        if v in table:
            return table[v]
        name = PurePosixPath(v).name
        return table.get(name) if name else None

    def _track_outputs(self, cmd: Cmd, key: str, values: list[str | None], frame: Frame) -> None:
        """`curl … > f`, `echo <b64> | base64 -d > f`, `xxd -r -p downloaded > f`, `cp downloaded f`:
        remember what ends up in f."""
        targets = [r.target.value for r in cmd.redirects
                   if r.op in (">", ">>", ">|", "&>") and r.target is not None and r.target.value
                   and not r.target.value.startswith("/dev/") and not re.fullmatch(r"\d+", r.target.value)]
        operands = [v for v in values if v and not v.startswith("-")]
        given = [v for v in values if v is None or not v.startswith("-")]  # run-time operands counted too
        if key in WRITERS_LAST and len(given) >= 2 and given[-1]:
            self.run.made_file(given[-1])  # `cp "$1" plan.json`: plan.json is not the author's own file
        if key in WRITERS_LAST and len(operands) >= 2:
            targets.append(operands[-1])
            operands = operands[:-1]
        if not targets:
            return
        pl = stdout_payload(cmd)
        url = pl.url if pl is not None else None
        hidden = (pl.text, pl.decoders) if pl is not None and pl.decoders and pl.text else None
        if pl is not None and pl.text and not pl.decoders and not pl.url and pl.row is not None and \
                frame.pin is None and len(self.run.literal_files) < 64:
            line, column = frame.at(pl.row, pl.col)  # `cat > run.sh <<EOF … EOF`: a script written here
            for t in targets[:4]:
                self.run.literal_files[t] = (pl.text, line, column)
                self.run.literal_files[PurePosixPath(t.replace("\\", "/")).name] = (pl.text, line, column)
        for v in operands:
            url = url or self._is_download(v)
            hidden = hidden or self._lookup(self.run.decoded_files, v)
        for t in targets[:4]:
            if url and len(self.run.downloads) < 256:
                self.run.downloads[t] = url
                self.run.downloads[PurePosixPath(t.replace("\\", "/")).name] = url
            if hidden and len(self.run.decoded_files) < 64:
                self.run.decoded_files[t] = hidden
                self.run.decoded_files[PurePosixPath(t.replace("\\", "/")).name] = hidden


def _download_target(key: str, values: list[str | None], url: str | None) -> str | None:
    """The file a download command writes, as written (`-o f`, `--output=f`, `-sSLo f`, wget `-O f`, curl `-O` /
    wget without `-O`: the URL's file name, when the URL is written; certutil / bitsadmin: the last operand)."""
    target = None
    for i, v in enumerate(values):
        if v is None:
            continue
        if v in ("-o", "--output", "-O", "--output-document", "-OutFile", "-outfile") and i + 1 < len(values):
            if v == "-O" and key == "curl":
                target = urls.file_name(url) if url else None
                continue
            target = values[i + 1]
        elif v.startswith(("--output=", "--output-document=")):
            target = v.split("=", 1)[1]
        elif re.fullmatch(r"-[a-zA-Z]*o", v) and i + 1 < len(values) and key == "curl":
            target = values[i + 1]
        elif re.fullmatch(r"-[a-zA-Z]*O", v) and key == "curl":
            target = urls.file_name(url) if url else None
        elif re.fullmatch(r"-[a-zA-Z]*O", v) and key == "wget" and i + 1 < len(values):
            target = values[i + 1]
    if target is None and key in ("certutil", "bitsadmin"):
        rest = [v for v in values if v and not v.startswith(("-", "/")) and v != url]
        target = rest[-1] if rest else None
    if target is None and key in ("wget", "wget2") and url:
        target = urls.file_name(url)
    return target


def _remote_url(word: Word, depth: int = 0) -> str | None:
    """The URL a `git remote add` word gives: its value, or — computed at run time — the URL as the script writes
    it when its host is literal (through the variables the word expands, 4 deep)."""
    if word.value and (first_url([word.value]) or re.match(r"^[\w.-]+@[\w.-]+:", word.value)):
        return word.value
    raw = word.raw.strip("\"'")
    if "://" in raw and static_host(raw):
        return raw
    if len(word.via) == 1 and depth < 4:
        return _remote_url(word.via[0][1], depth + 1)
    return None

