/**
 * What an evaluation report holds — written as `report.json` and rendered as `index.html` by
 * {@link writeReport}. Plain JSON: numbers, strings and relative paths of images next to the HTML.
 */

/** Mean scores of one method (a t_s of the model, or the bicubic baseline) over the evaluated pairs. */
export interface ScoreRow {
  /** Row label: `t_s = 500`, `bicubic ×4`. */
  readonly label: string;
  /** The t_s of a model row; absent for baselines. */
  readonly tS?: number;
  /** Number of pairs averaged (frames that failed are not counted). */
  readonly n: number;
  /** PSNR on Y, pyiqa convention (dB). */
  readonly psnr: number;
  /** SSIM on Y, pyiqa convention. */
  readonly ssim: number;
  /** NIQE, BasicSR convention (lower = more natural). */
  readonly niqe: number;
  /** Median wall time per image (ms), when measured. */
  readonly msPerImage?: number;
}

/** One before/after comparison: the bicubic-upscaled LQ against the SR output for each t_s. */
export interface Comparison {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Relative path (from the report directory) of the bicubic ×4 image. */
  readonly bicubic: string;
  /** Relative path of the HR image, when written. */
  readonly hr?: string;
  /** Relative path of the SR image per t_s, in the order of {@link ReportData.rows}. */
  readonly sr: readonly { readonly tS: number; readonly path: string }[];
}

/** One pair's scores: the bicubic baseline and the model at each t_s. */
export interface ImageScores {
  readonly id: string;
  readonly bicubic?: { readonly psnr?: number; readonly ssim?: number; readonly niqe?: number };
  readonly sr: readonly { readonly tS: number; readonly psnr?: number; readonly ssim?: number; readonly niqe?: number; readonly ms: number }[];
}

export interface ReportData {
  readonly title: string;
  /** ISO time the report was made. */
  readonly created: string;
  /** Free-form lines about what ran: model dir, backend, data set, text-condition substitute, machine. */
  readonly notes: readonly string[];
  readonly lqDir: string;
  readonly hrDir: string;
  /** Model rows in t_s order. */
  readonly rows: readonly ScoreRow[];
  /** Baselines measured on the same pairs (bicubic ×4). */
  readonly baselines: readonly ScoreRow[];
  readonly comparisons: readonly Comparison[];
  /** Scores of every pair (report.json only; the page shows the means). */
  readonly images?: readonly ImageScores[];
  /** Frames that failed (unreadable file, missing pair, ...), reported by name. */
  readonly errors: readonly { readonly id: string; readonly stage: string; readonly message: string }[];
}
