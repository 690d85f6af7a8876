/**
 * Locations as makers give them (msg.location, the node's setting): GeoJSON in
 * lon/lat order, checked before anything reaches the server.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLocation } from '../../../lib/sensorthings/location';
import { packToObservations } from '../../../lib/sensorthings/mapping';

const refused = (value: unknown, messageId: string): void => {
  assert.throws(() => checkLocation(value), { messageId });
};

describe('sensorthings locations', () => {
  it('takes a Point with two or three numbers, and a Feature holding one', () => {
    assert.deepEqual(checkLocation({ type: 'Point', coordinates: [166.45, -22.27] }), {
      type: 'Point',
      coordinates: [166.45, -22.27],
    });
    assert.deepEqual(
      checkLocation({ type: 'Point', coordinates: [-4.49, 48.39, -3] }).coordinates,
      [-4.49, 48.39, -3],
    );
    const feature = {
      type: 'Feature',
      properties: { name: 'pier' },
      geometry: { type: 'Point', coordinates: [1, 2] },
    };
    assert.deepEqual(checkLocation(feature), { type: 'Point', coordinates: [1, 2] });
  });

  it('takes lines and polygons whose positions are in range, rings closed', () => {
    checkLocation({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
      ],
    });
    checkLocation({ type: 'MultiPoint', coordinates: [[0, 0]] });
    checkLocation({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    });
    checkLocation({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      ],
    });
    refused(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      },
      'STA_LOCATION_SHAPE',
    );
    refused({ type: 'LineString', coordinates: [[0, 0]] }, 'STA_LOCATION_SHAPE');
    refused({ type: 'LineString', coordinates: [0, 0] }, 'STA_LOCATION_POSITION');
    refused(
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 100],
              [0, 0],
            ],
          ],
        ],
      },
      'STA_LOCATION_RANGE',
    );
  });

  it('refuses latitude first when it puts a value out of range, and says GeoJSON is lon/lat', () => {
    assert.throws(() => checkLocation({ type: 'Point', coordinates: [-22.27, 166.45] }), {
      messageId: 'STA_LOCATION_RANGE',
      message: /longitude \(-180 to 180\) first/,
    });
  });

  it('refuses positions that are not two or three finite numbers', () => {
    for (const coordinates of [[1], [1, 2, 3, 4], [1, Number.NaN], [1, Infinity], ['1', 2], null])
      refused({ type: 'Point', coordinates }, 'STA_LOCATION_POSITION');
    assert.throws(() => checkLocation({ type: 'Point', coordinates: [1, Number.NaN] }), {
      message: /\[1,NaN\]/,
    });
  });

  it('refuses what is not a geometry, and GeometryCollections', () => {
    for (const value of [
      null,
      'Point',
      [1, 2],
      { type: 'Circle' },
      { lat: 1, lon: 2 },
      { type: 'GeometryCollection', geometries: [] },
    ])
      refused(value, 'STA_LOCATION_TYPE');
    refused({ type: 'Feature', geometry: null }, 'STA_LOCATION_TYPE');
  });

  it('a bad location in the options refuses the whole pack', () => {
    assert.throws(
      () =>
        packToObservations([{ n: 'a:b', v: 1, t: 0 }], {
          location: { type: 'Point', coordinates: [200, 0] },
        }),
      { messageId: 'STA_LOCATION_RANGE', code: 'STA_LOCATION' },
    );
  });

  it('property: every position in range is taken, every one out of range refused', () => {
    const lon = fc.double({ min: -180, max: 180, noNaN: true });
    const lat = fc.double({ min: -90, max: 90, noNaN: true });
    fc.assert(
      fc.property(lon, lat, (x, y) => {
        assert.deepEqual(checkLocation({ type: 'Point', coordinates: [x, y] }).coordinates, [x, y]);
      }),
    );
    fc.assert(
      fc.property(lon, fc.double({ min: 90, max: 1e6, noNaN: true, minExcluded: true }), (x, y) => {
        refused({ type: 'Point', coordinates: [x, y] }, 'STA_LOCATION_RANGE');
        refused({ type: 'Point', coordinates: [x, -y] }, 'STA_LOCATION_RANGE');
      }),
    );
  });
});
