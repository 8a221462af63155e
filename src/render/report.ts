// The check report (`check --report`; `build` writes it beside a bulletin that accepts
// problems): every problem kept on purpose with its reason, every one left, and every
// `check:` worked out, for the reader who signs a bulletin reproduced as printed.
import type { CheckOutcome } from '../check/reported.js';
import type { ClaimOutcome } from '../check/claims.js';
import type { LoadedBulletin } from '../load/bulletin.js';
import { formatMessage, type Message } from '../messages.js';
import { escapeHtml as e } from './helpers.js';
import { periodInfo } from '../periods.js';

export const CHECK_REPORT_FILE = 'check-report.html';

const place = (m: Message) => formatMessage({ ...m, severity: 'warning', reason: '' }).replace(/: 警告: $/, '');

export function checkReportHtml(loaded: LoadedBulletin, messages: readonly Message[], checks: readonly CheckOutcome[] = [], claims: readonly ClaimOutcome[] = []): string {
  const b = loaded.bulletin;
  const accepted = messages.filter((m) => m.accepted !== undefined);
  const left = messages.filter((m) => m.accepted === undefined && m.severity !== 'info');
  // Info lines (a site listed again) are no problem: listed apart.
  const notes = messages.filter((m) => m.severity === 'info');
  const rows = (list: readonly Message[], withReason: boolean) =>
    list.map((m) => `<tr><td>${e(place(m))}</td><td>${e(m.rule)}</td><td>${e(m.severity === 'error' ? '错误' : m.severity === 'warning' ? '警告' : '提示')}</td><td>${e(m.reason)}${m.hint && !withReason ? `<br><span class="hint">${e(m.hint)}</span>` : ''}</td>${withReason ? `<td>${e(m.accepted ?? '')}</td>` : ''}</tr>`).join('\n');
  const table = (head: string[], body: string) => (body ? `<table>\n<thead><tr>${head.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>` : '<p>无。</p>');
  const checked = checks.map((c) => `<tr><td>${e(c.name)}</td><td>${e(c.check)}</td><td>${e(c.formula ? `${c.formula} = ${c.exact}` : (c.exact ?? ''))}${c.rounded !== c.exact ? e(` → ${c.rounded}`) : ''}</td><td>${e(c.printed)}</td><td>${c.agrees ? '相符' : '不符'}${c.solutions?.length ? e(`（${c.solutions.map((s) => Object.entries(s).map(([k, v]) => `${k} = ${v}`).join('，')).join('；')}）`) : ''}</td></tr>`).join('\n');
  const claimed = claims.map((c) => `<tr><td>${e(c.label ?? `第 ${c.index} 条`)}</td><td>${e(c.check)}</td><td>${e(c.formula)}</td><td>${c.holds ? '成立' : '不成立'}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>核对报告：${e(b.title)}</title>
<style>
body { font-family: sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.hint { color: #555; }
</style>
</head>
<body>
<main>
<h1>核对报告：${e(b.title)}</h1>
<p>${e(b.office)}，${e(periodInfo(b.period).text)}。已接受的问题 ${accepted.length} 个，其余问题 ${left.length} 个（错误 ${left.filter((m) => m.severity === 'error').length} 个）。</p>
<h2>已接受的问题（按原文照录）</h2>
${table(['位置', '规则', '级别', '问题与算式', '保留的理由'], rows(accepted, true))}
<h2>其余问题</h2>
${table(['位置', '规则', '级别', '问题与算式'], rows(left, false))}
${notes.length ? `<h2>提示</h2>\n${table(['位置', '规则', '级别', '内容'], rows(notes, false))}\n` : ''}<h2>正文数字的核对</h2>
${table(['数字', '核对', '算式与结果', '正文', '结果'], checked)}
${claims.length ? `<h2>正文的说法</h2>\n${table(['说法', '比较', '代入数值', '结果'], claimed)}\n` : ''}</main>
</body>
</html>
`;
}
