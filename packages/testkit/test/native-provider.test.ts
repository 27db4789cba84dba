import { NativeProvider } from "../src/providers/native";
import { describeProviderContract } from "./provider-contract";

describe("native provider", () => {
  describeProviderContract(() => new NativeProvider());
});
