// "Not implemented yet": a stub's failures said in one line instead of an assertion and a code frame.
//
// Every stub throws `new Error("not implemented: <what>")` or answers HTTP 501 (EXERCISES.md), and
// every test of a stub fails. What a learner needs to read then is which part is still a stub, not
// `Expected: 200, Received: 500` followed by a frame of the test. The test process notes what the
// code under test said during a test (httpReply notes answers, the learner's process channel notes
// errors it carries over), and the test environment (test-environment.ts) rewrites a failing test's
// errors with notImplementedFailure(). A test that fails with nothing noted keeps its message.

/** Where a test file's notes live: one list on the test file's global, read by the environment. */
const NOTES = Symbol.for("backend-sandbox.not-implemented");

/** "not implemented: <what>" as stubs write it; <what> ends at a line end, a quote or markup. */
const NOT_IMPLEMENTED = /\bnot implemented(?::\s*([^\n<"]+))?/i;

/** A stub's own line in a stack: `.../src/app.ts:23:9` gives `src/app.ts:23`. */
const SOURCE_LINE = /(?:^|[\s(/])(src\/[^():\s]+:\d+):\d+/m;

/** What the code under test said was not implemented, and how it said so. */
interface NotImplementedNote {
  /** e.g. "GET /products/:id" or "migrate"; "" when the stub named nothing. */
  what: string;
  /** e.g. "src/app.ts:23", or "the app answered 501 to this request". */
  how: string;
}

type NotesHolder = { [NOTES]?: NotImplementedNote[] };

function note(what: string, how: string): void {
  const holder = globalThis as NotesHolder;
  (holder[NOTES] ??= []).push({ what: what.trim(), how });
}

/**
 * Notes an HTTP answer of the code under test that says it is not implemented: status 500 (the
 * stub threw inside a handler, and Express's error page carries the message) or 501 (RFC 9110
 * §15.6.2, Not Implemented), with "not implemented" in the body. Other answers are ignored.
 */
export function noteNotImplementedReply(status: number, text: string): void {
  if (status !== 500 && status !== 501) return;
  const said = NOT_IMPLEMENTED.exec(text);
  if (said) note(said[1] ?? "", `the app answered ${status} to this request`);
}

/**
 * Notes an error the learner's process threw back over the channel when its message opens with
 * "not implemented" (a test may catch it and fail on something else, e.g. the error's name).
 */
export function noteNotImplementedError(error: unknown): void {
  const thrown = notImplementedThrown(error);
  if (thrown) note(thrown.what, thrown.how);
}

/** Empties the notes of `global` (a test file's global object); called as each test starts. */
export function clearNotImplementedNotes(global: object): void {
  (global as NotesHolder)[NOTES] = [];
}

/**
 * The one-line error that replaces a failing test's `error`, or undefined when the failure is not
 * a stub's: the error itself says "not implemented: <what>", or the code under test said so during
 * the test (the notes on `global`). The result has no stack frames, so Jest prints the line alone.
 */
export function notImplementedFailure(error: unknown, global: object): Error | undefined {
  const said = notImplementedThrown(error) ?? (global as NotesHolder)[NOTES]?.[0];
  if (!said) return undefined;
  const message = `not implemented yet${said.what ? `: ${said.what}` : ""} (${said.how})`;
  const failure = new Error(message);
  // Jest prints a stack's frames and a code frame of the first; a stub's failure needs neither.
  failure.stack = message;
  return failure;
}

function notImplementedThrown(error: unknown): NotImplementedNote | undefined {
  // The error may come from another realm (the test file's), where `instanceof Error` is false.
  const { message, stack } = (error ?? {}) as { message?: unknown; stack?: unknown };
  if (typeof message !== "string" || !/^not implemented\b/i.test(message)) return undefined;
  const where = typeof stack === "string" ? SOURCE_LINE.exec(stack)?.[1] : undefined;
  return {
    what: NOT_IMPLEMENTED.exec(message)?.[1]?.trim() ?? "",
    how: where ?? "thrown by the code under test",
  };
}
