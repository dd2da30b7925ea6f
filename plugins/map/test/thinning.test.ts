import { expect } from 'chai';
import { mercatorY, thinPoints } from '@cairn/plugin-map/common/thinning.js';

/** Lon, lat pairs as the map holds them. */
const pairs = (points: [number, number][]) => Float64Array.from(points.flat());

describe('thinning a dense map (one point per cell of a screen grid)', () => {
  const world: [number, number, number, number] = [-180, -85, 180, 85];

  it('keeps, of the points in one cell, the last (the one drawn on top), and every point alone in its cell', () => {
    // At zoom 0 with 2-pixel cells, a cell is 360/256 ≈ 1.4° wide: the first three share one.
    const positions = pairs([[10, -0.5], [10.1, -0.6], [10.2, -0.55], [50, -0.5], [-120, 40]]);
    expect([...thinPoints(positions, 5, { zoom: 0, cellPixels: 2, bbox: world })]).to.deep.equal([2, 3, 4]);
    // Closer in, the cells are smaller than the gaps: nothing is left out.
    expect([...thinPoints(positions, 5, { zoom: 8, cellPixels: 2, bbox: world })]).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('gives the same points whether it counts the cells in a bitset or a set, at the edges of the world too', () => {
    let seed = 42;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const count = 20_000;
    const positions = new Float64Array(count * 2);
    for (let index = 0; index < count; index++) {
      positions[index * 2] = index < 4 ? [-180, 180, -180, 180][index]! : -180 + random() * 360;
      positions[index * 2 + 1] = index < 4 ? [-85, 85, 85, -85][index]! : -85 + random() * 170;
    }
    for (const zoom of [0, 2.5, 5]) {
      const bitset = thinPoints(positions, count, { zoom, cellPixels: 2, bbox: world });
      const set = thinPoints(positions, count, { zoom, cellPixels: 2, bbox: world, maxBitsetCells: 0 });
      expect([...bitset], `zoom ${zoom}`).to.deep.equal([...set]);
      // In order, and no two in one cell.
      const cells = Math.ceil((512 * 2 ** zoom) / 2);
      const cellOf = (index: number) => `${Math.min(cells - 1, Math.floor(((positions[index * 2]! + 180) / 360) * cells))}:${Math.min(cells - 1, Math.floor(mercatorY(positions[index * 2 + 1]!) * cells))}`;
      expect(new Set([...bitset].map(cellOf)).size).to.equal(bitset.length);
      expect([...bitset].every((value, at) => at === 0 || value > bitset[at - 1]!)).to.equal(true);
    }
    // Far out, 20,000 points spread over the world share 64 × 64 cells; close in, few share one.
    expect(thinPoints(positions, count, { zoom: 0, cellPixels: 8, bbox: world }).length).to.be.at.most(64 * 64);
    expect(thinPoints(positions, count, { zoom: 8, cellPixels: 2, bbox: world }).length).to.be.greaterThan(count * 0.99);
  });

  it('counts the cells over the points\u2019 bounds only', () => {
    // A box of a few cells at zoom 10: the bitset is small, and points on its edges are in it.
    const bbox: [number, number, number, number] = [30, 0, 30.01, 0.01];
    const positions = pairs([[30, 0], [30.01, 0.01], [30.005, 0.005], [30.005, 0.005]]);
    expect([...thinPoints(positions, 4, { zoom: 10, cellPixels: 2, bbox })]).to.deep.equal([0, 1, 3]);
  });
});
