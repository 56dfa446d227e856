/**
 * Why a results query could not answer. The CLI maps these to exit codes (nothing to report: 7, a query that
 * needs another flag: 2); library callers can branch on the class.
 */

/** The query is fine but there is nothing to show: no completed trial, metric never reported, no such model key. */
export class NoResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoResultError";
  }
}

/** The query cannot be answered as asked (an ambiguous metric or goal); the message says which flag to add. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}
