/**
 * The OFREP event stream's token: a capability derived from an SDK key, because the URL that
 * carries it is handed out in bulk responses and EventSource cannot send headers. It is stable
 * per credential (so bulk bodies and their ETags stay stable), never stored, and dies with the
 * credential: the route still looks the credential up and refuses a revoked one.
 *
 * @example
 * const token = streamToken(secretKey, "k3xA9b2Q"); // "k3xA9b2Q.<43 characters>"
 * streamTokenCredential(secretKey, token); // "k3xA9b2Q"
 */
import { createHmac } from "node:crypto";
import { digestsEqual } from "./secrets.js";

const mac = (secretKey: string, credentialId: string) => createHmac("sha256", secretKey).update(`ofrep-events:${credentialId}`).digest("base64url");

export function streamToken(secretKey: string, credentialId: string): string {
  return `${credentialId}.${mac(secretKey, credentialId)}`;
}

/** The credential id a token was derived for, or null when it was not derived with this key. */
export function streamTokenCredential(secretKey: string, token: string): string | null {
  const match = /^([A-Za-z0-9]{8,32})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, credentialId, signature] = match;
  return digestsEqual(signature!, mac(secretKey, credentialId!)) ? credentialId! : null;
}
