/** The heading of the section `npm run bench:activity` writes; `npm run bench` keeps that section as it is. */
export const activityHeading = '## Conversation activity: hot-row contention';

/** Where the section after the activity section starts: a heading, or another section's marker. */
function nextSection(text: string, from: number): number {
  const ends = ['\n## ', '\n<!-- '].map((marker) => text.indexOf(marker, from)).filter((at) => at !== -1);
  return ends.length === 0 ? -1 : Math.min(...ends);
}

/** The activity section of a BENCHMARKS.md text (up to the next section), if it has one. */
export function activitySection(text: string): string | undefined {
  const start = text.indexOf(activityHeading);
  if (start === -1) return undefined;
  const next = nextSection(text, start + activityHeading.length);
  return (next === -1 ? text.slice(start) : text.slice(start, next + 1)).trimEnd();
}

/** `text` with `section` in place of its activity section, or appended when it has none. */
export function withActivitySection(text: string, section: string): string {
  const start = text.indexOf(activityHeading);
  if (start === -1) return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  const next = nextSection(text, start + activityHeading.length);
  const rest = next === -1 ? '' : `\n${text.slice(next + 1)}`;
  return `${text.slice(0, start)}${section.trimEnd()}\n${rest}`.trimEnd().concat('\n');
}
