import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelDirError, initModelDir, modelFacts, readModelDir } from '../../src/models/model-dir.js';
import { presets } from '../../src/models/presets.js';

describe('model directory', () => {
  it('init-model writes a directory that reads back, with its teacher', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tadsr-md-')), 'm');
    await initModelDir(dir, 'tiny', { seed: 2 });
    const m = await readModelDir(dir, { teacher: true });
    expect(m.manifest).toMatchObject({ format: 'tadsr-model', version: 1, preset: 'tiny', formula: 'ddpm-x0', colorFix: 'adain', defaultTs: 500, textCondition: 'zeros' });
    expect(m.teacherUnet?.size).toBe(m.weights.unet.size);
    expect(modelFacts(m.manifest.spec)).toMatchObject({ pixelMultiple: 16, hasTae: true, crossAttentionDim: 32, vaeDownsample: 8 });
  });
  it('weights of another preset: one message naming the mismatch', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tadsr-md-')), 'm');
    await initModelDir(dir, 'tiny');
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, spec: presets.small }));
    await expect(readModelDir(dir)).rejects.toThrow(ModelDirError);
    await expect(readModelDir(dir)).rejects.toThrow(/does not match the model spec[\s\S]*another preset/);
  });
  it('missing or foreign model.json: clear messages', async () => {
    await expect(readModelDir('/nonexistent/dir')).rejects.toThrow(/no model at \/nonexistent\/dir.*tadsr init-model/);
    const dir = mkdtempSync(join(tmpdir(), 'tadsr-md-'));
    writeFileSync(join(dir, 'model.json'), '{"format":"something-else"}');
    await expect(readModelDir(dir)).rejects.toThrow(/is not a tadsr model/);
    writeFileSync(join(dir, 'model.json'), '{nope');
    await expect(readModelDir(dir)).rejects.toThrow(/not valid JSON/);
  });
});
