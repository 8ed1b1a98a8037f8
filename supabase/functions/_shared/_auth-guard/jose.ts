/**
 * The guard's only import of jose. Deployed functions have no import map, so
 * the full `npm:` specifier lives here and nowhere else in function code.
 */
export {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from "npm:jose@6.2.18";
export type {
  JSONWebKeySet,
  JWK,
  JWTPayload,
  JWTVerifyGetKey,
  ProtectedHeaderParameters,
} from "npm:jose@6.2.18";
