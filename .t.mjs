const c0 = process.cpuUsage(); const t0 = performance.now();
const { renderBulletin } = await import('./dist/build.js');
const t1 = performance.now(); const c1 = process.cpuUsage(c0);
const r = await renderBulletin(process.cwd(), '2016Q4');
const t2 = performance.now(); const c2 = process.cpuUsage(c0);
const r2 = await renderBulletin(process.cwd(), '2016Q4');
const t3 = performance.now();
console.log('import', (t1-t0).toFixed(0), 'cpu', ((c1.user+c1.system)/1000).toFixed(0), 'render1', (t2-t1).toFixed(0), 'cpu', ((c2.user+c2.system-c1.user-c1.system)/1000).toFixed(0), 'render2', (t3-t2).toFixed(0));
