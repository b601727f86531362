/** One commit as the feed index holds it: where its items are in the events table. */
export interface IndexedCommit {
  readonly streamId: string;
  /** The commit's first version: the sort key of its first item. */
  readonly version: number;
  /** The commit's last version. */
  readonly commitEnd: number;
  /** For a commit split over several items: the first versions of the items after the first. */
  readonly slices?: readonly number[];
}

/** An indexed commit and its place in the feed: positions are 1, 2, 3, ... with no gap. */
export interface PositionedCommit extends IndexedCommit {
  readonly position: number;
}
