/**
 * The images the benchmark runs, pinned by tag and digest so that a rerun measures the same tools.
 * Each run also records the digest the kubelet resolved (pod status imageID).
 */

/**
 * iperf3 3.21 and netperf, built from source on UBI 8 with its shell and curl (cilium/image-tools
 * images/network-perf/Dockerfile @88c270c: IPERF_VERSION 3.21, `FROM scratch` + `COPY --from=builder /
 * /`, no ENTRYPOINT, so containers set `command`). Tag and digest as cilium/cilium-cli pins it
 * (defaults.go ConnectivityCheckImagesPerf, the image of `cilium connectivity perf`).
 */
export const NETWORK_PERF_IMAGE =
    "quay.io/cilium/network-perf:3.21-1782913202-88c270c@sha256:c115a00b80bbf4ff49857dd545f0c40025f226d79051b2c8fdab3e8b938c7f92";

/**
 * fortio 1.75.3, a static Go binary on scratch with ENTRYPOINT /usr/bin/fortio (fortio/fortio
 * Dockerfile). The digest is the one cloudresty/nautiluslb test/e2e/lib.sh pins for this tag; the
 * report fields are read from fortio's source at v1.75.2, the last tag before this patch release.
 */
export const FORTIO_IMAGE =
    "fortio/fortio:1.75.3@sha256:942c86131c24ee9bd4a7754610be417ac1b9fe2f11d1860620a9f6932ceb712f";
