/**
 * Network-server uplinks read the same way, every field optional: ChirpStack v4's
 * documented up event (no fCnt when it is 0, no object without a codec) and The
 * Things Stack v3's own documentation example (no f_port, frequency as text).
 */
import assert from 'node:assert/strict';
import { readNetworkUplink, uplinkSource } from '../../../lib/devices/network-uplink';

describe('network-server uplinks', () => {
  it('a ChirpStack up event without fCnt and object: counter 0, the payload decoded from base64, the best gateway', () => {
    const uplink = readNetworkUplink(
      JSON.stringify({
        deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
        time: '2022-07-18T09:34:15.775023242+00:00',
        deviceInfo: { deviceName: 'buoy-7', devEui: '0004A30B001C4A2F' },
        devAddr: '00189440',
        dr: 1,
        fPort: 1,
        data: 'A2cA1wR0AXM=',
        rxInfo: [
          { gatewayId: '0016c001f153a14c', rssi: -104, snr: -6.2 },
          { gatewayId: '0016c001f153a14d', rssi: -57, snr: 9.8 },
        ],
        txInfo: {
          frequency: 868100000,
          modulation: { lora: { bandwidth: 125000, spreadingFactor: 11, codeRate: 'CR_4_5' } },
        },
      }),
    );
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
    const uplink = readNetworkUplink({
      end_device_ids: { device_id: 'buoy-7', dev_eui: '0004A30B001C4A2F', dev_addr: '00BCB929' },
      received_at: '2020-02-12T15:15:45.787Z',
      uplink_message: {
        f_cnt: 25,
        frm_payload: 'CXg=',
        decoded_payload: { water_temperature: 24.24 },
        rx_metadata: [{ gateway_ids: { gateway_id: 'gtw1' }, rssi: -35, snr: 5.2 }],
        settings: {
          data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } },
          frequency: '868300000',
        },
      },
    });
    assert.equal(uplink.server, 'tts');
    assert.equal(uplink.fPort, undefined);
    assert.equal(uplink.fCnt, 25);
    assert.deepEqual(uplink.decoded, { water_temperature: 24.24 });
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
