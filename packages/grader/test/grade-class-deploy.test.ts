// The two ways to spread a class over machines (docs/grading.md, "Spreading a class over
// machines"), read from their files: the GitHub Actions workflow and the Kubernetes Indexed Job.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";

const ROOT = path.resolve(__dirname, "../../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/* eslint-disable @typescript-eslint/no-explicit-any -- YAML documents are untyped */
describe("the grade-class workflow", () => {
  const workflow = parse(read(".github/workflows/grade-class.yml")) as any;
  const steps = (job: string) => workflow.jobs[job].steps as any[];
  const step = (job: string, name: string) => steps(job).find((s) => s.name?.startsWith(name));

  it("is started by hand with the roster, deadline, exercises and number of shards", () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual([
      "roster",
      "deadline",
      "exercises",
      "shards",
    ]);
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("grades one shard per matrix entry and uploads an artifact per shard", () => {
    const grade = workflow.jobs.grade;
    expect(grade.needs).toBe("plan");
    expect(grade.strategy.matrix.shard).toBe("${{ fromJSON(needs.plan.outputs.shards) }}");
    expect(grade.strategy["fail-fast"]).toBe(false);
    const run = step("grade", "Grade this shard");
    expect(run.env.SHARD).toBe("${{ matrix.shard }}/${{ inputs.shards }}");
    expect(run.run).toMatch(
      /npx sandbox grade-class "\$ROSTER" --out "class-shards\/shard-\$INDEX" --shard "\$SHARD"/,
    );
    // Inputs reach the shell through the environment, never pasted into the script.
    for (const s of steps("grade")) expect(s.run ?? "").not.toMatch(/\$\{\{\s*inputs\./);
    expect(step("grade", "Upload").with.name).toBe("class-shard-${{ matrix.shard }}");
    expect(step("grade", "Install bubblewrap").run).toMatch(/bubblewrap/);
  });

  it("merges every shard's folder into one class after the matrix", () => {
    const merge = workflow.jobs.merge;
    expect(merge.needs).toBe("grade");
    expect(step("merge", "Download").with).toMatchObject({ pattern: "class-shard-*" });
    expect(step("merge", "Join").run).toMatch(
      /npx sandbox merge class-shards\/shard-\* --out class/,
    );
  });

  it("never saves a cache, and keeps the token out of the grading step", () => {
    const text = read(".github/workflows/grade-class.yml").replace(/#.*$/gm, "");
    expect(text).not.toMatch(/cache: npm|actions\/cache@/);
    expect(JSON.stringify(step("grade", "Grade this shard"))).not.toMatch(/secrets\.|TOKEN/);
  });
});

describe("the Kubernetes Indexed Job", () => {
  const docs = parseAllDocuments(read("deploy/kubernetes/grade-class-job.yaml")).map((d) =>
    d.toJS(),
  ) as any[];
  const job = docs.find((d) => d.kind === "Job");
  const container = job.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

  it("runs one pod per shard, JOB_COMPLETION_INDEX + 1 of SHARDS", () => {
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.completions).toBe(Number(env.SHARDS));
    expect(job.spec.parallelism).toBe(Number(env.SHARDS));
    const script = container.args.join("\n");
    expect(script).toMatch(/shard=\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/);
    expect(script).toMatch(
      /sandbox grade-class \/roster\/roster\.csv --out "\/class\/shard-\$shard"/,
    );
    expect(script).toMatch(/--shard "\$shard\/\$SHARDS"/);
  });

  it("writes every shard to one shared volume that the merge Job joins", () => {
    expect(docs.find((d) => d.kind === "PersistentVolumeClaim").spec.accessModes).toEqual([
      "ReadWriteMany",
    ]);
    const merge = parse(read("deploy/kubernetes/grade-class-merge-job.yaml")) as any;
    expect(merge.spec.template.spec.containers[0].args[0]).toBe(
      "npx sandbox merge /class/shard-* --out /class/all",
    );
  });
});
/* eslint-enable @typescript-eslint/no-explicit-any */
