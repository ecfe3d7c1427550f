/**
 * `lwm2m demo` (what `npm run demo` runs) as a child process: it walks through every step on its own,
 * prints each, and exits 0 well within 30 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Child } from './_child.ts';

test('the demo runs every step and exits 0 by itself', async (t) => {
  const started = performance.now();
  const child = new Child(['demo']);
  t.after(() => child.kill());
  const code = await child.until(child.exited, 'the demo to exit', 30_000);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(code, 0, `${child.out}\n${child.err}`);
  assert.ok(seconds < 30, `took ${seconds} s`);
  const steps = [
    /^1\. Bootstrap \(client-initiated\), then Register with the server it was given$/m,
    /bootstrap server: Bootstrap-Request from demo-device$/m,
    /client: event BOOTSTRAP_TRANSFER_COMPLETE$/m,
    /bootstrap server: done: DELETE \/0, DELETE \/1, WRITE \/0\/1, WRITE \/1\/0, FINISH$/m,
    /client: event REGISTRATION_COMPLETE ssid=1$/m,
    /server: registered demo-device, id \w+, LwM2M 1\.1, lifetime 60 s, binding U$/m,
    /^2\. Read the Device object \/3\/0$/m,
    /^ +\/3\/0\/0 +string "lwm2m-ts"$/m,
    /^3\. Write \/3\/0\/14 \(UTC Offset\) = "\+02:00"$/m,
    /server: 2\.04 Changed; the client now holds "\+02:00"$/m,
    /^4\. Execute \/3\/0\/4 \(Reboot\)$/m,
    /client: device: Reboot executed/m,
    /^5\. Observe \/3303\/0\/5700/m,
    /server: notification 1: -?\d+(\.\d+)? °C$/m,
    /server: notification 3: -?\d+(\.\d+)? °C$/m,
    /server: observation cancelled$/m,
    /^6\. Send \/3303\/0\/5700 and \/3\/0\/9/m,
    /server: received 2 values:\n +\/3303\/0\/5700 +float -?\d+(\.\d+)?\n +\/3\/0\/9 +integer 100$/m,
    /^7\. Registration Update$/m,
    /client: event REG_UPDATE_COMPLETE ssid=1$/m,
    /server: updated demo-device, lifetime 60 s$/m,
    /^8\. De-register$/m,
    /client: event DEREGISTER ssid=1$/m,
    /server: demo-device de-registered; 0 clients registered$/m,
    /^demo complete in \d+\.\d s$/m,
  ];
  let from = 0;
  for (const re of steps) {
    const m = new RegExp(re.source, `${re.flags}g`);
    m.lastIndex = from;
    const found = m.exec(child.out);
    assert.ok(found !== null, `missing ${String(re)} after offset ${from} in:\n${child.out}`);
    from = found.index + found[0].length;
  }
  assert.equal(child.err, '');
});
