/**
 * GAN peers as baseline rows of an eval-model report, measured in the same run on the same pairs with tadsr's
 * own metrics (PSNR / SSIM on Y, pyiqa; NIQE, BasicSR) and ms/image: `tadsr eval-model --peer-models a,b`.
 *
 * ```ts
 * const rows = await measurePeerRows(['realesr-general-x4v3'], { lqDir, hrDir, limit: 12 });
 * await evaluateModel({ model, lqDir, hrDir, extraBaselines: rows });
 * ```
 */
import { evaluateModel } from '../graphs/eval-model.js';
import { ModelDirError } from '../graphs/model-dir.js';
import type { MeasureOptions } from '../metrics/image-metrics.js';
import type { ScoreRow } from '../report/report-data.js';
import { KNOWN_PEERS, resolvePeerModel } from './peer-dir.js';

export interface PeerRowsOptions {
  readonly lqDir: string | readonly string[];
  readonly hrDir: string | readonly string[];
  readonly limit?: number;
  readonly measure?: MeasureOptions;
  readonly onProgress?: (p: { readonly model: string; readonly done: number; readonly total: number; readonly id: string }) => void;
}

/** One row per peer (`label` = the peer name as given), each over the same pairs as the model's rows. */
export async function measurePeerRows(models: readonly string[], o: PeerRowsOptions): Promise<ScoreRow[]> {
  const rows: ScoreRow[] = [];
  for (const model of models) {
    if (resolvePeerModel(model) === undefined) throw new ModelDirError(`${model} is not a GAN peer (known: ${Object.keys(KNOWN_PEERS).join(', ')}, or a folder with peer.json)`);
    const { report } = await evaluateModel({
      model,
      lqDir: o.lqDir,
      hrDir: o.hrDir,
      tS: [0],
      bicubic: false,
      comparisons: 0,
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.measure ? { measure: o.measure } : {}),
      ...(o.onProgress ? { onProgress: (p) => o.onProgress!({ model, done: p.done, total: p.total, id: p.id }) } : {}),
    });
    const r = report.rows[0]!;
    const { tS: _ignored, ...rest } = r;
    rows.push({ ...rest, label: model });
  }
  return rows;
}
