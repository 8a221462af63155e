// verify's look at the folder as a set: the manifest beside it (out/.<period>.json) agrees with
// SHA256SUMS, every file is one the manifest knows, files added after the signing build are
// named, and every Word document opens as one.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Message } from '../messages.js';
import { SUMS_FILE, SUMS_SIGNATURE, parseSums } from './checksums.js';
import { manifestPath, readManifest } from './manifest.js';
import { checkDocxPackage } from './docx-check.js';

/** The problems of the folder `dir` holding the plain files `names`, as messages. */
export function checkSet(dir: string, names: readonly string[], shown: (file: string) => string): Message[] {
  const messages: Message[] = [];
  for (const n of names.filter((f) => f.toLowerCase().endsWith('.docx'))) {
    for (const problem of checkDocxPackage(readFileSync(path.join(dir, n)))) {
      messages.push({ severity: 'error', file: shown(path.join(dir, n)), reason: `Word 文档打不开：${problem}`, hint: '重新生成：tongbao build <期次> --format docx', rule: 'verify/docx' });
    }
  }
  const sumsFile = path.join(dir, SUMS_FILE);
  const record = manifestPath(dir);
  if (!existsSync(record) || !existsSync(sumsFile)) return messages;
  const manifest = readManifest(dir);
  const where = shown(record);
  if (!manifest) return [...messages, { severity: 'error', file: where, reason: '生成记录不是 tongbao 写的格式', hint: '重新生成：tongbao build <期次>', rule: 'verify/manifest' }];
  const listed = new Map(parseSums(readFileSync(sumsFile, 'utf8')).entries.map((e) => [e.name, e.hash]));
  for (const n of names) {
    if (!manifest.outputs[n]) messages.push({ severity: 'error', file: shown(path.join(dir, n)), reason: `生成记录（${path.basename(record)}）中没有这个文件：它不是 tongbao 生成的`, hint: '删去它，或重新生成', rule: 'verify/unknown-output' });
  }
  for (const [name, r] of Object.entries(manifest.outputs)) {
    if (name === SUMS_FILE || name === SUMS_SIGNATURE) continue;
    const hash = listed.get(name);
    if (hash === undefined) messages.push({ severity: 'error', file: where, reason: `生成记录列出了 ${name}，SHA256SUMS 中却没有`, hint: '生成记录与 SHA256SUMS 不一致：请重新生成', rule: 'verify/manifest' });
    else if (hash !== r.sha256) messages.push({ severity: 'error', file: where, reason: `生成记录中 ${name} 的 SHA-256 与 SHA256SUMS 不同`, hint: '其中之一在生成后被改动过：请从存档中取回原件或重新生成', rule: 'verify/manifest' });
  }
  for (const name of listed.keys()) {
    if (!manifest.outputs[name]) messages.push({ severity: 'error', file: shown(sumsFile), reason: `SHA256SUMS 列出了 ${name}，生成记录中却没有`, hint: '生成记录与 SHA256SUMS 不一致：请重新生成', rule: 'verify/manifest' });
  }
  // A later build may add files beside a signed set it kept: they are not under the signature.
  if (manifest.signedSums !== undefined && names.includes(SUMS_SIGNATURE)) {
    const signed = new Set(parseSums(manifest.signedSums).entries.map((e) => e.name));
    const added = [...listed.keys()].filter((n) => !signed.has(n));
    if (added.length) messages.push({ severity: 'info', file: shown(path.join(dir, SUMS_SIGNATURE)), reason: `签名之后的生成加入了 ${added.join('、')}：它们列在 SHA256SUMS 中，但不在签名的文件清单中`, hint: '要让签名也覆盖它们，用 tongbao build --sign 重新生成', rule: 'verify/added-after-signing' });
  }
  return messages;
}
