// A CSV tokenizer for the streaming path, fed chunk by chunk: records with the line and
// column of every field, computed as it scans. It reads well-formed CSV only (the dialect
// csv-parse reads with our options: `,` `"` `""`, \r\n \n \r, empty lines skipped) and says
// so the moment a file is anything else (a stray or unclosed quote), so that the caller can
// hand the whole file to csv-parse and its messages. Positions count UTF-16 code units, as
// the in-memory reader does. csv-parse with info and raw costs four times this on a large file.
import type { Field, RawRecord } from './table.js';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export class CsvStream {
  private carry = '';
  /** Line of the first character of `carry`. */
  private line = 1;
  irregular = false;
  private skipped = false;

  constructor(private readonly onRecord: (rec: RawRecord) => void) {}

  /** Feed text; `final` for the last piece. Returns false once the file is irregular. */
  push(text: string, final: boolean): boolean {
    if (this.irregular) return false;
    const s = this.carry ? this.carry + text : text;
    const n = s.length;
    let i = 0;
    let line = this.line;
    // Where the record being read began: a record cut by the chunk's end is read again whole.
    let recStart = 0;
    let recLine = line;
    let complete = true;
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
      const fields: Field[] = [];
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
              return this.fail(); // a quote never closed
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
              return this.fail();
            }
            j++;
          }
          i = j;
          if (i < n) {
            c = s.charCodeAt(i);
            if (c !== COMMA && c !== LF && c !== CR) return this.fail(); // text after a closing quote
          }
        } else {
          let j = i;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
            if (c === QUOTE) return this.fail(); // a quote inside an unquoted field
            j++;
          }
          if (j >= n && !final) break records;
          text = s.slice(i, j);
          i = j;
        }
        fields.push({ text, line: fLine, column: fColumn });
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
      if (this.skipped) return this.fail();
      line = l;
      complete = true;
      this.onRecord({ line: recLine, fields });
    }
    if (complete) {
      this.carry = '';
      this.line = line;
    } else {
      this.carry = s.slice(recStart);
      this.line = recLine;
    }
    return true;
  }

  private fail(): false {
    this.irregular = true;
    return false;
  }
}
