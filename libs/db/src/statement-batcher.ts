/** How a StatementBatcher sends: one request alone, several in one statement. */
export interface BatchedStatement<I, O> {
  one(item: I): Promise<O>;
  /** Answers in the order of `items`. */
  many(items: I[]): Promise<O[]>;
  /** Batches sent at once; more requests wait and go together when one comes back. */
  maxInFlight: number;
  maxBatch: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Sends statements that callers issue at about the same time as one statement for many (the worker's claims, settles
 * and span captures, docs/decisions.md §39 and §45; the scheduler's span edges, one transaction per group, §41): each
 * statement costs Postgres a transaction and a commit besides its work, which at hundreds of jobs a second was most
 * of its CPU per job. Adaptive, so a quiet worker waits for nothing: a request
 * goes at the end of the event-loop turn that made it, with whatever else that turn asked for, unless `maxInFlight`
 * batches are already out; then requests gather until one comes back. A lone request goes as the single statement.
 * When a batch fails, its requests are sent one by one, so each caller gets its own answer or its own error.
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(private readonly statement: BatchedStatement<I, O>) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waiting.length === 0 || this.inFlight >= this.statement.maxInFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.statement.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.statement.maxBatch);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
        this.scheduleFlush();
      });
    }
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    if (batch.length > 1) {
      const answers = await this.statement.many(batch.map((entry) => entry.item)).catch(() => null);
      if (answers) {
        batch.forEach((entry, index) => entry.resolve(answers[index]));
        return;
      }
    }
    // One request, or a batch that failed (one element's error fails the whole statement, which changed nothing).
    await Promise.all(batch.map((entry) => this.statement.one(entry.item).then(entry.resolve, entry.reject)));
  }
}
