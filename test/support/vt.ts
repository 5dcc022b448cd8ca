/**
 * A small terminal emulator for tests of what the command draws: printable characters, CR, LF, and the CSI
 * sequences node:readline and the command emit (cursor up/down/forward/back, column, position, erase display and
 * line; private modes such as hiding the cursor are ignored). It keeps the screen and every line the terminal
 * had to wrap because a write went past the last column (`wrapped`), and every line as it was when left by a
 * newline (`history`: the frames of a live area, the lines of a summary).
 */
export class Screen {
  lines: string[][] = [[]];
  row = 0;
  col = 0;
  /** Lines the terminal wrapped (a character written past the last column), as they were. */
  readonly wrapped: string[] = [];
  /** Every line as it was when the cursor left it by a newline. */
  readonly history: string[] = [];

  /** `onlcr`: a newline also returns the carriage, as a tty's line discipline does for what a program writes. */
  constructor(
    readonly cols = 80,
    private readonly onlcr = true,
  ) {}

  feed(data: string): void {
    let i = 0;
    while (i < data.length) {
      const ch = data[i] as string;
      if (ch === '\x1b') {
        const m = /^\x1b\[([?0-9;]*)([A-Za-z])/.exec(data.slice(i, i + 32));
        if (m) {
          this.csi(m[1] ?? '', m[2] ?? '');
          i += m[0].length;
          continue;
        }
        i++;
        continue;
      }
      i += ch.length;
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') {
        this.newline();
        if (this.onlcr) this.col = 0;
      }
      else if (ch >= ' ' || ch === '\t') this.put(ch);
    }
  }

  /** The screen's text, one string per line, trailing spaces dropped. */
  text(): string[] {
    return this.lines.map((l) => l.join('').replace(/\s+$/, ''));
  }

  private line(): string[] {
    while (this.lines.length <= this.row) this.lines.push([]);
    return this.lines[this.row] as string[];
  }

  private put(ch: string): void {
    // The cursor on the last column wraps before writing (autowrap): the line did not fit.
    for (const c of [...ch]) {
      if (this.col >= this.cols) {
        this.wrapped.push(this.line().join(''));
        this.newline();
        this.col = 0;
      }
      const l = this.line();
      while (l.length < this.col) l.push(' ');
      l[this.col] = c;
      this.col++;
    }
  }

  private newline(): void {
    this.history.push(this.line().join('').replace(/\s+$/, ''));
    this.row++;
    this.line();
  }

  private csi(params: string, op: string): void {
    if (params.startsWith('?')) return;
    const n = (k: number, dflt = 1): number => {
      const v = Number((params.split(';')[k] ?? '') || dflt);
      return Number.isFinite(v) ? v : dflt;
    };
    if (op === 'A') this.row = Math.max(0, this.row - n(0));
    else if (op === 'B') this.row += n(0);
    else if (op === 'C') this.col = Math.min(this.cols - 1, this.col + n(0));
    else if (op === 'D') this.col = Math.max(0, this.col - n(0));
    else if (op === 'G') this.col = n(0) - 1;
    else if (op === 'H' || op === 'f') {
      this.row = n(0) - 1;
      this.col = n(1) - 1;
    } else if (op === 'J') {
      const mode = n(0, 0);
      if (mode === 0) {
        this.line().length = Math.min(this.line().length, this.col);
        this.lines.length = this.row + 1;
      } else if (mode === 2) this.lines = this.lines.map(() => []);
    } else if (op === 'K') {
      const mode = n(0, 0);
      const l = this.line();
      if (mode === 0) l.length = Math.min(l.length, this.col);
      else if (mode === 2) l.length = 0;
    }
    this.line();
  }
}
