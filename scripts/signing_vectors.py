"""Writes signing-vectors.json, the V3 (ACS3-HMAC-SHA256) test vectors every signer runs.

Usage: python scripts/signing_vectors.py [--check]   (run from anywhere; needs the package)

Each case's inputs are below, with where it came from. Its expected canonical request, string
to sign, signature and ``Authorization`` header are computed here with the Python signer
(``yunxiao_emas.auth.acs3``), except that the documented example's hash and signature are the
ones Alibaba Cloud published: the script refuses to write a file whose documented case differs.
The other cases are ours; what pins them is that four independent signers (Python, and the
TypeScript, Go and Java examples) all agree with the committed file, and the emulator accepts
exactly those signatures. ``--check`` fails when the committed file is not what this script
makes (``nox -s spec`` runs it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from yunxiao_emas.auth.acs3 import authorization, sign_parts

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "signing-vectors.json"
EMPTY = hashlib.sha256(b"").hexdigest()

DOC_CANONICAL_SHA256 = "29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
DOC_SIGNATURE = "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"

KEY_ID, SECRET = "LTAI5tVectorKeyId", "vector-secret-not-a-real-key"
HOST = "devops.cn-hangzhou.aliyuncs.com"
DATE, NONCE = "2026-01-02T03:04:05Z", "0123456789abcdef0123456789abcdef"
EMAS = "/organization/{org}/pipeline/1111/pipelineRun/1/emas/artifact/{job}/{md5}"
MD5 = "0cc175b9c0f1b6a831c399e269772661"


def acs(
    action: str = "GetPipelineEmasArtifactUrl", body: bytes = b"", **extra: str
) -> dict[str, str]:
    """The signed headers of a request of ours to ``HOST``: host, the x-acs-* headers, extra."""
    return {
        "host": HOST,
        "x-acs-action": action,
        "x-acs-version": "2021-06-25",
        "x-acs-date": DATE,
        "x-acs-signature-nonce": NONCE,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        **extra,
    }


def emas(org: str = "5ebbc0228123212b59xxxxx", job: str = "Psaxsa", md5: str = MD5) -> str:
    return EMAS.format(org=org, job=job, md5=md5)


CONNECTION = [["serviceConnectionId", "122"]]

# name, source, what it pins, method, path as sent, query (decoded, as sent), headers, body,
# and (key id, secret, STS token) when not ours.
CASES: list[dict[str, Any]] = [
    {
        "name": "documented-example",
        "source": "external: Alibaba Cloud's public documentation of request signature V3 (the "
        "RunInstances example); its canonical request hash and signature are the published ones",
        "pins": "the whole recipe against the only published known answer",
        "method": "POST",
        "path": "/",
        "query": [
            ["ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"],
            ["RegionId", "cn-shanghai"],
        ],
        "headers": {
            "host": "ecs.cn-shanghai.aliyuncs.com",
            "x-acs-action": "RunInstances",
            "x-acs-version": "2014-05-26",
            "x-acs-date": "2023-10-26T09:01:01Z",
            "x-acs-signature-nonce": "d410180a5abf7fe235dd9b74aca91fc0",
            "x-acs-content-sha256": EMPTY,
        },
        "credentials": ("YourAccessKeyId", "YourAccessKeySecret", None),
    },
    {
        "name": "emas-artifact-url",
        "source": "ours: GetPipelineEmasArtifactUrl as our client sends it",
        "pins": "the operation itself: POST, path of ids, one query parameter, empty body",
        "method": "POST",
        "path": emas(),
        "query": CONNECTION,
    },
    {
        "name": "host-with-port",
        "source": "ours: a call to the emulator or a proxy on a port",
        "pins": "host is signed as sent in the Host header, port included",
        "method": "POST",
        "path": emas(),
        "query": CONNECTION,
        "headers": {"host": "127.0.0.1:8080"},
    },
    {
        "name": "id-with-space",
        "source": "ours: an id with a space, sent as %20",
        "pins": "space is %20 in the canonical URI (never +)",
        "method": "POST",
        "path": emas(org="my%20org"),
        "query": CONNECTION,
    },
    {
        "name": "id-with-sub-delims-sent-bare",
        "source": "ours: an id with * + ' ~ sent unencoded, as encodeURIComponent and some "
        "generated clients leave them",
        "pins": "each segment is decoded and encoded again: * is %2A, + is %2B (a path + is "
        "not a space), ' is %27, ~ stays",
        "method": "POST",
        "path": emas(job="a*b+c'd~e"),
        "query": CONNECTION,
    },
    {
        "name": "id-with-sub-delims-sent-encoded",
        "source": "ours: the same id as id-with-sub-delims-sent-bare, fully percent-encoded "
        "with lower-case hex (%7e for ~)",
        "pins": "the canonical URI does not depend on how the sender encoded: same as the "
        "bare case, hex upper-case, ~ decoded",
        "method": "POST",
        "path": emas(job="a%2ab%2Bc%27d%7ee"),
        "query": CONNECTION,
    },
    {
        "name": "id-with-percent",
        "source": "ours: an id holding a literal %, sent as %25",
        "pins": "an encoded % stays %25 (decoded once, encoded once)",
        "method": "POST",
        "path": emas(md5="100%25"),
        "query": CONNECTION,
    },
    {
        "name": "id-with-slash",
        "source": "ours: an id holding /, sent as %2F",
        "pins": "/ inside a value stays %2F inside its segment; segments are not split on it",
        "method": "POST",
        "path": emas(org="team%2Fmobile"),
        "query": CONNECTION,
    },
    {
        "name": "id-unicode",
        "source": "ours: a non-ASCII id, sent as UTF-8 percent-encoded",
        "pins": "UTF-8 bytes, each %XX upper-case",
        "method": "POST",
        "path": emas(org="%E6%B5%81%E6%B0%B4%E7%BA%BF-%C3%A9"),
        "query": CONNECTION,
    },
    {
        "name": "query-values-to-encode",
        "source": "ours: query values with space, *, ~, /, =, &, + and unicode",
        "pins": "query names and values RFC 3986 encoded the same way as path segments",
        "method": "GET",
        "path": "/organization/5ebbc0228123212b59xxxxx/serviceConnections",
        "query": [["q", "a b*c~d/e=f&g+h"], ["name", "流水线"]],
        "action": "ListServiceConnections",
    },
    {
        "name": "empty-query",
        "source": "ours: a GET without a query",
        "pins": "the canonical query is the empty string (an empty line), not absent",
        "method": "GET",
        "path": "/organization/5ebbc0228123212b59xxxxx/pipelines/1111/pipelineRuns/1",
        "query": [],
        "action": "GetPipelineRun",
    },
    {
        "name": "repeated-unsorted-query",
        "source": "ours: repeated names, sent unsorted, differing only by case",
        "pins": "sorted by encoded name then encoded value, byte order (upper case first); "
        "repeated names all kept",
        "method": "GET",
        "path": "/organization/5ebbc0228123212b59xxxxx/pipelines/1111/pipelineRuns",
        "query": [["status", "SUCCESS"], ["maxResults", "10"], ["Status", "x"], ["status", "FAIL"]],
        "action": "ListPipelineRuns",
    },
    {
        "name": "empty-query-value",
        "source": "ours: a parameter with an empty value",
        "pins": "name= is kept, with nothing after =",
        "method": "GET",
        "path": "/organization/5ebbc0228123212b59xxxxx/pipelines/1111/pipelineRuns",
        "query": [["nextToken", ""], ["maxResults", "10"]],
        "action": "ListPipelineRuns",
    },
    {
        "name": "sts-credentials",
        "source": "ours: STS credentials, as our client sends them",
        "pins": "x-acs-security-token and x-acs-accesskey-id are signed like every x-acs-* header",
        "method": "POST",
        "path": emas(),
        "query": CONNECTION,
        "sts": "CAIS-an-sts-token/with+chars=",
    },
    {
        "name": "post-with-body",
        "source": "ours: a POST with a JSON body (operations with a body, not this one)",
        "pins": "x-acs-content-sha256 is the body's hash; content-type is signed when sent",
        "method": "POST",
        "path": "/organization/5ebbc0228123212b59xxxxx/pipelines/1111/run",
        "query": [],
        "body": '{"params":"{\\"branch\\":\\"main\\"}"}',
        "headers": {"content-type": "application/json"},
        "action": "StartPipelineRun",
    },
    {
        "name": "header-values-trimmed-names-lowered",
        "source": "ours: header names in mixed case and a value with spaces around it",
        "pins": "names lower-case in both the canonical headers and SignedHeaders; values trimmed",
        "method": "POST",
        "path": emas(),
        "query": CONNECTION,
        "headers": {"X-Acs-Signature-Nonce": "  " + NONCE + " "},
    },
]


def vector(case: dict[str, Any]) -> dict[str, Any]:
    """The case as published: its inputs, then what a signer must make of them."""
    key_id, secret, token = case.get("credentials") or (KEY_ID, SECRET, case.get("sts"))
    body = case.get("body", "")
    if case["name"] == "documented-example":
        headers = dict(case["headers"])
    else:
        headers = acs(case.get("action", "GetPipelineEmasArtifactUrl"), body.encode("utf-8"))
        for name, value in case.get("headers", {}).items():
            headers.pop(name.lower(), None)
            headers[name] = value
        if token:
            headers["x-acs-security-token"] = token
            headers["x-acs-accesskey-id"] = key_id
    query = [(name, value) for name, value in case["query"]]
    parts = sign_parts(secret, case["method"], case["path"], query, headers)
    return {
        "name": case["name"],
        "source": case["source"],
        "pins": case["pins"],
        "method": case["method"],
        "path": case["path"],
        "query": [list(pair) for pair in query],
        "headers": headers,
        "body": body,
        "accessKeyId": key_id,
        "accessKeySecret": secret,
        "securityToken": token,
        "canonicalRequest": parts.canonical_request,
        "stringToSign": parts.string_to_sign,
        "signature": parts.signature,
        "signedHeaders": parts.signed_headers,
        "authorization": authorization(key_id, parts),
    }


def document() -> dict[str, Any]:
    vectors = [vector(case) for case in CASES]
    doc = vectors[0]
    if doc["stringToSign"] != f"ACS3-HMAC-SHA256\n{DOC_CANONICAL_SHA256}" or doc["signature"] != (
        DOC_SIGNATURE
    ):
        raise SystemExit("the Python signer no longer gives the documented example's answer")
    return {
        "description": (
            "Test vectors of Alibaba Cloud request signature V3 (ACS3-HMAC-SHA256) as the "
            "signed API of openapi.yaml uses it. Each vector gives the request as sent (method; "
            "path still percent-encoded, exactly as on the wire; query as decoded name/value "
            "pairs in the order sent; the headers to sign with their values as sent; the body "
            "as UTF-8 text; the credentials) and what a signer must build from it: the "
            "canonical request, the string to sign, the signature, the signed header names "
            "and the Authorization header. Only the vector named documented-example comes "
            "from outside this project (Alibaba Cloud's public V3 documentation, whose "
            "published hash and signature it reproduces); every other vector is ours, "
            "computed by yunxiao_emas.auth.acs3 and checked in CI by three independent "
            "signers (examples/typescript, examples/go, examples/java) and by the emulator, "
            "which accepts exactly these signatures. Each vector's source says where it "
            "came from."
        ),
        "algorithm": "ACS3-HMAC-SHA256",
        "generatedBy": "scripts/signing_vectors.py",
        "vectors": vectors,
    }


def render() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_text(encoding="utf-8") != text:
            print(
                "signing-vectors.json is not what scripts/signing_vectors.py makes: run it",
                file=sys.stderr,
            )
            return 1
        print(f"signing-vectors.json: {len(document()['vectors'])} vectors, up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.name}: {len(document()['vectors'])} vectors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
