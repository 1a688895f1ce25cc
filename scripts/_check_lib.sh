# shellcheck shell=bash
# Shared by scripts/check-typescript, check-go, check-java, lint-spec and generate-ts-example
# (sourced, not run; they set -euo pipefail).
# Each of those sets `check` (its name, for messages) before sourcing this file.
#
# Usage: check="check-go"; source "$(dirname "$0")/_check_lib.sh"
# Gives: $root (the repository), $spec (openapi.yaml), $tmp (a folder removed on exit),
# fail MESSAGE, need_tools TOOL..., generate_client GENERATOR OUT [ARG...],
# npm_install_cached PACKAGE_DIR DEST, write_cases FILE, strip_java_time CLIENT_DIR,
# generate_java_client OUT (with java_generator_options and java_error_response).

# shellcheck disable=SC2154 # set by the script that sources this file
: "${check:?set check to the script name before sourcing _check_lib.sh}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
spec="$root/openapi.yaml"

fail() {
  echo "$check: FAILED: $*" >&2
  exit 1
}

# need_tools TOOL...: every TOOL on PATH, or a failure that says what is missing and where it
# comes from (`nox -s spec` installs the Debian packages itself when it runs as root).
need_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) ||
    fail "not on PATH: ${missing[*]} (openapi-generator-cli comes with the 'spec' dependency group;" \
      "java/javac: Debian's openjdk-17-jdk-headless; go: golang-go; node, npm: nodejs, npm)"
}

[[ -f "$spec" ]] || fail "no spec at $spec"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/yunxiao-emas-$check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# generate_client GENERATOR OUT [ARG...]: OpenAPI Generator's client for openapi.yaml, without
# tests and docs. Fails when the generator fails or logs an ERROR; prints its warnings.
generate_client() {
  local generator=$1 out=$2
  shift 2
  local log="$tmp/generate-$generator.log"
  echo "$check: generating the $generator client (openapi-generator $(openapi-generator-cli version))"
  if ! openapi-generator-cli generate \
    --generator-name "$generator" \
    --input-spec "$spec" \
    --output "$out" \
    --global-property apiTests=false,modelTests=false,apiDocs=false,modelDocs=false \
    "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "openapi-generator-cli generate -g $generator exited with an error"
  fi
  if grep -E '^\[[^]]*\] ERROR ' "$log" >&2; then
    fail "the $generator generator logged errors (above)"
  fi
  if grep -E '^\[[^]]*\] WARN ' "$log" >/dev/null; then
    echo "$check: the $generator generator warned:" >&2
    grep -E '^\[[^]]*\] WARN ' "$log" | sed 's/^/  /' >&2
  fi
}

# npm_install_cached PACKAGE_DIR DEST: `npm ci` of PACKAGE_DIR's package.json and lock file into
# DEST/node_modules, skipped when DEST already holds an install of the same lock file.
npm_install_cached() {
  local src=$1 dest=$2 want have=""
  [[ -f "$src/package-lock.json" ]] || fail "no lock file in $src"
  want=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
  [[ -f "$dest/.installed" ]] && have=$(cat "$dest/.installed")
  if [[ "$have" == "$want" && -d "$dest/node_modules" ]]; then
    return 0
  fi
  mkdir -p "$dest"
  rm -rf "$dest/node_modules" "$dest/.installed"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) ||
    fail "npm ci could not install $src/package-lock.json (is the npm registry reachable?)"
  echo "$want" >"$dest/.installed"
}

# write_cases FILE: the answers every generated client must decode (scripts/interop_cases.py).
write_cases() {
  local python=${PYTHON:-$(command -v python || command -v python3 || echo python)}
  "$python" "$root/scripts/interop_cases.py" "$1" "$spec" >/dev/null ||
    fail "scripts/interop_cases.py could not list the spec's answers (needs PyYAML)"
}

# The cache folder (first argument of the check scripts), or one inside $tmp.
cache_dir() {
  local dir=${1:-"$tmp/cache"}
  mkdir -p "$dir"
  cd "$dir" && pwd
}

# The Java client's recipe, one for scripts/check-java and examples/java/build, and the one
# examples/java/README.md and docs/guides/other-languages.md show (tests/interop checks they
# agree). Generator java, library native (the JDK's HttpClient and Jackson);
# openApiNullable=false: jackson-databind-nullable is not packaged by Debian; useJakartaEe:
# jakarta.annotation.* from one Debian jar (the javax default is not packaged either);
# --schema-mappings: the spec's ErrorResponse is the hand-written java_error_response, not the
# generated anyOf decoder, which decodes every error of the signed API as a GatewayError
# without its code (that file says why).
java_generator_options=(
  --library native
  --additional-properties=openApiNullable=false,useJakartaEe=true,hideGenerationTimestamp=true
  --schema-mappings ErrorResponse=example.ErrorResponse
)
java_error_response="$root/examples/java/src/example/ErrorResponse.java"

# generate_java_client OUT: the Java client of the recipe above, in OUT, with java.time support
# removed (strip_java_time) so that it compiles against Debian's jars together with
# java_error_response. Fails when the generator still makes an ErrorResponse of its own.
generate_java_client() {
  generate_client java "$1" "${java_generator_options[@]}"
  strip_java_time "$1"
  if [[ -e "$1/src/main/java/org/openapitools/client/model/ErrorResponse.java" ]]; then
    fail "the generator made its own ErrorResponse despite --schema-mappings (generator changed?)"
  fi
}

# strip_java_time CLIENT_DIR: removes java.time support from a Java client generated with
# `--library native`, so that it compiles against Debian's Jackson jars: Debian does not package
# jackson-datatype-jsr310, and the native library registers its JavaTimeModule unconditionally.
# The lines that register it and the two RFC3339 classes built on it go; that code only matters
# for `format: date`/`date-time` properties, which openapi.yaml has none of (fails if it has).
# With Maven or Gradle none of this is needed: the generated pom.xml brings jsr310.
strip_java_time() {
  local invoker="$1/src/main/java/org/openapitools/client"
  if grep -nE '^\s*format:\s*"?(date|date-time)"?\s*$' "$spec" >&2; then
    fail "the spec has date/date-time formats (above): the Java client needs jackson-datatype-jsr310"
  fi
  _strip_line "$invoker/ApiClient.java" "import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;"
  _strip_line "$invoker/ApiClient.java" "mapper.registerModule(new JavaTimeModule());"
  _strip_line "$invoker/ApiClient.java" "mapper.registerModule(new RFC3339JavaTimeModule());"
  _strip_line "$invoker/JSON.java" "import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;"
  _strip_line "$invoker/JSON.java" ".addModule(new JavaTimeModule())"
  rm "$invoker/RFC3339InstantDeserializer.java" "$invoker/RFC3339JavaTimeModule.java"
  if grep -rnE 'jsr310|JavaTimeModule' "$1/src/main" >&2; then
    fail "the generated client still uses jackson-datatype-jsr310 (above)"
  fi
}

# _strip_line FILE TEXT: removes the lines of FILE holding TEXT; fails when there is none
# (the generator changed).
_strip_line() {
  local file=$1 pattern=$2
  grep -qF -- "$pattern" "$file" || fail "expected '$pattern' in ${file#"$tmp"/} (generator changed?)"
  grep -vF -- "$pattern" "$file" >"$file.new" && mv "$file.new" "$file"
}

# debian_jackson_classpath: the classpath of Debian's Jackson and Jakarta annotation jars, which
# a Java client generated with `--library native` needs; fails naming the packages when missing.
debian_jackson_classpath() {
  local jar path classpath=""
  for jar in jackson-databind jackson-core jackson-annotations jakarta-annotation-api; do
    path=/usr/share/java/$jar.jar
    [[ -f "$path" ]] || fail "$path is missing (Debian packages: libjackson2-databind-java" \
      "libjackson2-core-java libjackson2-annotations-java libjakarta-annotation-api-java)"
    classpath+="${classpath:+:}$path"
  done
  echo "$classpath"
}
