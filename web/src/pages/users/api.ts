// Console users: list, create, change role / active flag, reset password, delete.
// Query keys start with 'users'.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post, put } from '../../api/client';
import type { Role, User } from '../../api/types';

export interface UserList {
  total: number;
  items: User[];
}

export interface NewUser {
  username: string;
  role: Role;
  password?: string;
}

// The created user; `password` only when the gateway generated one.
export type CreatedUser = User & { password?: string };

export const usersKey = ['users'] as const;

export function useUsers() {
  return useQuery({ queryKey: [...usersKey, 'list'], queryFn: ({ signal }) => get<UserList>('/users', undefined, signal) });
}

export function useUserMutations() {
  const qc = useQueryClient();
  // A write is done when the server answers; the lists reload in the background, so a form
  // closes at once instead of waiting for (or hanging on) the refetch.
  const done = () => {
    void qc.invalidateQueries({ queryKey: usersKey });
  };
  return {
    create: useMutation({ mutationFn: (b: NewUser) => post<CreatedUser>('/users', b), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: number; body: { role?: Role; is_active?: boolean } }) => put<User>(`/users/${id}`, body),
      onSuccess: done,
    }),
    resetPassword: useMutation({
      mutationFn: (id: number) => post<{ password: string }>(`/users/${id}/reset-password`),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: number) => del<void>(`/users/${id}`), onSuccess: done }),
  };
}
