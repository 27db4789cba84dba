import { HttpProblem, PROBLEM_TYPES, type FieldError } from "./problem";

export interface ProjectInput {
  name: string;
  status: "active" | "archived";
  priority: number;
  tags: string[];
}

const FIELDS = new Set(["name", "status", "priority", "tags"]);
export const STATUSES = ["active", "archived"] as const;

/**
 * Checks a create/replace body and reports every offending field at once, each located by a
 * JSON Pointer in URI-fragment form (RFC 6901 §6), as in RFC 9457's validation example.
 * PUT is a full replacement, so omitted optional fields take their defaults.
 */
export function validateProject(body: unknown): ProjectInput {
  // express.json (strict) hands on only objects and arrays; undefined is a request without a body.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: untested: only a request with neither Content-Length nor Transfer-Encoding leaves the body undefined, which fetch never sends; null never parses
  const isObject = typeof body === "object" && body !== null;
  if (!isObject || Array.isArray(body)) {
    throw invalid([
      {
        pointer: "#",
        // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
        detail: "must be a JSON object",
      },
    ]);
  }
  const input = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const { name, status = "active", priority = 3, tags = [] } = input;

  if (typeof name !== "string" || name.trim() === "" || name.length > 100) {
    errors.push({
      pointer: "#/name",
      // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
      detail: "must be a non-blank string of at most 100 characters",
    });
  }
  if (!STATUSES.includes(status as never)) {
    errors.push({
      pointer: "#/status",
      // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
      detail: `must be one of ${STATUSES.join(", ")}`,
    });
  }
  if (!Number.isInteger(priority) || (priority as number) < 1 || (priority as number) > 5) {
    errors.push({
      pointer: "#/priority",
      // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
      detail: "must be an integer from 1 to 5",
    });
  }
  if (!Array.isArray(tags) || tags.length > 10) {
    errors.push({
      pointer: "#/tags",
      // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
      detail: "must be an array of at most 10 tags",
    });
  } else {
    tags.forEach((tag, index) => {
      if (typeof tag !== "string" || tag.length < 1 || tag.length > 30) {
        errors.push({
          pointer: `#/tags/${index}`,
          // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
          detail: "must be a string of 1 to 30 characters",
        });
      }
    });
  }
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key))
      errors.push({
        pointer: `#/${escapePointer(key)}`,
        // Stryker disable next-line StringLiteral: prose: no rule words a field error's detail
        detail: "is not a known field",
      });
  }
  if (errors.length > 0) throw invalid(errors);
  return { name, status, priority, tags } as ProjectInput;
}

function invalid(errors: FieldError[]): HttpProblem {
  // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
  return new HttpProblem(422, "The request body has invalid fields; see errors.", {
    type: PROBLEM_TYPES.validation,
    // Stryker disable next-line StringLiteral: prose: no rule words this problem's title
    title: "Invalid request body",
    errors,
  });
}

// RFC 6901 §3: "~" and "/" are escaped; the URI fragment form also percent-encodes the rest.
const escapePointer = (key: string) =>
  encodeURIComponent(key.replace(/~/g, "~0").replace(/\//g, "~1"));
