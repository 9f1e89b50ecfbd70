/** Connections for BullMQ: it needs `maxRetriesPerRequest: null` on the connections its workers block on. */
import { Redis } from "ioredis";

export function bullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}
