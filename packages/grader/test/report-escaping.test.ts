import { XMLParser, XMLValidator } from "fast-xml-parser";
import {
  buildReport,
  gradescopeReport,
  htmlReport,
  junitReport,
  markdownReport,
  type ExerciseResult,
} from "../src/index";
import { escapeMarkdown, fencedCode } from "../src/reports/escape-markup";
import { failedExercise } from "./failed-exercise";

// Text a submission controls: thrown messages, error reasons that quote file names or output.
const HOSTILE = [
  "<script>alert(1)</script>",
  "[click me](javascript:alert(1)) ![x](https://evil.example/x.png)",
  "| table | breaks |",
  "``` closes the fence ````",
  "<!-- hides the rest",
  "]]> ends CDATA",
  "\u001b[2J\u001b[32mPASSED\u001b[0m\r overwritten \u0000\u0007 \u202eright to left\u202c",
  "</details></summary> **bold** _em_ ~~strike~~ $math$ www.evil.example https://evil.example",
].join("\n");

const failed = (status: ExerciseResult["status"]): ExerciseResult =>
  failedExercise({
    slug: "victim",
    status,
    reason: status === "error" ? HOSTILE : undefined,
    test: status === "error" ? null : { name: `adds ${HOSTILE}`, message: HOSTILE },
  });
const report = buildReport([failed("error"), { ...failed("failed"), slug: "other" }], "submission");

describe("every report escapes what a submission controls", () => {
  it("Markdown: no tag, comment, link, image or cell break of the submission's survives", () => {
    const md = markdownReport(report);
    // Inside a code block everything is literal; outside, nothing may be markup.
    const outsideCode = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, "");
    expect(outsideCode).not.toMatch(
      /<script|<!--|<\/details><\/summary> \*\*bold|\]\(javascript:|\]\(https:/,
    );
    // eslint-disable-next-line no-control-regex -- checking that none are left
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    const victimRow = md.split("\n").find((line) => line.startsWith("| Victim"))!;
    expect(victimRow.split(/(?<!\\)\|/).length - 2).toBe(3);
    expect(victimRow).toContain("&lt;script&gt;alert\\(1\\)&lt;/script&gt;");
    expect(victimRow).toContain("www\\.evil\\.example https\\://evil\\.example");
  });

  it("Markdown: a failure message stays inside its code block, however many backticks it has", () => {
    const block = fencedCode("a ```` b\n```\nafter");
    expect(block.split("\n")).toEqual(["`````text", "a ```` b", "```", "after", "`````"]);
    expect(markdownReport(report)).toContain(
      "`````text\n<script>alert(1)</script>\n[click me](javascript:alert(1))",
    );
  });

  it("Markdown: escaped text reads the same once rendered", () => {
    expect(escapeMarkdown("a|b <c> & [d](e) `f`")).toBe(
      "a\\|b &lt;c&gt; &amp; \\[d\\]\\(e\\) \\`f\\`",
    );
  });

  it("HTML: every hostile string arrives as text", () => {
    const html = htmlReport(report);
    expect(html).not.toMatch(/<script|<!--|\]\]>|<\/details><\/summary> \*\*bold/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;!-- hides the rest");
  });

  it("JUnit: valid XML whose reason and message read back as the text given, minus control characters", () => {
    const xml = junitReport(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      processEntities: true,
    }).parse(xml);
    const [victim, other] = parsed.testsuites.testsuite;
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these
    const expected = HOSTILE.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
    expect(victim.testcase.error.message.replace(/\s+/g, " ")).toBe(expected.replace(/\s+/g, " "));
    // XML reads a carriage return as a line feed
    expect(other.testcase.failure["#text"]).toBe(expected.replace(/\r/g, "\n"));
  });

  it("Gradescope: declared plain text, without control characters", () => {
    const gs = JSON.parse(gradescopeReport(report));
    expect(gs).toMatchObject({
      output_format: "text",
      test_output_format: "text",
      test_name_format: "text",
    });
    // eslint-disable-next-line no-control-regex -- checking that none are left
    const control = /[\u0000-\u0008\u000b-\u001f\u202e]/;
    expect(gs.output).not.toMatch(control);
    for (const test of gs.tests) expect(test.output).not.toMatch(control);
    expect(gs.tests[1].output).toContain("<script>alert(1)</script>");
  });
});
