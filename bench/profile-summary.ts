import { readFileSync } from 'node:fs';

// Summarises a V8 .cpuprofile (node --cpu-prof) as text: the top frames by self time and by
// inclusive time (a frame counted once per sample however deep it recurses), and the share of
// each source area (our src/ folders, graphql, typeorm, mysql2, express, node internals).
// With --folded, writes the stacks in the collapsed form flame graph tools read instead
// (`frame;frame;frame microseconds` a line; stacks under 0.05% of busy time left out).
// Usage: node dist/bench/profile-summary.js file.cpuprofile [top] | [--folded]

interface Frame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: Frame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function label(frame: Frame): string {
  const url = frame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/dist\//, '');
  return `${frame.functionName || '(anonymous)'} ${url}${url ? `:${frame.lineNumber + 1}` : ''}`;
}

function area(frame: Frame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const src = /dist\/(src\/[^/]+|bench|migrations)/.exec(url);
  if (src) return src[1];
  return url.startsWith('node:') ? 'node internals' : url;
}

export function summarise(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = byId.get(id)!;
    self.set(label(leaf.callFrame), (self.get(label(leaf.callFrame)) ?? 0) + dt);
    areas.set(area(leaf.callFrame), (areas.get(area(leaf.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  });
  const idle = self.get('(idle) ') ?? 0;
  const busy = total - idle;
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  const table = (m: Map<string, number>, skip: (k: string) => boolean) =>
    [...m].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => `${pct(t)}  ${k}`).join('\n');
  return [
    `samples over ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages of busy time)`,
    '', '## self time by area', table(areas, (k) => k === '(idle)'),
    '', '## self time by frame', table(self, (k) => k.startsWith('(idle)')),
    '', '## inclusive time by frame', table(inclusive, (k) => k.startsWith('(idle)') || k.startsWith('(root)')),
  ].join('\n');
}

export function folded(profile: Profile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(label(byId.get(at)!.callFrame).replace(/;/g, ','));
    if (frames[0].startsWith('(idle)')) return;
    const dt = profile.timeDeltas[i] ?? 0;
    busy += dt;
    const key = frames.reverse().join(';');
    stacks.set(key, (stacks.get(key) ?? 0) + dt);
  });
  return [...stacks].filter(([, t]) => t >= busy * 0.0005).map(([k, t]) => `${k} ${t}`).join('\n');
}

if (require.main === module) {
  const [file, option] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  console.log(option === '--folded' ? folded(profile) : summarise(profile, option ? Number(option) : 25));
}
