/**
 * Network-server uplinks read the same way, every field optional: ChirpStack v4's
 * documented up event (no fCnt when it is 0, no object without a codec) and The
 * Things Stack v3's own documentation example (no f_port, frequency as text).
 */
import assert from 'node:assert/strict';
import { readNetworkUplink, uplinkSource } from '../../../lib/devices/network-uplink';
import { CHIRPSTACK_UP, TTS_UPLINK } from '../../support/network-uplinks';

describe('network-server uplinks', () => {
  it('a ChirpStack up event without fCnt and object: counter 0, the payload decoded from base64, the best gateway', () => {
    const uplink = readNetworkUplink(JSON.stringify(CHIRPSTACK_UP));
    assert.equal(uplink.server, 'chirpstack');
    assert.equal(uplink.devEui, '0004a30b001c4a2f');
    assert.equal(uplink.fCnt, 0);
    assert.equal(uplink.decoded, undefined);
    assert.equal(uplink.payload?.toString('hex'), '036700d704740173');
    assert.deepEqual(uplink.radio, {
      rssi: -57,
      snr: 9.8,
      gateway: '0016c001f153a14d',
      frequency: 868100000,
      spreadingFactor: 11,
      bandwidth: 125000,
      codingRate: 'CR_4_5',
    });
    assert.equal(uplink.time, Date.parse('2022-07-18T09:34:15.775Z'));
  });

  it('a TTS uplink without f_port and with the frequency as text, its decoded payload kept', () => {
    const uplink = readNetworkUplink(TTS_UPLINK);
    assert.equal(uplink.server, 'tts');
    assert.equal(uplink.fPort, undefined);
    assert.equal(uplink.fCnt, 25);
    assert.deepEqual(uplink.decoded, { water_temperature: 24.24, battery_mv: 3712 });
    assert.equal(uplink.radio.frequency, 868300000);
    assert.equal(uplink.radio.gateway, 'gtw1');
  });

  it('what is neither, or not JSON, is a LoraError that says so', () => {
    assert.throws(() => readNetworkUplink('{"hello":1}'), { messageId: 'LORA_UPLINK_UNKNOWN' });
    assert.throws(() => readNetworkUplink('{'), { messageId: 'LORA_UPLINK_NOT_JSON' });
    assert.throws(() => readNetworkUplink(42), { messageId: 'LORA_UPLINK_UNKNOWN' });
  });

  it('readings come from the decoded object when wanted, else the payload; port 0 and no data give none', () => {
    const event = (extra: Record<string, unknown>) =>
      readNetworkUplink({ deviceInfo: { devEui: '0004a30b001c4a2f' }, ...extra });
    const both = event({ fPort: 1, data: 'A2cA1w==', object: { t: 21.5 } });
    assert.equal(uplinkSource(both, true), 'decoded');
    assert.equal(uplinkSource(both, false), 'payload');
    // Port 0 carries MAC commands: no application payload, only a decoded object if any.
    assert.equal(uplinkSource(event({ fPort: 0, data: 'AwE=' }), false), 'empty');
    assert.equal(uplinkSource(event({ fPort: 0, object: { t: 1 } }), false), 'decoded');
    // A join event on the same topic has neither.
    assert.equal(uplinkSource(event({ devAddr: '00189440' }), true), 'empty');
  });
});
