// The V3 signer, pinned by the known-answer example of Alibaba Cloud's public V3 documentation
// (reproduced in api-digest.md and in tests/unit/test_signing.py for the Python signer).
// Run: npm test   (node --test on the compiled file)
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import {
  acs3Middleware,
  authorization,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  percentEncode,
  signature,
  signedHeaders,
  signRequest,
  stringToSign,
} from "../src/acs3";
import { tokenMiddleware } from "../src/token";

const DOC_SECRET = "YourAccessKeySecret";
const DOC_QUERY: [string, string][] = [
  ["ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"],
  ["RegionId", "cn-shanghai"],
];
const DOC_HEADERS: Record<string, string> = {
  host: "ecs.cn-shanghai.aliyuncs.com",
  "x-acs-action": "RunInstances",
  "x-acs-version": "2014-05-26",
  "x-acs-date": "2023-10-26T09:01:01Z",
  "x-acs-signature-nonce": "d410180a5abf7fe235dd9b74aca91fc0",
  "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};
const DOC_CANONICAL_SHA256 = "29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015";
const DOC_SIGNATURE = "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804";

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function docCanonical(): string {
  return canonicalRequest(
    "POST",
    canonicalUri("/"),
    canonicalQuery(DOC_QUERY),
    DOC_HEADERS,
    DOC_HEADERS["x-acs-content-sha256"],
  );
}

test("documented example: hash of the canonical request", () => {
  assert.equal(sha256Hex(docCanonical()), DOC_CANONICAL_SHA256);
});

test("documented example: string to sign and signature", () => {
  const toSign = stringToSign(docCanonical());
  assert.equal(toSign, `ACS3-HMAC-SHA256\n${DOC_CANONICAL_SHA256}`);
  assert.equal(signature(DOC_SECRET, toSign), DOC_SIGNATURE);
});

test("documented example: signed through the middleware's signRequest", () => {
  const url = `https://ecs.cn-shanghai.aliyuncs.com/?${DOC_QUERY.map(([n, v]) => `${n}=${v}`).join("&")}`;
  const headers = signRequest(
    { accessKeyId: "YourAccessKeyId", accessKeySecret: DOC_SECRET },
    "POST",
    url,
    {},
    {
      action: "RunInstances",
      version: "2014-05-26",
      now: () => new Date("2023-10-26T09:01:01Z"),
      nonce: () => "d410180a5abf7fe235dd9b74aca91fc0",
    },
  );
  assert.equal(
    headers.authorization,
    "ACS3-HMAC-SHA256 Credential=YourAccessKeyId," +
      "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
      `Signature=${DOC_SIGNATURE}`,
  );
  assert.equal(headers["x-acs-date"], "2023-10-26T09:01:01Z");
  assert.equal(headers["x-acs-content-sha256"], DOC_HEADERS["x-acs-content-sha256"]);
});

// signing-vectors.json at the repository root (dist/test is four levels below it), or the
// file SIGNING_VECTORS names (tests/interop builds the example elsewhere and sets it).
interface Vector {
  name: string;
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  accessKeyId: string;
  accessKeySecret: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  authorization: string;
}
const VECTORS_FILE = process.env.SIGNING_VECTORS ?? resolve(__dirname, "../../../../signing-vectors.json");
const VECTORS: Vector[] = JSON.parse(readFileSync(VECTORS_FILE, "utf8")).vectors;

test("signing vectors: the file holds the documented example and our cases", () => {
  assert.ok(VECTORS.length > 1);
  assert.ok(VECTORS.some((vector) => vector.name === "documented-example"));
});

for (const vector of VECTORS) {
  test(`signing vector ${vector.name}`, () => {
    const canonical = canonicalRequest(
      vector.method,
      canonicalUri(vector.path),
      canonicalQuery(vector.query),
      vector.headers,
      Object.entries(vector.headers).find(([name]) => name.toLowerCase() === "x-acs-content-sha256")?.[1] ?? "",
    );
    assert.equal(canonical, vector.canonicalRequest);
    const toSign = stringToSign(canonical);
    assert.equal(toSign, vector.stringToSign);
    const sig = signature(vector.accessKeySecret, toSign);
    assert.equal(sig, vector.signature);
    const names = signedHeaders(Object.keys(vector.headers));
    assert.equal(names, vector.signedHeaders);
    assert.equal(authorization(vector.accessKeyId, names, sig), vector.authorization);
  });
}

test("percentEncode keeps only the RFC 3986 unreserved characters", () => {
  assert.equal(percentEncode("a b*c/d~-_.!'()"), "a%20b%2Ac%2Fd~-_.%21%27%28%29");
  assert.equal(percentEncode("é"), "%C3%A9");
});

test("canonicalUri re-encodes what encodeURIComponent leaves bare and keeps %2F in its segment", () => {
  assert.equal(canonicalUri(""), "/");
  assert.equal(canonicalUri("/organization/a%2Fb/x y"), "/organization/a%2Fb/x%20y");
  assert.equal(canonicalUri("/md5/a*b(c)"), "/md5/a%2Ab%28c%29");
  assert.equal(canonicalUri("/%7e/%c3%a9"), "/~/%C3%A9");
});

test("canonicalQuery sorts by name, then value, and encodes both", () => {
  assert.equal(canonicalQuery([["b", "2"], ["a", "x y"], ["b", "1"]]), "a=x%20y&b=1&b=2");
  assert.equal(canonicalQuery([]), "");
});

test("canonical headers and signed headers are lower-case and sorted", () => {
  assert.equal(canonicalHeaders({ "X-Acs-B": " 2 ", host: "h" }), "host:h\nx-acs-b:2\n");
  assert.equal(signedHeaders(["X-Acs-B", "host", "x-acs-b"]), "host;x-acs-b");
});

test("STS credentials add the token and the AccessKey id, both signed", () => {
  const headers = signRequest(
    { accessKeyId: "STS.id", accessKeySecret: "s", securityToken: "tok" },
    "POST",
    "https://devops.cn-hangzhou.aliyuncs.com/organization/o",
    {},
  );
  assert.equal(headers["x-acs-security-token"], "tok");
  assert.equal(headers["x-acs-accesskey-id"], "STS.id");
  assert.match(headers.authorization, /SignedHeaders=host;x-acs-accesskey-id;x-acs-action;/);
  assert.match(headers.authorization, /x-acs-security-token;x-acs-signature-nonce;x-acs-version,/);
});

test("every request gets a new nonce", async () => {
  const middleware = acs3Middleware({ accessKeyId: "id", accessKeySecret: "s" });
  const context = { fetch, url: "https://devops.cn-hangzhou.aliyuncs.com/", init: { method: "POST" } };
  const nonces = new Set<string>();
  for (let i = 0; i < 3; i += 1) {
    const params = await middleware.pre?.(context);
    nonces.add(new Headers(params?.init.headers).get("x-acs-signature-nonce") ?? "");
  }
  assert.equal(nonces.size, 3);
});

test("the token middleware sends x-yunxiao-token as it is", async () => {
  const params = await tokenMiddleware("pt-abc").pre?.({ fetch, url: "https://x/", init: {} });
  assert.equal(new Headers(params?.init.headers).get("x-yunxiao-token"), "pt-abc");
});
