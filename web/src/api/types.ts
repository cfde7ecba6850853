// Shapes of the admin API that more than one page uses (exact shapes: /openapi.json).

export type Role = 'admin' | 'viewer';

export interface User {
  id: number;
  username: string;
  role: Role;
  is_active: boolean;
  must_change_password: boolean;
  created_at: string;
  updated_at: string;
}

export interface LoginAnswer {
  access_token: string;
  token_type: 'bearer';
  must_change_password: boolean;
}

export interface Message {
  message?: string;
  detail?: string;
}
