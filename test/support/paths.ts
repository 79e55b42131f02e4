/** Where the project's own files are, for tests that read them (Pulumi.yaml, README.md, docs/). */
import { join } from "node:path";

export const PROJECT_DIR = join(__dirname, "..", "..");
