/**
 * What a file is when it is not CSV text, told from its first bytes: an Excel workbook, a zip, a PDF,
 * a compression other than gzip (zstd, bzip2, xz, ...), UTF-16 text, JSON, or binary data. Without this, such a file reads as one strange header row and
 * the run advises a column mapping; with it, the user hears what the file is and what to export.
 */

/** Undefined when `head` (the first bytes, decompressed) can be CSV text; else what it is instead. */
export function notCsvText(head: Uint8Array): { readonly what: string; readonly instead: string } | undefined {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  const saveAsCsv = 'Open it in the spreadsheet program and save or export it as "CSV UTF-8 (comma delimited)", then pass that file.';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    return { what: 'a zip archive (an Excel .xlsx or OpenDocument .ods workbook is one)', instead: `${saveAsCsv} A zip of CSV files must be unzipped first.` };
  }
  const compression = COMPRESSIONS.find(({ magic }) => starts(...magic) && (magic !== BZIP2_MAGIC || isBzip2Level(head[3])));
  if (compression !== undefined) {
    return {
      what: `${compression.name}-compressed data`,
      instead: `Decompress it first (${compression.command}), then pass the CSV; only gzip is read as it is.`,
    };
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return { what: 'an Excel 97-2003 workbook (.xls)', instead: saveAsCsv };
  if (starts(0x25, 0x50, 0x44, 0x46)) return { what: 'a PDF document', instead: 'Export the orders from the shop as CSV instead.' };
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff) || looksLikeUtf16(head)) {
    return { what: 'UTF-16 text (Excel\'s "Unicode Text")', instead: 'Save it as "CSV UTF-8 (comma delimited)" instead, or convert it: iconv -f UTF-16 -t UTF-8.' };
  }
  if (looksLikeJson(head)) {
    return { what: 'JSON', instead: 'Export the orders as CSV (Klaviyo: the Placed Order metric\'s CSV export; shops: the orders CSV export).' };
  }
  if (looksBinary(head)) return { what: 'binary data', instead: 'Check that this is the orders export, and that the download finished.' };
  return undefined;
}

/** `BZh`, then the block size `1` to `9`: a header row starting `BZh` alone is still text. */
const BZIP2_MAGIC = [0x42, 0x5a, 0x68];

function isBzip2Level(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x31 && byte <= 0x39;
}

/** Compressions other than gzip (which is read as it is), by their magic bytes, with the command that undoes each. */
const COMPRESSIONS: readonly { readonly name: string; readonly magic: readonly number[]; readonly command: string }[] = [
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], command: 'zstd -d orders.csv.zst' },
  { name: 'bzip2', magic: BZIP2_MAGIC, command: 'bunzip2 orders.csv.bz2' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], command: 'unxz orders.csv.xz' },
  { name: 'lz4', magic: [0x04, 0x22, 0x4d, 0x18], command: 'lz4 -d orders.csv.lz4' },
  { name: '7-Zip', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], command: '7z x orders.7z' },
];

/** ASCII text in UTF-16 without a byte order mark: every other byte is 0. */
function looksLikeUtf16(head: Uint8Array): boolean {
  const sample = Math.min(head.length, 512) & ~1;
  if (sample < 8) return false;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample; i += 2) {
    if (head[i] === 0) evenZeros++;
    if (head[i + 1] === 0) oddZeros++;
  }
  const pairs = sample / 2;
  return (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) || (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05);
}

/** `{"...` or `[{...`: no CSV header row starts with a brace or bracket followed by a quote or brace. */
function looksLikeJson(head: Uint8Array): boolean {
  const text = Buffer.from(head.subarray(0, 256)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return /^(\{\s*("|\})|\[\s*(\{|\[|"|\]|-?\d))/.test(text);
}

/** A NUL byte, or more than one byte in ten a control character other than tab, CR and LF. */
function looksBinary(head: Uint8Array): boolean {
  const sample = head.subarray(0, 4096);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) control++;
  }
  return sample.length > 0 && control > sample.length / 10;
}
