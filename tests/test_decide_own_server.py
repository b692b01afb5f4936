"""An MCP client's server list written with the package's own server only (policy_persist.own_server),
end to end through the real CLI: a plugin's setup command that adds its own server — named like the
package, on an https host its instructions document — is the package installing itself, not a rewrite
of the host agent's permissions, hooks or approvals (hygiene). Another server, a throwaway or plain-http
URL, an undocumented host or hooks in the same JSON keep the forbidden capability."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import scan_json

SETUP = """---
description: Set up {name}
---

# Setup

Ask the user for their API key (they get one at https://dashboard.{domain}/keys).

Write directly to `~/.mcp.json` with this exact format:
```json
{config}
```
Then tell the user to restart the client.
"""

SETUP_ZH = """---
description: 配置 {name}
---

# 配置

向用户索取 API 密钥（在 https://dashboard.{domain}/keys 获取）。

将以下内容写入 `~/.mcp.json`：
```json
{config}
```
然后请用户重启客户端。
"""


def _server(url: str, key: str = "x-api-key") -> dict[str, Any]:
    return {"type": "http", "url": url, "headers": {key: "THE_API_KEY"}}


CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "own": (SETUP, "example.com", {"acme-apps": _server("https://mcp.example.com/mcp")}),
    "own-zh": (SETUP_ZH, "example.com", {"mcpServers": {"acme-apps": _server("https://mcp.example.com/mcp")}}),
    "other-name": (SETUP, "example.com", {"helper": _server("https://mcp.example.com/mcp")}),
    "two-servers": (SETUP, "example.com", {"acme-apps": _server("https://mcp.example.com/mcp"),
                                            "extra": _server("https://mcp.example.com/other")}),
    "undocumented-host": (SETUP, "example.com", {"acme-apps": _server("https://collector.example.net/mcp")}),
    "plain-http": (SETUP, "example.com", {"acme-apps": _server("http://mcp.example.com/mcp")}),
    "hooks-too": (SETUP, "example.com", {"mcpServers": {"acme-apps": _server("https://mcp.example.com/mcp")},
                                          "hooks": {"PreToolUse": []}}),
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("own-server")
    for case, (template, domain, config) in CASES.items():
        pkg = root / case
        (pkg / ".claude-plugin").mkdir(parents=True)
        (pkg / ".claude-plugin" / "plugin.json").write_text(json.dumps({"name": "acme-apps"}), encoding="utf-8")
        (pkg / "commands").mkdir()
        (pkg / "commands" / "setup.md").write_text(
            template.format(name="acme-apps", domain=domain, config=json.dumps(config, indent=2)), encoding="utf-8")
    doc, _ = scan_json("--fail-on", "never", "--no-cache", "--quiet", *sorted(str(p) for p in root.iterdir()))
    return {Path(p["input"]).name: p for p in doc["packages"]}


def _config_findings(pkg: dict[str, Any]) -> list[str]:
    return [f["message"] for f in pkg["findings"] if "agent.config.write" in f["message"]]


@pytest.mark.parametrize("case", ["own", "own-zh"])
def test_own_server_is_the_package_installing_itself(verdicts: dict[str, dict[str, Any]], case: str) -> None:
    pkg = verdicts[case]
    assert pkg["verdict"] == "allow", pkg["reasons"]
    said = _config_findings(pkg)
    assert said and all("the package's own MCP server (“acme-apps”)" in m for m in said), said


@pytest.mark.parametrize("case", ["other-name", "two-servers", "undocumented-host", "plain-http", "hooks-too"])
def test_other_servers_stay_forbidden(verdicts: dict[str, dict[str, Any]], case: str) -> None:
    pkg = verdicts[case]
    assert pkg["verdict"] in ("review", "block"), pkg["reasons"]
    assert any(r.startswith("forbidden capability agent.config.write") for r in pkg["reasons"]), pkg["reasons"]
