/**
 * Subject → user id, so an authenticated request does not pay a database round trip just to learn who
 * it is. Bounded; ids never change for a subject, so entries never go stale.
 */
export class UserIdCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly capacity = 50_000) {}

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, id: string): void {
    if (this.entries.size >= this.capacity) {
      // Drop the oldest insertion (Map keeps insertion order): cheap and good enough for a cache of ids.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, id);
  }
}
