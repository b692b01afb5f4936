"""Registration point for the package formats beyond Agent Skills (plugins, MCP, Gemini, Dify,
Cursor…). Each format lives in its own module and registers itself on import here."""

from skillscan.loaders import (  # noqa: F401  (each registers itself)
    claude_plugin, codex_skill, cursor_rules, dify_plugin, gemini_extension, marketplace, mcp_server, mcpb,
)
