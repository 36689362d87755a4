export { extend, type ExtendOptions } from "./extend.js";
