import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare } from "../../../tools/bench/compare";
import { renderMarkdown } from "../../../tools/bench/render-markdown";
import { servicesAxisRuns } from "../../support/bench";

describe("renderMarkdown", () => {
    const markdown = renderMarkdown(compare(servicesAxisRuns()));
    const line = (prefix: string) => markdown.split("\n").find((l) => l.startsWith(prefix)) ?? "";

    it("gives medians with their ranges, and the change only when the ranges are apart", () => {
        assert.match(
            line("| pod → pod TCP | 0 |"),
            /^\| pod → pod TCP \| 0 \| 1\.00 \| 1\.00 \| 1\.10 \(1\.00–1\.20\) \| 0\.750 \(0\.700–0\.800\) \| −32% \(ranges apart, n = 3\/3\) \|/,
        );
        assert.match(markdown, /\| 0 \| .* no measurable difference \(n = 3\/3\) \|$/m);
    });

    it("carries the fingerprint, the CPU split and the services axis", () => {
        assert.match(
            markdown,
            /Kubernetes v1\.36\.2; Calico v3\.30\.3, operator v1\.40\.2; kube-proxy iptables \(default\)/,
        );
        assert.match(
            markdown,
            /client aks-system-12345678-vmss000001: Standard_D2s_v3, .*kernel 6\.8\.0-1041-azure.*enP30832s1 mlx5_core MTU 1500.*accelerated networking on/,
        );
        assert.match(
            markdown,
            /dataplanes: iptables \(nftablesMode Disabled\), eBPF \(nftablesMode Disabled\)/,
        );
        assert.match(markdown, /softirq vCPU/);
        assert.match(line("| 5000 | 2500 (2000–3000)"), /\+?−66% \(ranges apart/);
        assert.match(markdown, /### Connect time against standing Services/);
    });

    it("says so when nothing has been recorded", () => {
        assert.match(renderMarkdown([]), /No runs recorded yet\./);
    });
});
