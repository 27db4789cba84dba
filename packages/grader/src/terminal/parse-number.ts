import { UsageError } from "./usage-error";

/** A command-line number within [min, max], or a UsageError (exit 2) that names the option. */
export function parseNumber(option: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`${option} wants a number from ${min} to ${max}; got "${value}"`);
  }
  return number;
}
