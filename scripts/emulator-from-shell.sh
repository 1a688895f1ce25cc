#!/usr/bin/env bash
# Drive the Yunxiao emulator from a shell with curl alone, as a test suite in any language would:
# start it from a config file on a free port, read where it listens from its first line, add an
# artifact and inject a fault through the control API, call the token API (the fault first, then
# the URL), download the artifact, and read the calls the emulator recorded.
#
# Usage: scripts/emulator-from-shell.sh
# The emulator command is `yunxiao-emas` (pip install 'yunxiao-emas[cli,mock]'); set
# YUNXIAO_EMAS to run another, e.g. YUNXIAO_EMAS="python -m yunxiao_emas". Needs curl.
# Prints "ok" and exits 0 when every step did what it should; exits 1 at the first that did not.
set -euo pipefail

read -r -a emulator_command <<<"${YUNXIAO_EMAS:-yunxiao-emas}"
work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "emulator-from-shell: $*" >&2
  exit 1
}

token="pt-from-the-shell"
org="shell-org"
cat >"$work/emulator.yaml" <<EOF
tokens: [$token]
artifacts:
  - {organization_id: $org, pipeline_id: 1111, pipeline_run_id: 1,
     emas_job_instance_id: configured-job, service_connection_id: 122, size: 4096}
EOF

# 1. Start it on a free port; its first line on stdout is one JSON object with base_url.
"${emulator_command[@]}" emulator --config "$work/emulator.yaml" --port 0 >"$work/out" 2>"$work/err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/out" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || fail "the emulator exited: $(cat "$work/err")"
  sleep 0.1
done
ready=$(head -n 1 "$work/out")
base_url=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' <<<"$ready")
[[ "$base_url" == http://127.0.0.1:* ]] || fail "no base_url in the first line: $ready"
grep -q '"configured-job"' <<<"$ready" || fail "the configured artifact is not listed: $ready"

# 2. Add an artifact (its bytes in base64); the answer holds its md5.
content="hello from the shell"
encoded=$(printf '%s' "$content" | base64)
added=$(curl -fsS -H 'content-type: application/json' -d @- "$base_url/_emulator/artifacts" <<EOF
{"organization_id": "$org", "pipeline_id": 2222, "pipeline_run_id": 7,
 "emas_job_instance_id": "shell-job", "service_connection_id": 122,
 "filename": "shell.apk", "content_base64": "$encoded"}
EOF
)
md5=$(sed -n 's/.*"md5": *"\([0-9a-f]\{32\}\)".*/\1/p' <<<"$added")
[[ -n "$md5" ]] || fail "no md5 in the answer: $added"

# 3. Inject a fault: the next API call answers 503 ServiceUnavailable.
curl -fsS -H 'content-type: application/json' \
  -d '{"fault": "fail_next", "count": 1, "code": "ServiceUnavailable"}' \
  "$base_url/_emulator/faults" >/dev/null

# 4. Call the token API: the fault first, then the temporary URL (a JSON string).
api="$base_url/oapi/v1/flow/organizations/$org/pipelines/getEmasArtifactDownloadUrl"
query="pipelineId=2222&pipelineRunId=7&emasJobInstanceId=shell-job&md5=$md5&serviceConnectionId=122"
status=$(curl -sS -o "$work/first" -w '%{http_code}' -H "x-yunxiao-token: $token" "$api?$query")
[[ "$status" == 503 ]] || fail "expected 503 from the injected fault, got $status: $(cat "$work/first")"
grep -q ServiceUnavailable "$work/first" || fail "the 503 does not name ServiceUnavailable"
answer=$(curl -fsS -H "x-yunxiao-token: $token" "$api?$query")
file_url=$(sed -n 's/^"\(.*\)"$/\1/p' <<<"$answer")
[[ "$file_url" == "$base_url"/emas-artifacts/* ]] || fail "not a download URL: $answer"

# 5. Download it: the bytes added in step 2.
downloaded=$(curl -fsS "$file_url")
[[ "$downloaded" == "$content" ]] || fail "downloaded '$downloaded', not the artifact"

# 6. The calls the emulator recorded: the 503, the 200, the download.
calls=$(curl -fsS "$base_url/_emulator/calls")
grep -q '"status": 503, "code": "ServiceUnavailable"' <<<"$calls" || fail "no 503 in $calls"
grep -q '"status": 200, "code": null, "operation": "GetEmasArtifactDownloadUrl"' <<<"$calls" ||
  fail "no successful call in $calls"
grep -q '"method": "GET", "path": "/emas-artifacts/' <<<"$calls" || fail "no download in $calls"

# 7. Reset: back to the config file's artifact only.
curl -fsS -X POST "$base_url/_emulator/reset" >/dev/null
listed=$(curl -fsS "$base_url/_emulator/artifacts")
grep -q '"shell-job"' <<<"$listed" && fail "reset kept the added artifact: $listed"
grep -q '"configured-job"' <<<"$listed" || fail "reset lost the configured artifact: $listed"

echo ok
