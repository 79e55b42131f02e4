#!/usr/bin/env bash
# Runs the Pulumi CLI on the lab's stack with local state, so no Pulumi Cloud account is needed.
#   npm run lab -- up          build or update the lab (default)
#   npm run lab -- destroy     remove everything
#   npm run lab -- <any pulumi command and flags>
# LAB_STACK picks the stack (default: dev). PULUMI_BACKEND_URL overrides the local state folder.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "lab: $*" >&2; exit 1; }
command -v pulumi >/dev/null || fail "the Pulumi CLI is not on PATH (https://www.pulumi.com/docs/install/)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)' ||
    fail "Node $(node --version) is too old: the lab needs Node 22.19 or newer"
[ "$#" -gt 0 ] || set -- up
case "$1" in
    up | update | preview | refresh | destroy)
        # The program reaches Azure through the Azure CLI's login.
        command -v az >/dev/null || fail "the Azure CLI is not on PATH; install it and run 'az login'"
        az account show >/dev/null 2>&1 || fail "no Azure login: run 'az login' (and 'az account set -s <subscription>')"
        ;;
esac

[ -d node_modules ] || npm ci --no-audit --no-fund

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
stack="${LAB_STACK:-dev}"
pulumi stack select "$stack" >/dev/null 2>&1 || pulumi stack init "$stack" --secrets-provider passphrase

exec pulumi "$@" --stack "$stack"
