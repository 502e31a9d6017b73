/** A one-line editor for the prompts (command line, search, filter): cursor keys, history, Ctrl-U/W/A/E/K. */
export class LineEditor {
  text = '';
  cursor = 0;
  private histPos = -1;
  private saved = '';

  constructor(private readonly history: string[] = []) {}

  set(text: string): void {
    this.text = text;
    this.cursor = text.length;
    this.histPos = -1;
  }

  /** Apply a key; returns 'submit', 'cancel', or 'edit' (text or cursor changed) / 'none'. */
  key(full: string, ch: string | undefined): 'submit' | 'cancel' | 'edit' | 'none' {
    switch (full) {
      case 'enter':
      case 'return':
        return 'submit';
      case 'escape':
      case 'C-c':
      case 'C-g':
        return 'cancel';
      case 'backspace':
        if (this.cursor === 0) return this.text === '' ? 'cancel' : 'none';
        this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
        this.cursor--;
        return 'edit';
      case 'delete':
      case 'C-d':
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
        return 'edit';
      case 'left':
      case 'C-b':
        this.cursor = Math.max(0, this.cursor - 1);
        return 'edit';
      case 'right':
      case 'C-f':
        this.cursor = Math.min(this.text.length, this.cursor + 1);
        return 'edit';
      case 'home':
      case 'C-a':
        this.cursor = 0;
        return 'edit';
      case 'end':
      case 'C-e':
        this.cursor = this.text.length;
        return 'edit';
      case 'C-u':
        this.text = this.text.slice(this.cursor);
        this.cursor = 0;
        return 'edit';
      case 'C-k':
        this.text = this.text.slice(0, this.cursor);
        return 'edit';
      case 'C-w': {
        const before = this.text.slice(0, this.cursor).replace(/\S+\s*$/, '');
        this.text = before + this.text.slice(this.cursor);
        this.cursor = before.length;
        return 'edit';
      }
      case 'up':
        return this.recall(1);
      case 'down':
        return this.recall(-1);
      default:
        if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch !== '\x7f' && this.text.length < 4096) {
          this.text = this.text.slice(0, this.cursor) + ch + this.text.slice(this.cursor);
          this.cursor++;
          return 'edit';
        }
        return 'none';
    }
  }

  private recall(dir: 1 | -1): 'edit' | 'none' {
    const h = this.history;
    if (h.length === 0) return 'none';
    if (this.histPos === -1) {
      if (dir < 0) return 'none';
      this.saved = this.text;
    }
    const next = this.histPos + dir;
    if (next >= h.length) return 'none';
    this.histPos = next;
    this.text = next < 0 ? this.saved : (h[h.length - 1 - next] as string);
    this.cursor = this.text.length;
    return 'edit';
  }
}
