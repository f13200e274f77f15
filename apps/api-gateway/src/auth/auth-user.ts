export type Role = 'member' | 'admin';

/** Who is calling, from a verified JWT. `id` is our user id; `subject` is the identity provider's `sub`. */
export interface AuthUser {
  id: string;
  subject: string;
  orgId: string | null;
  role: Role;
  /** The token's `email` claim when it has a usable one (the default owner of a connected calendar). */
  email?: string | null;
}
