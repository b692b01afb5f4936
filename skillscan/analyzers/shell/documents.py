"""The user's documents uploaded: a request that uploads (`curl -F f=@FILE`, `--data-binary @FILE`, `-T FILE`,
`--upload-file`, `wget --post-file`) a path that is the user's documents — a folder of the home directory that
holds a person's own files (`~/Desktop`, `~/Documents`…) or a document in the home directory (`~/*.docx`), the
vocabulary `rules/capabilities/documents.yaml` — or an archive the same text made of them (`tar czf /tmp/a.tgz
~/Desktop/*.docx`, `zip -r out.zip ~/Documents`, `7z a out.7z …`). The files leave for the host the request
names; nothing in a skill's job needs a person's own files archived and sent away unannounced.

An upload of a file of the package or the working directory, and an archive of the user's documents kept on the
machine, are not this rule (shell-network-upload and the file rules report what they show)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.paths import _FILE_OPTION, _OLD_STYLE_FILE, ARCHIVERS, carried_paths, home_path
from skillscan.analyzers.shell.requests import url_host
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.lazyre import LazyRegex
from skillscan.model import Capability, Confidence, Severity

RULE_IDS: tuple[str, ...] = ("shell-documents-upload",)

UPLOADERS = frozenset({"curl", "wget", "http", "https", "xh", "httpie"})
UPLOAD_FILE_OPTIONS = frozenset({"-T", "--upload-file", "--post-file", "--body-file"})
ZIPPERS = frozenset({"zip", "7z", "7za", "7zz", "rar"})
MAX_ARCHIVES = 32


@lru_cache(maxsize=1)
def documents() -> LazyRegex:
    """A home-relative path (`~/…`, as `home_path` spells it) that is the user's documents."""
    import re

    from skillscan import ruledata
    from skillscan.catalog import rules_dir  # the rules/ folder of a checkout or of an installed package

    doc = ruledata.load_yaml_file(rules_dir() / "capabilities" / "documents.yaml")
    folders = "|".join(re.escape(str(f)) for f in doc.get("folders", ()))
    exts = "|".join(re.escape(str(e)) for e in doc.get("extensions", ()))
    return LazyRegex(rf"^~/(?:(?:{folders})(?:/|$)|(?:[^/]*/)*[^/]*\.(?:{exts})$)", re.IGNORECASE)


class DocumentsMixin(AnalyzerBase):
    def _documents(self, cmd: Cmd, key: str, name: str, args: list[Word], values: list[str | None],
                   frame: Frame) -> None:
        archives: dict[str, tuple[list[str], int, str]] = self.__dict__.setdefault("_document_archives", {})
        if key in ARCHIVERS or key in ZIPPERS:
            made, inputs = _archive(key, values)
            docs = [p for p in (home_path(v) for v in inputs) if documents().match(p)]
            if made and docs and len(archives) < MAX_ARCHIVES:
                archives[home_path(made)] = (docs, frame.at(cmd.row, cmd.col)[0], name)
            return
        if key not in UPLOADERS:
            return
        sent = carried_paths(key, values) + [values[i + 1] or "" for i, v in enumerate(values[:-1])
                                             if v in UPLOAD_FILE_OPTIONS] + \
            [v.split("=", 1)[1] for v in values if v and v.split("=", 1)[0] in UPLOAD_FILE_OPTIONS and "=" in v]
        for path in (home_path(p) for p in sent if p):
            if path in archives:
                docs, line, how = archives[path]
                here = frame.at(cmd.row, cmd.col)[0]
                shown = ", ".join(docs[:3])
                what = say("documents-archived", docs=shown, archive=path, how=how, line=line) if line != here \
                    else say("documents-archived-here", docs=shown, archive=path, how=how)
                related = [line] if line != here else []
            elif documents().match(path):
                what, related = path, []
            else:
                continue
            host = url_host(args)
            dest = host or say("documents-host-unknown")
            self.run.add(frame, cmd, "shell-documents-upload",
                         [Capability("net.egress", host or "*"), Capability("fs.read", docs[0] if path in archives else path)],
                         say("documents-upload", name=name, what=what, dest=dest),
                         severity=Severity.HIGH, confidence=Confidence.MEDIUM, related=related)
            return


def _archive(key: str, values: list[str | None]) -> tuple[str | None, list[str]]:
    """(the archive a command makes, its inputs) for tar (`-f OUT`, `czf OUT`), zip (`zip [-r] OUT …`) and
    7z/rar (`7z a OUT …`)."""
    if key in ARCHIVERS:
        first = values[0] if values else None
        if first and not first.startswith("-") and _OLD_STYLE_FILE.match(first):  # `tar czf OUT.tgz IN…`
            rest = [v for v in values[2:] if v]
            return values[1] if len(values) > 1 else None, [v for v in rest if not v.startswith("-")]
        made = next((values[i + 1] for i, v in enumerate(values[:-1]) if v and _FILE_OPTION.match(v)), None) or \
            next((v.split("=", 1)[1] for v in values if v and v.startswith("--file=")), None)
        inputs = [v for i, v in enumerate(values) if v and not v.startswith("-") and
                  not (i > 0 and _FILE_OPTION.match(values[i - 1] or ""))]
        return (made if made != "-" else None), inputs + carried_paths(key, values)
    ops: list[Any] = [v for v in values if v and not v.startswith("-")]
    if key != "zip":
        if not ops or ops[0] not in ("a", "u"):
            return None, []
        ops = ops[1:]
    return (ops[0] if len(ops) >= 2 else None), ops[1:]
