/** IPv4 and IPv6 addresses and CIDR blocks, for config validation and policy evaluation. */
import { isIP } from "node:net";

export interface Cidr {
    readonly family: 4 | 6;
    /** The network address as an integer. */
    readonly network: bigint;
    readonly prefix: number;
    readonly text: string;
}

/** An address as an integer of its family, or undefined if it is not an IP address. */
export function addressValue(address: string): { family: 4 | 6; value: bigint } | undefined {
    const family = isIP(address);
    if (family === 4) {
        return {
            family,
            value: address.split(".").reduce((v, octet) => (v << 8n) | BigInt(octet), 0n),
        };
    }
    if (family !== 6) return undefined;
    let text = address.split("%")[0] ?? "";
    const embedded = /^(.*:)([0-9]+\.[0-9.]+)$/.exec(text);
    if (embedded?.[1] !== undefined && embedded[2] !== undefined) {
        const v4 = addressValue(embedded[2])?.value ?? 0n;
        text = `${embedded[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const [head = "", tail] = text.split("::");
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const zeros =
        tail === undefined
            ? []
            : Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
    const groups = [...headGroups, ...zeros, ...tailGroups];
    return { family, value: groups.reduce((v, group) => (v << 16n) | BigInt(`0x${group}`), 0n) };
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * Parses `a.b.c.d/n` or `x::y/n`. A block whose address has host bits set is refused, with the
 * network address it probably meant: Kubernetes would read 203.0.113.7/24 as all of 203.0.113.0/24.
 */
export function parseCidr(text: string): Cidr | string {
    const [address = "", prefixText, extra] = text.trim().split("/");
    const parsed = addressValue(address);
    if (
        parsed === undefined ||
        prefixText === undefined ||
        extra !== undefined ||
        !/^[0-9]{1,3}$/.test(prefixText)
    ) {
        return `"${text}" is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/48`;
    }
    const bits = BITS[parsed.family];
    const prefix = Number(prefixText);
    if (prefix > bits) return `"${text}" has a prefix longer than ${bits} bits`;
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((parsed.value & hostMask) !== 0n) {
        const network = parsed.value & ~hostMask;
        return `"${text}" has host bits set; did you mean ${formatAddress(parsed.family, network)}/${prefix}?`;
    }
    return { family: parsed.family, network: parsed.value, prefix, text: text.trim() };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
    const parsed = addressValue(address);
    if (parsed === undefined || parsed.family !== cidr.family) return false;
    const shift = BigInt(BITS[cidr.family] - cidr.prefix);
    return parsed.value >> shift === cidr.network >> shift;
}

function formatAddress(family: 4 | 6, value: bigint): string {
    if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
    const groups = Array.from({ length: 8 }, (_, i) =>
        ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
    );
    return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}
