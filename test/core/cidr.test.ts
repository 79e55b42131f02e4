import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { addressValue, cidrContains, parseCidr, type Cidr } from "../../core/cidr";

const cidr = (text: string): Cidr => {
    const parsed = parseCidr(text);
    assert.ok(typeof parsed !== "string", typeof parsed === "string" ? parsed : "");
    return parsed;
};

describe("parseCidr", () => {
    it("accepts IPv4 and IPv6 network blocks", () => {
        assert.deepEqual(cidr("203.0.113.0/24"), {
            family: 4,
            network: 0xcb007100n,
            prefix: 24,
            text: "203.0.113.0/24",
        });
        assert.equal(cidr("0.0.0.0/0").prefix, 0);
        assert.equal(cidr("168.63.129.16/32").network, 0xa83f8110n);
        assert.equal(cidr("2001:db8::/32").family, 6);
    });

    it("refuses what is not a CIDR, naming the value", () => {
        for (const bad of [
            "203.0.113.0",
            "203.0.113.0/33",
            "300.1.1.1/8",
            "abc/8",
            "10.0.0.0/8/1",
            "2001:db8::/129",
            "10.0.0.0/-1",
            "",
        ]) {
            assert.equal(typeof parseCidr(bad), "string", bad);
        }
        assert.match(parseCidr("203.0.113.0/33") as string, /longer than 32 bits/);
    });

    it("refuses host bits, suggesting the network", () => {
        assert.equal(
            parseCidr("203.0.113.7/24"),
            `"203.0.113.7/24" has host bits set; did you mean 203.0.113.0/24?`,
        );
        assert.match(parseCidr("2001:db8::1/64") as string, /did you mean 2001:db8::\/64\?/);
    });
});

describe("cidrContains", () => {
    it("matches addresses inside the block only, of the same family", () => {
        const block = cidr("203.0.113.0/24");
        assert.equal(cidrContains(block, "203.0.113.200"), true);
        assert.equal(cidrContains(block, "203.0.114.1"), false);
        assert.equal(cidrContains(block, "2001:db8::1"), false);
        assert.equal(cidrContains(cidr("0.0.0.0/0"), "8.8.8.8"), true);
        assert.equal(cidrContains(cidr("2001:db8::/32"), "2001:db8:ffff::1"), true);
        assert.equal(cidrContains(cidr("2001:db8::/32"), "2001:db9::1"), false);
    });
});

describe("addressValue", () => {
    it("expands IPv6 shorthand and embedded IPv4", () => {
        assert.equal(addressValue("::1")?.value, 1n);
        assert.equal(addressValue("::ffff:10.0.0.1")?.value, (0xffffn << 32n) | 0x0a000001n);
        assert.equal(addressValue("not-an-ip"), undefined);
    });
});

describe("parseCidr and cidrContains: properties", () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const dotted = (octets: readonly number[]) => octets.join(".");
    /** The address as a plain number, computed independently of the module under test. */
    const asNumber = (octets: readonly number[]) => octets.reduce((v, o) => v * 256 + o, 0);
    const networkOf = (value: number, prefix: number) =>
        prefix === 0 ? 0 : value - (value % 2 ** (32 - prefix));
    const octetsOf = (value: number) => [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256);

    it("round-trips every IPv4 network block and contains exactly its addresses", () => {
        fc.assert(
            fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (address, prefix, other) => {
                const network = networkOf(asNumber(address), prefix);
                const text = `${dotted(octetsOf(network))}/${prefix}`;
                const cidr = parseCidr(text);
                assert.ok(
                    typeof cidr !== "string",
                    `${text}: ${typeof cidr === "string" ? cidr : ""}`,
                );
                assert.equal(cidr.prefix, prefix);
                assert.equal(cidr.text, text);
                assert.ok(cidrContains(cidr, dotted(address)));
                const inside = networkOf(asNumber(other), prefix) === network;
                assert.equal(
                    cidrContains(cidr, dotted(other)),
                    inside,
                    `${dotted(other)} in ${text}`,
                );
            }),
        );
    });

    it("refuses every block with host bits set and names the network it meant", () => {
        fc.assert(
            fc.property(ipv4, fc.integer({ min: 0, max: 31 }), (address, prefix) => {
                const value = asNumber(address);
                const network = networkOf(value, prefix);
                fc.pre(value !== network);
                const problem = parseCidr(`${dotted(address)}/${prefix}`);
                assert.ok(typeof problem === "string", `${dotted(address)}/${prefix} was accepted`);
                const meant = `${dotted(octetsOf(network))}/${prefix}`;
                assert.ok(problem.includes(`did you mean ${meant}?`), problem);
                assert.equal(typeof parseCidr(meant), "object");
            }),
        );
    });

    it("round-trips IPv6 blocks through the suggested network", () => {
        const group = fc.integer({ min: 0, max: 0xffff });
        fc.assert(
            fc.property(
                fc.array(group, { minLength: 8, maxLength: 8 }),
                fc.integer({ min: 1, max: 128 }),
                (groups, prefix) => {
                    const address = groups.map((g) => g.toString(16)).join(":");
                    const parsed = parseCidr(`${address}/${prefix}`);
                    const suggested =
                        typeof parsed === "string"
                            ? /did you mean (\S+)\?/.exec(parsed)?.[1]
                            : parsed.text;
                    assert.ok(suggested !== undefined, `${address}/${prefix}: no suggestion`);
                    const block = parseCidr(suggested);
                    assert.ok(typeof block !== "string", block as string);
                    assert.ok(cidrContains(block, address), `${address} in ${suggested}`);
                },
            ),
        );
    });
});
