export { CalicoDataplane, type CalicoDataplaneArgs } from "./calico-dataplane";
