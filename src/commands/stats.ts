// `tongbao stats <期次>`: every figure with its value as printed and where it came from.
import { checkBulletin } from '../check/index.js';
import { display, exactJSON, type Figure } from '../figures/figure.js';
import { formatMessage } from '../messages.js';
import { EXIT, onePeriod, type Invocation } from './shell.js';

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  const period = onePeriod(root, args);
  const result = await checkBulletin(root, period);
  for (const m of result.messages) if (!flags.quiet || m.severity === 'error') io.err(formatMessage(m) + '\n');
  const figures = [...(result.figures?.values() ?? [])];
  if (flags.json) {
    io.out(JSON.stringify({ period, ok: result.ok, figures: figures.map(figureJson), checks: result.checks ?? [], claims: result.claims ?? [] }, null, 2) + '\n');
  } else {
    for (const f of figures) {
      const d = f.derivation;
      // 附件1：15 行, not 附件115 行.
      const where = d?.place ? `${d.place}${/^\d/.test(d.formula) ? '：' : ''}` : d?.file ? `${d.file} ` : '';
      const how = d ? `  ← ${where}${d.formula}${d.rows?.length ? `（第 ${compactLines(d.rows)} 行）` : ''}` : '';
      // Drawn from a period that does not check: shown, and said unusable.
      const faulty = f.faulty ? `  （不能使用：取自有错误的 ${f.faulty.split(' ')[0]}）` : '';
      io.out(`${f.name}  ${display(f.value)}  ${f.label}${how}${faulty}\n`);
    }
    // Each check: what the text prints against what its expression computes.
    for (const c of result.checks ?? []) {
      const work = c.formula ? `${c.check} = ${c.formula} = ${c.exact}` : `${c.check} = ${c.exact}`;
      // With where: the unknowns' values that make it print as the text does.
      const values = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k} = ${v}`).join('，');
      const solutions = c.solutions?.length
        ? `（${c.solutions.map(values).join('；')}${BigInt(c.count ?? 0) > 1n ? `，共 ${c.count} 个解` : ''}）`
        : c.nearest?.length
          ? `（无解；最接近的：${c.nearest.map(({ formula, exact, rounded, ...s }) => `${values(s)} → ${rounded ?? exact}`).join('；')}）`
          : '';
      io.out(`核对 ${c.name}：${work}${c.rounded !== c.exact ? ` → ${c.rounded}` : ''}，正文 ${c.printed}  ${c.agrees ? '相符' : '不符'}${solutions}\n`);
    }
    // Each claim: its comparison with the values put in, and whether it holds.
    for (const c of result.claims ?? []) io.out(`说法${c.label ? `「${c.label}」` : ` 第 ${c.index} 条`}：${c.check}，即 ${c.formula}  ${c.holds ? '成立' : '不成立'}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

function figureJson(f: Figure) {
  return { name: f.name, label: f.label, source: f.source, type: f.value.type, value: exactJSON(f.value), display: display(f.value), derivation: f.derivation, ...(f.faulty && { faulty: f.faulty }) };
}

/** 2,3,4,7 → 2–4、7 */
function compactLines(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(j > i ? `${lines[i]}–${lines[j]}` : String(lines[i]));
    i = j + 1;
  }
  return parts.join('、');
}
