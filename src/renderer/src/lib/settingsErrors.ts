/**
 * The engine refuses bad settings with "settings.set: invalid input: relayUrl: …; days: …" (or "invalid settings: …"). Split that into one
 * message per field so it shows next to the input, like the window's own checks.
 */
export function engineFieldErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  const m0 = /invalid (?:input|settings):/.exec(message);
  if (!m0) return out;
  for (const part of message.slice(m0.index + m0[0].length).split(';')) {
    const m = /^\s*([A-Za-z]+)(?:\.[\w.]+)?:\s*(.+)$/.exec(part);
    if (m && m[1] && m[2] && !(m[1] in out)) out[m[1]] = m[2].trim();
  }
  return out;
}
