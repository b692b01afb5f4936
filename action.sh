#!/usr/bin/env bash
# The GitHub Action's body. Inputs arrive only as environment variables (never interpolated into
# the script), are validated, and are passed to skillscan as separate argv entries.
set -euo pipefail

fail() { echo "::error title=skillscan::$*"; exit 2; }

paths_raw=${GHA_SKILLSCAN_PATHS:-.}
version=${GHA_SKILLSCAN_VERSION:-}
fail_on=${GHA_SKILLSCAN_FAIL_ON:-block}
config=${GHA_SKILLSCAN_CONFIG:-}
policy=${GHA_SKILLSCAN_POLICY:-}
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

case "$fail_on" in
  block|review|never) ;;
  *) fail "fail-on must be block, review or never (got '$fail_on')" ;;
esac

venv="$RUNNER_TEMP/skillscan-venv"
if [ ! -x "$venv/bin/skillscan" ]; then
  python3 -m venv "$venv"
  if [ -z "$version" ]; then
    spec="${GITHUB_ACTION_PATH:-$(dirname "$0")}"
  elif [ -f "$version" ]; then
    spec="$version"
  elif [[ "$version" =~ ^[0-9]+(\.[0-9]+)*([a-z0-9.+-]*)$ ]]; then
    spec="skillscan==$version"
  else
    fail "version must be a release number or a wheel path (got '$version')"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -- "$spec"
fi

# whitespace-separated paths, without glob expansion or any other shell evaluation
set -f
read -r -a paths <<< "$paths_raw"
set +f
[ "${#paths[@]}" -gt 0 ] || paths=(.)

args=(scan --format markdown --output "$RUNNER_TEMP/skillscan-summary.md"
      --sarif-output "$RUNNER_TEMP/skillscan.sarif" --fail-on "$fail_on" --quiet)
[ -n "$config" ] && args+=(--config "$config")
[ -n "$policy" ] && args+=(--policy "$policy")

set +e
"$venv/bin/skillscan" "${args[@]}" -- "${paths[@]}"
rc=$?
set -e

sarif=""
[ -s "$RUNNER_TEMP/skillscan.sarif" ] && sarif="$RUNNER_TEMP/skillscan.sarif"
verdict=error
if [ -s "$RUNNER_TEMP/skillscan-summary.md" ]; then
  for v in error block review allow; do
    if grep -q "^| [^|]* $v |" "$RUNNER_TEMP/skillscan-summary.md"; then verdict=$v; break; fi
  done
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$RUNNER_TEMP/skillscan-summary.md" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
{
  echo "exit-code=$rc"
  echo "verdict=$verdict"
  echo "sarif-file=$sarif"
} >> "$GITHUB_OUTPUT"

# The verdict is enforced by the action's last step, after the SARIF upload; only a run that
# produced nothing to upload fails here.
if [ "$rc" -ge 2 ] && [ -z "$sarif" ]; then
  exit "$rc"
fi
exit 0
