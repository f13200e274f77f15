/** Human output on a terminal, JSON for scripts; progress goes to stderr so stdout stays clean. */
export interface Output {
  json: boolean;
  print(human: string, data: unknown): void;
  spinner(text: string): { update(text: string): void; stop(): void };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stderr): Output {
  return {
    json,
    print(human, data) {
      process.stdout.write(json ? JSON.stringify(data) + '\n' : human + '\n');
    },
    spinner(text) {
      // Only on an interactive terminal and in human mode: piped output gets no control characters.
      if (json || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
      let frame = 0;
      let label = text;
      const timer = setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}\x1b[K`), 80);
      return {
        update: (next) => void (label = next),
        stop: () => (clearInterval(timer), void stream.write('\r\x1b[K')),
      };
    },
  };
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (cell ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
