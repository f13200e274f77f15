/**
 * How the worker's claims and settles are batched (StatementBatcher, docs/decisions.md §39). Two batches of each in
 * flight: Postgres has two cores here to run them on, and while both are out the next requests gather into one
 * statement, which is where the saving is. Fifty per batch bounds how long one statement holds its rows' locks.
 */
export const BATCH_LIMITS = { maxInFlight: 2, maxBatch: 50 } as const;
