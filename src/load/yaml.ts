// YAML with positions kept: every schema problem is reported at the node it is about.
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import type { Message } from '../messages.js';
import { badChar, badCharReason, withoutBadChars } from './chars.js';

export interface YamlSource {
  file: string;
  /** The text parsed: a place inside a string value is found in it. */
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface Place {
  line: number;
  column: number;
}

/**
 * The last texts parsed, by file and text: the preview loads bulletin.yaml again on every save,
 * of the circular, a table or a template as much as of bulletin.yaml itself, and the parse was
 * a fifth of its rebuild. Nothing changes a parsed document (it is only read, and turned into
 * new objects by toJS); each caller gets a YamlSource object of its own (workbook-facts.ts
 * keys what it read by that object).
 */
const parsedTexts = new Map<string, { doc: Document.Parsed; lines: LineCounter; messages: Message[] }>();

/** Parse YAML text; syntax problems come back as messages, never thrown. */
export function parseYaml(text: string, file: string): { source?: YamlSource; messages: Message[] } {
  const key = `${file}\u0000${text}`;
  let parsed = parsedTexts.get(key);
  if (!parsed) {
    if (parsedTexts.size >= 8) parsedTexts.clear(); // many periods in one run (build --all): keep it small
    parsedTexts.set(key, (parsed = parseText(text, file)));
  }
  const { doc, lines } = parsed;
  const messages = parsed.messages.map((m) => ({ ...m }));
  return messages.some((m) => m.severity === 'error') ? { messages } : { source: { file, text, doc, lines }, messages };
}

function parseText(text: string, file: string): { doc: Document.Parsed; lines: LineCounter; messages: Message[] } {
  const lines = new LineCounter();
  // A duplicate key is a typo: an error, not a silent overwrite. The library's own check
  // compares each key with every key before it (100,000 keys: over a minute): done here with
  // a set per map instead, reported as the library reports it.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const messages: Message[] = [];
  for (const e of [...doc.errors, ...duplicateKeys(doc)]) {
    const pos = lines.linePos(e.pos[0]);
    messages.push({
      severity: 'error',
      file,
      line: pos.line,
      column: pos.col,
      reason: `YAML 语法错误：${yamlReason(e.code, e.message)}`,
      hint: '检查缩进、冒号后的空格和引号是否成对',
      rule: 'yaml/syntax',
    });
  }
  for (const w of doc.warnings) {
    const pos = lines.linePos(w.pos[0]);
    messages.push({ severity: 'warning', file, line: pos.line, column: pos.col, reason: `YAML：${w.message}`, rule: 'yaml/warning' });
  }
  return { doc, lines, messages };
}

/** Keys repeated within one map, as the library's `uniqueKeys` check would report them. */
function duplicateKeys(doc: Document.Parsed): { code: string; message: string; pos: [number, number] }[] {
  const out: { code: string; message: string; pos: [number, number] }[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const k = `${typeof pair.key.value}:${String(pair.key.value)}`;
        if (seen.has(k)) out.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [pair.key.range[0], pair.key.range[1]] });
        seen.add(k);
      }
    },
  });
  return out;
}

/** Keys that name the machinery of JavaScript objects, never data: refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function forbiddenKeys(source: YamlSource): Message[] {
  const messages: Message[] = [];
  visit(source.doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value)) && pair.key.range) {
        messages.push({
          severity: 'error',
          file: source.file,
          ...toPlace(source, pair.key.range[0]),
          reason: `不能使用「${String(pair.key.value)}」作为键名`,
          hint: '换一个名称',
          rule: 'yaml/forbidden-key',
        });
      }
    },
  });
  return messages;
}

/**
 * Strings holding a character no document may hold (a control character, a bidirectional
 * control): each would reach the page, the PDF's metadata and its XMP packet.
 */
export function invisibleChars(source: YamlSource): Message[] {
  const messages: Message[] = [];
  visit(source.doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string' || !node.range) return;
      const bad = badChar(node.value);
      if (!bad) return;
      messages.push({
        severity: 'error',
        file: source.file,
        ...toPlace(source, node.range[0]),
        reason: `「${withoutBadChars(node.value.slice(0, 20)).replace(/[\t\n\r]/g, '')}」${badCharReason(bad)}`,
        hint: '删去这个字符，它常随复制粘贴带入',
        rule: 'yaml/invisible-char',
      });
    },
  });
  return messages;
}

/** How a plain number may be written to print as it is written: -12, 0, 12.50, 3.0. */
const PLAIN_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * A number written without quotes, as the file writes it: YAML reads 12.50 as 12.5, 007 as 7,
 * 0x14 as 20 and a 30-digit number as a float, and the figure would print otherwise than it
 * is written. A plain decimal comes back as its source text (a whole number that a double
 * holds exactly stays a number); the forms that YAML rewrites (hex, octal, exponent, leading
 * zeros or +, .inf) are refused. Undefined when `node` is no plain number.
 */
export function writtenNumber(source: YamlSource, node: unknown, what: string): { value: number | string; message?: Message } | undefined {
  if (!isScalar(node) || node.type !== 'PLAIN' || typeof node.value !== 'number' || !node.range) return undefined;
  const text = node.source ?? source.text.slice(node.range[0], node.range[1]);
  if (PLAIN_NUMBER.test(text)) return { value: /^-?\d+$/.test(text) && Number.isSafeInteger(node.value) ? node.value : text };
  const read = Number.isFinite(node.value) ? String(node.value) : '无穷大或非数';
  const form = /^[-+]?0x/i.test(text)
    ? '十六进制'
    : /^[-+]?0o/i.test(text)
      ? '八进制'
      : /e/i.test(text) && Number.isFinite(node.value)
        ? '科学计数法'
        : /^[-+]?0\d/.test(text)
          ? '前面多了 0'
          : /^\+/.test(text)
            ? '前面多了 +'
            : '特殊值';
  return {
    value: text,
    message: {
      severity: 'error',
      file: source.file,
      ...toPlace(source, node.range[0]),
      reason: `${what}写作 ${text}（${form}），YAML 会把它读作 ${read}：印出来不是所写的样子`,
      hint: Number.isFinite(node.value) ? `按正文印出的写法写：要印 ${read} 就直接写 ${read}，确要照原样印 ${text} 就加引号写 "${text}"` : `按正文印出的写法写数字；确要照原样印 ${text} 就加引号写 "${text}"`,
      rule: 'yaml/number-form',
    },
  };
}

/** Plain data from the document; a small alias budget makes an alias bomb an error, not a hang. */
export function yamlToJS(source: YamlSource): { data?: unknown; message?: Message } {
  try {
    return { data: source.doc.toJS({ maxAliasCount: 50 }) };
  } catch (e) {
    return {
      message: {
        severity: 'error',
        file: source.file,
        line: 1,
        column: 1,
        reason: `YAML 无法展开：${(e as Error).message.split('\n')[0]}`,
        hint: '别名（*）过多或互相嵌套；请直接写出内容',
        rule: 'yaml/aliases',
      },
    };
  }
}

function yamlReason(code: string, fallback: string): string {
  const known: Record<string, string> = {
    DUPLICATE_KEY: '同一层级出现了重复的键',
    BAD_INDENT: '缩进不一致',
    MISSING_CHAR: '缺少字符（如引号或括号未闭合）',
    BLOCK_AS_IMPLICIT_KEY: '键的写法有误',
    MULTILINE_IMPLICIT_KEY: '键不能跨行',
    UNEXPECTED_TOKEN: '出现了不应有的符号',
    TAB_AS_INDENT: '不能用制表符（Tab）缩进，请改用空格',
    ALIAS_PROPS: '别名（*）写法有误',
    BAD_ALIAS: '别名（*）指向不存在的锚点（&）',
    BAD_SCALAR_START: '值的开头字符有误（如 @ 或 ` 需加引号）',
  };
  return known[code] ?? fallback.split('\n')[0]!;
}

/**
 * The place of the value at `path`; with `atKey`, of its key (for a key that is unknown or
 * misplaced). A path that does not exist is shown at its nearest existing ancestor.
 */
export function placeOf(source: YamlSource, path: readonly PropertyKey[], atKey = false): Place {
  const keys = path.filter((k): k is string | number => typeof k !== 'symbol');
  for (let n = keys.length; n > 0; n--) {
    const sub = keys.slice(0, n);
    const node = nodeAt(source, sub);
    if (!atKey && n === keys.length && isNode(node) && node.range) return toPlace(source, node.range[0]);
    const parent = n > 1 ? nodeAt(source, sub.slice(0, -1)) : source.doc.contents;
    if (isMap(parent)) {
      const pair = pairOf(parent, sub.at(-1));
      if (pair && isNode(pair.key) && pair.key.range) return toPlace(source, pair.key.range[0]);
    }
    if (isNode(node) && node.range) return toPlace(source, node.range[0]);
  }
  const root = source.doc.contents;
  return isNode(root) && root.range ? toPlace(source, root.range[0]) : { line: 1, column: 1 };
}

/**
 * Each map's pairs by key, made on first use. The library finds a key by walking the map's
 * pairs, so placing every one of 50,000 figures took quadratic time (a check of minutes).
 * The parsed document is never changed, so the index stays true; the first of repeated keys
 * wins, as in the library.
 */
const pairIndex = new WeakMap<YAMLMap, Map<unknown, Pair>>();

function pairOf(map: YAMLMap, key: unknown): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (!index.has(k)) index.set(k, pair);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/** The node at `path` (scalars kept as nodes), as `doc.getIn(path, true)` finds it. */
function nodeAt(source: YamlSource, path: readonly (string | number)[]): unknown {
  let node: unknown = source.doc.contents;
  for (const key of path) {
    if (isMap(node)) node = pairOf(node, key)?.value;
    else if (isSeq(node)) {
      const i = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
      node = Number.isInteger(i) && i >= 0 ? node.items[i] : undefined;
    } else return undefined;
  }
  return node;
}

/** The place of character `index` of a string value, when the file writes it as it reads. */
export function placeInScalar(source: YamlSource, path: readonly (string | number)[], index: number): Place {
  const node = nodeAt(source, path);
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return placeOf(source, path);
  const start = node.range[0] + (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0);
  // Escapes or folded lines would shift the offsets: then the value's start is the place.
  return toPlace(source, start + (source.text.startsWith(node.value, start) ? index : 0));
}

function toPlace(source: YamlSource, offset: number): Place {
  const p = source.lines.linePos(offset);
  return { line: p.line, column: p.col };
}

/** Turn zod issues into positioned messages with Chinese reasons. */
export function schemaMessages(source: YamlSource, issues: readonly z.core.$ZodIssue[]): Message[] {
  return issues.map((issue) => {
    // A missing key is shown at its parent's key, an unknown key at itself, the rest at the value.
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const place =
      issue.code === 'unrecognized_keys'
        ? placeOf(source, [...issue.path, issue.keys[0]!], true)
        : placeOf(source, missing ? issue.path.slice(0, -1) : issue.path, missing);
    const where = issue.path.length ? `「${issue.path.join('.')}」` : '';
    return {
      severity: 'error' as const,
      file: source.file,
      ...place,
      reason: `${where}${issueReason(issue)}`,
      hint: issueHint(issue),
      rule: `schema/${issue.code}`,
    };
  });
}

function issueReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? '缺少必填项' : `类型不对，应为${typeName(issue.expected)}`;
    case 'unrecognized_keys':
      return `有未知的键 ${issue.keys.map((k) => `「${k}」`).join('、')}`;
    case 'invalid_value':
      return `取值不对，应为 ${issue.values.map((v) => String(v)).join(' / ')} 之一`;
    case 'too_small':
      return issue.origin === 'array' ? '至少要有一项' : issue.origin === 'string' ? '不能为空' : `不能小于 ${String(issue.minimum)}`;
    case 'invalid_union':
      // A list of kinds (charts): name the kinds rather than a vague "wrong form".
      if ('discriminator' in issue && 'options' in issue && Array.isArray(issue.options)) {
        return `取值不对，应为 ${issue.options.map((v) => String(v)).join(' / ')} 之一`;
      }
      return '写法不对';
    case 'invalid_format':
      return issue.message && !issue.message.startsWith('Invalid') ? issue.message : '格式不对';
    default:
      return issue.message;
  }
}

function issueHint(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') return '检查拼写；可用的键见 data/bulletin.schema.json';
  if (issue.code === 'invalid_union' && 'discriminator' in issue) return undefined;
  if (issue.code === 'invalid_union') return '可写成数字、带引号的文字，或含 value 的对象';
  return undefined;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: '文字',
    number: '数字',
    object: '键值对象',
    array: '列表',
    boolean: 'true 或 false',
  };
  return names[expected] ?? expected;
}
