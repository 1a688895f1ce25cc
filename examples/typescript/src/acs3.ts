/**
 * Alibaba Cloud request signature V3 (ACS3-HMAC-SHA256) for the typescript-fetch client, as a
 * middleware: the authentication of GetPipelineEmasArtifactUrl (API version 2021-06-25).
 *
 * Each step of the signature is a small function named for what it builds, in the order of the
 * public V3 documentation, like yunxiao_emas/auth/acs3.py: percentEncode, canonicalUri,
 * canonicalQuery, canonicalHeaders, signedHeaders, canonicalRequest, stringToSign, signature.
 * test/acs3.test.ts pins them with the documented known-answer example.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { FetchParams, Middleware, RequestContext } from "./client";

export const ALGORITHM = "ACS3-HMAC-SHA256";
export const ACTION = "GetPipelineEmasArtifactUrl";
export const VERSION = "2021-06-25";

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;
const PLAIN_PATH = /^[A-Za-z0-9\-_.~/]*$/;

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function encodeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** RFC 3986 encoding: only `A-Z a-z 0-9 - _ . ~` stay; space is `%20`, never `+`. */
export function percentEncode(value: string): string {
  return encodeBytes(new TextEncoder().encode(value));
}

/** The bytes a path segment stands for: `%XX` escapes decoded, other characters as UTF-8. */
function segmentBytes(segment: string): Uint8Array {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < segment.length; ) {
    const escape = /^%[0-9A-Fa-f]{2}/.exec(segment.slice(i));
    if (escape) {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const codePoint = segment.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...encoder.encode(char));
      i += char.length;
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * The canonical URI of a path as it goes on the wire (still percent-encoded): each segment is
 * decoded and encoded again per RFC 3986, so `%2F` stays inside its segment and both sides
 * agree whatever safe characters the sender left bare (encodeURIComponent keeps `!'()*`).
 */
export function canonicalUri(rawPath: string): string {
  if (PLAIN_PATH.test(rawPath)) return rawPath === "" ? "/" : rawPath;
  return rawPath
    .split("/")
    .map((segment) => encodeBytes(segmentBytes(segment)))
    .join("/");
}

/** Decoded query parameters, each name and value RFC 3986 encoded, sorted, joined by `&`. */
export function canonicalQuery(params: Iterable<[string, string]>): string {
  const encoded = [...params].map(([name, value]) => [percentEncode(name), percentEncode(value)]);
  encoded.sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  return encoded.map(([name, value]) => `${name}=${value}`).join("&");
}

function lowered(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) out.set(name.toLowerCase(), value.trim());
  return out;
}

/** `name:value\n` for each signed header: names lower-case and sorted, values trimmed. */
export function canonicalHeaders(headers: Record<string, string>): string {
  const byName = lowered(headers);
  return [...byName.keys()]
    .sort()
    .map((name) => `${name}:${byName.get(name) ?? ""}\n`)
    .join("");
}

/** The signed header names, lower-case, sorted, joined by `;`. */
export function signedHeaders(names: Iterable<string>): string {
  return [...new Set([...names].map((name) => name.toLowerCase()))].sort().join(";");
}

/** The six parts joined by newlines (the headers part ends with its own newline). */
export function canonicalRequest(
  method: string,
  uri: string,
  query: string,
  headers: Record<string, string>,
  payloadHash: string,
): string {
  return [
    method.toUpperCase(),
    uri,
    query,
    canonicalHeaders(headers),
    signedHeaders(Object.keys(headers)),
    payloadHash,
  ].join("\n");
}

/** `ACS3-HMAC-SHA256` and the hex SHA-256 of the canonical request. */
export function stringToSign(canonical: string): string {
  return `${ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** Hex HMAC-SHA256 of the string to sign, keyed with the AccessKey secret. */
export function signature(secret: string, toSign: string): string {
  return createHmac("sha256", secret).update(toSign, "utf8").digest("hex");
}

/** The `Authorization` header value. */
export function authorization(accessKeyId: string, names: string, sig: string): string {
  return `${ALGORITHM} Credential=${accessKeyId},SignedHeaders=${names},Signature=${sig}`;
}

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** With STS credentials: sent (and signed) as `x-acs-security-token`. */
  securityToken?: string;
}

export interface SignOptions {
  action?: string;
  version?: string;
  /** The clock (tests fix it); `x-acs-date` is its UTC time to the second. */
  now?: () => Date;
  /** A new random value for every attempt (tests fix it). */
  nonce?: () => string;
}

/** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
export function acsDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function bodyBytes(body: unknown): string | Uint8Array {
  if (body === undefined || body === null) return "";
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  throw new TypeError("acs3: only string or Uint8Array request bodies can be signed");
}

function headersOf(init: RequestInit): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * Signs one request: returns its headers with the signature headers added. Signed are `host`
 * (from the URL, as fetch sends it), every `x-acs-*` header, and `content-type` when there is
 * a body. The nonce and date are new on every call, so a retry is signed afresh.
 */
export function signRequest(
  key: AccessKey,
  method: string,
  url: string,
  init: RequestInit,
  options: SignOptions = {},
): Record<string, string> {
  const target = new URL(url);
  const body = bodyBytes(init.body);
  const headers = headersOf(init);
  delete headers["authorization"];
  const fresh: Record<string, string> = {
    "x-acs-action": options.action ?? ACTION,
    "x-acs-version": options.version ?? VERSION,
    "x-acs-date": acsDate((options.now ?? (() => new Date()))()),
    "x-acs-signature-nonce": (options.nonce ?? (() => randomBytes(16).toString("hex")))(),
    "x-acs-content-sha256": sha256Hex(body),
  };
  if (key.securityToken) {
    fresh["x-acs-security-token"] = key.securityToken;
    fresh["x-acs-accesskey-id"] = key.accessKeyId;
  }
  const toSign: Record<string, string> = { host: target.host };
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-acs-") || (name === "content-type" && body.length > 0)) toSign[name] = value;
  }
  Object.assign(toSign, fresh);
  const canonical = canonicalRequest(
    method,
    canonicalUri(target.pathname),
    canonicalQuery(target.searchParams.entries()),
    toSign,
    fresh["x-acs-content-sha256"],
  );
  const sig = signature(key.accessKeySecret, stringToSign(canonical));
  const names = signedHeaders(Object.keys(toSign));
  return { ...headers, ...fresh, authorization: authorization(key.accessKeyId, names, sig) };
}

/**
 * The middleware: `new PipelineApi(new Configuration({ basePath, middleware: [acs3Middleware(key)] }))`.
 * `key` may be a function, so rotating STS credentials are read when each request is signed.
 */
export function acs3Middleware(key: AccessKey | (() => AccessKey), options: SignOptions = {}): Middleware {
  return {
    async pre(context: RequestContext): Promise<FetchParams> {
      const credentials = typeof key === "function" ? key() : key;
      const method = context.init.method ?? "GET";
      const headers = signRequest(credentials, method, context.url, context.init, options);
      return { url: context.url, init: { ...context.init, headers } };
    },
  };
}
