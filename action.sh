#!/usr/bin/env bash
# The GitHub Action's body. Inputs arrive only as environment variables (never interpolated into
# the script), are validated, and are passed to skillscan as separate argv entries.
#
#   action.sh key    the cache key and the virtual environment's path (step outputs `key`, `venv`)
#   action.sh scan   install (unless the cached environment works), scan, write the outputs
#
# skillscan is installed from the action's own checkout ($GITHUB_ACTION_PATH) into an isolated
# virtual environment made with the interpreter in GHA_SKILLSCAN_PYTHON (setup-python's path, which
# the action does not put on PATH) or python3: the calling job's Python is never changed.
set -euo pipefail

fail() { echo "::error title=skillscan::$*"; exit 2; }

: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")" && pwd)}
python_bin=${GHA_SKILLSCAN_PYTHON:-}
[ -n "$python_bin" ] || python_bin=$(command -v python3 || true)
[ -n "$python_bin" ] || fail "no Python interpreter: python3 is not on PATH"
venv="$RUNNER_TEMP/skillscan-venv"

cache_key() {
  "$python_bin" - "$action_path" <<'PY'
import hashlib, pathlib, platform, sys
if sys.version_info < (3, 11):
    sys.exit(f"skillscan needs Python 3.11 or newer, found {platform.python_version()} at {sys.executable}")
root = pathlib.Path(sys.argv[1])
digest = hashlib.sha256(f"{sys.executable}\0{platform.python_version()}\0".encode())
files = [root / "pyproject.toml", *(root / "skillscan").rglob("*"), *(root / "rules").rglob("*")]
for path in sorted(p for p in files if p.is_file() and "__pycache__" not in p.parts):
    digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
print(f"skillscan-venv-{platform.system()}-{platform.machine()}-py{platform.python_version()}-{digest.hexdigest()[:32]}")
PY
}

if [ "${1:-scan}" = key ]; then
  key=$(cache_key) || fail "cannot compute the cache key"
  { echo "key=$key"; echo "venv=$venv"; } >> "$GITHUB_OUTPUT"
  exit 0
fi

paths_raw=${GHA_SKILLSCAN_PATHS:-.}
fail_on=${GHA_SKILLSCAN_FAIL_ON:-block}
config=${GHA_SKILLSCAN_CONFIG:-}
policy=${GHA_SKILLSCAN_POLICY:-}
only_new=${GHA_SKILLSCAN_ONLY_NEW:-false}
upload=${GHA_SKILLSCAN_UPLOAD_SARIF:-true}

case "$fail_on" in
  block|review|never) ;;
  *) fail "fail-on must be block, review or never (got '$fail_on')" ;;
esac
case "$only_new" in true|false) ;; *) fail "only-new must be true or false (got '$only_new')" ;; esac
case "$upload" in true|false) ;; *) fail "upload-sarif must be true or false (got '$upload')" ;; esac

# --- install, or reuse the environment actions/cache restored --------------------------------------
if [ -x "$venv/bin/skillscan" ] && "$venv/bin/python" -c "import skillscan" >/dev/null 2>&1; then
  echo "skillscan: using the cached installation in $venv"
else
  rm -rf "$venv"
  "$python_bin" -m venv "$venv" || fail "cannot create a virtual environment with $python_bin"
  # the action's own source, never a package by name (the name skillscan on PyPI is another project)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -- "$action_path" \
    || fail "cannot install skillscan from $action_path"
fi
py="$venv/bin/python"

# --- the pull request, from the event payload ----------------------------------------------------------
event_field() {  # event_field base|fork: the base commit, or "true" for a pull request from a fork
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] || return 0
  "$py" - "$GITHUB_EVENT_PATH" "$1" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as fh:
        pr = json.load(fh).get("pull_request") or {}
except (OSError, ValueError, AttributeError):
    pr = {}
base, head = pr.get("base") or {}, pr.get("head") or {}
if sys.argv[2] == "base":
    print(base.get("sha") or "")
else:
    b, h = (base.get("repo") or {}).get("full_name"), (head.get("repo") or {}).get("full_name")
    print("true" if pr and b and h != b else "false")
PY
}
is_pr=false
case "${GITHUB_EVENT_NAME:-}" in pull_request|pull_request_target|pull_request_review|pull_request_review_comment) is_pr=true ;; esac

# whitespace-separated paths, without glob expansion or any other shell evaluation
set -f
read -r -a paths <<< "$paths_raw"
set +f
[ "${#paths[@]}" -gt 0 ] || paths=(.)

common=(--quiet)
[ -n "$config" ] && common+=(--config "$config")
[ -n "$policy" ] && common+=(--policy "$policy")

# --- only findings new against the base branch: a baseline made from the base commit --------------
if [ "$only_new" = true ]; then
  base_sha=""
  [ "$is_pr" = true ] && base_sha=$(event_field base)
  if [ -z "$base_sha" ]; then
    echo "::notice title=skillscan::only-new applies to pull requests; this run reports every finding"
  else
    if ! git cat-file -e "${base_sha}^{commit}" 2>/dev/null; then
      git fetch --quiet --no-tags --depth=1 origin "$base_sha" 2>/dev/null || true
    fi
    if git cat-file -e "${base_sha}^{commit}" 2>/dev/null; then
      base_dir="$RUNNER_TEMP/skillscan-base"
      rm -rf "$base_dir" && mkdir -p "$base_dir"
      git archive --format=tar "$base_sha" | tar -x -C "$base_dir"
      baseline="$RUNNER_TEMP/skillscan-baseline.json"
      rm -f "$baseline"
      base_paths=()
      for p in "${paths[@]}"; do [ -e "$base_dir/$p" ] && base_paths+=("$p"); done
      if [ "${#base_paths[@]}" -gt 0 ]; then
        base_args=()
        [ -n "$config" ] && [ -f "$base_dir/$config" ] && base_args+=(--config "$config")
        (cd "$base_dir" && "$venv/bin/skillscan" baseline create ${base_args[@]+"${base_args[@]}"} -o "$baseline" \
          -- "${base_paths[@]}") \
          || true  # paths that cannot be read at the base are errors there, not a reason to stop
      else
        echo '{"format": "skillscan-baseline/v1", "fingerprints": {}}' > "$baseline"  # nothing there at the base
      fi
      if [ -s "$baseline" ]; then
        common+=(--baseline "$baseline")
        echo "skillscan: reporting only findings new against the base commit ${base_sha:0:12}"
      else
        echo "::warning title=skillscan::no baseline could be made from the base commit; every finding is reported"
      fi
    else
      echo "::warning title=skillscan::the base commit ${base_sha:0:12} is not in the checkout (use actions/checkout with fetch-depth: 0); every finding is reported"
    fi
  fi
fi

# --- the gate: JSON (the verdict) and SARIF, then the reports people read -------------------------------
json="$RUNNER_TEMP/skillscan.json"
sarif_path="$RUNNER_TEMP/skillscan.sarif"
summary="$RUNNER_TEMP/skillscan-summary.md"
rm -f "$json" "$sarif_path" "$summary"
set +e
"$venv/bin/skillscan" scan --format json --output "$json" --sarif-output "$sarif_path" --fail-on "$fail_on" \
  "${common[@]}" -- "${paths[@]}"
rc=$?
set -e

verdict=$("$py" - "$json" <<'PY'
import json, sys
rank = {"allow": 0, "review": 1, "block": 2, "error": 3}
try:
    with open(sys.argv[1], encoding="utf-8") as fh:
        packages = json.load(fh)["packages"]
    verdicts = [str(p.get("verdict", "error")) for p in packages]
except (OSError, ValueError, KeyError, TypeError, AttributeError):
    verdicts = ["error"]
print(max(verdicts, key=lambda v: rank.get(v, 3)) if verdicts else "allow")
PY
)

# pull_request_target runs with the base repository's token, so only the other pull request events lose
# security-events: write for forks
if [ "$upload" = true ] && [ "$is_pr" = true ] && [ "${GITHUB_EVENT_NAME:-}" != pull_request_target ] \
   && [ "$(event_field fork)" = true ]; then
  upload=false
  echo "::notice title=skillscan::SARIF upload skipped: pull requests from forks get no security-events: write. The findings are in this log, the annotations and the job summary."
fi

echo "::group::skillscan report (text)"
"$venv/bin/skillscan" scan --format text --fail-on never "${common[@]}" -- "${paths[@]}" || true
echo "::endgroup::"
if [ "$upload" != true ]; then
  # without code scanning, the findings become workflow annotations on the pull request
  "$venv/bin/skillscan" scan --format github --fail-on never "${common[@]}" -- "${paths[@]}" || true
fi
"$venv/bin/skillscan" scan --format markdown --output "$summary" --fail-on never "${common[@]}" -- "${paths[@]}" \
  || true
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$summary" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
echo "skillscan: strictest verdict ${verdict} (exit code ${rc}, fail-on ${fail_on})"

sarif=""
[ -s "$sarif_path" ] && sarif="$sarif_path"
json_out=""
[ -s "$json" ] && json_out="$json"
{
  echo "exit-code=$rc"
  echo "verdict=$verdict"
  echo "sarif-file=$sarif"
  echo "json-file=$json_out"
  echo "upload=$upload"
} >> "$GITHUB_OUTPUT"

# The verdict is enforced by the action's last step, after the SARIF upload; only a run that
# produced nothing to upload fails here.
if [ "$rc" -ge 2 ] && [ -z "$sarif" ]; then
  exit "$rc"
fi
exit 0
