import { plainText } from "../reports/escape-markup";
import type { ExerciseResult } from "../score/grade-result";

/** Tells the person watching what is being graded; live in a terminal, plain lines in CI logs. */
export interface Progress {
  start(label: string, position: number, count: number): void;
  finish(result: ExerciseResult, label?: string): void;
  note(text: string): void;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const MARK: Record<ExerciseResult["status"], string> = {
  passed: "✓",
  failed: "✗",
  error: "!",
  timeout: "⏱",
  "not-started": "·",
};

/** Quiet: nothing; `plain`: one line per start and finish even in a terminal (gradings side by side). */
export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
  plain = false,
): Progress {
  if (quiet) return { start() {}, finish() {}, note() {} };
  return stream.isTTY && !process.env.CI && !plain ? liveProgress(stream) : plainProgress(stream);
}

export function resultLine(result: ExerciseResult, label = result.slug): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const why = result.reason ? ` (${plainText(result.reason).replace(/\s+/g, " ")})` : "";
  return `${MARK[result.status]} ${label}: ${result.status}, ${result.score}/${result.maxScore} points, ${seconds} s${why}`;
}

function plainProgress(stream: NodeJS.WritableStream): Progress {
  return {
    start: (label, position, count) => stream.write(`grading ${label} (${position}/${count})...\n`),
    finish: (result, label) => stream.write(`${resultLine(result, label)}\n`),
    note: (text) => stream.write(`${text}\n`),
  };
}

function liveProgress(stream: NodeJS.WriteStream): Progress {
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    stream.write("\r\u001b[2K");
  };
  return {
    start(label, position, count) {
      clear();
      const started = Date.now();
      let frame = 0;
      const draw = () => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        stream.write(
          `\r\u001b[2K${SPINNER[frame++ % SPINNER.length]} grading ${label} (${position}/${count}) ${seconds} s`,
        );
      };
      draw();
      timer = setInterval(draw, 100);
      timer.unref();
    },
    finish(result, label) {
      clear();
      stream.write(`${resultLine(result, label)}\n`);
    },
    note(text) {
      clear();
      stream.write(`${text}\n`);
    },
  };
}
