import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activityHeading, activitySection, withActivitySection } from '../bench/lib/activity-section.js';
import { repoRoot } from './support/run.js';

// npm run bench rewrites BENCHMARKS.md; the section npm run bench:activity measured must survive it.

describe('the activity section of BENCHMARKS.md', () => {
  const committed = readFileSync(join(repoRoot, 'BENCHMARKS.md'), 'utf8');

  it('is in the committed report, and putting it back in place changes nothing', () => {
    const section = activitySection(committed);
    expect(section?.startsWith(activityHeading)).toBe(true);
    expect(withActivitySection(committed, section ?? '')).toBe(committed);
  });

  it('survives a report rendered without it, and replaces only itself between other sections', () => {
    const section = `${activityHeading}\n\nfigures\n`;
    const rendered = '# Benchmarks\n\n## 1. The move\n\nmove\n';
    expect(withActivitySection(rendered, section)).toBe(`${rendered}\n${section}`);
    const between = `# Benchmarks\n\n${activityHeading}\n\nold\n\n## 4. Other\n\nother\n`;
    expect(withActivitySection(between, section)).toBe(
      `# Benchmarks\n\n${activityHeading}\n\nfigures\n\n## 4. Other\n\nother\n`,
    );
  });
});
