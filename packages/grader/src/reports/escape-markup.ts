// Every report is read by something that renders markup; any text a submission controls (failure
// messages, error reasons, test names built from data) goes through one of these on its way out.

// eslint-disable-next-line no-control-regex -- control characters are what is removed
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
// Also the bidirectional overrides and isolates, which reorder how the text around them reads.
const CONTROL_BUT_NEWLINE_AND_TAB =
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The bidirectional overrides and isolates: they reorder how the text around them reads. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Escapes text for XML and HTML attributes and content; also drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_FORBIDDEN, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** escapeXml, and the bidirectional controls dropped: a page shows the text in the order written. */
export function escapeHtml(text: string): string {
  return escapeXml(text.replace(BIDI_CONTROLS, ""));
}

/**
 * Plain text for any renderer or terminal: control characters removed (ANSI escapes, carriage
 * returns that overwrite a line, NUL, bidirectional overrides), newlines and tabs kept.
 */
export function plainText(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE_AND_TAB, "");
}

/**
 * Text shown literally inside a line of GitHub Markdown, table cells included: HTML's `<`, `>`
 * and `&` as entities (no tag, comment or entity of the submission's survives); the punctuation
 * that starts inline markup backslash-escaped: links, images, emphasis, code spans, strikethrough,
 * table cell breaks, GitHub's `$` math, and `.`/`:` so that `www.x` and `https://x` are not
 * turned into links; line breaks as spaces; control characters removed.
 */
export function escapeMarkdown(text: string): string {
  return plainText(text)
    .replace(/\s*\n\s*/g, " ")
    .replace(/[\\`*_[\]()|~!$.:]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * A fenced code block whose fence is longer than any run of backticks in `text`, so nothing in
 * it can close the block early (CommonMark: a fence closes only with at least as many backticks).
 */
export function fencedCode(text: string, info = "text"): string {
  const body = plainText(text);
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}
