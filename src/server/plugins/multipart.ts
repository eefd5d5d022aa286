// Receives multipart/form-data: files are streamed to private temporary files (never held in
// memory), fields are collected for schema validation. The caller removes the files.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

export interface ReceivedFile {
  path: string;
  fileName: string;
  contentType: string | undefined;
}

export interface ReceivedForm {
  fields: Record<string, string>;
  files: ReceivedFile[];
  cleanup(): Promise<void>;
}

export async function receiveForm(
  request: FastifyRequest,
  options: { tmpDir: string; maxFileBytes: number; maxFiles: number },
): Promise<ReceivedForm> {
  if (!request.isMultipart()) {
    throw new ApiError('unsupported_media_type', 'Send the files as multipart/form-data.');
  }
  await mkdir(options.tmpDir, { recursive: true });
  const fields: Record<string, string> = {};
  const files: ReceivedFile[] = [];
  const cleanup = () =>
    Promise.all(files.map((f) => rm(f.path, { force: true }))).then(() => undefined);
  try {
    const parts = request.parts({
      limits: {
        fileSize: options.maxFileBytes,
        files: options.maxFiles,
        fields: 20,
        fieldSize: 4096,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname in fields) {
          throw new ApiError('validation_failed', `${part.fieldname}: sent more than once`);
        }
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file') {
        throw new ApiError(
          'validation_failed',
          `${part.fieldname}: files go in parts named "file"`,
        );
      }
      const file: ReceivedFile = {
        path: path.join(options.tmpDir, `${randomUUID()}.upload`),
        fileName: part.filename,
        contentType: part.mimetype === 'application/octet-stream' ? undefined : part.mimetype,
      };
      files.push(file);
      try {
        await pipeline(part.file, createWriteStream(file.path, { flags: 'wx' }));
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          const mb = Math.round(options.maxFileBytes / 1024 / 1024);
          throw new ApiError(
            'payload_too_large',
            `${part.filename}: larger than ${mb} MB. Send large files with the resumable upload (POST /api/v1/uploads).`,
          );
        }
        throw err;
      }
    }
  } catch (err) {
    await cleanup();
    if ((err as { code?: string }).code === 'FST_FILES_LIMIT') {
      throw new ApiError('payload_too_large', `At most ${options.maxFiles} files per request.`);
    }
    throw err;
  }
  if (files.length === 0) throw new ApiError('validation_failed', 'file: no file was sent');
  return { fields, files, cleanup };
}
