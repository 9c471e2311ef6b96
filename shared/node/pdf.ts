import { join } from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * The one place PDFs are made (the invitation letter now; the record printout later). Text is set
 * in DejaVu Sans, vendored beside this file with its licence (shared/node/fonts), embedded in every
 * PDF so each patient's name prints whatever its letters, on whatever machine the server runs.
 */
export const PDF_FONT_FILE = join(__dirname, 'fonts', 'DejaVuSans.ttf');
const FONT = 'DejaVuSans';

export interface PdfWriter {
  heading(text: string): void;
  paragraph(text: string): void;
  /** A label and a value on one line, the value larger (an ID the patient types). */
  emphasised(label: string, value: string): void;
  steps(items: readonly string[]): void;
  gap(): void;
}

/** Lays out a Letter-size document with `draw` and returns its bytes. */
/** `lang`: the document's language tag (default en-US), e.g. es-US for a Spanish letter. */
export function makePdf(meta: { title: string; author: string; lang?: string }, draw: (w: PdfWriter) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 64, info: { Title: meta.title, Author: meta.author }, lang: meta.lang ?? 'en-US', pdfVersion: '1.7', tagged: false });
  doc.registerFont(FONT, PDF_FONT_FILE);
  doc.font(FONT);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const writer: PdfWriter = {
    heading: (text) => {
      doc.fontSize(16).text(text);
      doc.moveDown(0.5);
      doc.fontSize(11);
    },
    paragraph: (text) => {
      doc.fontSize(11).text(text);
      doc.moveDown(0.5);
    },
    emphasised: (label, value) => {
      doc.fontSize(11).text(`${label} `, { continued: true }).fontSize(16).text(value);
      doc.fontSize(11);
      doc.moveDown(0.5);
    },
    steps: (items) => {
      doc.fontSize(11).list([...items], { listType: 'numbered', bulletIndent: 12, textIndent: 20 });
      doc.moveDown(0.5);
    },
    gap: () => {
      doc.moveDown(1);
    },
  };
  draw(writer);
  doc.end();
  return done;
}
