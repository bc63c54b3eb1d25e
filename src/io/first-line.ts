/**
 * The first line of a file, read without reading the rest: how the tool recognises a file it wrote
 * earlier (a profiles part, a rejects file) before it removes one.
 */
import { open, stat } from 'node:fs/promises';

/** The first line, without its line break (a BOM or CR would make it differ: then it is not ours). */
export async function firstLine(file: string): Promise<string | undefined> {
  // Only a regular file can be one the tool wrote; opening a FIFO to look would wait for a writer.
  if ((await stat(file).catch(() => undefined))?.isFile() !== true) return undefined;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
    return end < 0 ? undefined : buffer.toString('utf8', 0, end);
  } finally {
    await handle.close();
  }
}
