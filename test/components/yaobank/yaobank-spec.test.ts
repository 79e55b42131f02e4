import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadBalancerAddress, yaobankUrl } from "../../../components/yaobank/yaobank-spec";

describe("loadBalancerAddress and yaobankUrl", () => {
    it("take the first ingress IP, or a hostname", () => {
        assert.equal(loadBalancerAddress([{ ip: "20.1.2.3" }, { ip: "20.9.9.9" }]), "20.1.2.3");
        assert.equal(loadBalancerAddress([{ hostname: "lb.example" }]), "lb.example");
        assert.equal(yaobankUrl("20.1.2.3"), "http://20.1.2.3/");
        assert.equal(yaobankUrl("2603:1030::5"), "http://[2603:1030::5]/");
    });
    it("have no address while the load balancer has none", () => {
        assert.equal(loadBalancerAddress([]), undefined);
        assert.equal(loadBalancerAddress(undefined), undefined);
        assert.equal(loadBalancerAddress([{}]), undefined);
    });
});
