import { strict as assert } from 'node:assert';
import { DeviceError } from '../../../lib/devices/errors';
import { compileUplinkScript, DEFAULT_UPLINK_TIMEOUT } from '../../../lib/devices/uplink-script';

function refused(run: () => unknown, messageId: string): DeviceError {
  try {
    run();
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
  it('runs a realistic TTS decoder, many times, with units from the units map', () => {
    const decoder = compileUplinkScript(TTS_DECODER, {
      units: { temperature: 'Cel', humidity: '%RH', battery: 'V' },
    });
    const recvTime = new Date('2026-03-01T12:00:00Z');
    const result = decoder.decode({
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
    const again = decoder.decode({ bytes: [0x08, 0xfc, 0x64, 0x0e, 0x10, 0x00], fPort: 2 });
    assert.deepEqual(again.readings.slice(0, 1), [{ n: 'temperature', u: 'Cel', v: 23 }]);
    assert.deepEqual(again.warnings, []);
  });

  it('flattens lists with their index and nested objects with /, units by flattened name', () => {
    const decoder = compileUplinkScript(
      'function decodeUplink(i) { return { data: { values: [1, [2, 3]], gps: { lat: 48.1, lon: -4.5 }, none: null } }; }',
      { units: { 'values/0': 'mV', 'gps/lat': 'lat', 'gps/lon': 'lon' } },
    );
    assert.deepEqual(decoder.decode({ bytes: [], fPort: 1 }).readings, [
      { n: 'values/0', u: 'V', v: 0.001 },
      { n: 'values/1/0', v: 2 },
      { n: 'values/1/1', v: 3 },
      { n: 'gps/lat', u: 'lat', v: 48.1 },
      { n: 'gps/lon', u: 'lon', v: -4.5 },
    ]);
  });

  it('refuses two keys that become one SenML name', () => {
    const decoder = compileUplinkScript(
      "function decodeUplink() { return { data: { 'a b': 1, a_b: 2 } }; }",
    );
    const err = refused(() => decoder.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_NAME_CLASH');
    assert.deepEqual(err.params, { first: 'a b', second: 'a_b', name: 'a_b' });
  });

  it('stops an endless loop at the time limit, and the decoder still works afterwards', () => {
    const decoder = compileUplinkScript(
      'function decodeUplink(input) { if (input.fPort === 9) for (;;) {} return { data: { ok: true } }; }',
    );
    const started = Date.now();
    const err = refused(() => decoder.decode({ bytes: [], fPort: 9 }), 'DEVICE_SCRIPT_TIMEOUT');
    const took = Date.now() - started;
    assert.ok(
      took >= DEFAULT_UPLINK_TIMEOUT - 5 && took < DEFAULT_UPLINK_TIMEOUT + 400,
      `${took} ms`,
    );
    assert.deepEqual(err.params, { timeout: 100, fPort: 9 });
    assert.deepEqual(decoder.decode({ bytes: [], fPort: 1 }).readings, [{ n: 'ok', vb: true }]);
  });

  it('stops loops in promise jobs, getters and top-level code too', () => {
    const options = { timeout: 30 };
    const promise = compileUplinkScript(
      'function decodeUplink() { Promise.resolve().then(function () { for (;;) {} }); return { data: {} }; }',
      options,
    );
    refused(() => promise.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_TIMEOUT');
    const getter = compileUplinkScript(
      'function decodeUplink() { return { data: { get x() { for (;;) {} } } }; }',
      options,
    );
    refused(() => getter.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_TIMEOUT');
    refused(
      () => compileUplinkScript('while (true) {} function decodeUplink() {}', options),
      'DEVICE_SCRIPT_LOAD_TIMEOUT',
    );
  });

  it('reports a decoder that throws, with its own error text', () => {
    const decoder = compileUplinkScript(
      "function decodeUplink(input) { if (input.bytes.length === 0) throw new RangeError('empty payload'); return { data: { n: input.bytes.length } }; }",
    );
    const err = refused(() => decoder.decode({ bytes: [], fPort: 3 }), 'DEVICE_SCRIPT_THREW');
    assert.equal(err.message, 'decodeUplink threw an error on fPort 3: empty payload');
    const typo = compileUplinkScript(
      'function decodeUplink(input) { return { data: { x: input.byts[0] } }; }',
    );
    assert.match(
      refused(() => typo.decode({ bytes: [1], fPort: 1 }), 'DEVICE_SCRIPT_THREW').message,
      /Cannot read properties of undefined/,
    );
    const thrownText = compileUplinkScript("function decodeUplink() { throw 'bad frame'; }");
    assert.equal(
      refused(() => thrownText.decode({ bytes: [], fPort: 1 }), 'DEVICE_SCRIPT_THREW').params.error,
      'bad frame',
    );
  });

  it('reports the errors a decoder returns', () => {
    const decoder = compileUplinkScript(TTS_DECODER);
    const err = refused(() => decoder.decode({ bytes: [1, 2], fPort: 7 }), 'DEVICE_SCRIPT_ERRORS');
    assert.equal(err.message, 'decodeUplink reported errors on fPort 7: unknown FPort 7');
    assert.match(
      refused(() => decoder.decode({ bytes: [1], fPort: 2 }), 'DEVICE_SCRIPT_ERRORS').message,
      /too short: 1 bytes/,
    );
  });

  it('refuses a script that does not compile, fails on load or has no decodeUplink', () => {
    assert.match(
      refused(
        () => compileUplinkScript('function decodeUplink(input) { return {'),
        'DEVICE_SCRIPT_COMPILE',
      ).message,
      /^the uplink decoder is not valid JavaScript: Unexpected end of input/,
    );
    refused(
      () => compileUplinkScript('function Decoder(bytes, port) { return {}; }'),
      'DEVICE_SCRIPT_NO_FUNCTION',
    );
    refused(() => compileUplinkScript('var decodeUplink = 3;'), 'DEVICE_SCRIPT_NO_FUNCTION');
    assert.match(
      refused(
        () => compileUplinkScript("var x = require('fs'); function decodeUplink() {}"),
        'DEVICE_SCRIPT_LOAD_FAILED',
      ).message,
      /require is not defined/,
    );
    refused(() => compileUplinkScript(undefined as unknown as string), 'DEVICE_SCRIPT_NOT_TEXT');
  });

  it('accepts decodeUplink as a const arrow function, as ChirpStack codecs sometimes write it', () => {
    const decoder = compileUplinkScript(
      'const decodeUplink = (input) => ({ data: { port: input.fPort } });',
    );
    assert.deepEqual(decoder.decode({ bytes: [], fPort: 5 }).readings, [{ n: 'port', v: 5 }]);
  });

  it('refuses what decodeUplink returns when it is not an object with data', () => {
    const returning = (value: string) =>
      compileUplinkScript(`function decodeUplink() { return ${value}; }`);
    const input = { bytes: [], fPort: 1 };
    assert.equal(
      refused(() => returning('42').decode(input), 'DEVICE_SCRIPT_NOT_OBJECT').params.got,
      'number',
    );
    assert.equal(
      refused(() => returning('null').decode(input), 'DEVICE_SCRIPT_NOT_OBJECT').params.got,
      'null',
    );
    assert.equal(
      refused(() => returning('[1]').decode(input), 'DEVICE_SCRIPT_NOT_OBJECT').params.got,
      'list',
    );
    assert.equal(
      refused(
        () => returning('Promise.resolve({ data: {} })').decode(input),
        'DEVICE_SCRIPT_NOT_OBJECT',
      ).params.got,
      'promise',
    );
    refused(() => returning('{ warnings: [] }').decode(input), 'DEVICE_SCRIPT_NO_DATA');
    refused(() => returning('{ data: 5 }').decode(input), 'DEVICE_SCRIPT_NO_DATA');
    refused(
      () =>
        returning('(function () { var o = { data: {} }; o.data.self = o; return o; })()').decode(
          input,
        ),
      'DEVICE_SCRIPT_UNREADABLE',
    );
  });

  it('gives the script no require, process, timers, eval or Function', () => {
    const decoder = compileUplinkScript(`function decodeUplink() {
      var evalWorks = true;
      try { eval('1'); } catch (e) { evalWorks = false; }
      var functionWorks = true;
      try { new Function('return 1')(); } catch (e) { functionWorks = false; }
      return { data: {
        require: typeof require, process: typeof process, setTimeout: typeof setTimeout,
        setImmediate: typeof setImmediate, Buffer: typeof Buffer, eval: evalWorks, Function: functionWorks,
      } };
    }`);
    assert.deepEqual(decoder.decode({ bytes: [], fPort: 1 }).data, {
      require: 'undefined',
      process: 'undefined',
      setTimeout: 'undefined',
      setImmediate: 'undefined',
      Buffer: 'undefined',
      eval: false,
      Function: false,
    });
  });

  it('gives each compiled script a context of its own', () => {
    const source =
      'var calls = 0; function decodeUplink() { calls += 1; return { data: { calls: calls } }; }';
    const a = compileUplinkScript(source);
    const b = compileUplinkScript(source);
    a.decode({ bytes: [], fPort: 1 });
    assert.deepEqual(a.decode({ bytes: [], fPort: 1 }).readings, [{ n: 'calls', v: 2 }]);
    assert.deepEqual(b.decode({ bytes: [], fPort: 1 }).readings, [{ n: 'calls', v: 1 }]);
  });

  it('checks its options and input', () => {
    const ok = 'function decodeUplink() { return { data: {} }; }';
    for (const timeout of [0, -1, 1.5, 1e9])
      refused(() => compileUplinkScript(ok, { timeout }), 'DEVICE_SCRIPT_TIMEOUT_INVALID');
    assert.equal(
      refused(() => compileUplinkScript(ok, { units: { t: 'degC' } }), 'DEVICE_SCRIPT_UNIT_SUGGEST')
        .params.suggestion,
      'Cel',
    );
    refused(
      () => compileUplinkScript(ok, { units: { t: 'furlong' } }),
      'DEVICE_SCRIPT_UNIT_UNKNOWN',
    );
    refused(
      () => compileUplinkScript(ok, { units: { battery: '%' } }),
      'DEVICE_SCRIPT_UNIT_PERCENT',
    );
    const decoder = compileUplinkScript(ok);
    refused(() => decoder.decode({ bytes: [256], fPort: 1 }), 'DEVICE_SCRIPT_BYTES_INVALID');
    refused(
      () => decoder.decode({ bytes: 'AQI=' as unknown as number[], fPort: 1 }),
      'DEVICE_SCRIPT_BYTES_INVALID',
    );
    refused(() => decoder.decode({ bytes: [], fPort: 256 }), 'DEVICE_SCRIPT_PORT_INVALID');
  });
});
