/// <reference types="@webgpu/types" />
import { MemoryTracker } from "../../memory/tracker.js";
import { DeviceLostError, type GpuFeatures, type WebGpuBackend } from "../backend.js";

/** The limits Tessera raises to the adapter's maxima: big datasets and big workgroups. */
const RAISED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

const OPTIONAL_FEATURES: Readonly<Record<keyof GpuFeatures, GPUFeatureName>> = {
  subgroups: "subgroups" as GPUFeatureName,
  shaderF16: "shader-f16",
  timestampQuery: "timestamp-query",
};

/**
 * Opens a WebGPU device on `gpu`, or returns undefined when it has no adapter. Optional
 * features are enabled where present and the limits above are requested at the adapter's
 * maxima.
 *
 * @example
 * const backend = await openWebGpu(navigator.gpu);
 * if (backend) console.log(backend.adapter.description, backend.features);
 */
export async function openWebGpu(
  gpu: GPU,
  options: { powerPreference?: GPUPowerPreference; memory?: MemoryTracker } = {},
): Promise<WebGpuBackend | undefined> {
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? "high-performance",
  });
  if (!adapter) return undefined;
  const wanted = Object.values(OPTIONAL_FEATURES).filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({
    label: "tessera",
    requiredFeatures: wanted,
    requiredLimits,
  });
  let lostError: DeviceLostError | undefined;
  const lost = device.lost.then((info) => {
    lostError = new DeviceLostError(info.reason, info.message);
    throw lostError;
  });
  // Nobody may be listening; the rejection is still observed through isLost() and dispatches.
  lost.catch(() => undefined);
  const info = adapter.info;
  return {
    kind: "webgpu",
    device,
    adapter: {
      vendor: info?.vendor ?? "",
      architecture: info?.architecture ?? "",
      description: info?.description ?? "",
    },
    features: {
      subgroups: device.features.has(OPTIONAL_FEATURES.subgroups),
      shaderF16: device.features.has(OPTIONAL_FEATURES.shaderF16),
      timestampQuery: device.features.has(OPTIONAL_FEATURES.timestampQuery),
    },
    limits: device.limits,
    memory: options.memory ?? new MemoryTracker(),
    lost,
    isLost: () => lostError !== undefined,
  };
}

/** Throws the DeviceLostError of `backend` if its device is gone. */
export function assertAlive(backend: WebGpuBackend): void {
  if (backend.isLost()) {
    throw new DeviceLostError("lost", "the device is no longer usable");
  }
}
