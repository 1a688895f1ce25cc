/**
 * The authentication of GetEmasArtifactDownloadUrl (Yunxiao's newer OpenAPI): a personal access
 * token (`pt-...`), sent as it is in the header `x-yunxiao-token`. No signature, date or nonce.
 */
import type { FetchParams, Middleware, RequestContext } from "./client";

export const TOKEN_HEADER = "x-yunxiao-token";

/**
 * The middleware: `new PipelineApi(new Configuration({ basePath, middleware: [tokenMiddleware(token)] }))`.
 * `token` may be a function, read for every request.
 */
export function tokenMiddleware(token: string | (() => string)): Middleware {
  return {
    async pre(context: RequestContext): Promise<FetchParams> {
      const value = typeof token === "function" ? token() : token;
      if (!value) throw new Error("tokenMiddleware: the personal access token is empty");
      const headers = new Headers(context.init.headers);
      headers.set(TOKEN_HEADER, value);
      return { url: context.url, init: { ...context.init, headers } };
    },
  };
}
