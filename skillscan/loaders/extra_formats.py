"""Registration point for the package formats beyond Agent Skills (plugins, MCP, Gemini, Dify,
Cursor…). Each format lives in its own module and registers itself on import here."""
