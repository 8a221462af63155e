// The arrows between the stages of src/, checked by `npm test` (test/architecture.test.ts) and
// by `npx depcruise src`. Data flows load → check → render → print → archive; docx/ turns the
// print HTML into a Word document beside the print, ofd/ the finished PDF into an OFD package;
// register/ files
// the site lists of every period (load → register → check); figures/ (exact
// arithmetic) and pdf/ (PDF bytes) serve several stages; the root modules (bulletin, schema,
// messages, values, regions, divisions, periods, lists, zip) are the vocabulary every stage shares; outputs/
// decides what of out/ a build keeps, from the record archive/ writes; build.ts (with render-bulletin.ts), preview.ts,
// new.ts, init.ts and workbook.ts run the stages; commands/ is the command line, and only cli.ts uses it.
// Type-only imports count: an arrow is an arrow.
const stage = (name) => `^src/${name}/`;
const rootVocabulary = '^src/(bulletin|schema|messages|values|regions|divisions|periods|lists|zip|sfnt|font-cache)[.]ts$';
const runners = '^src/(build|render-bulletin|preview|new|init|workbook)[.]ts$';

/** `from` may not import any of `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    forbid('load-reads-only', 'load/ turns files into typed rows; it knows nothing of rules, figures or output.', stage('load'), ['^src/(register|check|figures|render|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('register-reads-rows', 'register/ files the listed sites of every period from load/; it computes no figure and knows nothing of output.', stage('register'), ['^src/(check|figures|render|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('figures-are-pure', 'figures/ is exact arithmetic and derivations: no file or row reading, no output.', stage('figures'), ['^src/(load|register|check|render|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('check-before-output', 'check/ reads rows and computes figures; it knows nothing of output.', stage('check'), ['^src/(render|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('render-is-the-page', 'render/ makes the portal page and the print HTML; printing and archiving come after it.', stage('render'), ['^src/(register|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('print-takes-html', 'print/ prints the HTML it is given: it reads no data and archives nothing.', stage('print'), ['^src/(load|register|check|render|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('pdf-is-bytes', 'pdf/ reads and writes PDF bytes for print/ and archive/, and knows neither.', stage('pdf'), ['^src/(load|register|check|figures|render|print|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('archive-works-on-pdfs', 'archive/ works on finished PDFs through pdf/ only.', stage('archive'), ['^src/(load|register|check|figures|render|print|commands|outputs|docx|ofd)/', runners]),
    forbid('vocabulary-below-stages', 'The shared vocabulary imports no stage but the figures it types.', rootVocabulary, ['^src/(load|register|check|render|print|pdf|archive|commands|outputs|docx|ofd)/', runners]),
    forbid('docx-takes-html', 'docx/ reads the print HTML it is given and writes a Word document: no data, no printing, no archive.', stage('docx'), ['^src/(load|register|check|figures|render|print|pdf|archive|commands|outputs|ofd)/', runners]),
    forbid('ofd-reads-the-pdf', 'ofd/ reads the finished PDF (through pdf/ and PDF.js) and writes an OFD package: no data, no HTML, no printing.', stage('ofd'), ['^src/(load|register|check|figures|render|print|archive|commands|outputs|docx)/', runners]),
    forbid('outputs-weighs-files', 'outputs/ weighs the files already in out/ against their record: it reads no data and makes no output.', stage('outputs'), ['^src/(load|register|check|figures|render|print|pdf|commands|docx|ofd)/', runners]),
    forbid('runners-below-commands', 'The library never imports the command line.', runners, '^src/commands/'),
    forbid('only-cli-starts-commands', 'commands/ is reached through cli.ts only.', '^src/(?!cli[.]ts$|commands/)', '^src/commands/'),
    {
      name: 'no-circular',
      comment: 'No import circle, type-only ones included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are arrows too.
    tsPreCompilationDeps: true,
    // @swc/core parses TypeScript here: typescript 7 has no JavaScript API for dependency-cruiser.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages resolved as Node resolves them (`csv-parse/sync` through its exports map).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
    reporterOptions: {
      dot: { collapsePattern: '^src/[^/]+/' },
    },
  },
};
