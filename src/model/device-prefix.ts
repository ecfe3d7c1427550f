/**
 * The syntax of an IoT device prefix (LwM2M Gateway TS 1.1 section 8.3.1), shared by the client's
 * gateway and the server: the prefix is the first Uri-Path segment of a device's paths (`/dev1/3/0`).
 */

/** True for a path segment that names an IoT device rather than an object: anything but a decimal id. */
export function isPrefixSegment(segment: string): boolean {
  return !/^[0-9]+$/.test(segment);
}

/** The characters a prefix may have: RFC 3986 unreserved (letters, digits, `-`, `.`, `_`, `~`), at least one. */
export const PREFIX_CHARACTERS = /^[A-Za-z0-9._~-]+$/;
