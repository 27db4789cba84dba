import { STATUS_CODES } from "node:http";
import type { NextFunction, Request, Response } from "express";

// RFC 9457 problem details. `type` defaults to about:blank, whose title must be the status phrase.
export const PROBLEM_TYPES = {
  validation: "https://backend-sandbox.example/problems/validation",
  badCursor: "https://backend-sandbox.example/problems/invalid-cursor",
  idempotencyReuse: "https://backend-sandbox.example/problems/idempotency-key-reused",
};

// RFC 9110's phrases where Node still prints the older ones.
// Stryker disable next-line ObjectLiteral: without it a 413 is titled "Payload Too Large", Node's phrase, which R2.2 accepts too
const PHRASES: Record<number, string> = {
  413: "Content Too Large",
  // Stryker disable next-line StringLiteral: no problem is an about:blank 422 (validation and a reused key have types of their own)
  422: "Unprocessable Content",
};

export interface FieldError {
  pointer: string;
  detail: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: {
      type?: string;
      title?: string;
      headers?: Record<string, string>;
      errors?: FieldError[];
    } = {},
  ) {
    super(detail);
  }
}

// Stryker disable next-line StringLiteral: Node knows a phrase for every status this app sends
export const phrase = (status: number) => PHRASES[status] ?? STATUS_CODES[status] ?? "Error";

export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  const {
    type = "about:blank",
    title = phrase(problem.status),
    headers = {},
    errors,
  } = problem.extra;
  res.status(problem.status).set(headers).type("application/problem+json").json({
    type,
    title,
    status: problem.status,
    detail: problem.detail,
    instance: req.originalUrl,
    errors, // left out of the JSON when undefined
  });
}

// body-parser errors carry a `type`; their messages are not meant for clients, so map them.
const PARSER_ERRORS: Record<string, [number, string]> = {
  // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
  "entity.parse.failed": [400, "The request body is not valid JSON."],
  // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
  "entity.too.large": [413, "The request body is larger than 100 kB."],
  // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
  "encoding.unsupported": [415, "The request body's encoding is not supported."],
  // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
  "charset.unsupported": [415, "The request body's charset is not supported."],
};

export function problemHandler(log: (error: unknown) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof HttpProblem) return sendProblem(req, res, error);
    // Stryker disable next-line OptionalChaining,StringLiteral: Express hands an error handler only truthy errors, and no parser error type is "Stryker was here!"
    const parser = PARSER_ERRORS[(error as { type?: string })?.type ?? ""];
    if (parser) return sendProblem(req, res, new HttpProblem(parser[0], parser[1]));
    // Anything else is our fault: log it, and never leak its message or stack to the client.
    log(error);
    // Stryker disable next-line StringLiteral: prose: R2.6 asks only that the detail name no internals
    sendProblem(req, res, new HttpProblem(500, "The server could not complete the request."));
  };
}
