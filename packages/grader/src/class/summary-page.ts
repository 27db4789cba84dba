import type { Exercise } from "../exercise/manifest";
import { escapeHtml as h } from "../reports/escape-markup";
import { percent } from "../score/grade-result";
import { scoreHistogramSvg } from "./score-histogram";
import type { StudentResult } from "./student-result";

export interface ClassSummary {
  assignment: string;
  deadline?: string;
  graderVersion: string;
  exercises: readonly Exercise[];
  /** In roster order. */
  students: readonly StudentResult[];
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}.muted{color:#656d76}
table{width:100%;border-collapse:collapse}td,th{padding:.3rem .4rem;text-align:left;border-bottom:1px solid #eaeef2}
td.num,th.num{text-align:right;white-space:nowrap}
.bar{background:#eaeef2;border-radius:6px;height:12px;overflow:hidden;min-width:120px}.bar>span{display:block;height:100%;background:#1a7f37}
.error{color:#9a6700;font-weight:600}
`;

/**
 * `summary.html`: one self-contained page (no scripts, no external files): the score histogram
 * (inline SVG), the pass rate of each stage, the tests most of the class fails, and every
 * student's row with a link to their feedback. It holds no time of its own, so a merged class
 * and one full run write the same page. Every text from the roster or a submission is escaped.
 */
export async function summaryPage(
  summary: ClassSummary,
  // Vega is an ES module, loaded with import(): Jest's own module loader cannot, so the page's
  // unit test hands in another drawing and checks this one in a Node process of its own.
  histogram: (percentages: number[]) => Promise<string> = scoreHistogramSvg,
): Promise<string> {
  const graded = summary.students.filter((s) => s.status === "graded" && s.report);
  const errors = summary.students.length - graded.length;
  const scores = graded.map((s) => percent(s.report!.score, s.report!.maxScore));
  const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class summary: ${h(summary.assignment)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Class summary: ${h(summary.assignment)}</h1>
<p class="muted">${summary.students.length} students: ${graded.length} graded, ${errors} not graded (error). ${summary.deadline ? `Deadline ${h(summary.deadline)}. ` : ""}Exercises: ${summary.exercises.map((e) => h(e.slug)).join(", ")}. Grader ${h(summary.graderVersion)}.</p>
<h2>Score distribution</h2>
<p>Mean ${mean.toFixed(1)}% over the ${graded.length} graded students.</p>
${graded.length ? await histogram(scores) : "<p>No student was graded.</p>"}
<h2>Pass rate per stage</h2>
${stageTable(summary.exercises, graded)}
<h2>Tests most of the class fails</h2>
${failingTests(graded)}
<h2>Students</h2>
${studentTable(summary.students)}
</body>
</html>
`;
}

/** Per stage: how many graded students have all its tests passing, and the mean share of its points. */
function stageTable(exercises: readonly Exercise[], graded: readonly StudentResult[]): string {
  const rows = exercises.flatMap((exercise) =>
    exercise.manifest.stages.map((stage) => {
      const results = graded.map((s) =>
        s
          .report!.exercises.find((e) => e.slug === exercise.slug)
          ?.stages.find((t) => t.id === stage.id),
      );
      const passed = results.filter((r) => r && r.total > 0 && r.passed === r.total).length;
      const rate = percent(passed, graded.length);
      return `<tr><td>${h(exercise.slug)} › ${h(stage.id)}</td><td class="num">${passed} of ${graded.length}</td><td>${bar(rate)}</td><td class="num">${rate}%</td></tr>`;
    }),
  );
  return `<table><thead><tr><th>stage</th><th class="num">passed by</th><th></th><th class="num">pass rate</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`;
}

/** Tests that more than half of the graded students fail, most failed first. */
function failingTests(graded: readonly StudentResult[]): string {
  const failed = new Map<
    string,
    { exercise: string; name: string; hidden: boolean; count: number }
  >();
  for (const student of graded)
    for (const exercise of student.report!.exercises)
      for (const stage of exercise.stages)
        for (const test of stage.tests.filter((t) => t.status === "failed")) {
          const key = `${exercise.slug}\0${test.file}\0${test.name}`;
          const entry = failed.get(key) ?? {
            exercise: exercise.slug,
            name: test.name,
            hidden: test.visibility === "hidden",
            count: 0,
          };
          entry.count++;
          failed.set(key, entry);
        }
  const most = [...failed.values()]
    .filter((t) => t.count * 2 > graded.length)
    .sort(
      (a, b) =>
        b.count - a.count || a.exercise.localeCompare(b.exercise) || a.name.localeCompare(b.name),
    );
  if (most.length === 0) return "<p>No test fails for more than half of the graded students.</p>";
  return `<table><thead><tr><th>exercise</th><th>test</th><th class="num">failed by</th></tr></thead><tbody>
${most
  .map(
    (t) =>
      `<tr><td>${h(t.exercise)}</td><td>${h(t.name)}${t.hidden ? ' <span class="muted">(hidden)</span>' : ""}</td><td class="num">${t.count} of ${graded.length} (${percent(t.count, graded.length)}%)</td></tr>`,
  )
  .join("\n")}
</tbody></table>`;
}

function studentTable(students: readonly StudentResult[]): string {
  const rows = students.map((s) => {
    const link = `students/${encodeURIComponent(s.studentId)}.html`;
    const score =
      s.status === "graded" && s.report
        ? `${s.report.score} / ${s.report.maxScore}`
        : `<span class="error">error</span>`;
    return `<tr><td><a href="${h(link)}">${h(s.studentId)}</a></td><td>${h(s.name)}</td><td class="num">${score}</td><td>${h(s.commit?.slice(0, 10) ?? "")}</td><td>${h(s.reason ?? "")}</td></tr>`;
  });
  return `<table><thead><tr><th>student</th><th>name</th><th class="num">score</th><th>commit</th><th>reason</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`;
}

function bar(percentage: number): string {
  return `<div class="bar" role="img" aria-label="${Math.round(percentage)}%"><span style="width:${Math.max(0, Math.min(100, percentage)).toFixed(1)}%"></span></div>`;
}
