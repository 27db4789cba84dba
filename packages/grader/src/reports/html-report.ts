import { percent, type ExerciseResult, type GradeReport } from "../score/grade-result";
import { escapeHtml as h } from "./escape-markup";

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem;margin-bottom:.2rem}.muted{color:#656d76}
.bar{background:#eaeef2;border-radius:6px;height:12px;overflow:hidden;min-width:120px}
.bar>span{display:block;height:100%;background:#1a7f37}.bar.low>span{background:#cf222e}.bar.mid>span{background:#bf8700}
section{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0}
section h2{display:flex;justify-content:space-between;font-size:1.2rem;margin:0 0 .6rem}
table{width:100%;border-collapse:collapse}td,th{padding:.3rem .4rem;text-align:left;vertical-align:middle}
td.num,th.num{text-align:right;white-space:nowrap}.status{font-weight:600;text-transform:uppercase;font-size:.8rem;padding:.1rem .4rem;border-radius:4px}
.passed{background:#dafbe1;color:#1a7f37}.failed{background:#ffebe9;color:#cf222e}.error,.timeout{background:#fff8c5;color:#9a6700}.not-started{background:#eaeef2;color:#57606a}
details{margin:.3rem 0 .3rem 1rem}summary{cursor:pointer}pre{background:#f6f8fa;padding:.6rem;border-radius:6px;overflow:auto;white-space:pre-wrap}
`;

/** One self-contained page (no scripts, no external files): score bars per exercise and stage, failures folded. */
export function htmlReport(report: GradeReport): string {
  const overall = percent(report.score, report.maxScore);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grade: ${report.score} / ${report.maxScore}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Grade: ${report.score} / ${report.maxScore} (${overall}%)</h1>
<p class="muted">${h(report.mode)} run, ${h(report.createdAt)}${report.shard ? `, shard ${report.shard.index}/${report.shard.count}` : ""}</p>
${bar(overall)}
${report.exercises.map(exerciseSection).join("\n")}
</body>
</html>
`;
}

function exerciseSection(exercise: ExerciseResult): string {
  const rows = exercise.stages.map((stage) => {
    const failures = stage.tests.filter((t) => t.status === "failed");
    const folded =
      failures.length === 0
        ? ""
        : `<tr><td colspan="4">${failures
            .map(
              (t) =>
                `<details><summary>✗ ${h(t.name)}${t.visibility === "hidden" ? ' <span class="muted">(hidden)</span>' : ""}</summary><pre>${h(t.message ?? "")}</pre></details>`,
            )
            .join("")}</td></tr>`;
    return `<tr><td>${h(stage.title)} <span class="muted">${h(stage.id)}</span></td><td class="num">${stage.passed} / ${stage.total} tests</td><td>${bar(stage.points === 0 ? 0 : (100 * stage.score) / stage.points)}</td><td class="num">${stage.score} / ${stage.points}</td></tr>${folded}`;
  });
  return `<section>
<h2><span>${h(exercise.title)} <span class="status ${exercise.status}">${exercise.status}</span></span><span>${exercise.score} / ${exercise.maxScore}</span></h2>
${bar(percent(exercise.score, exercise.maxScore))}
${exercise.reason ? `<p><strong>Not graded:</strong> ${h(exercise.reason)}</p>` : ""}
<table><thead><tr><th>stage</th><th class="num">passed</th><th>score</th><th class="num">points</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>
</section>`;
}

function bar(percentage: number): string {
  const level = percentage >= 80 ? "" : percentage >= 40 ? " mid" : " low";
  return `<div class="bar${level}" role="img" aria-label="${Math.round(percentage)}%"><span style="width:${Math.max(0, Math.min(100, percentage)).toFixed(1)}%"></span></div>`;
}
