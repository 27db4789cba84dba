/**
 * Turns Jest's failure text into what a learner may read. For hidden tests that is the assertion
 * message alone: stack frames, code frames (which quote the test's source) and the hidden file's
 * path are removed, so a failure states the expected behaviour without giving the test away.
 */
// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const STACK_FRAME = /^\s*at .+$/;
const CODE_FRAME = /^\s*>?\s*\d+\s*\|/;
const CARET_LINE = /^\s*\|\s*[\^~ ]*$/;
/** Longest failure message kept, in characters; a longer one is cut and marked. */
export const MAX_MESSAGE_LENGTH = 2_000;
export const TRUNCATED = "… (truncated)";

export function cleanMessage(raw: string): string {
  const text = raw.replace(ANSI, "");
  return truncate(text.trim());
}

export function hiddenTestMessage(raw: string, hiddenPaths: readonly string[]): string {
  let text = raw.replace(ANSI, "");
  for (const hidden of hiddenPaths) text = text.split(hidden).join("<hidden>");
  const lines = text
    .split("\n")
    .filter((line) => !STACK_FRAME.test(line) && !CODE_FRAME.test(line) && !CARET_LINE.test(line));
  return truncate(
    lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
  );
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH
    ? `${text.slice(0, MAX_MESSAGE_LENGTH)}\n${TRUNCATED}`
    : text;
}
