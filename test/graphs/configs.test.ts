import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePretrainConfig } from '../../src/graphs/pretrain-config.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';

const dir = new URL('../../configs/', import.meta.url).pathname;

describe('example configs in configs/', () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    it(`${f} validates`, () => {
      const json = JSON.parse(readFileSync(dir + f, 'utf8')) as unknown;
      const parse = f.includes('pretrain') ? parsePretrainConfig : parseTrainConfig;
      expect(() => parse(json, f, dir)).not.toThrow();
    });
  }
});
