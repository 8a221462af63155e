// The one place where a build decides what becomes of the outputs already in out/<period>/:
// kept (its bytes are the recorded bytes and its source is unchanged), removed (changed, a
// link, stale, or of unknown origin), or, for a PDF holding more than this build would make
// (PDF/A, a signature, a higher PAdES level), kept instead of the new one or the build refused.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { displayPath } from '../bulletin.js';
import type { Message } from '../messages.js';
import { SUMS_SIGNATURE, sha256 } from '../archive/checksums.js';
import { stateRank, stateText, type Manifest, type OutputState } from '../archive/manifest.js';

/** The outputs made from the print HTML, which a build of another format may keep. */
export const PRINTED_OUTPUTS = ['bulletin.pdf', 'bulletin.docx', 'bulletin.ofd'] as const;

export interface SetPlan {
  outDir: string;
  period: string;
  manifest: Manifest | undefined;
  /** The printed outputs this build makes. */
  made: ReadonlySet<string>;
  /** Each printed output's source digest now (undefined when the print HTML was not made). */
  sources: Readonly<Record<string, string | undefined>>;
  /** The state of the PDF this build makes. */
  pdfState: OutputState;
  /** --unsigned: a PDF holding more may be replaced or removed. */
  unsigned: boolean;
  /** This build signs SHA256SUMS anew. */
  signing: boolean;
}

export interface SetDecision {
  /** Outputs of the last build kept, with the bytes that were checked. */
  kept: Map<string, Buffer>;
  /** Made files given up for the held ones (a signed PDF kept over an unsigned print). */
  keptInstead: string[];
  messages: Message[];
  /** Set when the build must stop (exit 1) rather than lower what the folder holds. */
  refused?: Message;
}

type Held = { plain: false } | { plain: true; bytes: Buffer };

/** What is at out/<period>/<file>: nothing, something that is not a plain file, or a file's bytes. */
function held(file: string): Held | undefined {
  try {
    return lstatSync(file).isFile() ? { plain: true, bytes: readFileSync(file) } : { plain: false };
  } catch {
    return undefined;
  }
}

export function decideSet(p: SetPlan): SetDecision {
  const d: SetDecision = { kept: new Map(), keptInstead: [], messages: [] };
  for (const file of PRINTED_OUTPUTS) {
    const at = held(path.join(p.outDir, file));
    if (!at) continue;
    const verdict = judge(p, file, at);
    if (verdict.refuse) return { ...d, refused: verdict.refuse };
    if (verdict.message) d.messages.push(verdict.message);
    if (verdict.keep && at.plain) {
      d.kept.set(file, at.bytes);
      if (p.made.has(file)) d.keptInstead.push(file);
    }
  }
  // The signature over SHA256SUMS stays with the signed PDF it was made with, when its bytes are the recorded ones.
  const pdfRecord = p.manifest?.outputs['bulletin.pdf'];
  const sig = p.manifest?.outputs[SUMS_SIGNATURE];
  const at = held(path.join(p.outDir, SUMS_SIGNATURE));
  if (!p.signing && d.kept.has('bulletin.pdf') && pdfRecord?.state?.signer && sig && at?.plain && sha256(at.bytes) === sig.sha256) d.kept.set(SUMS_SIGNATURE, at.bytes);
  return d;
}

interface Verdict {
  keep?: boolean;
  message?: Message;
  refuse?: Message;
}

/** The fate of one held output. */
function judge(p: SetPlan, file: string, at: Held): Verdict {
  const kind = path.extname(file).slice(1);
  const shown = displayPath(path.join(p.outDir, file));
  const record = p.manifest?.outputs[file];
  const remake = `tongbao build ${p.period}${file === 'bulletin.pdf' ? '' : ` --format ${kind}`}`;
  const made = p.made.has(file);
  const warn = (reason: string, rule: string, hint = `运行 ${remake} 重新生成`): Verdict => ({ message: { severity: 'warning', file: shown, reason, hint, rule } });
  if (!at.plain) return made ? {} : warn(`${file} 不是普通文件（符号链接或目录），没有跟随，已删除`, 'build/not-a-file');
  if (!record) {
    // A signed PDF of unknown origin (an older tongbao, a lost record) is not thrown away unasked either.
    if (file === 'bulletin.pdf' && !p.unsigned && !p.signing && at.bytes.includes('/ByteRange')) {
      const what = made ? '换成这次生成的不签名的 PDF' : '删去它';
      return { refuse: { severity: 'error', file: shown, reason: `${file} 是签名的，但没有生成记录，无法确认它与现在的数据一致：这次不签名，会${what}，未生成（out/ 中保持不变）`, hint: `重新签名（--sign）；或加 --unsigned，明知地${what}`, rule: 'build/would-lower' } };
    }
    return made ? {} : warn(`无法确认上次生成的 ${file} 与现在的数据一致，已删除`, `build/stale-${kind}`);
  }
  if (sha256(at.bytes) !== record.sha256) return made ? {} : warn(`${file} 与上次生成时不同（被改动过），已删除`, 'build/changed-output');
  const current = record.source !== undefined && record.source === p.sources[file];
  const higher = file === 'bulletin.pdf' && stateRank(record.state) > (made ? stateRank(p.pdfState) : 0);
  if (higher && !p.unsigned) return guard(p, file, shown, record.state!, current, made);
  if (higher) return { message: { severity: 'info', file: shown, reason: `已按 --unsigned ${made ? `把${stateText(record.state)} ${file} 换成这次生成的${stateText(p.pdfState)} PDF` : `删去${stateText(record.state)} ${file}`}`, rule: 'build/unsigned' } };
  if (made) return {};
  if (!current) return warn(`上次生成的 ${file} 与现在的数据不一致（数据、正文、模板或字体改过），已删除`, `build/stale-${kind}`);
  return { keep: true };
}

/** A PDF holding more than this build makes: kept when still true to the data, else the build stops. */
function guard(p: SetPlan, file: string, shown: string, state: OutputState, current: boolean, made: boolean): Verdict {
  const again = state.signer ? `重新签名（--sign${state.level === 'B-LT' ? ' --tsa … --ltv' : state.level === 'B-T' ? ' --tsa …' : ''}）` : '重新生成 PDF/A（--archive）';
  if (current) {
    const what = made ? `这次生成的是${stateText(p.pdfState)}，` : '';
    const also = state.signer && !p.signing ? ` 和 ${SUMS_SIGNATURE}` : '';
    return { keep: true, message: { severity: 'info', file: shown, reason: `${file} 是${stateText(state)}，${what}数据未变：保留了原来的 ${file}${also}`, hint: `要换成不签名的，加 --unsigned；要更新，${again}`, rule: 'build/kept-signed' } };
  }
  return {
    refuse: {
      severity: 'error',
      file: shown,
      reason: `上次生成的 ${file} 是${stateText(state)}，而数据、正文或模板已改过：这次${made ? `只能生成${stateText(p.pdfState)} PDF` : '不生成 PDF，它就要被删去'}，未生成（out/ 中保持不变）`,
      hint: `${again}；或加 --unsigned，明知地${made ? '换成这次生成的' : '删去它'}`,
      rule: 'build/would-lower',
    },
  };
}
