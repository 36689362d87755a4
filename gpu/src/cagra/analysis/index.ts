export { degrees, degreeStats, type DegreeStats } from "./degrees.js";
export { distribution, type Distribution, type Histogram } from "./distribution.js";
export { stronglyConnectedComponents, type StronglyConnectedComponents } from "./scc.js";
export { twoHopReach, type TwoHopOptions, type TwoHopReach } from "./two-hop.js";
