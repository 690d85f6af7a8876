import { strict as assert } from 'node:assert';
import { DeviceError } from '../../../lib/devices/errors';
import {
  compileUplinkScript,
  DEFAULT_UPLINK_TIMEOUT,
  type UplinkDecoder,
  type UplinkScriptOptions,
} from '../../../lib/devices/uplink-script';

/** Decoders compiled by a test, each in a thread of its own: stopped after the test. */
const opened: UplinkDecoder[] = [];
async function compile(source: unknown, options?: UplinkScriptOptions): Promise<UplinkDecoder> {
  const decoder = await compileUplinkScript(source as string, options);
  opened.push(decoder);
  return decoder;
}
afterEach(async () => {
  for (const decoder of opened.splice(0)) await decoder.close();
});

async function refused(run: () => unknown, messageId: string): Promise<DeviceError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof DeviceError, String(err));
    assert.equal(err.messageId, messageId, err.message);
    assert.equal(err.code, messageId.startsWith('DEVICE_SCRIPT') ? 'DEVICE_SCRIPT' : err.code);
    return err;
  }
  assert.fail(`no ${messageId}`);
}

// A decoder in the style of The Things Stack's device repository: a sensor sending
// temperature (int16 BE, 0.01 °C), humidity (uint8, 0.5 %), battery (uint16 BE, mV)
// and a status byte, with warnings and errors as TTS documents them.
const TTS_DECODER = `
function decodeUplink(input) {
  var warnings = [];
  if (input.fPort !== 2) {
    return { errors: ['unknown FPort ' + input.fPort] };
  }
  if (input.bytes.length < 6) {
    return { errors: ['payload too short: ' + input.bytes.length + ' bytes'] };
  }
  var raw = (input.bytes[0] << 8) | input.bytes[1];
  if (raw & 0x8000) raw -= 0x10000;
  var battery = ((input.bytes[3] << 8) | input.bytes[4]) / 1000;
  if (battery < 3.0) warnings.push('low battery');
  return {
    data: {
      temperature: raw / 100,
      humidity: input.bytes[2] / 2,
      battery: battery,
      status: { door_open: (input.bytes[5] & 1) === 1, mode: ['idle', 'run'][input.bytes[5] >> 1 & 1] },
      'signal strength': -80,
      received: input.recvTime ? input.recvTime.toISOString() : null,
      site: input.variables && input.variables.site,
    },
    warnings: warnings,
  };
}`;

describe('uplink decoder scripts (TTS / ChirpStack decodeUplink)', () => {
  it('runs a realistic TTS decoder, many times, with units from the units map', async () => {
    const decoder = await compile(TTS_DECODER, {
      units: { temperature: 'Cel', humidity: '%RH', battery: 'V' },
    });
    const recvTime = new Date('2026-03-01T12:00:00Z');
    const result = await decoder.decode({
      bytes: Uint8Array.from([0xff, 0x38, 0x5a, 0x0b, 0x54, 0x03]),
      fPort: 2,
      recvTime,
      variables: { site: 'quay 3' },
    });
    assert.deepEqual(result.readings, [
      { n: 'temperature', u: 'Cel', v: -2 },
      { n: 'humidity', u: '%RH', v: 45 },
      { n: 'battery', u: 'V', v: 2.9 },
      { n: 'status/door_open', vb: true },
      { n: 'status/mode', vs: 'run' },
      { n: 'signal_strength', v: -80 },
      { n: 'received', vs: '2026-03-01T12:00:00.000Z' },
      { n: 'site', vs: 'quay 3' },
    ]);
    assert.deepEqual(result.warnings, ['low battery']);
    assert.equal(result.data.temperature, -2);
    const again = await decoder.decode({ bytes: [0x08, 0xfc, 0x64, 0x0e, 0x10, 0x00], fPort: 2 });
    assert.deepEqual(again.readings.slice(0, 1), [{ n: 'temperature', u: 'Cel', v: 23 }]);
    assert.deepEqual(again.warnings, []);
  });

  it('flattens lists with their index and nested objects with /, units by flattened name', async () => {
    const decoder = await compile(
      'function decodeUplink(i) { return { data: { values: [1, [2, 3]], gps: { lat: 48.1, lon: -4.5 }, none: null } }; }',
      { units: { 'values/0': 'mV', 'gps/lat': 'lat', 'gps/lon': 'lon' } },
    );
    assert.deepEqual((await decoder.decode({ bytes: [], fPort: 1 })).readings, [
      { n: 'values/0', u: 'V', v: 0.001 },
      { n: 'values/1/0', v: 2 },
      { n: 'values/1/1', v: 3 },
      { n: 'gps/lat', u: 'lat', v: 48.1 },
      { n: 'gps/lon', u: 'lon', v: -4.5 },
    ]);
  });

  it('refuses two keys that become one SenML name', async () => {
    const decoder = await compile(
      "function decodeUplink() { return { data: { 'a b': 1, a_b: 2 } }; }",
    );
    const err = await refused(
      () => decoder.decode({ bytes: [], fPort: 1 }),
      'DEVICE_SCRIPT_NAME_CLASH',
    );
    assert.deepEqual(err.params, { first: 'a b', second: 'a_b', name: 'a_b' });
  });

  it('stops an endless loop at the time limit, and the decoder still works afterwards', async () => {
    const decoder = await compile(
      'function decodeUplink(input) { if (input.fPort === 9) for (;;) {} return { data: { ok: true } }; }',
    );
    const started = Date.now();
    const err = await refused(
      () => decoder.decode({ bytes: [], fPort: 9 }),
      'DEVICE_SCRIPT_TIMEOUT',
    );
    const took = Date.now() - started;
    assert.ok(
      took >= DEFAULT_UPLINK_TIMEOUT - 5 && took < DEFAULT_UPLINK_TIMEOUT + 400,
      `${took} ms`,
    );
    assert.deepEqual(err.params, { timeout: 100, fPort: 9 });
    assert.deepEqual((await decoder.decode({ bytes: [], fPort: 1 })).readings, [
      { n: 'ok', vb: true },
    ]);
  });

  it('stops loops in promise jobs, getters and top-level code too', async () => {
    const options = { timeout: 30 };
    const promise = await compile(
      'function decodeUplink() { Promise.resolve().then(function () { for (;;) {} }); return { data: {} }; }',
      options,
    );
    await refused(() => promise.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_TIMEOUT');
    const getter = await compile(
      'function decodeUplink() { return { data: { get x() { for (;;) {} } } }; }',
      options,
    );
    await refused(() => getter.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_TIMEOUT');
    await refused(
      () => compile('while (true) {} function decodeUplink() {}', options),
      'DEVICE_SCRIPT_LOAD_TIMEOUT',
    );
  });

  it('a decoder runs in a thread of its own: the runtime goes on while it loops, and one that exhausts its memory stops only its thread', async () => {
    const looping = await compile('function decodeUplink() { for (;;) {} }', { timeout: 300 });
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 20);
    try {
      await refused(() => looping.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_TIMEOUT');
    } finally {
      clearInterval(ticker);
    }
    assert.ok(ticks >= 5, `the runtime's timers ran ${ticks} times during the loop`);
    const hungry = await compile(
      'function decodeUplink(input) { if (input.fPort === 66) { var a = []; for (;;) a.push(new Array(1e6).fill(1)); } return { data: { ok: 1 } }; }',
      { timeout: 20_000 },
    );
    await refused(() => hungry.decode({ bytes: [], fPort: 66 }), 'DEVICE_SCRIPT_STOPPED');
    assert.deepEqual((await hungry.decode({ bytes: [], fPort: 1 })).readings, [{ n: 'ok', v: 1 }]);
  });

  it('reports a decoder that throws, with its own error text', async () => {
    const decoder = await compile(
      "function decodeUplink(input) { if (input.bytes.length === 0) throw new RangeError('empty payload'); return { data: { n: input.bytes.length } }; }",
    );
    const err = await refused(() => decoder.decode({ bytes: [], fPort: 3 }), 'DEVICE_SCRIPT_THREW');
    assert.equal(err.message, 'decodeUplink threw an error on fPort 3: empty payload');
    const typo = await compile(
      'function decodeUplink(input) { return { data: { x: input.byts[0] } }; }',
    );
    assert.match(
      (await refused(() => typo.decode({ bytes: [1], fPort: 1 }), 'DEVICE_SCRIPT_THREW')).message,
      /Cannot read properties of undefined/,
    );
    const thrownText = await compile("function decodeUplink() { throw 'bad frame'; }");
    assert.equal(
      (await refused(() => thrownText.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_THREW'))
        .params.error,
      'bad frame',
    );
  });

  it('reports the errors a decoder returns', async () => {
    const decoder = await compile(TTS_DECODER);
    const err = await refused(
      () => decoder.decode({ bytes: [1, 2], fPort: 7 }),
      'DEVICE_SCRIPT_ERRORS',
    );
    assert.equal(err.message, 'decodeUplink reported errors on fPort 7: unknown FPort 7');
    assert.match(
      (await refused(() => decoder.decode({ bytes: [1], fPort: 2 }), 'DEVICE_SCRIPT_ERRORS'))
        .message,
      /too short: 1 bytes/,
    );
  });

  it('refuses a script that does not compile, fails on load or has no decodeUplink', async () => {
    assert.match(
      (
        await refused(
          () => compile('function decodeUplink(input) { return {'),
          'DEVICE_SCRIPT_COMPILE',
        )
      ).message,
      /^the uplink decoder is not valid JavaScript: Unexpected end of input/,
    );
    await refused(
      () => compile('function Decoder(bytes, port) { return {}; }'),
      'DEVICE_SCRIPT_NO_FUNCTION',
    );
    await refused(() => compile('var decodeUplink = 3;'), 'DEVICE_SCRIPT_NO_FUNCTION');
    assert.match(
      (
        await refused(
          () => compile("var x = require('fs'); function decodeUplink() {}"),
          'DEVICE_SCRIPT_LOAD_FAILED',
        )
      ).message,
      /require is not defined/,
    );
    await refused(() => compile(undefined as unknown as string), 'DEVICE_SCRIPT_NOT_TEXT');
  });

  it('accepts decodeUplink as a const arrow function, as ChirpStack codecs sometimes write it', async () => {
    const decoder = await compile(
      'const decodeUplink = (input) => ({ data: { port: input.fPort } });',
    );
    assert.deepEqual((await decoder.decode({ bytes: [], fPort: 5 })).readings, [
      { n: 'port', v: 5 },
    ]);
  });

  it('refuses what decodeUplink returns when it is not an object with data', async () => {
    const returning = async (value: string) =>
      await compile(`function decodeUplink() { return ${value}; }`);
    const input = { bytes: [], fPort: 1 };
    assert.equal(
      (await refused(async () => (await returning('42')).decode(input), 'DEVICE_SCRIPT_NOT_OBJECT'))
        .params.got,
      'number',
    );
    assert.equal(
      (
        await refused(
          async () => (await returning('null')).decode(input),
          'DEVICE_SCRIPT_NOT_OBJECT',
        )
      ).params.got,
      'null',
    );
    assert.equal(
      (
        await refused(
          async () => (await returning('[1]')).decode(input),
          'DEVICE_SCRIPT_NOT_OBJECT',
        )
      ).params.got,
      'list',
    );
    assert.equal(
      (
        await refused(
          async () => (await returning('Promise.resolve({ data: {} })')).decode(input),
          'DEVICE_SCRIPT_NOT_OBJECT',
        )
      ).params.got,
      'promise',
    );
    await refused(
      async () => (await returning('{ warnings: [] }')).decode(input),
      'DEVICE_SCRIPT_NO_DATA',
    );
    await refused(
      async () => (await returning('{ data: 5 }')).decode(input),
      'DEVICE_SCRIPT_NO_DATA',
    );
    await refused(
      async () =>
        (
          await returning('(function () { var o = { data: {} }; o.data.self = o; return o; })()')
        ).decode(input),
      'DEVICE_SCRIPT_UNREADABLE',
    );
  });

  it('gives the script no require, process, timers, eval or Function', async () => {
    const decoder = await compile(`function decodeUplink() {
      var evalWorks = true;
      try { eval('1'); } catch (e) { evalWorks = false; }
      var functionWorks = true;
      try { new Function('return 1')(); } catch (e) { functionWorks = false; }
      return { data: {
        require: typeof require, process: typeof process, setTimeout: typeof setTimeout,
        setImmediate: typeof setImmediate, Buffer: typeof Buffer, eval: evalWorks, Function: functionWorks,
      } };
    }`);
    assert.deepEqual((await decoder.decode({ bytes: [], fPort: 1 })).data, {
      require: 'undefined',
      process: 'undefined',
      setTimeout: 'undefined',
      setImmediate: 'undefined',
      Buffer: 'undefined',
      eval: false,
      Function: false,
    });
  });

  it('gives each compiled script a context of its own', async () => {
    const source =
      'var calls = 0; function decodeUplink() { calls += 1; return { data: { calls: calls } }; }';
    const a = await compile(source);
    const b = await compile(source);
    a.decode({ bytes: [], fPort: 1 });
    assert.deepEqual((await a.decode({ bytes: [], fPort: 1 })).readings, [{ n: 'calls', v: 2 }]);
    assert.deepEqual((await b.decode({ bytes: [], fPort: 1 })).readings, [{ n: 'calls', v: 1 }]);
  });

  it('checks its options and input', async () => {
    const ok = 'function decodeUplink() { return { data: {} }; }';
    for (const timeout of [0, -1, 1.5, 1e9])
      await refused(() => compile(ok, { timeout }), 'DEVICE_SCRIPT_TIMEOUT_INVALID');
    assert.equal(
      (await refused(() => compile(ok, { units: { t: 'degC' } }), 'DEVICE_SCRIPT_UNIT_SUGGEST'))
        .params.suggestion,
      'Cel',
    );
    await refused(() => compile(ok, { units: { t: 'furlong' } }), 'DEVICE_SCRIPT_UNIT_UNKNOWN');
    await refused(() => compile(ok, { units: { battery: '%' } }), 'DEVICE_SCRIPT_UNIT_PERCENT');
    const decoder = await compile(ok);
    await refused(() => decoder.decode({ bytes: [256], fPort: 1 }), 'DEVICE_SCRIPT_BYTES_INVALID');
    await refused(
      () => decoder.decode({ bytes: 'AQI=' as unknown as number[], fPort: 1 }),
      'DEVICE_SCRIPT_BYTES_INVALID',
    );
    await refused(() => decoder.decode({ bytes: [], fPort: 256 }), 'DEVICE_SCRIPT_PORT_INVALID');
  });
});
