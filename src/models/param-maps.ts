/**
 * The two maps every network file speaks in, keyed by diffusers parameter name (the public contract of a
 * checkpoint). They live in their own file so that a network's shape function (`taesd.ts`, `clip-text.ts`)
 * and `params.ts`, which gathers them, do not import each other.
 */
import type { HostTensor } from '../host-tensor.js';

/** Parameter name → shape, in the order diffusers registers them. */
export type ShapeMap = Map<string, number[]>;

/** Weights of one network by diffusers name. */
export type WeightMap = Map<string, HostTensor>;
