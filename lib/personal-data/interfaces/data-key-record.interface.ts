/** A subject's item of the keys table, decoded. */
export type DataKeyRecord =
  | { readonly state: 'active'; readonly subjectId: string; readonly wrapped: Buffer; readonly wrappedBy: string; readonly createdAt: number }
  | { readonly state: 'forgotten'; readonly subjectId: string; readonly forgottenAt: number };
