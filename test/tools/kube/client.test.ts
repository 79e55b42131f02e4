import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kubeConfigFromText } from "../../../tools/kube/client";

const VALID = `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: "https://lab-aks.hcp.eastus.azmk8s.io:443" }
users:
- name: user
  user: { token: "t" }
contexts:
- name: lab
  context: { cluster: lab, user: user }
current-context: lab
`;

describe("kubeConfigFromText", () => {
    it("reads a kubeconfig held in memory", () => {
        assert.equal(
            kubeConfigFromText(VALID).getCurrentCluster()?.server,
            "https://lab-aks.hcp.eastus.azmk8s.io:443",
        );
    });
    it("says in one line why text is not a usable kubeconfig", () => {
        for (const text of [
            "clusters: [\n  - {",
            "hello",
            VALID.replace("current-context: lab", "current-context: other"),
        ]) {
            assert.throws(
                () => kubeConfigFromText(text),
                (error: unknown) =>
                    error instanceof Error &&
                    /kubeconfig/.test(error.message) &&
                    error.message.split("\n").length === 1,
                text,
            );
        }
    });
});
