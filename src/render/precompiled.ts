// Templates compiled ahead of time: .ci/bundle.mjs writes the code Handlebars makes of the
// package's own templates (templates/, as shipped) beside the bundle. Run cold, Handlebars'
// compiler took a fifth of a `check`. A template is looked up by its exact source and compile
// options, so a workspace's own template, any edit, or dist/ run unbundled compiles as before.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import type Handlebars from 'handlebars';

let specs: Map<string, string> | undefined;

function key(source: string, options: unknown): string {
  return createHash('sha256').update(JSON.stringify(options ?? {})).update('\0').update(source).digest('hex');
}

function load(): Map<string, string> {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(new URL('templates.json', import.meta.url), 'utf8')) as Record<string, string>));
  } catch {
    return new Map(); // dist/ unbundled, or a bundle made without them
  }
}

/** The template compiled ahead for this source and these options, if there is one. */
export function precompiled(hb: typeof Handlebars, source: string, options: unknown): HandlebarsTemplateDelegate | undefined {
  specs ??= load();
  const spec = specs.get(key(source, options));
  // The spec is code Handlebars wrote when the bundle was made, as trusted as the bundle.
  return spec === undefined ? undefined : hb.template(new Function(`return ${spec}`)() as TemplateSpecification);
}

/**
 * For the bundle step (TONGBAO_RECORD_TEMPLATES names a file): each template compiled is
 * written there, with its options and key, for the step to keep the package's own.
 */
export function recordTemplate(source: string, options: unknown): void {
  const file = process.env['TONGBAO_RECORD_TEMPLATES'];
  if (file) appendFileSync(file, JSON.stringify({ key: key(source, options), options: options ?? {}, source }) + '\n');
}
