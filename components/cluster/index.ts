export { AksCluster, type AksClusterArgs } from "./aks-cluster";
export {
    ExistingCluster,
    type ExistingClusterArgs,
    type ExistingClusterSource,
} from "./existing-cluster";
export { dnsPrefixFor } from "./naming";
