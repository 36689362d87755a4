import type { ParamBlock, ParamFields } from "../../../device/webgpu/param-block.js";
import type { StorageKind } from "../../storage/vector-storage.js";
import type { Metric } from "../../types.js";
import type { Launch } from "./launch.js";
import { datasetBindingWgsl } from "./stored-rows.js";
import type { TeamDistanceConfig } from "./wgsl.js";

/*
 * What the single-CTA and multi-CTA search kernels share on the host side: the team-distance
 * part of their shape and of their pipeline key, their first bindings (the index, the queries,
 * the seeds, the output and the parameter block) and their entry point's arguments.
 */

/** What a search call's inputs fix about its kernel. */
export interface KernelInputs {
  readonly metric: Metric;
  /** How the index's rows are stored on the device. */
  readonly storage: StorageKind;
  /** Whether a filter bitset is bound. */
  readonly filtered: boolean;
}

/**
 * The team-distance part of a search kernel's shape for `launch`.
 *
 * @example
 * const shape = { ...teamShape(launch, "sqeuclidean", "f32"), graphDegree: 32 };
 */
export function teamShape(
  launch: Launch,
  metric: Metric,
  storage: StorageKind,
): TeamDistanceConfig {
  return {
    metric,
    storage,
    subgroups: launch.subgroups,
    dimV: launch.dimV,
    workgroupSize: launch.workgroupSize,
    teamSize: launch.teamSize,
  };
}

/**
 * The pipeline-key segment of `s`: every choice that changes the team-distance WGSL.
 *
 * @example
 * teamKey(teamShape(launch, "cosine", "int8")); // "cosine:int8:d32:wg64:t8:sg1"
 */
export function teamKey(s: TeamDistanceConfig): string {
  const { metric, storage, dimV, workgroupSize, teamSize, subgroups } = s;
  return `${metric}:${storage}:d${dimV}:wg${workgroupSize}:t${teamSize}:sg${subgroups ? 1 : 0}`;
}

/** Bindings every search kernel starts with; the kernel's own ones follow from this number. */
export const SEARCH_BINDINGS = 6;

/**
 * WGSL of the parameter struct and the bindings every search kernel starts with: 0 dataset
 * [N, 4·dimV] as `storage` holds it (stored-rows.ts), 1 graph [N, G], 2 queries [·, 4·dimV],
 * 3 seeds, 4 out, 5 params (`params`).
 *
 * @example
 * searchBindingsWgsl(SINGLE_CTA_PARAMS, "f16"); // "struct Params { … } @group(0) @binding(0) var<storage, read> dataset: …"
 */
export function searchBindingsWgsl(params: ParamBlock<ParamFields>, storage: StorageKind): string {
  return /* wgsl */ `${params.wgsl}
@group(0) @binding(0) ${datasetBindingWgsl(storage)};
@group(0) @binding(1) var<storage, read> graph: array<u32>;
@group(0) @binding(2) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> seeds: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;
@group(0) @binding(5) var<uniform> params: ${params.struct};
`;
}

/**
 * WGSL declarations of a kernel's own bindings, numbered from SEARCH_BINDINGS in order; an
 * undefined entry (an absent optional binding) takes no number.
 *
 * @example
 * kernelBindingsWgsl([filtered ? "var<storage, read> filterBits: array<u32>" : undefined]);
 */
export function kernelBindingsWgsl(declarations: readonly (string | undefined)[]): string {
  return declarations
    .filter((d) => d !== undefined)
    .map((d, i) => `@group(0) @binding(${SEARCH_BINDINGS + i}) ${d};\n`)
    .join("");
}

/**
 * The search kernels' entry point arguments and the initTeams call they make first (see
 * teamDistanceWgsl), with or without the subgroup builtins.
 *
 * @example
 * const { args, initTeams } = entryPoint(shape.subgroups); // fn main(${args}) { let shuffle = ${initTeams}; … }
 */
export function entryPoint(subgroups: boolean): { args: string; initTeams: string } {
  const base = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32";
  return subgroups
    ? {
        args: `${base}, @builtin(subgroup_size) sgSize: u32, @builtin(subgroup_invocation_id) sgId: u32`,
        initTeams: "initTeams(t, sgSize, sgId)",
      }
    : { args: base, initTeams: "initTeams(t)" };
}

/** `code` when `on`, else nothing: optional parts of a kernel's WGSL. */
export const when = (on: boolean, code: string): string => (on ? code : "");
