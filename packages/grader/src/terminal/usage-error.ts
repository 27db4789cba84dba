/**
 * Bad input from the person at the keyboard: an unknown slug, stage or option, a malformed
 * manifest. The CLI prints the message as one line and exits 2, as the grader contract says.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A `.meta/exercise.json` that does not match the schema; names the file and the field. */
export class ManifestError extends UsageError {
  override name = "ManifestError";
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field ? `field "${field}"` : "file"} ${problem}`);
  }
}
