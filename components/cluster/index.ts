export { AksCluster, type AksClusterArgs } from "./aks-cluster";
export { dnsPrefixFor } from "./naming";
