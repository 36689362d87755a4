/// <reference types="@webgpu/types" />
/*
 * Node only: WebGPU through Dawn (the `webgpu` npm package). Loaded lazily by
 * selectBackend, so that browser bundles and the CPU path never load the native addon.
 */

/** Dawn's GPU object, or undefined when the package or its native binary cannot load. */
export async function nodeGpu(): Promise<GPU | undefined> {
  try {
    const specifier = "webgpu";
    const dawn = (await import(specifier)) as { create(flags: string[]): GPU };
    return dawn.create([]);
  } catch {
    return undefined;
  }
}
