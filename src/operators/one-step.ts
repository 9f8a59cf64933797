/**
 * `oneStep(backend, facts, { tS, formula })` — the whole one-step student on each frame's `lq`:
 * {@link encode} (t_s) → {@link denoise} (the named x0 formula) → {@link decode} → `lqUp`, `tS`, `sr`.
 *
 * When the backend can run the student as one fused graph (the ONNX backend's `runGraph('student')`, see
 * src/backends/onnx/emit.ts: encoder → UNet → formula → decoder stay on the device, only the image crosses) and the
 * posterior mean is used (no `noise`), the fused graph runs instead: the same maths, with the formula's
 * coefficients from the same `oneStepCoefficients` and the input/output conversions of `encode` / `decode`.
 * Otherwise (`noise` given, `fused: false`, or a backend without it, e.g. TF.js) it is exactly
 * `pipe(encode(…), denoise(…), decode(…))` and the frames also carry `zL` and `zHat`.
 *
 * ```ts
 * frames$.pipe(oneStep(backend, facts, { tS: 500, formula: 'official' }), colorFix('adain'), writeImages('out', 'sr'))
 * ```
 */
import { type OperatorFunction, pipe } from 'rxjs';
import type { Backend, HostTensor } from '../backends/backend.js';
import type { Frame, FrameFields, Item } from '../frame.js';
import { type OneStepFormula, oneStepCoefficients } from '../schedule/one-step.js';
import { checkTs } from '../schedule/timesteps.js';
import { decode, pixelsToSr } from './decode.js';
import { denoise } from './denoise.js';
import { type EncodeOptions, encode, encoderInput } from './encode.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, emptyContext } from './net-calls.js';
import type { WithContext, WithLqUp, WithSr } from './tadsr-fields.js';
import type { LqCrop } from './tile.js';

/** A backend that runs the whole one-step student as one graph (inputs and outputs: see emit.ts). */
export interface FusedStudent {
  runGraph(net: 'student', inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
}

/** The backend as a {@link FusedStudent}, or undefined when it has no fused graph. */
export function fusedStudent(b: Backend): FusedStudent | undefined {
  return typeof (b as Partial<FusedStudent>).runGraph === 'function' ? (b as unknown as FusedStudent) : undefined;
}

export interface OneStepOptions extends EncodeOptions {
  /** Default `ddpm-x0`. */
  readonly formula?: OneStepFormula;
  /** Use the backend's fused graph when it has one and no `noise` is given (default true). */
  readonly fused?: boolean;
}

type LqFrame = Frame & { readonly lq: FrameFields['lq']; readonly lqCrop?: LqCrop } & Partial<WithContext>;
type Out<In> = In & WithLqUp & WithSr & { readonly tS: number };

export function oneStep<In extends LqFrame>(backend: Backend, facts: ModelFacts, opts: OneStepOptions): OperatorFunction<Item<In>, Item<Out<In>>> {
  const tS = checkTs(opts.tS);
  const formula = opts.formula ?? 'ddpm-x0';
  const fused = opts.noise === undefined && opts.fused !== false && opts.tae !== false ? fusedStudent(backend) : undefined;
  if (fused === undefined) {
    return pipe(encode<In>(backend, facts, opts), denoise(backend, facts, { formula }), decode(backend, facts)) as OperatorFunction<Item<In>, Item<Out<In>>>;
  }
  const { a, b } = oneStepCoefficients(formula, tS);
  const one = (v: number): HostTensor => ({ shape: [1], data: Float32Array.of(v) });
  return mergeMapFrames('one-step', async (frame: In) => {
    const { lqUp, x } = encoderInput(frame, facts, opts.scale ?? 4);
    const ctx = frame.context === undefined ? emptyContext(facts, 1) : frame.context;
    const inputs: Record<string, HostTensor> = { sample: x, timestep: one(tS), zCoef: one(a), epsCoef: one(b) };
    if (ctx) inputs['encoderHiddenStates'] = ctx;
    const { image } = await fused.runGraph('student', inputs);
    if (image === undefined) throw new Error('the fused student graph returned no "image" output');
    return { ...frame, lqUp, tS, sr: pixelsToSr(image, lqUp) } as Out<In>;
  });
}
