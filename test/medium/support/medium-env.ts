/** The middle tier's schema, made by its global setup. */
export const MEDIUM = {
  get schema(): string {
    const schema = process.env.MEDIUM_SCHEMA;
    if (!schema) throw new Error('MEDIUM_SCHEMA is not set: run middle-tier tests through jest (its global setup creates it)');
    return schema;
  },
};
