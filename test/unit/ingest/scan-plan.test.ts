// What scanimage is asked for, from what a scanner says it offers (`scanimage -A`): the SANE
// test device as captured here, and the option lists of a duplex sheet-feeder and a flatbed
// with a feeder as their SANE backends print them.
import { describe, expect, it } from 'vitest';
import { planScan, type ScanRequest } from '../../../src/main/services/ingest/scan.js';
import { lastLine, parseDeviceOptions } from '../../../src/main/services/ingest/scanimage.js';

const TEST_DEVICE = `
All options specific to device \`test':
  Scan Mode:
    --mode Gray|Color [Gray]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --depth 1|8|16 [8]
        Number of bits per sample, typical values are 1 for "line-art" and 8
        for multibit scans.
    --hand-scanner[=(yes|no)] [no]
        Simulate a hand-scanner.
    --three-pass-order RGB|RBG|GBR|GRB|BRG|BGR [inactive]
        Set the order of frames in three-pass color mode.
    --resolution 1..1200dpi (in steps of 1) [50]
        Sets the resolution of the scanned image.
    --source Flatbed|Automatic Document Feeder [Flatbed]
        If Automatic Document Feeder is selected, the feeder will be 'empty'
        after 10 scans.
  Geometry:
    -l 0..200mm (in steps of 1) [0]
        Top-left x position of scan area.
`;

const SHEET_FEEDER = `
All options specific to device \`fujitsu:fi-7160:310294':
  Standard:
    --source ADF Front|ADF Back|ADF Duplex [ADF Front]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50..600dpi (in steps of 1) [600]
        Sets the resolution of the scanned image.
`;

const FLATBED_WITH_FEEDER = `
All options specific to device \`epson2:net:192.168.1.20':
  Scan Mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --depth 8|16 [8]
        Number of bits per sample, typical values are 1 for "line-art" and 8
        for multibit scans.
    --resolution 75|100|150|300|600|1200dpi [75]
        Sets the resolution of the scanned image.
    --source Flatbed|Automatic Document Feeder [Flatbed]
        Selects the scan source (such as a document-feeder).
    --adf-mode Simplex|Duplex [inactive]
        Selects the ADF mode (simplex/duplex)
`;

const BOTH = new Set(['jpeg', 'png'] as const);
const request = (device: string, rest: Partial<ScanRequest>): ScanRequest => ({
  deviceId: device,
  source: 'feeder',
  colour: 'gray',
  resolution: 300,
  ...rest,
});

describe('reading scanimage -A', () => {
  it('reads lists, ranges and units, and skips switches and geometry', () => {
    const options = parseDeviceOptions(TEST_DEVICE);
    expect([...options.keys()]).toEqual([
      'mode',
      'depth',
      'three-pass-order',
      'resolution',
      'source',
    ]);
    expect(options.get('depth')).toEqual({ values: ['1', '8', '16'], current: '8', active: true });
    expect(options.get('resolution')!.values).toEqual({ min: 1, max: 1200 });
    expect(options.get('three-pass-order')!.active).toBe(false);
    expect(parseDeviceOptions(FLATBED_WITH_FEEDER).get('resolution')!.values).toEqual([
      '75',
      '100',
      '150',
      '300',
      '600',
      '1200',
    ]);
  });

  it("quotes scanimage's last error line without its program name", () => {
    expect(lastLine('scanimage: open of device test:7 failed: Invalid argument\n\n')).toBe(
      'open of device test:7 failed: Invalid argument',
    );
  });
});

describe('planning a scan', () => {
  it('uses grey at 1 bit for line art where a device has no line-art mode', () => {
    const plan = planScan(
      request('test:0', { colour: 'lineart', resolution: 150 }),
      parseDeviceOptions(TEST_DEVICE),
      BOTH,
    );
    expect(plan).toEqual({
      args: [
        ...['-d', 'test:0', '--source', 'Automatic Document Feeder'],
        ...['--mode', 'Gray', '--depth', '1', '--resolution', '150', '--format=png'],
      ],
      scanFormat: 'png',
      pageFormat: 'png',
      dpi: 150,
    });
  });

  it('picks the duplex source of a sheet feeder and its own line-art mode', () => {
    const plan = planScan(
      request('fujitsu:fi-7160:310294', { source: 'feeder-duplex', colour: 'lineart' }),
      parseDeviceOptions(SHEET_FEEDER),
      BOTH,
    );
    expect(plan.args).toEqual([
      ...['-d', 'fujitsu:fi-7160:310294', '--source', 'ADF Duplex'],
      ...['--mode', 'Lineart', '--resolution', '300', '--format=png'],
    ]);
  });

  it('turns on duplex through adf-mode, and takes the nearest resolution offered', () => {
    const plan = planScan(
      request('epson2:net:192.168.1.20', {
        source: 'feeder-duplex',
        colour: 'color',
        resolution: 250,
      }),
      parseDeviceOptions(FLATBED_WITH_FEEDER),
      BOTH,
    );
    expect(plan.args).toEqual([
      ...['-d', 'epson2:net:192.168.1.20', '--source', 'Automatic Document Feeder'],
      ...['--adf-mode', 'Duplex', '--mode', 'Color', '--depth', '8'],
      ...['--resolution', '300', '--format=jpeg'],
    ]);
    expect(plan.dpi).toBe(300);
  });

  it('scans one page from a flatbed, as TIFF when scanimage has no JPEG', () => {
    const plan = planScan(
      request('test:0', { source: 'flatbed', resolution: 5000 }),
      parseDeviceOptions(TEST_DEVICE),
      new Set(),
    );
    expect(plan.args).toContain('--batch-count=1');
    expect(plan).toMatchObject({ scanFormat: 'tiff', pageFormat: 'jpeg', dpi: 1200 });
  });

  it('asks for no source or resolution a device does not let one choose', () => {
    const plain = parseDeviceOptions('    --mode Gray|Color [Gray]\n');
    const plan = planScan(request('plain:0', { source: 'flatbed', resolution: 200 }), plain, BOTH);
    expect(plan.args).toEqual([
      ...['-d', 'plain:0', '--mode', 'Gray', '--batch-count=1', '--format=jpeg'],
    ]);
    expect(plan.dpi).toBe(200);
    expect(() => planScan(request('plain:0', {}), plain, BOTH)).toThrow(
      'The scanner plain:0 does not offer a document feeder.',
    );
  });

  it('says what the scanner offers instead of what was asked for', () => {
    expect(() =>
      planScan(
        request('fujitsu:fi-7160:310294', { source: 'flatbed' }),
        parseDeviceOptions(SHEET_FEEDER),
        BOTH,
      ),
    ).toThrow(
      'The scanner fujitsu:fi-7160:310294 does not offer a flatbed. It offers: ADF Front, ADF Back, ADF Duplex.',
    );
    expect(() =>
      planScan(
        request('test:0', { deviceOptions: { 'x; rm -rf': '1' } }),
        parseDeviceOptions(TEST_DEVICE),
        BOTH,
      ),
    ).toThrow('"x; rm -rf" is not a scanner option name.');
  });
});
