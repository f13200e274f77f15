export type Role = 'member' | 'admin';

/** Who is calling, from a verified JWT. `id` is our user id; `subject` is the identity provider's `sub`. */
export interface AuthUser {
  id: string;
  subject: string;
  orgId: string | null;
  role: Role;
}
