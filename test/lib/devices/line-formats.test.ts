import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLine, type LineFormatOptions } from '../../../lib/devices/line-formats';
import { LineFormatError } from '../../../lib/devices/line-messages';
import { parseFieldSpecs, readingsPack } from '../../../lib/devices/pack';

const BUOY = 'urn:dev:mac:0004a30b001c4a2f:';

describe('serial line formats', () => {
  it('key=value: numbers, booleans and texts, pairs apart by spaces, commas or semicolons', () => {
    assert.deepEqual(parseLine('water_temperature=21.50 battery=3.71', { format: 'keyvalue' }), {
      readings: [
        { n: 'water_temperature', v: 21.5 },
        { n: 'battery', v: 3.71 },
      ],
    });
    assert.deepEqual(
      parseLine('pump=true;state=idle, level=-0.5e1', { format: 'keyvalue' }).readings,
      [
        { n: 'pump', vb: true },
        { n: 'state', vs: 'idle' },
        { n: 'level', v: -5 },
      ],
    );
  });

  it('CSV: the configured columns in order; an empty cell is no reading; the wrong count is an error quoting the line', () => {
    const options: LineFormatOptions = { format: 'csv', columns: ['water_temperature', 'battery'] };
    assert.deepEqual(parseLine('21.50,3.71', options).readings, [
      { n: 'water_temperature', v: 21.5 },
      { n: 'battery', v: 3.71 },
    ]);
    assert.deepEqual(parseLine('21.50;', options).readings, [{ n: 'water_temperature', v: 21.5 }]);
    assert.throws(
      () => parseLine('21.50,3.71,9', options),
      (err: LineFormatError) =>
        err.messageId === 'LINE_CSV_COLUMNS' && err.message.includes('"21.50,3.71,9"'),
    );
    assert.throws(() => parseLine('1,2', { format: 'csv' }), { messageId: 'LINE_CSV_NO_COLUMNS' });
  });

  it('JSON lines: an object of readings, nested objects and arrays flattened with /', () => {
    assert.deepEqual(
      parseLine(
        '{"water_temperature":21.5,"gps":{"lat":-22.27,"lon":166.44},"cells":[3.7,3.6],"note":null}',
        {
          format: 'json',
        },
      ).readings,
      [
        { n: 'water_temperature', v: 21.5 },
        { n: 'gps/lat', v: -22.27 },
        { n: 'gps/lon', v: 166.44 },
        { n: 'cells/0', v: 3.7 },
        { n: 'cells/1', v: 3.6 },
      ],
    );
    assert.throws(() => parseLine('[1,2]', { format: 'json' }), {
      messageId: 'LINE_JSON_NOT_OBJECT',
    });
    assert.throws(() => parseLine('{"a":', { format: 'json' }), { messageId: 'LINE_JSON_INVALID' });
    // Keys become SenML names as a decodeUplink script's or a network server's do.
    assert.deepEqual(parseLine('{"water temp":21.5,"ok":true}', { format: 'json' }).readings, [
      { n: 'water_temp', v: 21.5 },
      { n: 'ok', vb: true },
    ]);
    assert.throws(() => parseLine('{"water temp":1,"water_temp":2}', { format: 'json' }), {
      messageId: 'LINE_KEY_CLASH',
    });
  });

  it('SenML lines: the pack as sent, resolved', () => {
    const { pack } = parseLine(
      `[{"bn":"${BUOY}","bt":1796284800,"n":"water_temperature","u":"Cel","v":21.5},{"n":"battery","u":"V","v":3.71}]`,
      { format: 'senml' },
    );
    assert.deepEqual(pack, [
      { n: `${BUOY}water_temperature`, u: 'Cel', v: 21.5, t: 1796284800 },
      { n: `${BUOY}battery`, u: 'V', v: 3.71, t: 1796284800 },
    ]);
    assert.throws(() => parseLine('[{"n":"a","v":"x"}]', { format: 'senml' }), {
      messageId: 'LINE_SENML_INVALID',
    });
  });

  it('arduino-LoRa receiver lines: the packet in its inner format, the RSSI (and SNR) beside', () => {
    assert.deepEqual(
      parseLine("Received packet 'water_temperature=21.50 battery=3.71' with RSSI -67", {
        format: 'lora-receiver',
      }),
      {
        readings: [
          { n: 'water_temperature', v: 21.5 },
          { n: 'battery', v: 3.71 },
        ],
        radio: { rssi: -67 },
      },
    );
    assert.deepEqual(
      parseLine("Received packet '21.5,3.7' with RSSI -101 and SNR -7.25", {
        format: 'lora-receiver',
        inner: 'csv',
        columns: ['water_temperature', 'battery'],
      }).radio,
      { rssi: -101, snr: -7.25 },
    );
    assert.throws(() => parseLine('LoRa Receiver', { format: 'lora-receiver' }), {
      messageId: 'LINE_LORA_RECEIVER',
    });
  });

  it('Cayenne LPP as hex goes to the decoder; what is not hex is an error', () => {
    const seen: Uint8Array[] = [];
    const decodeLpp = (bytes: Uint8Array) => {
      seen.push(bytes);
      return [{ n: '3/temperature', u: 'Cel', v: 27.2 }];
    };
    assert.deepEqual(parseLine('03 67 01 10', { format: 'lpp-hex', decodeLpp }).readings, [
      { n: '3/temperature', u: 'Cel', v: 27.2 },
    ]);
    assert.deepEqual([...seen[0]], [0x03, 0x67, 0x01, 0x10]);
    assert.throws(() => parseLine('0367zz', { format: 'lpp-hex', decodeLpp }), {
      messageId: 'LINE_HEX_INVALID',
    });
    assert.throws(() => parseLine('036', { format: 'lpp-hex', decodeLpp }), {
      messageId: 'LINE_HEX_INVALID',
    });
  });

  it('a pack of readings: names under the base name, units configured per name (mV read as V), the time given', () => {
    // Millivolts as the board prints them, volts in the pack.
    const fields = new Map(
      parseFieldSpecs('water_temperature:Cel, battery:mV').map((f) => [f.name, f]),
    );
    assert.deepEqual(
      readingsPack(
        [
          { n: 'water_temperature', v: 21.5 },
          { n: 'battery', v: 3710 },
        ],
        { baseName: BUOY, time: 1796284800, fields },
      ),
      [
        { n: `${BUOY}water_temperature`, t: 1796284800, u: 'Cel', v: 21.5 },
        { n: `${BUOY}battery`, t: 1796284800, u: 'V', v: 3.71 },
      ],
    );
    assert.throws(() => parseFieldSpecs('water_temperature:celsius'), {
      messageId: 'LINE_UNIT_UNKNOWN',
    });
  });

  it('whatever the line, only a LineFormatError comes out (fast-check)', () => {
    const formats: LineFormatOptions[] = [
      { format: 'keyvalue' },
      { format: 'csv', columns: ['a', 'b'] },
      { format: 'json' },
      { format: 'senml' },
      { format: 'lora-receiver' },
      { format: 'lpp-hex', decodeLpp: () => [] },
    ];
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom(...formats), (line, options) => {
        try {
          parseLine(line, options);
        } catch (err) {
          assert.ok(err instanceof LineFormatError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
