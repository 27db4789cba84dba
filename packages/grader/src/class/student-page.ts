import { escapeHtml as h } from "../reports/escape-markup";
import { htmlReport } from "../reports/html-report";
import type { StudentResult } from "./student-result";

/**
 * `students/<id>.html`: the student's feedback. A graded student gets the grader's own HTML
 * report of their submission, headed by who they are and which commit was graded; a student in
 * `error` gets why there is no grade. Self-contained, every roster and submission text escaped.
 */
export function studentPage(result: StudentResult): string {
  const who = `<p class="muted">${h(result.studentId)} · ${h(result.name)} · ${h(result.repository)}${result.commit ? ` · commit ${h(result.commit)}` : ""}${result.committedAt ? ` (committed ${h(result.committedAt)})` : ""}</p>`;
  if (result.status === "graded" && result.report) {
    // The report's page opens its body with its heading; the student's line goes right before it.
    return htmlReport(result.report).replace("<body>\n", () => `<body>\n${who}\n`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Not graded: ${h(result.studentId)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2328}.muted{color:#656d76}</style>
</head>
<body>
${who}
<h1>Not graded</h1>
<p>${h(result.reason ?? "no reason was recorded")}</p>
<p class="muted">This is no score: the submission could not be graded. It is tried again on the next run.</p>
</body>
</html>
`;
}
