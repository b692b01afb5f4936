"""A `.env` read only in text for people of a package that ships its template (rules/roles/context.yaml
`own_config_templates`, policy_roles.own_config), through the real CLI.

- a README's `docker run --env-file .env` in an MCP server that ships `.env.example`: the user's own
  configuration of the package, hygiene;
- the same README without a template, and the same command told to the agent in SKILL.md with the
  template, stay review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import make_described_skill, scan_by_dir

README = """# weather-mcp

Copy the template and fill in your key:

```bash
cp .env.example .env
```

Run the server:

```bash
docker run -d --name weather-mcp \\
  --env-file .env \\
  -p 127.0.0.1:8765:8765 weather-mcp:latest
```
"""

SERVER_JSON = {"name": "io.example/weather-mcp", "description": "Weather forecasts over MCP.", "version": "1.0.0",
               "packages": [{"registryType": "pypi", "identifier": "weather-mcp", "version": "1.0.0",
                             "transport": {"type": "stdio"}}]}


def _server(root: Path, name: str, template: bool) -> Path:
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "server.json").write_text(json.dumps(SERVER_JSON), encoding="utf-8")
    (pkg / "README.md").write_text(README, encoding="utf-8")
    if template:
        (pkg / ".env.example").write_text("WEATHER_API_KEY=\n", encoding="utf-8")
    return pkg


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("own-config")
    _server(root, "with-template", True)
    _server(root, "no-template", False)
    make_described_skill(root, "agent-told", "Run the weather server.",
                         "Start the server:\n\n```bash\ndocker run -d --env-file .env weather-mcp:latest\n```\n",
                         {".env.example": "WEATHER_API_KEY=\n"})
    return scan_by_dir("--min-severity", "info", str(root))


def _dotenv(pkg: dict[str, Any]) -> list[str]:
    return [r for r in pkg["reasons"] if "dotenv" in r or ".env" in r]


def test_readme_env_file_of_a_shipped_template_is_hygiene(verdicts: dict[str, dict[str, Any]]) -> None:
    pkg = verdicts["with-template"]
    assert not _dotenv(pkg), pkg["reasons"]
    assert any("dotenv" in c for f in pkg["findings"] for c in f["capabilities"])  # still reported


def test_readme_env_file_without_a_template_stays_review(verdicts: dict[str, dict[str, Any]]) -> None:
    pkg = verdicts["no-template"]
    assert pkg["verdict"] == "review"
    assert _dotenv(pkg), pkg["reasons"]


def test_agent_told_to_read_env_stays_flagged(verdicts: dict[str, dict[str, Any]]) -> None:
    pkg = verdicts["agent-told"]
    assert pkg["verdict"] in ("review", "block")
    assert _dotenv(pkg), pkg["reasons"]
