/**
 * The local cluster's certificates, made with openssl in the scratch folder: one CA; the API
 * server's serving certificate; a client certificate per component (distinct users in the audit
 * log); serving certificates for the kwok "kubelets" on their node IPs (the API server verifies
 * them with --kubelet-certificate-authority); the service-account signing key.
 * envtest does the same with its own CA (controller-runtime v0.24.1,
 * pkg/internal/testing/certs/tinyca.go); openssl keeps this file free of hand-rolled ASN.1.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface KeyPair {
    readonly cert: string;
    readonly key: string;
}

export interface ClusterPki {
    readonly caCert: string;
    readonly caKey: string;
    readonly apiserver: KeyPair;
    readonly serviceAccountKey: string;
    readonly serviceAccountPub: string;
    client(user: string, group: string): KeyPair;
    serving(name: string, ips: readonly string[], dnsNames?: readonly string[]): KeyPair;
}

function openssl(dir: string, args: readonly string[]): void {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
    }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** `extraIps`: more addresses the API server is reached at (the nodes' hub forwarder). */
export function makePki(
    dir: string,
    serviceIp: string,
    extraIps: readonly string[] = [],
): ClusterPki {
    const caCert = join(dir, "ca.crt");
    const caKey = join(dir, "ca.key");
    openssl(dir, [
        "req",
        "-x509",
        ...EC_KEY,
        "-keyout",
        caKey,
        "-out",
        caCert,
        "-days",
        "2",
        "-subj",
        "/CN=aks-calico-lab-local-ca",
    ]);

    const issue = (name: string, subject: string, extensions: string): KeyPair => {
        const key = join(dir, `${name}.key`);
        const csr = join(dir, `${name}.csr`);
        const cert = join(dir, `${name}.crt`);
        const ext = join(dir, `${name}.ext`);
        writeFileSync(ext, extensions);
        openssl(dir, ["req", "-new", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", subject]);
        openssl(dir, [
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            caCert,
            "-CAkey",
            caKey,
            "-CAcreateserial",
            "-out",
            cert,
            "-days",
            "2",
            "-extfile",
            ext,
        ]);
        return { cert, key };
    };

    const serving = (
        name: string,
        ips: readonly string[],
        dnsNames: readonly string[] = [],
    ): KeyPair =>
        issue(
            name,
            `/CN=${name}`,
            [
                "basicConstraints=CA:FALSE",
                "keyUsage=digitalSignature,keyEncipherment",
                "extendedKeyUsage=serverAuth",
                `subjectAltName=${[...ips.map((ip) => `IP:${ip}`), ...dnsNames.map((d) => `DNS:${d}`)].join(",")}`,
                "",
            ].join("\n"),
        );

    const apiserver = serving(
        "kube-apiserver",
        ["127.0.0.1", serviceIp, ...extraIps],
        [
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
        ],
    );

    const serviceAccountKey = join(dir, "sa.key");
    const serviceAccountPub = join(dir, "sa.pub");
    openssl(dir, [
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        serviceAccountKey,
    ]);
    openssl(dir, ["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);

    return {
        caCert,
        caKey,
        apiserver,
        serviceAccountKey,
        serviceAccountPub,
        client: (user, group) =>
            issue(
                `client-${user.replace(/[^a-z0-9-]/gi, "-")}`,
                `/O=${group}/CN=${user}`,
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
            ),
        serving,
    };
}
