import { defineObject } from '../define-object.ts';

/** Location (object 6) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const LOCATION_V1_0 = defineObject({
  id: 6, name: 'Location', version: '1.0', lwm2mVersion: '1.0', multiple: false,
  resources: {
    0: { name: 'Latitude', type: 'float', ops: 'R', mandatory: true, units: 'lat' },
    1: { name: 'Longitude', type: 'float', ops: 'R', mandatory: true, units: 'lon' },
    2: { name: 'Altitude', type: 'float', ops: 'R', units: 'm' },
    3: { name: 'Radius', type: 'float', ops: 'R', units: 'm' },
    4: { name: 'Velocity', type: 'opaque', ops: 'R' },
    5: { name: 'Timestamp', type: 'time', ops: 'R', mandatory: true },
    6: { name: 'Speed', type: 'float', ops: 'R', units: 'm/s' },
  },
});

/** Location: the only version shipped. */
export const LOCATION = LOCATION_V1_0;
