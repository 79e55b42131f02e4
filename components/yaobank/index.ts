export { Yaobank, type YaobankArgs } from "./yaobank";
