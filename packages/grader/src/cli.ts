// commander 15 is an ES module; this file is CommonJS (tsx/cjs), so it is loaded with import().
import type { Command } from "commander" with { "resolution-mode": "import" };
import { places } from "./repo-paths";
import { UsageError } from "./usage-error";
import type { VerifyOptions } from "./commands/verify";

/** Exit codes of the grader contract. */
const EXIT = { ok: 0, belowMinimum: 1, badInput: 2 } as const;

type Commander = typeof import("commander", { with: { "resolution-mode": "import" } });

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
  /* eslint-disable @typescript-eslint/no-explicit-any -- commander hands actions untyped arguments */
  const run =
    (action: (...args: any[]) => Promise<number>) =>
    async (...args: any[]) => {
      exitCode = await action(...args);
    };
  /* eslint-enable @typescript-eslint/no-explicit-any */

  const reportOptions = (command: Command) =>
    command
      .option("--json <file>", "write the JSON report (schema in docs/grading.md)")
      .option("--junit <file>", "write a JUnit XML report")
      .option("--markdown <file>", "write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)")
      .option("--gradescope <file>", "write Gradescope's results.json")
      .option("--html <file>", "write a self-contained HTML page")
      .option("--min-score <percent>", "exit 1 when the total is below this percentage");

  cli
    .command("list")
    .description("exercises with title, difficulty, services, stages and last score")
    .action(
      run(async () =>
        (require("./commands/list") as typeof import("./commands/list")).listCommand(where()),
      ),
    );

  cli
    .command("test")
    .description("run the visible tests of one exercise, with Jest's own output")
    .argument("<slug>", "exercise")
    .option("--solution", "against .meta/solution/ instead of src/")
    .action(
      run(async (slug: string, options: { solution?: boolean }) =>
        (require("./commands/test") as typeof import("./commands/test")).testCommand(
          where(),
          slug,
          options,
        ),
      ),
    );

  reportOptions(
    cli
      .command("grade")
      .description(
        "visible and hidden tests, a score per stage and exercise (all exercises, or the one you are in)",
      )
      .argument("[slug...]", "exercises to grade")
      .option("--solution", "grade the reference solutions (.meta/solution/) instead of src/")
      .option(
        "--submission <dir>",
        "grade only the exercises/*/src/ folders of this checkout, with this checkout's tests",
      )
      .option("--hidden-dir <dir>", "hidden tests from <dir>/<slug>/ instead of .meta/hidden/")
      .option(
        "--timeout <seconds>",
        "time limit per exercise (default: timeLimitSeconds of exercise.json)",
      )
      .option(
        "--shard <i/n>",
        "grade only shard i of n; join the JSON reports with `sandbox merge`",
      )
      .option("--quiet", "no progress lines"),
  ).action(
    run(async (slugs: string[], options) =>
      (require("./commands/grade") as typeof import("./commands/grade")).gradeCommand(
        where(),
        slugs,
        options,
      ),
    ),
  );

  reportOptions(
    cli
      .command("merge")
      .description(
        "join the JSON reports of `grade --shard i/n` runs into one, and write any report from it",
      )
      .argument("<report...>", "JSON reports written by grade --json"),
  ).action(
    run(async (files: string[], options) =>
      (require("./commands/merge") as typeof import("./commands/merge")).mergeCommand(
        files,
        options,
      ),
    ),
  );

  cli
    .command("verify")
    .description(
      "maintainers: structure checks, solutions score the maximum, stubs 0, wrong solutions caught",
    )
    .argument("[slug...]", "exercises to verify (default: all)")
    .option(
      "--timeout <seconds>",
      "time limit per run (default: timeLimitSeconds of exercise.json)",
    )
    .option(
      "--repeat <n>",
      "grade each solution n times in a row; any failure is reported as flaky (the bar is 20)",
    )
    .option(
      "--static",
      "only the checks that grade nothing: structure and the rule trace (seconds)",
    )
    .option(
      "--wrong-solution <bugs>",
      "with one slug: grade only these wrong solutions (comma-separated), not the solution or stub",
    )
    .action(
      run(async (slugs: string[], options: VerifyOptions) =>
        (require("./commands/verify") as typeof import("./commands/verify")).verifyCommand(
          where(),
          slugs,
          options,
        ),
      ),
    );

  cli
    .command("hint")
    .description("the next hint for a stage (default: the first stage not yet passed)")
    .argument("<slug>", "exercise")
    .argument("[stage]", "stage id")
    .action(
      run(async (slug: string, stage: string | undefined) =>
        (require("./commands/hint") as typeof import("./commands/hint")).hintCommand(
          where(),
          slug,
          stage,
        ),
      ),
    );

  cli
    .command("reset")
    .description("restore src/ from git HEAD, backing your files up to .sandbox/backups/ first")
    .argument("<slug>", "exercise")
    .action(
      run(async (slug: string) =>
        (require("./commands/reset") as typeof import("./commands/reset")).resetCommand(
          where(),
          slug,
        ),
      ),
    );

  cli
    .command("new")
    .description("scaffold an exercise that meets the contract, with one example stage")
    .argument("<slug>", "kebab-case name of the new exercise")
    .action(
      run(async (slug: string) =>
        (require("./commands/new") as typeof import("./commands/new")).newCommand(where(), slug),
      ),
    );

  cli
    .command("doctor")
    .description(
      "check Node, which service provider `auto` picks and why, and that Redis and Postgres start",
    )
    .action(
      run(async () =>
        (require("./commands/doctor") as typeof import("./commands/doctor")).doctorCommand(),
      ),
    );

  cli.hook("postAction", () => {
    process.exitCode = exitCode;
  });
  return cli;
}

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
