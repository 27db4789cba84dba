// commander 15 is an ES module; this file is CommonJS (tsx/cjs), so it is loaded with import().
import type { Command } from "commander" with { "resolution-mode": "import" };
import { places, type Places } from "./repo-paths";
import { UsageError } from "./terminal/usage-error";

/** Exit codes of the grader contract. */
const EXIT = { ok: 0, belowMinimum: 1, badInput: 2 } as const;

type Commander = typeof import("commander", { with: { "resolution-mode": "import" } });
/* eslint-disable @typescript-eslint/no-explicit-any -- commander hands actions untyped arguments */
type Action = (where: Places, ...args: any[]) => Promise<number>;

/** One `sandbox` command: how it reads on the command line, and the code that runs it. */
interface CommandSpec {
  name: string;
  description: string;
  /** `<required>` or `[optional]` / `[variadic...]`, each with its description. */
  arguments?: [string, string][];
  options?: [string, string][];
  /** Takes the report options (--json, --junit, ...). */
  reports?: boolean;
  /**
   * Loads the command's module only when it runs, so `sandbox list` does not pay for the
   * testkit's Docker client.
   */
  action: Action;
}

const REPORT_OPTIONS: [string, string][] = [
  ["--json <file>", "write the JSON report (schema in docs/grading.md)"],
  ["--junit <file>", "write a JUnit XML report"],
  ["--markdown <file>", "write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)"],
  ["--gradescope <file>", "write Gradescope's results.json"],
  ["--html <file>", "write a self-contained HTML page"],
  ["--min-score <percent>", "exit 1 when the total is below this percentage"],
];

const COMMANDS: CommandSpec[] = [
  {
    name: "list",
    description: "exercises with title, difficulty, services, stages and last score",
    action: (where) =>
      (require("./commands/list") as typeof import("./commands/list")).listCommand(where),
  },
  {
    name: "test",
    description:
      "run the visible tests of one exercise (the one you are in by default), with Jest's own output",
    arguments: [["[slug]", "exercise (default: the one whose folder you are in)"]],
    options: [
      ["--solution", "against .meta/solution/ instead of src/"],
      ["--stage <id>", "only this stage's visible tests"],
    ],
    action: (where, slug, options) =>
      (require("./commands/test") as typeof import("./commands/test")).testCommand(
        where,
        slug,
        options,
      ),
  },
  {
    name: "grade",
    description:
      "visible and hidden tests, a score per stage and exercise (all exercises, or the one you are in)",
    arguments: [["[slug...]", "exercises to grade"]],
    options: [
      ["--solution", "grade the reference solutions (.meta/solution/) instead of src/"],
      [
        "--submission <dir>",
        "grade only the exercises/*/src/ folders of this checkout, with this checkout's tests",
      ],
      ["--hidden-dir <dir>", "hidden tests from <dir>/<slug>/ instead of .meta/hidden/"],
      [
        "--timeout <seconds>",
        "time limit per exercise (default: timeLimitSeconds of exercise.json)",
      ],
      ["--shard <i/n>", "grade only shard i of n; join the JSON reports with `sandbox merge`"],
      ["--sealed", "run the code under test sealed in a sandbox (implied by --submission)"],
      [
        "--jobs <n>",
        "exercises graded at once (default: one per core and two more, at most one per 2 GiB, when sealed, for --solution, or for your own src/ outside CI; else 1)",
      ],
      ["--quiet", "no progress lines, and no list of the failing tests after the table"],
      ["--stage <id>", "grade one stage of one exercise alone: its visible and hidden tests"],
    ],
    reports: true,
    action: (where, slugs, options) =>
      (require("./commands/grade") as typeof import("./commands/grade")).gradeCommand(
        where,
        slugs,
        options,
      ),
  },
  {
    name: "merge",
    description:
      "join the JSON reports of `grade --shard i/n` runs into one, and write any report from it",
    arguments: [
      ["<report...>", "JSON reports written by grade --json, or class folders of grade-class"],
    ],
    options: [["--out <dir>", "with class folders: the folder of the joined class"]],
    reports: true,
    action: (where, files, options) =>
      (require("./commands/merge") as typeof import("./commands/merge")).mergeCommand(
        files,
        options,
        where,
      ),
  },
  {
    name: "verify",
    description:
      "maintainers: structure checks, solutions score the maximum, stubs 0, wrong solutions caught",
    arguments: [["[slug...]", "exercises to verify (default: all)"]],
    options: [
      ["--timeout <seconds>", "time limit per run (default: timeLimitSeconds of exercise.json)"],
      [
        "--repeat <n>",
        "grade each solution n times in a row; any failure is reported as flaky (the bar is 20)",
      ],
      ["--static", "only the checks that grade nothing: structure and the rule trace (seconds)"],
      [
        "--all-stages",
        "grade wrong solutions on every test of every stage, not only until the first failing test of the stages their patch declares",
      ],
      [
        "--wrong-solution <bugs>",
        "with one slug: grade only these wrong solutions (comma-separated), not the solution or stub",
      ],
      ["--sealed", "run the code under test sealed in a sandbox, as grading a submission does"],
      [
        "--changed [base]",
        "only the exercises whose files differ from a git ref (default main), every one when packages/ changed",
      ],
      [
        "--jobs <n>",
        "gradings at once (default: one per core and two more, at most one per 2 GiB of memory)",
      ],
      [
        "--jest-workers <n>",
        "test files at once in each grading (default: 1, in band, beside other gradings; 2 alone); wrong solutions always 1",
      ],
      [
        "--batch <n>",
        "wrong solutions graded in one Jest process, each stopping at its own first failing test (default 8; 1: a process each)",
      ],
    ],
    action: (where, slugs, options) =>
      (require("./commands/verify") as typeof import("./commands/verify")).verifyCommand(
        where,
        slugs,
        options,
      ),
  },
  {
    name: "format",
    description:
      "maintainers: Prettier over the checkout, and every wrong-solution patch rewritten to fit the formatted solution",
    arguments: [["[path...]", "files or folders to format (default: the whole checkout)"]],
    options: [
      [
        "--stub-digest",
        "also write each exercise's stubDigest from its src/ (after changing a stub; never over a learner's work)",
      ],
      [
        "--since <rev>",
        "carry each wrong-solution patch that no longer applies over from the solution as this git revision held it (three-way merge; e.g. HEAD after editing a solution)",
      ],
    ],
    action: (where, paths, options) =>
      (require("./commands/format") as typeof import("./commands/format")).formatCommand(
        where,
        paths,
        options,
      ),
  },
  {
    name: "hint",
    description: "the next hint for a stage (default: the first stage not yet passed)",
    arguments: [
      ["<slug>", "exercise"],
      ["[stage]", "stage id"],
    ],
    options: [["--all", "show the hints already revealed for the stage, without a new one"]],
    action: (where, slug, stage, options) =>
      (require("./commands/hint") as typeof import("./commands/hint")).hintCommand(
        where,
        slug,
        stage,
        options,
      ),
  },
  {
    name: "reset",
    description: "restore src/ from git HEAD, backing your files up to .sandbox/backups/ first",
    arguments: [["<slug>", "exercise"]],
    action: (where, slug) =>
      (require("./commands/reset") as typeof import("./commands/reset")).resetCommand(where, slug),
  },
  {
    name: "new",
    description: "scaffold an exercise that meets the contract, with one example stage",
    arguments: [["<slug>", "kebab-case name of the new exercise"]],
    action: (where, slug) =>
      (require("./commands/new") as typeof import("./commands/new")).newCommand(where, slug),
  },
  {
    name: "doctor",
    description:
      "check Node, which service provider `auto` picks and why, and that Redis and Postgres start",
    action: () =>
      (require("./commands/doctor") as typeof import("./commands/doctor")).doctorCommand(),
  },
  {
    name: "services",
    description:
      "the warm Redis and Postgres that `npm test` keeps between runs: status, up (start now) or down (stop)",
    arguments: [["<action>", "status, up or down"]],
    options: [
      [
        "--idle <minutes>",
        "with up: stop them after this many minutes without a run (default 30, or SANDBOX_SERVICES_IDLE_MINUTES)",
      ],
    ],
    action: (_where, action, options) =>
      (require("./commands/services") as typeof import("./commands/services")).servicesCommand(
        action,
        options,
      ),
  },
  {
    name: "grade-class",
    description:
      "grade a roster's repositories at a deadline, sealed, after a canary of the reference solutions; resumable",
    arguments: [["<roster>", "CSV with the header student_id,name,repository"]],
    options: [
      ["--out <dir>", "the class's folder: grades.csv, summary.html, students/<id>.json and .html"],
      [
        "--deadline <time>",
        "ISO 8601 with its zone: grade each repository's last commit at or before it (committer date)",
      ],
      ["--exercises <slugs>", "comma-separated exercises to grade (default: all)"],
      [
        "--jobs <n>",
        "gradings at once, one exercise of one submission each (default: one per core and two more, at most one per 2 GiB)",
      ],
      ["--shard <i/n>", "grade only every n-th student from the i-th; join with `sandbox merge`"],
      ["--regrade", "grade everyone again, even results stored for the same commit and grader"],
      ["--hidden-dir <dir>", "hidden tests from <dir>/<slug>/ instead of .meta/hidden/"],
      [
        "--timeout <seconds>",
        "time limit per exercise (default: timeLimitSeconds of exercise.json)",
      ],
      ["--assignment <name>", "assignment_name in grades.csv (default: the roster's file name)"],
    ],
    action: (where, roster, options) =>
      (
        require("./commands/grade-class") as typeof import("./commands/grade-class")
      ).gradeClassCommand(where, roster, options),
  },
];

/** The `sandbox` program, built from the table above. */
function program({ Command, Option }: Commander): Command {
  const cli = new Command("sandbox")
    .description("Grades the backend-sandbox exercises: visible and hidden tests, scored by stage.")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, " ")}\n`),
    })
    // For the grader's own tests and for instructors with exercises elsewhere; SANDBOX_EXERCISES_DIR does the same.
    .addOption(new Option("--exercises-dir <dir>", "folder holding the exercises").hideHelp());
  const where = () => places(process.env, cli.opts<{ exercisesDir?: string }>().exercisesDir);
  let exitCode: number = EXIT.ok;
  for (const spec of COMMANDS) {
    const command = cli.command(spec.name).description(spec.description);
    for (const [name, description] of spec.arguments ?? []) command.argument(name, description);
    for (const [flags, description] of [
      ...(spec.options ?? []),
      ...(spec.reports ? REPORT_OPTIONS : []),
    ])
      command.option(flags, description);
    // commander calls an action with the arguments, then the options, then the command itself.
    command.action(async (...args: any[]) => {
      exitCode = await spec.action(where(), ...args.slice(0, -1));
    });
  }
  cli.hook("postAction", () => {
    process.exitCode = exitCode;
  });
  return cli;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

async function main(argv: string[]): Promise<void> {
  const commander = await import("commander");
  try {
    await program(commander).parseAsync(argv);
  } catch (error) {
    if (error instanceof commander.CommanderError) {
      const fine = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(
        error.code,
      );
      process.exitCode = fine ? EXIT.ok : EXIT.badInput;
      return;
    }
    // Commands are loaded when run, so `sandbox list` does not pay for the testkit's Docker client.
    if (error instanceof UsageError || (error instanceof Error && error.name === "ServiceError")) {
      process.stderr.write(`sandbox: ${error.message.split("\n").join(" ")}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    throw error;
  }
}

void main(process.argv);
