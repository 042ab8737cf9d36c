/** What the poller and the stream connection share about HTTP responses. */

/**
 * Lets go of a body we will not read, so the socket is freed at once. Not awaited: some fetch
 * implementations settle the cancel only once the body is done.
 */
export function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}
