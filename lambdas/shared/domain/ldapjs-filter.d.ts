// @ldapjs/filter ships no types; this covers the part filter.ts reads (the parsed tree).
declare module '@ldapjs/filter' {
  export interface LdapFilterNode {
    /** AndFilter, OrFilter, NotFilter, EqualityFilter, SubstringFilter, PresenceFilter, ... */
    readonly type: string;
    readonly attribute: string;
    readonly value?: unknown;
    /** And/Or children. */
    readonly filters: LdapFilterNode[];
    /** Not child. */
    readonly filter?: LdapFilterNode;
    /** Substring parts, escaped as in RFC 4515 (`\2a`, `\c3\a9`). */
    readonly initial?: string;
    readonly any?: string[];
    readonly final?: string;
    toString(): string;
  }
  const ldapFilter: { parseString(text: string): LdapFilterNode };
  export default ldapFilter;
}
