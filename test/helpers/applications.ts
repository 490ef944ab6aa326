/** Membership application fixtures shared by the integration tests that apply through the procedures. */

/** The smallest file the upload check takes as a PDF (its magic bytes, a body, an end marker). */
export const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/** The multipart form a browser sends for one document upload. */
export function pdfForm(name = 'licence.pdf', bytes: Uint8Array<ArrayBuffer> = PDF_BYTES): FormData {
  const form = new FormData();
  form.set('file', new File([bytes], name, { type: 'application/pdf' }));
  return form;
}

/** A practitioner application with every field the submission check asks for. */
export const COMPLETE_APPLICATION = {
  categoryId: 'practitioner',
  profession: 'nurse' as const,
  licenceNumber: 'RN-123456',
  licenceIssuer: 'Nursing and Midwifery Council',
  institution: 'St Elsewhere ECP Centre',
  country: 'GB',
  yearsEcpPractice: 4,
  treatmentsSupervised: 350,
  languages: ['English', 'Welsh'],
  acceptEthics: true,
};
