// Runs in every test file (Jest's setupFilesAfterEnv): ends whatever the file started.
import { runCleanups } from "./cleanup";

afterAll(runCleanups, 60_000);
