/** Never print the password of DATABASE_URL, even when a driver or server echoes it back. */
export function withoutPassword(line: string, databaseUrl: string | undefined): string {
  const password = passwordOf(databaseUrl);
  if (!password) return line;
  let safe = line;
  for (const form of new Set([password, safeDecode(password), encodeURIComponent(password)])) {
    if (form) safe = safe.split(form).join('***');
  }
  return safe;
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).password || undefined;
  } catch {
    // Unparsable: take whatever sits between "user:" and the last "@" of the authority.
    return /^[^:]+:\/\/[^:/@]*:(.*)@/.exec(url)?.[1] || undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
