import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { CairnError, ErrorCodes, type ExportFormat, type ExportRequest } from '@cairn/sdk';
import { chunked, csvText, geojsonText } from './export.js';

/**
 * A zip of everything an analyst hands on: `observations.geojson`, `observations.csv`, and the
 * photos and other attachments under `photos/<observation id>/<name>` (the names the GeoJSON's
 * `$photos` and the CSV's `attachments` give). yazl writes it as a stream, so neither the text
 * nor the photos are held in memory; photos are stored, not compressed (JPEGs do not shrink).
 */
export const zipExportFormat: ExportFormat = {
  id: 'zip',
  title: 'Zip (GeoJSON, CSV and photos)',
  extensions: ['zip'],
  write: (request) => writeZip(request),
};

async function* writeZip(request: ExportRequest): AsyncGenerator<Uint8Array> {
  const zip = new ZipFile();
  // A photo that cannot be read fails the zip, not just its entry: end the output with the error.
  zip.on('error', (error: Error) => (zip.outputStream as Readable).destroy(error));
  const mtime = new Date();
  // The text entries are generated when yazl gets to them; only the GeoJSON pass reports progress.
  const bytes = (text: AsyncIterable<string>) => Readable.from(chunked(text), { objectMode: false });
  zip.addReadStreamLazy('observations.geojson', { mtime }, (done) => done(null, bytes(geojsonText(request))));
  zip.addReadStreamLazy('observations.csv', { mtime }, (done) => done(null, bytes(csvText(request, false))));
  for await (const page of request.pages()) {
    for (const observation of page) {
      for (const attachment of observation.attachments) {
        zip.addReadStreamLazy(`photos/${observation.id}/${attachment.name}`, { mtime, compress: false, size: attachment.size }, (done) => {
          request.readAttachment(observation.id, attachment.name).then(
            (stream) => done(null, stream),
            (error: unknown) =>
              done(
                new CairnError(
                  ErrorCodes.NOT_FOUND,
                  `The attachment '${attachment.name}' of observation ${observation.id} is not on this device yet (${(error as Error).message}). Sync with the device that took it, or export without photos (GeoJSON or CSV).`,
                ),
                undefined as never,
              ),
          );
        });
      }
    }
  }
  zip.end();
  for await (const chunk of zip.outputStream as AsyncIterable<Uint8Array>) yield chunk;
}
