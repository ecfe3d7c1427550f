import { defineObject } from '../define-object.ts';

/** Portfolio (object 16) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const PORTFOLIO_V1_0 = defineObject({
  id: 16, name: 'Portfolio', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    0: { name: 'Identity', type: 'string', ops: 'RW', multiple: true, mandatory: true },
    1: { name: 'GetAuthData', type: 'none', ops: 'E' },
    2: { name: 'AuthData', type: 'opaque', ops: 'R', multiple: true },
    3: { name: 'AuthStatus', type: 'integer', ops: 'R', range: '0..2' },
  },
});

/** Portfolio: the only version shipped. */
export const PORTFOLIO = PORTFOLIO_V1_0;
