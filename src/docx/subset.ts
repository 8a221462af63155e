// Subsets cut by HarfBuzz's subsetter (the WebAssembly build subset-font runs), each face
// opened once a process. HarfBuzz builds a face's lookup tables on its first cut: 18 ms for
// the 16 MB 楷 face, 0.8 ms for each cut after. subset-font opens the face anew for every cut
// and so pays that each time; a Word document cuts five faces and a few slices of them.
// The input is set as subset-font sets it (every layout feature kept, hinting kept), so the
// cuts are the same bytes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The exports of harfbuzz-subset.wasm used here (pointers are numbers into its memory). */
interface HarfBuzz {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_set_invert(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;

let harfbuzz: Promise<HarfBuzz> | undefined;
function loaded(): Promise<HarfBuzz> {
  harfbuzz ??= WebAssembly.instantiate(readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'))).then(({ instance }) => {
    const hb = instance.exports as unknown as HarfBuzz;
    hb._initialize();
    return hb;
  });
  return harfbuzz;
}

/**
 * Faces opened, by their key: the file's bytes stay in HarfBuzz's memory for the process (27 MB
 * for a document's five faces, as the decoded faces were kept before). Only a build makes a Word
 * document, and a build of every period makes one for each: the later ones find the faces open.
 */
const faces = new Map<string, Promise<number>>();

function face(hb: HarfBuzz, key: string, font: () => Promise<Uint8Array>): Promise<number> {
  let opened = faces.get(key);
  if (!opened) {
    opened = font().then((bytes) => {
      const at = hb.malloc(bytes.byteLength);
      if (!at) throw new Error(`HarfBuzz: no memory for ${key}`);
      new Uint8Array(hb.memory.buffer).set(bytes, at);
      const blob = hb.hb_blob_create(at, bytes.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
      const made = hb.hb_face_create(blob, 0);
      hb.hb_blob_destroy(blob);
      return made;
    });
    // A face that failed to load is tried again next time.
    opened.catch(() => faces.delete(key));
    faces.set(key, opened);
  }
  return opened;
}

/**
 * The TrueType face `key` (its bytes from `font`, asked for once) cut to the characters of
 * `text`, as subset-font cuts it.
 */
export async function subsetOf(key: string, font: () => Promise<Uint8Array>, text: string): Promise<Buffer> {
  const hb = await loaded();
  const whole = await face(hb, key, font);
  const input = hb.hb_subset_input_create_or_fail();
  if (!input) throw new Error('HarfBuzz: hb_subset_input_create_or_fail failed');
  let cut: number;
  try {
    const features = hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG);
    hb.hb_set_clear(features);
    hb.hb_set_invert(features); // every feature: the equivalent of --layout-features=*
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const c of text) hb.hb_set_add(unicodes, c.codePointAt(0)!);
    cut = hb.hb_subset_or_fail(whole, input);
  } finally {
    hb.hb_subset_input_destroy(input);
  }
  if (!cut) throw new Error(`HarfBuzz: could not cut ${key}`);
  const blob = hb.hb_face_reference_blob(cut);
  try {
    const at = hb.hb_blob_get_data(blob, 0);
    const length = hb.hb_blob_get_length(blob);
    if (!length) throw new Error(`HarfBuzz: the cut of ${key} is empty`);
    // Memory may have grown while cutting: a view taken now.
    return Buffer.from(new Uint8Array(hb.memory.buffer, at, length));
  } finally {
    hb.hb_blob_destroy(blob);
    hb.hb_face_destroy(cut);
  }
}
