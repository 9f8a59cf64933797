/** HTML evaluation reports: data model, SVG plot, page rendering, writer. */
export type { Comparison, ImageScores, ReportData, ScoreRow } from './report-data.js';
export { psnrNiqeSvg, niceTicks, type CurvePoint } from './psnr-niqe-svg.js';
export { renderReportHtml } from './render-html.js';
export { writeReport } from './write-report.js';
