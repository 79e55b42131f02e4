import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import { compare } from "../../../tools/bench/compare";
import { renderSvg } from "../../../tools/bench/render-svg";
import { servicesAxisRuns } from "../../support/bench";

function parse(svg: string) {
    const errors: string[] = [];
    const document = new DOMParser({
        onError: (level, message) => errors.push(`${level}: ${message}`),
    }).parseFromString(svg, "image/svg+xml");
    assert.deepEqual(errors, []);
    return document;
}

describe("renderSvg", () => {
    const document = parse(renderSvg(compare(servicesAxisRuns())));
    const elements = (tag: string, cls: string) =>
        Array.from(document.getElementsByTagName(tag)).filter(
            (e) => e.getAttribute("class") === cls,
        );

    it("draws two bars per flow with an error bar each, eBPF's shorter where it is cheaper", () => {
        const bars = elements("rect", "bar");
        assert.equal(bars.length, 8);
        const attr = (flow: string, dataplane: string, tag: string, cls: string, name: string) =>
            Number(
                elements(tag, cls)
                    .find(
                        (b) =>
                            b.getAttribute("data-flow") === flow &&
                            b.getAttribute("data-dataplane") === dataplane,
                    )
                    ?.getAttribute(name),
            );
        for (const flow of ["p2p-tcp", "p2p-udp", "p2s-tcp", "p2s-udp"]) {
            assert.ok(
                attr(flow, "bpf", "rect", "bar", "height") <
                    attr(flow, "iptables", "rect", "bar", "height"),
            );
            // The error bar spans min–max: its top (max) is above its bottom (min).
            assert.ok(
                attr(flow, "iptables", "line", "error-bar", "y2") <
                    attr(flow, "iptables", "line", "error-bar", "y1"),
            );
        }
    });

    it("has the latency-vs-services chart: a point per count and dataplane, rising for iptables", () => {
        const points = elements("circle", "point").filter(
            (p) => p.getAttribute("data-chart") === "connect",
        );
        const iptables = points
            .filter((p) => p.getAttribute("data-dataplane") === "iptables")
            .map((p) => [
                Number(p.getAttribute("data-services")),
                Number(p.getAttribute("data-value")),
            ]);
        assert.deepEqual(iptables, [
            [0, 310],
            [1000, 520],
            [5000, 950],
        ]);
        const cy = (dataplane: string, services: string) =>
            Number(
                points
                    .find(
                        (p) =>
                            p.getAttribute("data-dataplane") === dataplane &&
                            p.getAttribute("data-services") === services,
                    )
                    ?.getAttribute("cy"),
            );
        assert.ok(cy("iptables", "5000") < cy("iptables", "0"), "higher latency is drawn higher");
        assert.equal(
            elements("polyline", "series").filter((s) => s.getAttribute("data-chart") === "connect")
                .length,
            2,
        );
        assert.equal(
            elements("circle", "point").filter(
                (p) => p.getAttribute("data-chart") === "programming",
            ).length,
            4,
        );
    });

    it("names the fingerprint, and renders an empty comparison", () => {
        assert.match(
            elements("text", "fingerprint")[0]?.textContent ?? "",
            /Standard_D2s_v3 · Kubernetes v1\.36\.2/,
        );
        parse(renderSvg([]));
    });
});
