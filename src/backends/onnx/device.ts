/**
 * Which device the ONNX backend runs on: `--device auto|cpu|webgpu|cuda`.
 *
 * - `cuda`: ONNX Runtime's CUDA execution provider (a separate download for onnxruntime-node; absent by default).
 * - `webgpu`: the WebGPU execution provider built into onnxruntime-node's `libonnxruntime.so` (Dawn on Vulkan).
 *   Any Vulkan adapter, also Mesa's software one (llvmpipe: correct but 25–50× slower than the CPU provider).
 * - `cpu`: the CPU execution provider.
 * - `auto`: CUDA when its provider is bundled, else WebGPU when a *hardware* Vulkan adapter is present, else CPU;
 *   a provider that fails to load a graph, or that leaves heavy nodes on the CPU, gives way to the next.
 *
 * Adapters are listed with `vulkaninfo --summary` (Debian's `vulkan-tools`; the GPU kit carries its own), read
 * once per process. Dawn, under ONNX Runtime, prefers a discrete GPU, then an integrated one, then the CPU
 * (software) adapter, so the first of that order is the one reported.
 */
import { execFile } from 'node:child_process';
import ort from 'onnxruntime-node';
import type { ExecutionProvider } from './session-protocol.js';

export type Device = 'auto' | ExecutionProvider;
export const DEVICES: readonly Device[] = ['auto', 'cpu', 'webgpu', 'cuda'];

/** A usage error for a bad `--device` value, or a device asked for that this machine cannot give. */
export class DeviceError extends Error {
  override name = 'DeviceError';
}

/** `"webgpu"` → `'webgpu'`; anything else a `DeviceError` naming the choices. */
export function parseDevice(v: string): Device {
  if ((DEVICES as readonly string[]).includes(v)) return v as Device;
  throw new DeviceError(`--device must be one of ${DEVICES.join(', ')}, got "${v}"`);
}

/** One Vulkan physical device. */
export interface VulkanAdapter {
  readonly name: string;
  /** `discrete`, `integrated`, `virtual`, `cpu` (software, e.g. llvmpipe) or `other`. */
  readonly type: 'discrete' | 'integrated' | 'virtual' | 'cpu' | 'other';
  readonly driver: string;
}

/** Parse the `Devices:` section of `vulkaninfo --summary`. */
export function parseVulkanSummary(text: string): VulkanAdapter[] {
  const out: VulkanAdapter[] = [];
  const devices = text.split(/^Devices:\s*$/m)[1] ?? '';
  for (const block of devices.split(/^GPU\d+:\s*$/m).slice(1)) {
    const field = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*(.+?)\\s*$`, 'm').exec(block)?.[1] ?? '';
    const t = field('deviceType').replace('PHYSICAL_DEVICE_TYPE_', '').toLowerCase();
    const type = t === 'discrete_gpu' ? 'discrete' : t === 'integrated_gpu' ? 'integrated' : t === 'virtual_gpu' ? 'virtual' : t === 'cpu' ? 'cpu' : 'other';
    out.push({ name: field('deviceName'), type, driver: field('driverInfo') || field('driverName') });
  }
  return out;
}

const ORDER: Record<VulkanAdapter['type'], number> = { discrete: 0, integrated: 1, virtual: 2, other: 3, cpu: 4 };

/** The adapter Dawn picks from `adapters` (high-performance first; software last). */
export function preferredAdapter(adapters: readonly VulkanAdapter[]): VulkanAdapter | undefined {
  return [...adapters].sort((a, b) => ORDER[a.type] - ORDER[b.type])[0];
}

/** What this machine offers for WebGPU: the adapters, or why none could be listed. */
export interface VulkanProbe {
  readonly adapters: readonly VulkanAdapter[];
  /** Set when `vulkaninfo` is missing or failed (then `adapters` is empty, but WebGPU may still work). */
  readonly problem?: string;
}

let probe: Promise<VulkanProbe> | undefined;

/** The Vulkan adapters here (cached per process). `TADSR_VULKANINFO` names the `vulkaninfo` binary to use. */
export function vulkanAdapters(): Promise<VulkanProbe> {
  probe ??= new Promise((resolve) => {
    const bin = process.env['TADSR_VULKANINFO'] ?? 'vulkaninfo';
    execFile(bin, ['--summary'], { timeout: 20_000, maxBuffer: 1 << 22 }, (err, stdout) => {
      const adapters = parseVulkanSummary(String(stdout ?? ''));
      if (adapters.length > 0) resolve({ adapters });
      else if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve({ adapters, problem: `${bin} not found (Debian: apt-get install vulkan-tools)` });
      else resolve({ adapters, problem: `no Vulkan adapter (${bin} --summary: ${err ? err.message.split('\n')[0] : 'no devices'}; Debian: apt-get install mesa-vulkan-drivers libvulkan1, or the GPU's Vulkan driver)` });
    });
  });
  return probe;
}

/** Whether onnxruntime-node here carries the provider's binaries (`cuda` is a separate download). */
export function providerBundled(ep: ExecutionProvider): boolean {
  const listed = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [];
  return ep === 'cpu' || listed.some((b) => b.name === ep && b.bundled);
}

/** The providers to try for `device`, in order, and the WebGPU adapter that would run (if WebGPU is among them). */
export interface DevicePlan {
  readonly providers: readonly ExecutionProvider[];
  readonly adapter?: VulkanAdapter;
  /** Why `auto` left a provider out (e.g. "webgpu: only the software adapter llvmpipe"). */
  readonly notes: readonly string[];
}

/**
 * Resolve `device` to providers. Explicit devices that cannot run here are a `DeviceError` with the reason:
 * `cuda` when its binaries are not bundled; `webgpu` when no Vulkan adapter is listed (and `vulkaninfo` ran).
 */
export async function planDevice(device: Device): Promise<DevicePlan> {
  if (device === 'cpu') return { providers: ['cpu'], notes: [] };
  if (device === 'cuda') {
    if (!providerBundled('cuda')) {
      throw new DeviceError("--device cuda: onnxruntime-node's CUDA execution provider is not installed here (it is a separate download for one CUDA major version); use --device webgpu for a GPU through Vulkan, or --device cpu");
    }
    return { providers: ['cuda'], notes: [] };
  }
  const vk = await vulkanAdapters();
  const adapter = preferredAdapter(vk.adapters);
  if (device === 'webgpu') {
    if (!providerBundled('webgpu')) throw new DeviceError('--device webgpu: this onnxruntime-node build has no WebGPU execution provider');
    if (adapter === undefined && vk.problem !== undefined && !/not found/.test(vk.problem)) {
      throw new DeviceError(`--device webgpu: ${vk.problem}`);
    }
    return { providers: ['webgpu'], ...(adapter ? { adapter } : {}), notes: vk.problem ? [vk.problem] : [] };
  }
  // auto
  const providers: ExecutionProvider[] = [];
  const notes: string[] = [];
  if (providerBundled('cuda')) providers.push('cuda');
  if (!providerBundled('webgpu')) notes.push('webgpu: not in this onnxruntime-node build');
  else if (adapter === undefined) notes.push(`webgpu: ${vk.problem ?? 'no Vulkan adapter'}`);
  else if (adapter.type === 'cpu') notes.push(`webgpu: only the software adapter ${adapter.name} (ask for it with --device webgpu)`);
  else providers.push('webgpu');
  providers.push('cpu');
  return { providers, ...(providers.includes('webgpu') && adapter ? { adapter } : {}), notes };
}

/**
 * Op types that must not run on the CPU when a GPU provider was asked for: the compute of a diffusion UNet / VAE.
 * Shape arithmetic (Shape, Gather, Slice, Concat, Cast of a few int64s) is placed on the CPU by ONNX Runtime on
 * purpose and is fine.
 */
export const HEAVY_OPS: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'FusedConv', 'NhwcConv', 'MatMul', 'FusedMatMul', 'Gemm', 'MatMulNBits',
  'Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'Softmax',
  'InstanceNormalization', 'LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization',
  'GroupNormalization', 'GroupNorm', 'BatchNormalization', 'Resize', 'Upsample',
]);

/** Nodes per provider and op type, from an ONNX Runtime profile (`enableProfiling` JSON). */
export type Placement = Record<string, Record<string, number>>;

/** Count the nodes of one profiled run by provider (short names: `WebGpuExecutionProvider` → `webgpu`) and op. */
export function placementFromProfile(events: readonly { cat?: string; name?: string; args?: { provider?: string; op_name?: string; node_index?: string } }[]): Placement {
  const seen = new Set<string>();
  const out: Placement = {};
  for (const e of events) {
    if (e.cat !== 'Node' || e.args?.provider === undefined || e.args.op_name === undefined || e.name === undefined) continue;
    const node = e.args.node_index ?? e.name.replace(/_(kernel_time|fence_before|fence_after)$/, '');
    if (seen.has(node)) continue;
    seen.add(node);
    const ep = e.args.provider.replace(/ExecutionProvider$/, '').toLowerCase();
    const ops = (out[ep] ??= {});
    ops[e.args.op_name] = (ops[e.args.op_name] ?? 0) + 1;
  }
  return out;
}

/** Heavy nodes (see `HEAVY_OPS`) that ran on the CPU provider: `"Conv×3, MatMul×1"`, or `''` when none. */
export function heavyOnCpu(p: Placement): string {
  return Object.entries(p['cpu'] ?? {})
    .filter(([op]) => HEAVY_OPS.has(op))
    .map(([op, n]) => `${op}×${n}`)
    .join(', ');
}

/** `{ webgpu: {Conv: 3, Add: 2}, cpu: {Shape: 1} }` → `"webgpu 5, cpu 1"`. */
export function formatPlacement(p: Placement): string {
  return Object.entries(p)
    .map(([ep, ops]) => `${ep} ${Object.values(ops).reduce((a, b) => a + b, 0)}`)
    .join(', ');
}
