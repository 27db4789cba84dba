// The envelope of an event on the stream: one field per envelope field, values as strings.
import type { OrderEvent } from "./types";

export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

// Stryker disable next-line Regex: an anchor less lets text before or after through, which sameInstant rejects (Date.parse reads no extra text, and text before shifts slice(0, 19))
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const isName = (value: unknown) =>
  typeof value === "string" && value.length >= 1 && value.length <= 200;

const sameInstant = (at: string) => {
  const ms = Date.parse(at);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === at.slice(0, 19);
};

/** Throws InvalidEventError, naming the field, unless `event` is a well-formed OrderEvent (R1.2). */
export function validateEvent(event: unknown): asserts event is OrderEvent {
  const e = (event ?? {}) as Record<string, unknown>;
  const fail = (field: string) => {
    // Stryker disable next-line StringLiteral: prose, no rule fixes the message's words (only the error's name)
    throw new InvalidEventError(`invalid event: ${field}`);
  };
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral,CallExpression: equivalent, a primitive or null (read as {}) has no string id, so the next line throws InvalidEventError anyway; the message is prose
  if (typeof event !== "object" || event === null) fail("not an object");
  for (const field of ["id", "type", "aggregateId"]) if (!isName(e[field])) fail(field);
  // Stryker disable next-line StringLiteral: prose, the message names the field but no rule fixes its words
  if (!Number.isSafeInteger(e.version) || (e.version as number) < 1) fail("version");
  const at = e.occurredAt;
  // Date.parse rolls February 30th over to March 2nd: a real instant prints back the same.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent, a non-string fails the regex (its String() is no timestamp) or sameInstant (an array's slice is no string); the message is prose
  if (typeof at !== "string" || !ISO_UTC.test(at) || !sameInstant(at)) fail("occurredAt");
  const payload = e.payload;
  // Stryker disable next-line StringLiteral: prose, the message names the field but no rule fixes its words
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) fail("payload");
}

/** The stream entry's fields, in the envelope's order (R1.1). */
export function toFields(event: OrderEvent): string[] {
  return [
    "id", event.id,
    "type", event.type,
    "aggregateId", event.aggregateId,
    "version", String(event.version),
    "occurredAt", event.occurredAt,
    "payload", JSON.stringify(event.payload),
  ]; // prettier-ignore
}

/** The event in a stream entry's fields; throws InvalidEventError on a malformed entry. */
export function fromFields(fields: string[]): OrderEvent {
  const map: Record<string, string> = {};
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: equivalent, a stream entry's fields come in pairs (an even length), so one more turn only sets map.undefined
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  let payload: unknown;
  try {
    // Stryker disable next-line StringLiteral: equivalent, a missing payload fails either way ("" and other text are no JSON)
    payload = JSON.parse(map.payload ?? "");
  } catch {
    // Not JSON: the payload stays undefined, which validateEvent refuses as it does any non-object.
  }
  const event = { ...map, version: Number(map.version), payload };
  validateEvent(event);
  return event;
}
