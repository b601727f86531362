/** What no erasure can reach, said in every report. */
export const BACKUPS_NOTE =
  'Backups, point-in-time recovery, exports and DynamoDB Stream records (kept 24 hours) made before this erasure still hold the data until they expire or are deleted.';

/** Now, as an ISO 8601 string. */
export const isoNow = (): string => new Date().toISOString();
