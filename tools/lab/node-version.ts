/** Is this Node one the project supports (package.json `engines.node`)? */
import { satisfies } from "semver";

/** The one-line problem with the running Node, or undefined when it satisfies `engines`. */
export function nodeVersionProblem(current: string, engines: string): string | undefined {
    if (satisfies(current, engines)) return undefined;
    return `Node ${current} is not supported: the lab needs Node ${engines} (package.json engines)`;
}
