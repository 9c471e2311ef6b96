// Sums a V8 .cpuprofile's self time by area (our code, TypeORM, sqlite3, Express, argon2, Node
// internals) and lists the top functions: `node bench/readProfile.mjs file.cpuprofile`.
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const area = (url) =>
  !url ? 'native / idle / GC' : url.includes('node_modules/typeorm') ? 'TypeORM' : url.includes('node_modules/sqlite3') ? 'sqlite3' : url.includes('node_modules/express') || url.includes('node_modules/router') || url.includes('node_modules/body-parser') ? 'Express' : url.includes('node_modules/pino') ? 'pino' : url.includes('node_modules/undici') || url.startsWith('node:internal/deps/undici') ? 'fetch (client)' : url.includes('node_modules/') ? `other package (${url.split('node_modules/')[1]?.split('/')[0]})` : url.startsWith('node:') ? 'Node internals' : 'our code';
const areas = new Map();
const funcs = new Map();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id);
  const a = n.callFrame.functionName === '(idle)' ? 'idle' : area(n.callFrame.url);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  funcs.set(key, (funcs.get(key) ?? 0) + us);
  total += us;
}
const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
console.log('Self time by area:');
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(us).padStart(6)}  ${a}`);
console.log('Top functions:');
for (const [f, us] of [...funcs].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`  ${pct(us).padStart(6)}  ${f}`);
