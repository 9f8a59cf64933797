/**
 * Write a report directory: `report.json` (the {@link ReportData}) and `index.html` (its rendering), both
 * atomically. Images are written by the caller under the same directory and referenced by relative path.
 *
 * ```ts
 * await writeReport('out/report', data);   // then open out/report/index.html in any browser, offline
 * ```
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/encode-image.js';
import { renderReportHtml } from './render-html.js';
import type { ReportData } from './report-data.js';

export async function writeReport(dir: string, data: ReportData): Promise<{ json: string; html: string }> {
  const json = join(dir, 'report.json');
  const html = join(dir, 'index.html');
  await writeFileAtomic(json, `${JSON.stringify(data, null, 2)}\n`);
  await writeFileAtomic(html, renderReportHtml(data));
  return { json, html };
}
