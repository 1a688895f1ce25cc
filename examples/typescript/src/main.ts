/**
 * The whole job in TypeScript: ask either API for the temporary download URL of a pipeline
 * run's EMAS artifact with the client generated from openapi.yaml, then (with --download)
 * fetch the file and check its md5.
 *
 * Usage:
 *   node dist/src/main.js signed|token --endpoint URL --organization ID --pipeline N --run N \
 *     --job ID --md5 MD5 --service-connection N [--download FILE]
 *
 * Credentials come from the environment: `signed` (GetPipelineEmasArtifactUrl, V3 signature)
 * reads ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, with STS,
 * ALIBABA_CLOUD_SECURITY_TOKEN; `token` (GetEmasArtifactDownloadUrl) reads YUNXIAO_TOKEN.
 *
 * Prints one JSON line, {"ok": true, "fileUrl", "requestId", "downloaded"?} or
 * {"ok": false, "status", "code", "message", "requestId"}, and exits 0 on success, 1 on an API
 * error, 2 on bad usage, 3 when the download fails or its md5 differs.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { acs3Middleware } from "./acs3";
import {
  Configuration,
  ErrorResponseFromJSON,
  PipelineApi,
  ResponseError,
  TokenApiErrorFromJSON,
} from "./client";
import type { Middleware } from "./client";
import { tokenMiddleware } from "./token";

export interface Ids {
  organizationId: string;
  pipelineId: number;
  pipelineRunId: number;
  emasJobInstanceId: string;
  md5: string;
  serviceConnectionId: number;
}

export type Outcome =
  | { ok: true; fileUrl: string; requestId?: string }
  | { ok: false; status: number; code?: string; message?: string; requestId?: string };

class UsageError extends Error {}

/** The first of `keys` whose value in `body` is a non-empty string (the spec's rule for codes). */
function first(body: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = body[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

function client(endpoint: string, auth: Middleware): PipelineApi {
  // basePath always: the generated client knows one server for both operations.
  return new PipelineApi(new Configuration({ basePath: endpoint.replace(/\/+$/, ""), middleware: [auth] }));
}

/** GetPipelineEmasArtifactUrl, signed with the AccessKey of the environment. */
export async function signedCall(endpoint: string, ids: Ids, auth: Middleware): Promise<Outcome> {
  try {
    const answer = await client(endpoint, auth).getPipelineEmasArtifactUrl(ids);
    // A 200 is not always a success: `success: false` carries an errorCode.
    if (answer.success && answer.fileUrl) return { ok: true, fileUrl: answer.fileUrl, requestId: answer.requestId };
    return { ok: false, status: 200, code: answer.errorCode, message: answer.errorMessage, requestId: answer.requestId };
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    const raw = (await error.response.json()) as Record<string, unknown>;
    const body = ErrorResponseFromJSON(raw) as unknown as Record<string, unknown>;
    // The emulator (never the real gateway) says what it signed: diff it with your own.
    const check = raw["EmulatorSignatureCheck"] as { canonicalRequest?: string; stringToSign?: string } | undefined;
    if (check) {
      console.error(`the emulator's canonical request:\n${check.canonicalRequest}\nits string to sign:\n${check.stringToSign}`);
    }
    return {
      ok: false,
      status: error.response.status,
      code: first(body, "errorCode", "Code", "code"),
      message: first(body, "errorMessage", "Message", "message"),
      requestId: first(body, "requestId", "RequestId"),
    };
  }
}

/** GetEmasArtifactDownloadUrl, with the personal access token of the environment. */
export async function tokenCall(endpoint: string, ids: Ids, auth: Middleware): Promise<Outcome> {
  try {
    const fileUrl = await client(endpoint, auth).getEmasArtifactDownloadUrl(ids);
    return { ok: true, fileUrl };
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    const body = TokenApiErrorFromJSON(await error.response.json());
    return {
      ok: false,
      status: error.response.status,
      code: body.errorCode,
      message: body.errorMessage,
      requestId: body.requestId,
    };
  }
}

/** Fetches a pre-signed URL (no credentials: it is signed already) into `path`; its md5. */
export async function download(fileUrl: string, path: string): Promise<{ size: number; md5: string }> {
  const response = await fetch(fileUrl);
  if (!response.ok) throw new Error(`the file host answered ${response.status}`);
  const content = new Uint8Array(await response.arrayBuffer());
  await writeFile(path, content);
  return { size: content.length, md5: createHash("md5").update(content).digest("hex") };
}

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

function text(name: string, raw: string | undefined): string {
  if (!raw) throw new UsageError(`--${name} is required`);
  return raw;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new UsageError(`${name} is not set`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      endpoint: { type: "string" },
      organization: { type: "string" },
      pipeline: { type: "string" },
      run: { type: "string" },
      job: { type: "string" },
      md5: { type: "string" },
      "service-connection": { type: "string" },
      download: { type: "string" },
    },
  });
  const [api] = positionals;
  if (positionals.length !== 1 || (api !== "signed" && api !== "token")) {
    throw new UsageError("the first argument is the API: signed or token");
  }
  const endpoint = text("endpoint", values.endpoint);
  const ids: Ids = {
    organizationId: text("organization", values.organization),
    pipelineId: positive("pipeline", values.pipeline),
    pipelineRunId: positive("run", values.run),
    emasJobInstanceId: text("job", values.job),
    md5: text("md5", values.md5),
    serviceConnectionId: positive("service-connection", values["service-connection"]),
  };
  const outcome =
    api === "signed"
      ? await signedCall(endpoint, ids, acs3Middleware({
          accessKeyId: env("ALIBABA_CLOUD_ACCESS_KEY_ID"),
          accessKeySecret: env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
          securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined,
        }))
      : await tokenCall(endpoint, ids, tokenMiddleware(env("YUNXIAO_TOKEN")));
  if (!outcome.ok || values.download === undefined) {
    console.log(JSON.stringify(outcome));
    return outcome.ok ? 0 : 1;
  }
  const file = await download(outcome.fileUrl, values.download);
  const verified = !/^[0-9a-f]{32}$/i.test(ids.md5) || file.md5 === ids.md5.toLowerCase();
  console.log(JSON.stringify({ ...outcome, downloaded: { path: values.download, ...file, verified } }));
  return verified ? 0 : 3;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`yunxiao-emas example: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof UsageError ? 2 : 3);
    },
  );
}
