"""The declared package's own dependencies (skillscan/permissions/owndeps.py), through the real CLI.

An MCP `server.json` declaring `npm @acme/weather-mcp` over a directory whose `package.json` is that
package: the dependencies it lists and a bare `npm install` by its release script come with the declared
install — nothing undeclared. A `package.json` of another name, or a script installing a named package,
stays an undeclared install (review)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import scan_by_dir

ROLL = "const { execSync } = require('child_process');\nexecSync('npm install', { cwd: __dirname });\n"
NAMED = "const { execSync } = require('child_process');\nexecSync('npm install left-pad', { cwd: __dirname });\n"


def _server(root: Path, name: str, own_name: str, script: str) -> Path:
    pkg = root / name
    pkg.mkdir(parents=True)
    entry = {"name": "io.example/weather-mcp", "description": "Weather forecasts over MCP.", "version": "1.0.0",
             "packages": [{"registryType": "npm", "identifier": "@acme/weather-mcp", "version": "1.0.0",
                           "transport": {"type": "stdio"}}]}
    (pkg / "server.json").write_text(json.dumps(entry, indent=2), encoding="utf-8")
    manifest = {"name": own_name, "version": "1.0.0", "bin": {"weather-mcp": "cli.js"},
                "dependencies": {"zod": "^3.23.0"}, "devDependencies": {"@types/node": "^24.3.0"}}
    (pkg / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (pkg / "cli.js").write_text("console.log('weather');\n", encoding="utf-8")
    (pkg / "roll.js").write_text(script, encoding="utf-8")
    return pkg


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("own-deps")
    _server(root, "own", "@acme/weather-mcp", ROLL)
    _server(root, "other", "@acme/other-tool", ROLL)
    _server(root, "named", "@acme/weather-mcp", NAMED)
    deep = _server(root, "deep", "@acme/weather-mcp", ROLL)
    (deep / "package.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")  # nested past any parser
    return scan_by_dir("--min-severity", "info", str(root))


def _installs(pkg: dict[str, Any]) -> list[str]:
    return sorted(c for c in pkg["capabilities"]["undeclared"] if c.startswith("pkg.install"))


def test_declared_package_brings_its_own_dependencies(packages: dict[str, dict[str, Any]]) -> None:
    pkg = packages["own"]
    assert _installs(pkg) == [], pkg["reasons"]
    assert pkg["verdict"] == "allow", pkg["reasons"]
    inferred = {ic["capability"] for ic in pkg["capabilities"]["inferred"]}
    assert {"pkg.install[npm:zod]", "pkg.install[npm:*]"} <= inferred  # still inferred, with evidence


def test_another_package_manifest_is_its_own_install(packages: dict[str, dict[str, Any]]) -> None:
    pkg = packages["other"]
    assert "pkg.install[npm:zod]" in _installs(pkg)
    assert "pkg.install[npm:*]" in _installs(pkg)
    assert pkg["verdict"] == "review"


def test_a_named_install_by_the_script_stays_undeclared(packages: dict[str, dict[str, Any]]) -> None:
    pkg = packages["named"]
    assert "pkg.install[npm:left-pad]" in _installs(pkg), pkg["capabilities"]["undeclared"]
    assert pkg["verdict"] == "review"


def test_a_manifest_nested_too_deep_names_no_package(packages: dict[str, dict[str, Any]]) -> None:
    """A `package.json` nested past the JSON depth bound is read as naming no package (the scan goes on):
    the script's bare `npm install` stays an undeclared install."""
    pkg = packages["deep"]
    assert "pkg.install[npm:*]" in _installs(pkg), pkg["capabilities"]["undeclared"]
    assert pkg["verdict"] == "review", pkg["reasons"]
