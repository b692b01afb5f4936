"""The JavaScript/TypeScript engine room: parse.py (one bounded tree-sitter parse, trees shared within a process)
-> values.py (values that travel) -> taint.py (where a value comes from) -> flows.py (source -> network flows as
Finding.flow facts), with mutations.py (writes into request objects), modules.py (values imported from the
package's own modules, read once before the workers) and carriers.py (where each named thing of a flow is
written). Run by the `js-decode` file engine (analyzers/js_decode.py); the semgrep Resolver (analyzers/js_values.py)
folds on it too."""
