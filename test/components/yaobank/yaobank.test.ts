import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { schemaErrors } from "../../support/k8s-schema";
import { COMMAND } from "../../support/steps";
import {
    find,
    LOAD_BALANCER_IP,
    PATCH_APPLIED_AT,
    ofType,
    runProgram,
    type ProgramRun,
    type Registration,
} from "../../support/program";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";

type Manifest = {
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
} & Record<string, unknown>;
const manifest = (r: Registration) => r.inputs as Manifest;
const named = (run: ProgramRun, type: string, name: string): Registration => {
    const matches = ofType(run, type).filter((r) => manifest(r).metadata.name === name);
    assert.equal(matches.length, 1, `one ${type} named ${name}`);
    return matches[0] as Registration;
};
const spec = (r: Registration) => r.inputs["spec"] as Record<string, unknown>;
const podSpec = (r: Registration) =>
    (
        spec(r)["template"] as {
            spec: { containers: Record<string, unknown>[] } & Record<string, unknown>;
        }
    ).spec;
const onlyContainer = (r: Registration): Record<string, unknown> => {
    const { containers } = podSpec(r);
    assert.equal(containers.length, 1);
    return containers[0] as Record<string, unknown>;
};
const podAnnotations = (r: Registration) =>
    (spec(r)["template"] as { metadata: { annotations: Record<string, string> } }).metadata
        .annotations;

describe("Yaobank under mocks", () => {
    const runs = {} as { iptables: ProgramRun; bpf: ProgramRun };
    before(async () => {
        const [iptables, bpf] = await Promise.all([
            runProgram({ dataplane: "iptables" }),
            runProgram({ dataplane: "bpf" }),
        ]);
        Object.assign(runs, { iptables, bpf });
    });

    it("creates namespace yaobank with istio injection disabled", () => {
        const ns = find(runs.iptables, "kubernetes:core/v1:Namespace");
        assert.deepEqual(manifest(ns).metadata, {
            name: "yaobank",
            labels: { "istio-injection": "disabled" },
        });
    });

    const tiers = [
        {
            name: "database",
            image: "calico/yaobank-database:certification",
            replicas: 1,
            port: 2379,
            account: { app: "yaobank" },
        },
        {
            name: "summary",
            image: "calico/yaobank-summary:certification",
            replicas: 2,
            port: 80,
            account: { app: "yaobank", database: "reader" },
        },
        {
            name: "customer",
            image: "calico/yaobank-customer:certification",
            replicas: 1,
            port: 80,
            account: { app: "yaobank", summary: "reader" },
        },
    ];
    for (const tier of tiers) {
        it(`${tier.name}: ServiceAccount, Service on ${tier.port} named http, Deployment of ${tier.replicas}`, () => {
            const run = runs.iptables;
            const account = named(run, "kubernetes:core/v1:ServiceAccount", tier.name);
            assert.deepEqual(manifest(account).metadata, {
                name: tier.name,
                namespace: "yaobank",
                labels: tier.account,
            });

            const service = named(run, SERVICE, tier.name);
            assert.equal(manifest(service).metadata.namespace, "yaobank");
            assert.deepEqual(spec(service)["selector"], { app: tier.name });
            assert.deepEqual(spec(service)["ports"], [
                { name: "http", port: tier.port, targetPort: tier.port },
            ]);
            assert.equal(spec(service)["type"], undefined);

            const deployment = named(run, DEPLOYMENT, tier.name);
            assert.equal(manifest(deployment).metadata.namespace, "yaobank");
            assert.equal(spec(deployment)["replicas"], tier.replicas);
            assert.deepEqual(spec(deployment)["selector"], {
                matchLabels: { app: tier.name, version: "v1" },
            });
            const pod = podSpec(deployment);
            assert.equal(pod["serviceAccountName"], tier.name);
            assert.deepEqual(pod["nodeSelector"], {
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
            });
            const container = onlyContainer(deployment);
            assert.equal(container["image"], tier.image);
            assert.deepEqual(container["ports"], [{ containerPort: tier.port, name: "http" }]);
            assert.deepEqual((container["readinessProbe"] as { tcpSocket: unknown }).tcpSocket, {
                port: tier.port,
            });
            assert.ok((container["resources"] as { requests: { cpu: string } }).requests.cpu);
        });
    }

    it("runs etcd with the upstream arguments", () => {
        const container = onlyContainer(named(runs.iptables, DEPLOYMENT, "database"));
        assert.deepEqual(container["command"], ["etcd"]);
        assert.deepEqual(container["args"], [
            "-advertise-client-urls",
            "http://database:2379",
            "-listen-client-urls",
            "http://0.0.0.0:2379",
        ]);
    });

    it("exposes customer through a LoadBalancer with externalTrafficPolicy Cluster and a TCP probe", () => {
        const entry = named(runs.iptables, SERVICE, "yaobank-customer");
        assert.deepEqual(manifest(entry).metadata, {
            name: "yaobank-customer",
            namespace: "yaobank",
            annotations: {
                "service.beta.kubernetes.io/port_80_health-probe_protocol": "Tcp",
                "pulumi.com/patchForce": "true",
            },
        });
        assert.deepEqual(spec(entry), {
            type: "LoadBalancer",
            externalTrafficPolicy: "Cluster",
            selector: { app: "customer" },
            ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" }],
        });
    });

    it("applies the Deployments and the entry Service forced, so an up after a lost state can change them", () => {
        for (const [kind, name] of [
            [SERVICE, "yaobank-customer"],
            ...["customer", "summary", "database"].map((tier) => [DEPLOYMENT, tier]),
        ] as const) {
            const annotations = manifest(named(runs.bpf, kind, name)).metadata.annotations;
            assert.equal(annotations?.["pulumi.com/patchForce"], "true", name);
        }
    });

    it("every object validates against the Kubernetes schema", async () => {
        const objects = runs.bpf.registrations.filter(
            (r) => r.type.startsWith("kubernetes:") && r.urn.includes("Yaobank$"),
        );
        // Namespace, 3 ServiceAccounts, 3 Services, 3 Deployments, the LoadBalancer, 4 NetworkPolicies.
        assert.equal(objects.length, 15);
        for (const object of objects) {
            assert.equal(await schemaErrors(object.inputs), undefined, object.urn);
        }
    });

    it("the schema check itself rejects a malformed object", async () => {
        const deployment = named(runs.bpf, DEPLOYMENT, "customer").inputs;
        const broken = {
            ...deployment,
            spec: { ...(deployment["spec"] as object), replicas: "one" },
        };
        assert.match((await schemaErrors(broken)) ?? "", /replicas must be integer/);
    });

    it("all of it goes through the cluster's provider and waits for the namespace", () => {
        const run = runs.bpf;
        const provider = find(run, "pulumi:providers:kubernetes");
        const ns = find(run, "kubernetes:core/v1:Namespace");
        for (const r of run.registrations.filter((x) => x.urn.includes("Yaobank$kubernetes:"))) {
            assert.ok(r.provider.startsWith(`${provider.urn}::`), r.urn);
            if (r !== ns && r.type !== DEPLOYMENT)
                assert.ok(r.dependencies.includes(ns.urn), r.urn);
        }
    });

    it("marks the pod templates with the live dataplane, and nothing else in the Deployments differs", () => {
        for (const tier of tiers) {
            const iptables = named(runs.iptables, DEPLOYMENT, tier.name);
            const bpf = named(runs.bpf, DEPLOYMENT, tier.name);
            assert.deepEqual(podAnnotations(iptables), {
                "aks-calico-lab/dataplane": `iptables ${PATCH_APPLIED_AT}`,
            });
            assert.deepEqual(podAnnotations(bpf), {
                "aks-calico-lab/dataplane": `bpf ${PATCH_APPLIED_AT}`,
            });
            const withoutMarker = (r: Registration) => {
                const copy = structuredClone(r.inputs) as {
                    spec: { template: { metadata: { annotations?: unknown } } };
                };
                delete copy.spec.template.metadata.annotations;
                return copy;
            };
            assert.deepEqual(withoutMarker(bpf), withoutMarker(iptables));
        }
    });

    it("rolls the pods again when a revert re-applies the same dataplane (after a failed flip)", async () => {
        // A flip to bpf failed in its wait; config set back to iptables re-applies the Installation
        // patch: the dataplane value is what state already holds, the time the lab applied it is not.
        const reverted = await runProgram(
            { dataplane: "iptables" },
            { patchAppliedAt: "2026-11-23T11:30:00Z" },
        );
        for (const tier of tiers) {
            assert.deepEqual(podAnnotations(named(reverted, DEPLOYMENT, tier.name)), {
                "aks-calico-lab/dataplane": "iptables 2026-11-23T11:30:00Z",
            });
        }
    });

    it("rolls the pods only after the switch: each Deployment waits for the DNS restart", () => {
        for (const run of Object.values(runs)) {
            const restart = find(run, COMMAND, "calico-restart-dns");
            for (const deployment of ofType(run, DEPLOYMENT)) {
                assert.ok(deployment.dependencies.includes(restart.urn), deployment.urn);
            }
        }
    });

    it("exports the load balancer's address and the page's URL from the Service's ingress", () => {
        assert.equal(runs.iptables.outputs["yaobankIp"], LOAD_BALANCER_IP);
        assert.equal(runs.iptables.outputs["yaobankUrl"], `http://${LOAD_BALANCER_IP}/`);
    });
});
