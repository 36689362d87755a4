/**
 * The types of the variables every cell sees (display, progress, comms, input), on their
 * own: the declaration that gives cells these names imports this module's types only, so
 * the compiler does not load every declaration file of @tessera/kernel, @tessera/gpu and
 * @tessera/viz for each cell (half the files of a cell's program otherwise).
 */
export { clearOutput, display } from "./display.js";
export { openComm, registerCommTarget } from "./comms.js";
export { progress } from "./progress.js";
export { input, prompt } from "./input.js";
