/**
 * Network-server uplinks as their documentation prints them, every optional field
 * left out where it is: ChirpStack v4's up event and The Things Stack v3's uplink.
 */

/** ChirpStack's documented up event: no fCnt (it is 0), no object (no codec). LPP: 21.5 Cel, 3.71 V. */
export const CHIRPSTACK_UP = {
  deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
  time: '2022-07-18T09:34:15.775023242+00:00',
  deviceInfo: {
    tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
    applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
    deviceName: 'buoy-7',
    devEui: '0004A30B001C4A2F',
  },
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
};

/** The TTS documentation's uplink: no f_port, the frequency as text, a decoded payload. */
export const TTS_UPLINK = {
  end_device_ids: {
    device_id: 'buoy-7',
    application_ids: { application_id: 'reeftemps' },
    dev_eui: '0004A30B001C4A2F',
    dev_addr: '00BCB929',
  },
  received_at: '2020-02-12T15:15:45.787Z',
  uplink_message: {
    f_cnt: 25,
    frm_payload: 'CXg=',
    decoded_payload: { water_temperature: 24.24, battery_mv: 3712 },
    rx_metadata: [{ gateway_ids: { gateway_id: 'gtw1', eui: '9C5C8E00001A05C4' }, rssi: -35 }],
    settings: {
      data_rate: { lora: { bandwidth: 125000, spreading_factor: 7 } },
      frequency: '868300000',
    },
  },
};
