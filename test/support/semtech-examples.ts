/**
 * The datagram bodies printed in Lora-net/packet_forwarder PROTOCOL.TXT section 4:
 * its rxpk example (two LoRa frames and one FSK frame) and its stat example, for the
 * parser's tests and the gateway node's.
 */

/** PROTOCOL.TXT section 4, the rxpk example as printed (three frames, one FSK). */
export const SPEC_RXPK = {
  rxpk: [
    {
      time: '2013-03-31T16:21:17.528002Z',
      tmst: 3512348611,
      chan: 2,
      rfch: 0,
      freq: 866.349812,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/6',
      rssi: -35,
      lsnr: 5.1,
      size: 32,
      data: '-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84',
    },
    {
      time: '2013-03-31T16:21:17.530974Z',
      tmst: 3512348514,
      chan: 9,
      rfch: 1,
      freq: 869.1,
      stat: 1,
      modu: 'FSK',
      datr: 50000,
      rssi: -75,
      size: 16,
      data: 'VEVTVF9QQUNLRVRfMTIzNA==',
    },
    {
      time: '2013-03-31T16:21:17.532038Z',
      tmst: 3316387610,
      chan: 0,
      rfch: 0,
      freq: 863.00981,
      stat: 1,
      modu: 'LORA',
      datr: 'SF10BW125',
      codr: '4/7',
      rssi: -38,
      lsnr: 5.5,
      size: 32,
      data: 'ysgRl452xNLep9S1NTIg2lomKDxUgn3DJ7DE+b00Ass',
    },
  ],
};

/** PROTOCOL.TXT section 4, the stat example. */
export const SPEC_STAT = {
  stat: {
    time: '2014-01-12 08:59:28 GMT',
    lati: 46.24,
    long: 3.2523,
    alti: 145,
    rxnb: 2,
    rxok: 2,
    rxfw: 2,
    ackr: 100.0,
    dwnb: 2,
    txnb: 2,
  },
};
