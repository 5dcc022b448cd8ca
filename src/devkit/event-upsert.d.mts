/** See event-upsert.mjs. */
export declare const UPSERT_EVENT_SQL: string;
