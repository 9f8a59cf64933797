/** Noise schedule, timesteps and one-step formulas of TADSR. */
export * from './noise-schedule.js';
export * from './timesteps.js';
export * from './one-step.js';
export * from './guidance.js';
