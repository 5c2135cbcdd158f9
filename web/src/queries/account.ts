import { queryOptions } from "@tanstack/react-query";
import { getHealth, listKeys } from "../api/account";

/** The server's backend; it does not change while the page is open. */
export const healthQuery = () => queryOptions({ queryKey: ["health"], queryFn: getHealth, staleTime: Infinity, retry: false });

export const keysKey = ["account", "keys"] as const;
export const keysQuery = () => queryOptions({ queryKey: keysKey, queryFn: listKeys });
