import { expect } from 'chai';
import { CairnHost } from '@cairn/core';
import { generateObservations, sampleCategories, sampleFields, samplePresets } from '@cairn/core/common/sample-data.js';
import { Devices } from './helpers.js';

describe('sample data', function () {
  this.timeout(60_000);
  const devices = new Devices();
  afterEach(() => devices.cleanup());

  it('is the same for the same seed, spread over months of daylight, with notes that fit each category', () => {
    const observations = generateObservations(2000, 20_260_101);
    expect(generateObservations(2000, 20_260_101)).to.deep.equal(observations);
    expect(generateObservations(5, 1)).not.to.deep.equal(generateObservations(5, 2));
    const months = new Set(observations.map((observation) => observation.createdAt!.slice(0, 7)));
    expect([...months].sort()).to.deep.equal(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    for (const { createdAt } of observations) {
      const hour = new Date(createdAt!).getUTCHours();
      expect(hour, createdAt).to.be.within(10, 21);
    }
    // Each category's notes tell of things of that category only.
    const subjects = new Map<string, Set<string>>();
    for (const { category, notes } of observations) {
      const subject = notes!.split(', ')[0]!;
      subjects.set(category!, (subjects.get(category!) ?? new Set()).add(subject));
    }
    expect([...subjects.keys()].sort()).to.deep.equal([...sampleCategories].sort());
    const all = [...subjects.values()].flatMap((set) => [...set]);
    expect(new Set(all).size, 'no subject is in two categories').to.equal(all.length);
    // Benchmarks ask for their own box, categories and period.
    const [one] = generateObservations(1, 3, { bbox: [29.9, -0.1, 30.1, 0.1], categories: ['mine'], period: ['2024-03-01', '2024-03-01'] });
    expect(one).to.deep.include({ category: 'mine' });
    expect(one!.lon).to.be.within(29.9, 30.1);
    expect(one!.createdAt!.slice(0, 10)).to.equal('2024-03-01');
  });

  it('has a name, its own colour and an icon for every category', () => {
    expect(samplePresets.map((preset) => preset.id)).to.deep.equal([...sampleCategories]);
    const colours = samplePresets.map((preset) => preset.color);
    expect(new Set(colours).size).to.equal(colours.length);
    for (const preset of samplePresets) {
      expect(preset.name, preset.id).to.match(/^[A-Z][a-z]+$/);
      expect(preset.color, preset.id).to.match(/^#[0-9a-f]{6}$/);
      expect(preset.iconSvg, preset.id).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 24 24">.*<\/svg>$/);
      expect(preset.iconSvg).to.contain(`fill="${preset.color}"`).and.not.to.match(/<script|href=|on\w+=/i);
      expect(preset.fields).to.deep.equal(sampleFields.map((field) => field.id));
    }
    expect(new Set(samplePresets.map((preset) => preset.iconSvg)).size, 'each icon is its own').to.equal(samplePresets.length);
  });

  it('loads into a sample project with its categories and form, and loading again keeps them once', async () => {
    const host = new CairnHost({ dataDir: await devices.dir(), builtinPluginsDir: null });
    await host.start();
    try {
      const project = await host.projects.loadSampleData(2000);
      expect(project.info().projectName).to.equal('Sample project');
      expect(project.countObservations()).to.equal(2000);
      const presets = project.listPresets();
      expect(presets.map((preset) => preset.id).sort()).to.deep.equal([...sampleCategories].sort());
      for (const preset of presets) expect(preset.iconSvg && preset.color && preset.name, preset.id).to.be.a('string');
      expect(project.listFields().map((field) => field.key).sort()).to.deep.equal(['count', 'surveyor', 'weather']);
      const used = project.countObservationsByCategory().map((entry) => entry.category);
      expect(used.every((category) => presets.some((preset) => preset.id === category))).to.equal(true);
      // The date filter means something: each month of the survey holds some, none holds all.
      for (const month of ['01', '02', '03', '04', '05', '06']) {
        const inMonth = project.countObservations({ from: `2025-${month}-01T00:00:00.000Z`, to: `2025-${month}-31T23:59:59.999Z` });
        expect(inMonth, month).to.be.within(100, 600);
      }

      await host.projects.loadSampleData(500);
      expect(project.countObservations()).to.equal(2500);
      expect(project.listPresets()).to.have.length(sampleCategories.length);
      expect(project.listFields()).to.have.length(3);
    } finally {
      await host.dispose();
    }
  });
});
