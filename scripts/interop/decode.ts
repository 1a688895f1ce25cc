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
  PipelineRunResponseToJSON,
  PipelineRunsResponseToJSON,
  PipelineRunSummaryToJSON,
  PipelineRunToJSON,
  ResponseError,
  ServiceConnectionsResponseToJSON,
  ServiceConnectionToJSON,
  TokenApiErrorFromJSON,
} from "./client";
import type { ErrorResponse } from "./client";

interface Case {
  name: string;
  operation: string;
  api: "signed" | "token";
  status: number;
  contentType: string;
  body: string;
  expect: {
    code?: string;
    url?: string;
    success?: boolean;
    fileUrl?: string;
    errorCode?: string;
    fields?: Record<string, unknown>;
  };
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

const ORG = IDS.organizationId;
const RUN = { organizationId: ORG, pipelineId: IDS.pipelineId, pipelineRunId: IDS.pipelineRunId };

/** The operations that find the ids: the call, and its decoded answer written back as JSON
 * by the generated serialiser (what the client holds, in the API's own names). */
const FINDING: Record<string, (client: PipelineApi) => Promise<unknown>> = {
  GetPipelineRun: async (c) => PipelineRunResponseToJSON(await c.getPipelineRun(RUN)),
  GetPipelineRunByToken: async (c) => PipelineRunToJSON(await c.getPipelineRunByToken(RUN)),
  GetLatestPipelineRunByToken: async (c) =>
    PipelineRunToJSON(await c.getLatestPipelineRunByToken({ organizationId: ORG, pipelineId: IDS.pipelineId })),
  ListPipelineRuns: async (c) =>
    PipelineRunsResponseToJSON(
      await c.listPipelineRuns({ organizationId: ORG, pipelineId: IDS.pipelineId, maxResults: 30, status: "SUCCESS" }),
    ),
  ListPipelineRunsByToken: async (c) =>
    (await c.listPipelineRunsByToken({ organizationId: ORG, pipelineId: IDS.pipelineId, page: 1, perPage: 30 })).map(
      PipelineRunSummaryToJSON,
    ),
  ListServiceConnections: async (c) =>
    ServiceConnectionsResponseToJSON(await c.listServiceConnections({ organizationId: ORG, sericeConnectionType: "emas" })),
  ListServiceConnectionsByToken: async (c) =>
    (await c.listServiceConnectionsByToken({ organizationId: ORG, sericeConnectionType: "emas" })).map(
      ServiceConnectionToJSON,
    ),
};

/** The value at a dotted path ("stages.0.stageInfo.jobs.0.params"), or undefined. */
function at(value: unknown, path: string): unknown {
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function fieldsProblem(held: unknown, want: Record<string, unknown>): string | null {
  for (const [path, expected] of Object.entries(want)) {
    const got = at(held, path);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      return `read ${path} = ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`;
    }
  }
  return null;
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
    const finding = FINDING[item.operation];
    if (finding !== undefined) {
      const held = await finding(client);
      if (!ok) return `expected an error, got ${JSON.stringify(held)}`;
      return fieldsProblem(held, item.expect.fields ?? {});
    }
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
    const code = item.api === "signed" ? codeOf(ErrorResponseFromJSON(json)) : TokenApiErrorFromJSON(json).errorCode;
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
