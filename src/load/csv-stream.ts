// A CSV tokenizer for the streaming path, fed chunk by chunk: records with the line and
// column of every field, computed as it scans. It reads well-formed CSV only (the dialect
// csv-parse reads with our options: `,` `"` `""`, \r\n \n \r, empty lines skipped) and says
// so the moment a file is anything else (a stray or unclosed quote), so that the caller can
// hand the whole file to csv-parse and its messages. Positions count UTF-16 code units, as
// the in-memory reader does. csv-parse with info and raw costs four times this on a large file.
import type { RawRecord } from './record.js';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The fields of the record just read, in buffers reused from record to record: a million
 * records then cost no field objects. Valid only during the callback.
 */
export interface FieldBuffer {
  count: number;
  text: string[];
  line: number[];
  column: number[];
}

export interface FieldSink {
  onFields(line: number, fields: FieldBuffer): void;
}

function toRecord(line: number, b: FieldBuffer): RawRecord {
  const fields = [];
  for (let k = 0; k < b.count; k++) fields.push({ text: b.text[k]!, line: b.line[k]!, column: b.column[k]! });
  return { line, fields };
}

export class CsvStream {
  private carry = '';
  private readonly buf: FieldBuffer = { count: 0, text: [], line: [], column: [] };
  private readonly sink: FieldSink;
  /** Line of the first character of `carry`. */
  private line = 1;
  irregular = false;
  private skipped = false;

  /** Records as objects, or as fields in reused buffers to a `FieldSink` (the fast path). */
  constructor(sink: ((rec: RawRecord) => void) | FieldSink) {
    this.sink = typeof sink === 'function' ? { onFields: (line, b) => sink(toRecord(line, b)) } : sink;
  }

  /** Feed text; `final` for the last piece. Returns false once the file is irregular. */
  push(text: string, final: boolean): boolean {
    if (this.irregular) return false;
    const s = this.carry ? this.carry + text : text;
    const rest = this.scan(s, final);
    if (rest === IRREGULAR) {
      this.irregular = true;
      return false;
    }
    this.carry = rest < s.length ? s.slice(rest) : '';
    return true;
  }

  /**
   * Read the records of `s`; returns where the record cut by its end starts (s.length when
   * none is), `this.line` then being that record's line, or IRREGULAR. Nothing follows the loop
   * but returns: optimized on stack (OSR) before a tail had run, the loop deopted at every chunk.
   */
  private scan(s: string, final: boolean): number {
    const n = s.length;
    let i = 0;
    let line = this.line;
    // Where the record being read began: a record cut by the chunk's end is read again whole.
    let recStart = 0;
    let recLine = line;
    let complete = true;
    const buf = this.buf;
    // Next quote, CR and comma at or after i (n when none), searched natively and only again
    // once passed: most records are one line without quotes, split by indexOf.
    let nextQuote = -1;
    let nextCR = -1;
    let nextComma = -1;
    records: while (i < n) {
      recStart = i;
      recLine = line;
      complete = false;
      let c = s.charCodeAt(i);
      if (c === LF || c === CR) {
        // an empty line, skipped
        if (c === CR && i + 1 >= n && !final) break;
        i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        complete = true;
        this.skipped = true;
        continue;
      }
      let count = 0;
      const lf = s.indexOf('\n', i);
      if (lf >= 0) {
        if (nextQuote < i) nextQuote = searchFrom(s, '"', i);
        if (nextCR < i) nextCR = searchFrom(s, '\r', i);
        const end = nextCR === lf - 1 ? lf - 1 : lf;
        if (nextQuote > lf && (nextCR > lf || nextCR === end)) {
          let j = i;
          for (;;) {
            if (nextComma < j) nextComma = searchFrom(s, ',', j);
            const k = nextComma < end ? nextComma : end;
            buf.text[count] = s.slice(j, k);
            buf.line[count] = line;
            buf.column[count] = j - i + 1;
            count++;
            if (k === end) break;
            j = k + 1;
          }
          if (this.skipped) return IRREGULAR;
          i = lf + 1;
          line++;
          complete = true;
          buf.count = count;
          this.sink.onFields(recLine, buf);
          continue;
        }
      }
      let lineStart = i; // index where the current physical line starts
      let l = line;
      for (;;) {
        const fLine = l;
        const fColumn = i - lineStart + 1;
        let text: string;
        if (i < n && s.charCodeAt(i) === QUOTE) {
          let j = i + 1;
          let seg = j;
          text = '';
          for (;;) {
            if (j >= n) {
              if (!final) break records; // the record goes on in the next chunk
              return IRREGULAR; // a quote never closed
            }
            c = s.charCodeAt(j);
            if (c === QUOTE) {
              if (j + 1 >= n && !final) break records;
              if (s.charCodeAt(j + 1) === QUOTE) {
                text += s.slice(seg, j + 1);
                j += 2;
                seg = j;
                continue;
              }
              text += s.slice(seg, j);
              j++;
              break;
            }
            if (c === LF) {
              l++;
              lineStart = j + 1;
            } else if (c === CR) {
              // A line break inside quotes is rare in data tables: the in-memory reader places it.
              return IRREGULAR;
            }
            j++;
          }
          i = j;
          if (i < n) {
            c = s.charCodeAt(i);
            if (c !== COMMA && c !== LF && c !== CR) return IRREGULAR; // text after a closing quote
          }
        } else {
          let j = i;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
            if (c === QUOTE) return IRREGULAR; // a quote inside an unquoted field
            j++;
          }
          if (j >= n && !final) break records;
          text = s.slice(i, j);
          i = j;
        }
        buf.text[count] = text;
        buf.line[count] = fLine;
        buf.column[count] = fColumn;
        count++;
        if (i >= n) {
          if (!final) break records;
          break;
        }
        c = s.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        // the record's end: \r\n, \n or \r
        if (c === CR) {
          if (i + 1 >= n && !final) break records;
          i += s.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++;
        l++;
        break;
      }
      // Empty lines are rare in data tables: such a file goes to the in-memory reader.
      if (this.skipped) return IRREGULAR;
      line = l;
      complete = true;
      buf.count = count;
      this.sink.onFields(recLine, buf);
    }
    this.line = complete ? line : recLine;
    return complete ? n : recStart;
  }
}

const IRREGULAR = -1;

/** Where `ch` next occurs in s from `from`, s.length when it does not. */
function searchFrom(s: string, ch: string, from: number): number {
  const k = s.indexOf(ch, from);
  return k < 0 ? s.length : k;
}
