/** class-transformer: a query string of digits becomes a number; anything else stays for the validators to refuse. */
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
