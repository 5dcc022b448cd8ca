/**
 * The command's live output on a terminal: an area of lines redrawn in place at the bottom (progress bars, a
 * spinner with a word), with messages printed whole above it, every line fitted to the terminal's width so the
 * terminal never wraps or cuts one. Hand-written on node:readline's cursor moves: cli-progress, used before,
 * turns the terminal's line wrapping off while it draws and cuts its lines at the width — which is how counts
 * lost their end ("nip77 fetc") and warnings written beside its bars lost their last character.
 */
import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';

/** Whether the terminal takes UTF-8 (braille spinner, block bars), from the locale environment. */
export function unicodeTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale === '' || /utf-?8/i.test(locale);
}

const SPIN_UNICODE = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_ASCII = ['|', '/', '-', '\\'];

export interface Glyphs {
  spin: readonly string[];
  full: string;
  empty: string;
  ellipsis: string;
}

export function glyphs(unicode: boolean): Glyphs {
  return unicode ? { spin: SPIN_UNICODE, full: '█', empty: '░', ellipsis: '…' } : { spin: SPIN_ASCII, full: '#', empty: '-', ellipsis: '~' };
}

/** Characters a line takes on screen (code points: the command prints no wide or combining characters itself). */
export function widthOf(s: string): number {
  return [...s].length;
}

/** `s` cut to `width` characters, the cut said by an ellipsis. */
export function cut(s: string, width: number, ellipsis = '…'): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return width <= 0 ? '' : chars.slice(0, width - 1).join('') + ellipsis;
}

/** `s` padded (or cut) to exactly `width` characters. */
export function fitTo(s: string, width: number, ellipsis = '…'): string {
  const c = cut(s, width, ellipsis);
  return c + ' '.repeat(Math.max(0, width - widthOf(c)));
}

/**
 * A line folded at spaces into lines of at most `width` characters, the next ones indented: a number, a URL or
 * a word is never split (one longer than the line stands alone on its own line).
 */
export function wrap(line: string, width: number, indent = '  '): string[] {
  if (widthOf(line) <= width) return [line];
  // Only the plain space separates: a no-break space holds a number to its unit ("1.5 MB"), as it should.
  const lead = /^ */.exec(line)?.[0] ?? '';
  const next = lead + indent;
  const out: string[] = [];
  let cur = lead;
  let start = lead;
  for (const token of line.slice(lead.length).match(/ +|[^ ]+/g) ?? []) {
    const space = token.startsWith(' ');
    if (space && cur === start) continue;
    if (!space && cur !== start && widthOf(cur) + widthOf(token) > width) {
      out.push(cur.trimEnd());
      cur = start = next;
    }
    cur += token;
  }
  if (cur.trim() !== '') out.push(cur.trimEnd());
  return out;
}

/** Lines drawn at the bottom of a terminal and redrawn in place; messages go above them, whole. */
export class LiveArea {
  private drawn = 0;
  private last: string[] = [];
  private cursorHidden = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  /** The width a line may take: one less than the terminal's, so writing it never triggers a wrap. */
  get width(): number {
    return Math.max(20, (this.out.columns || 80) - 1);
  }

  draw(lines: readonly string[]): void {
    if (!this.cursorHidden) {
      this.out.write('\x1b[?25l');
      this.cursorHidden = true;
    }
    this.erase();
    this.last = lines.map((l) => cut(l, this.width));
    for (const l of this.last) this.out.write(`${l}\n`);
    this.drawn = this.last.length;
  }

  /** A message above the area, folded to the width; the area is drawn again below it. */
  log(message: string): void {
    this.erase();
    for (const line of message.split('\n')) for (const l of wrap(line, this.width)) this.out.write(`${l}\n`);
    const again = this.last;
    this.last = [];
    if (again.length) this.draw(again);
  }

  /** Removes the area (what it showed is said again by the summary) and gives the cursor back. */
  close(): void {
    this.erase();
    this.last = [];
    if (this.cursorHidden) this.out.write('\x1b[?25h');
    this.cursorHidden = false;
  }

  private erase(): void {
    if (this.drawn === 0) return;
    moveCursor(this.out, 0, -this.drawn);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
    this.drawn = 0;
  }
}

/** A spinner with a word on a terminal, while something slow happens; messages go above it. */
export class Spinner {
  private readonly area: LiveArea;
  private readonly timer: ReturnType<typeof setInterval>;
  private frame = 0;

  constructor(
    out: NodeJS.WriteStream,
    private word: string,
    private readonly g: Glyphs = glyphs(unicodeTerminal()),
  ) {
    this.area = new LiveArea(out);
    this.draw();
    this.timer = setInterval(() => this.draw(), 120);
    this.timer.unref();
  }

  say(word: string): void {
    this.word = word;
    this.draw();
  }

  log(message: string): void {
    this.area.log(message);
  }

  stop(): void {
    clearInterval(this.timer);
    this.area.close();
  }

  private draw(): void {
    this.area.draw([`${this.g.spin[this.frame++ % this.g.spin.length]} ${this.word}`]);
  }
}
