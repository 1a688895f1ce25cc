// Feeds every answer of cases.json (scripts/interop_cases.py) to the typescript-fetch client
// generated from openapi.yaml, through its API class and a fetch that returns the canned
// answer, and checks what the client read: the URL of a 200, the code of an error (decoded
// with the generated ErrorResponse / TokenApiError model, read by the spec's rule).
//
// Usage: node out/decode.js CASES_JSON   (compiled by scripts/check-typescript)
import { readFileSync } from "node:fs";
import {
  Configuration,
  ErrorResponseFromJSON,
  PipelineApi,
  ResponseError,
  TokenApiErrorFromJSON,
} from "./client";
import type { ErrorResponse } from "./client";

interface Case {
  name: string;
  operation: "GetPipelineEmasArtifactUrl" | "GetEmasArtifactDownloadUrl";
  status: number;
  contentType: string;
  body: string;
  expect: { code?: string; url?: string; success?: boolean; fileUrl?: string; errorCode?: string };
}

const IDS = {
  organizationId: "5ebbc0228123212b59xxxxx",
  pipelineId: 1111,
  pipelineRunId: 1,
  emasJobInstanceId: "Psaxsa",
  md5: "assasas",
  serviceConnectionId: 122,
};

/** The spec's rule: the first of errorCode, Code, code that is a non-empty string. */
function codeOf(body: ErrorResponse): string | undefined {
  for (const key of ["errorCode", "Code", "code"] as const) {
    const value: unknown = body[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

function api(item: Case): PipelineApi {
  const fetchApi = async (): Promise<Response> =>
    new Response(item.body, { status: item.status, headers: { "content-type": item.contentType } });
  return new PipelineApi(new Configuration({ basePath: "http://decode.invalid", fetchApi }));
}

/** What the client read, as a problem (a string) or null when it is what the case expects. */
async function check(item: Case): Promise<string | null> {
  const client = api(item);
  const ok = item.status >= 200 && item.status < 300;
  try {
    if (item.operation === "GetPipelineEmasArtifactUrl") {
      const answer = await client.getPipelineEmasArtifactUrl(IDS);
      if (!ok) return `expected an error, got ${JSON.stringify(answer)}`;
      const got = { success: answer.success, fileUrl: answer.fileUrl ?? "", errorCode: answer.errorCode ?? "" };
      const want = { success: item.expect.success, fileUrl: item.expect.fileUrl, errorCode: item.expect.errorCode };
      return JSON.stringify(got) === JSON.stringify(want) ? null : `read ${JSON.stringify(got)}`;
    }
    const url = await client.getEmasArtifactDownloadUrl(IDS);
    if (!ok) return `expected an error, got ${JSON.stringify(url)}`;
    return url === item.expect.url ? null : `read the URL ${JSON.stringify(url)}`;
  } catch (error) {
    if (ok || !(error instanceof ResponseError)) return `failed: ${String(error)}`;
    if (error.response.status !== item.status) return `status ${error.response.status}`;
    const json: unknown = await error.response.json();
    const code =
      item.operation === "GetPipelineEmasArtifactUrl"
        ? codeOf(ErrorResponseFromJSON(json))
        : TokenApiErrorFromJSON(json).errorCode;
    return code === item.expect.code ? null : `read the code ${JSON.stringify(code)}`;
  }
}

async function main(): Promise<number> {
  const [path] = process.argv.slice(2);
  if (path === undefined) {
    console.error("usage: node out/decode.js CASES_JSON");
    return 2;
  }
  const cases = JSON.parse(readFileSync(path, "utf8")) as Case[];
  let failed = 0;
  for (const item of cases) {
    const problem = await check(item);
    if (problem !== null) {
      failed += 1;
      console.error(`  FAIL ${item.name}: ${problem}`);
    }
  }
  console.log(`decode typescript-fetch: ${cases.length - failed} of ${cases.length} answers read as documented`);
  return failed === 0 && cases.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
