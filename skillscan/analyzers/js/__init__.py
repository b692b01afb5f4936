"""The JavaScript/TypeScript engine room: parse.py (one bounded tree-sitter parse) -> values.py (values that travel)
-> taint.py (where a value comes from) -> flows.py (source -> network flows as Finding.flow facts). Run by the
`js-decode` file engine (analyzers/js_decode.py); the semgrep Resolver (analyzers/js_values.py) folds on it too."""
