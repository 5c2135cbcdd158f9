// The one QueryClient of the app and its defaults. Every server read goes through TanStack Query:
// answers are cached per key, concurrent asks for one key share a request, a query refetches when
// the window regains focus once it is older than `staleTime`, and polling is per query
// (`refetchInterval`), never a hand-made timer.
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";

/** Retries what a retry can fix (no answer, a busy or failing server), at most twice; a 4xx is the answer. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (failures >= 2) return false;
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A page opened again within a few seconds shows what it has without asking again.
      queries: { staleTime: 5_000, retry: shouldRetry },
      mutations: { retry: false },
    },
  });
}
