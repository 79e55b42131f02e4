/** The study's files in bench-results/study/: study.json (the record), study.md, and bench's results. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StudyStore } from "./study";

export function fileStore(dir: string, now: () => Date = () => new Date()): StudyStore {
    const recordFile = join(dir, "study.json");
    const reportFile = join(dir, "study.md");
    return {
        resultsFile: join(dir, "results.json"),
        reportPath: reportFile,
        read: () => (existsSync(recordFile) ? readFileSync(recordFile, "utf8") : undefined),
        write: (record, report) => {
            mkdirSync(dir, { recursive: true });
            writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
            writeFileSync(reportFile, report);
        },
        archive: () => {
            if (!existsSync(dir)) return undefined;
            const aside = `${dir}-${now().toISOString().replace(/[:.]/g, "-")}`;
            renameSync(dir, aside);
            return aside;
        },
    };
}
